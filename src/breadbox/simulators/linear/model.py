"""The entities of a simulated workspace.

Class and attribute names are the GraphQL type and field names, so the default field resolver
can read them directly; only derived fields and to-many relations need code (resolvers.py).
To-one relations are object references, so moving an issue to another team is one assignment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(eq=False)
class Organization:
    id: str
    name: str
    urlKey: str
    createdAt: datetime
    updatedAt: datetime


@dataclass(eq=False)
class User:
    id: str
    name: str
    displayName: str
    email: str
    createdAt: datetime
    updatedAt: datetime
    active: bool = True
    admin: bool = False
    archivedAt: datetime | None = None
    url: str = ""


@dataclass(eq=False)
class Team:
    id: str
    key: str
    name: str
    description: str
    createdAt: datetime
    updatedAt: datetime
    archivedAt: datetime | None = None
    private: bool = False
    next_number: int = 1

    @property
    def displayName(self) -> str:
        return self.name


@dataclass(eq=False)
class WorkflowState:
    id: str
    name: str
    type: str
    color: str
    position: float
    team: Team
    createdAt: datetime
    updatedAt: datetime
    archivedAt: datetime | None = None


@dataclass(eq=False)
class IssueLabel:
    id: str
    name: str
    color: str
    createdAt: datetime
    updatedAt: datetime
    archivedAt: datetime | None = None
    team: Team | None = None
    isGroup: bool = False


@dataclass(eq=False)
class ProjectStatus:
    id: str
    name: str
    type: str
    color: str
    position: float
    createdAt: datetime
    updatedAt: datetime


@dataclass(eq=False)
class Project:
    id: str
    name: str
    slugId: str
    url: str
    description: str
    content: str
    status: ProjectStatus
    createdAt: datetime
    updatedAt: datetime
    teams: list[Team] = field(default_factory=list)
    lead: User | None = None
    creator: User | None = None
    archivedAt: datetime | None = None
    trashed: bool | None = None
    priority: int = 0
    color: str = "#bec2c8"

    @property
    def state(self) -> str:
        return self.status.type


@dataclass(eq=False)
class Issue:
    id: str
    identifier: str
    number: float
    title: str
    description: str | None
    priority: float
    team: Team
    state: WorkflowState
    createdAt: datetime
    updatedAt: datetime
    url: str = ""
    assignee: User | None = None
    creator: User | None = None
    project: Project | None = None
    parent: Issue | None = None
    labels: list[IssueLabel] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    previousIdentifiers: list[str] = field(default_factory=list)
    archivedAt: datetime | None = None
    trashed: bool | None = None
    estimate: float | None = None
    startedAt: datetime | None = None
    completedAt: datetime | None = None
    canceledAt: datetime | None = None

    @property
    def priorityLabel(self) -> str:
        return ["No priority", "Urgent", "High", "Medium", "Low"][int(self.priority)]

    @property
    def labelIds(self) -> list[str]:
        return [label.id for label in self.labels]

    @property
    def branchName(self) -> str:
        return f"{self.identifier.lower()}-{_slug(self.title)}"


@dataclass(eq=False)
class Document:
    id: str
    title: str
    content: str
    slugId: str
    url: str
    createdAt: datetime
    updatedAt: datetime
    project: Project | None = None
    issue: Issue | None = None
    team: Team | None = None
    creator: User | None = None
    updatedBy: User | None = None
    archivedAt: datetime | None = None
    trashed: bool | None = None
    icon: str | None = None
    color: str | None = None


@dataclass(eq=False)
class Comment:
    id: str
    body: str
    createdAt: datetime
    updatedAt: datetime
    url: str = ""
    issue: Issue | None = None
    document: Document | None = None
    user: User | None = None
    parent: Comment | None = None
    archivedAt: datetime | None = None
    editedAt: datetime | None = None
    resolvedAt: datetime | None = None

    @property
    def issueId(self) -> str | None:
        return self.issue.id if self.issue else None

    @property
    def parentId(self) -> str | None:
        return self.parent.id if self.parent else None

    @property
    def documentContentId(self) -> str | None:
        return self.document.id if self.document else None


def _slug(text: str, limit: int = 40) -> str:
    out = "".join(ch if ch.isalnum() else "-" for ch in text.lower())
    return "-".join(part for part in out.split("-") if part)[:limit].rstrip("-")


slug = _slug
