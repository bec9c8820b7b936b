"""A deterministic generated workspace and the edits the admin API makes to it.

Everything is generated from one seeded `random.Random`, so a seed fixes ids, words and the
shape of the data; only timestamps follow the simulated clock. Generation is plain object
construction (no per-row formatting beyond the text), which keeps 2,000 issues x 5 comments
at well under a second.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from .config import LinearSimConfig
from .model import (
    Comment,
    Document,
    Issue,
    IssueLabel,
    Organization,
    Project,
    ProjectStatus,
    Team,
    User,
    WorkflowState,
    slug,
)
from .words import TextGen

TEAMS = (("ENG", "Engineering"), ("DES", "Design"), ("OPS", "Operations"))
STATES = (
    ("Triage", "triage", "#fc7840"),
    ("Backlog", "backlog", "#bec2c8"),
    ("Todo", "unstarted", "#e2e2e2"),
    ("In Progress", "started", "#f2c94c"),
    ("Done", "completed", "#5e6ad2"),
    ("Canceled", "canceled", "#95a2b3"),
)
LABELS = (("Bug", "#eb5757"), ("Feature", "#bb87fc"), ("Improvement", "#4ea7fc"), ("Chore", "#95a2b3"))
PROJECT_STATUSES = (
    ("Backlog", "backlog"),
    ("Planned", "planned"),
    ("In Progress", "started"),
    ("Paused", "paused"),
    ("Completed", "completed"),
    ("Canceled", "canceled"),
)
FIRST_NAMES = [
    "Ada",
    "Grace",
    "Linus",
    "Margaret",
    "Alan",
    "Barbara",
    "Dennis",
    "Frances",
    "Ken",
    "Radia",
    "Tim",
    "Hedy",
]
LAST_NAMES = [
    "Lovelace",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Turing",
    "Liskov",
    "Ritchie",
    "Allen",
    "Thompson",
    "Perlman",
    "Lee",
    "Lamarr",
]


def ms(moment: datetime) -> datetime:
    """Truncate to milliseconds: the API's precision, so a returned timestamp compares exactly."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class Workspace:
    """All entities, in creation order, with id and identifier indexes."""

    def __init__(self, config: LinearSimConfig, now: datetime) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.text = TextGen(self.rng)
        self.users: list[User] = []
        self.teams: list[Team] = []
        self.states: list[WorkflowState] = []
        self.labels: list[IssueLabel] = []
        self.project_statuses: list[ProjectStatus] = []
        self.projects: list[Project] = []
        self.documents: list[Document] = []
        self.issues: list[Issue] = []
        self.comments: list[Comment] = []
        self.by_id: dict[str, object] = {}
        self.by_identifier: dict[str, Issue] = {}
        start = ms(now - timedelta(days=config.history_days))
        self.organization = Organization(self.new_id(), "Breadbox Sim", "breadbox-sim", start, start)
        _generate(self, start, ms(now))

    # --- helpers -------------------------------------------------------------------------
    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def add(self, entity: object) -> None:
        self.by_id[entity.id] = entity  # type: ignore[attr-defined]

    @property
    def viewer(self) -> User:
        return self.users[0]

    def team_by_key(self, key: str) -> Team:
        for team in self.teams:
            if team.key == key.upper():
                return team
        raise KeyError(key)

    def find_issue(self, ref: str) -> Issue | None:
        """By UUID, identifier or a previous identifier (the API accepts all three)."""
        found = self.by_id.get(ref)
        if isinstance(found, Issue):
            return found
        return self.by_identifier.get(ref.upper())

    def state_of_type(self, team: Team, kind: str) -> WorkflowState:
        candidates = [s for s in self.states if s.team is team]
        return next((s for s in candidates if s.type == kind), candidates[0])

    def issue_url(self, issue: Issue) -> str:
        return f"https://linear.app/{self.organization.urlKey}/issue/{issue.identifier}/{slug(issue.title)}"

    # --- edits (the admin API) -----------------------------------------------------------
    def create_issue(self, title: str, description: str | None, team_key: str, now: datetime) -> Issue:
        team = self.team_by_key(team_key)
        issue = Issue(
            id=self.new_id(), identifier=f"{team.key}-{team.next_number}", number=team.next_number,
            title=title, description=description, priority=0, team=team,
            state=self.state_of_type(team, "backlog"), createdAt=ms(now), updatedAt=ms(now),
            creator=self.viewer,
        )  # fmt: skip
        team.next_number += 1
        issue.url = self.issue_url(issue)
        self.issues.append(issue)
        self.add(issue)
        self.by_identifier[issue.identifier] = issue
        return issue

    def update_issue(self, issue: Issue, now: datetime, title: str | None, description: str | None) -> None:
        if title is not None:
            issue.title = title
            issue.url = self.issue_url(issue)
        if description is not None:
            issue.description = description
        issue.updatedAt = ms(now)

    def archive_issue(self, issue: Issue, now: datetime, trash: bool) -> None:
        issue.archivedAt = ms(now)
        if trash:
            issue.trashed = True
        if self.config.archive_bumps_updated_at:
            issue.updatedAt = ms(now)

    def unarchive_issue(self, issue: Issue, now: datetime) -> None:
        issue.archivedAt = None
        issue.trashed = None
        issue.updatedAt = ms(now)

    def hard_delete_issue(self, issue: Issue) -> None:
        """Gone without a trace, as after the 30-day trash grace period."""
        self.issues.remove(issue)
        del self.by_id[issue.id]
        for ident in [issue.identifier, *issue.previousIdentifiers]:
            self.by_identifier.pop(ident, None)
        for comment in issue.comments:
            self.by_id.pop(comment.id, None)
        gone = {c.id for c in issue.comments}
        self.comments = [c for c in self.comments if c.id not in gone]
        for other in self.issues:
            if other.parent is issue:
                other.parent = None
        for doc in self.documents:
            if doc.issue is issue:
                doc.issue = None

    def move_issue(self, issue: Issue, team_key: str, now: datetime) -> None:
        """Another team means a new identifier; the old one stays in previousIdentifiers."""
        team = self.team_by_key(team_key)
        if team is issue.team:
            return
        issue.previousIdentifiers.append(issue.identifier)
        issue.team = team
        issue.number = team.next_number
        issue.identifier = f"{team.key}-{team.next_number}"
        team.next_number += 1
        issue.state = self.state_of_type(team, issue.state.type)
        issue.url = self.issue_url(issue)
        issue.updatedAt = ms(now)
        self.by_identifier[issue.identifier] = issue

    def add_comment(self, issue: Issue, body: str, now: datetime, user: User | None = None) -> Comment:
        comment = Comment(self.new_id(), body, ms(now), ms(now), issue=issue, user=user or self.viewer)
        comment.url = f"{issue.url}#comment-{comment.id[:8]}"
        issue.comments.append(comment)
        self.comments.append(comment)
        self.add(comment)
        if self.config.comment_bumps_issue:
            issue.updatedAt = ms(now)
        return comment

    def update_comment(self, comment: Comment, body: str, now: datetime) -> None:
        comment.body = body
        comment.updatedAt = comment.editedAt = ms(now)

    def delete_comment(self, comment: Comment) -> None:
        """Comment deletion is a hard delete in Linear (commentDelete returns DeletePayload)."""
        self.comments.remove(comment)
        del self.by_id[comment.id]
        if comment.issue:
            comment.issue.comments.remove(comment)
        for other in self.comments:
            if other.parent is comment:
                other.parent = None


def _generate(ws: Workspace, start: datetime, now: datetime) -> None:
    cfg, rng, text = ws.config, ws.rng, ws.text
    span = (now - start).total_seconds()

    def moment(after: datetime) -> datetime:
        room = max((now - after).total_seconds(), 0.0)
        return ms(after + timedelta(seconds=room * rng.random()))

    for n in range(max(cfg.users, 1)):
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[(n * 5) % len(LAST_NAMES)]
        user = User(ws.new_id(), f"{first} {last}", first.lower(), f"{first.lower()}.{last.lower()}@example.com",
                    start, start, admin=n == 0)  # fmt: skip
        user.url = f"https://linear.app/{ws.organization.urlKey}/profiles/{user.displayName}"
        ws.users.append(user)
    for key, name in TEAMS:
        team = Team(ws.new_id(), key, name, f"The {name.lower()} team.", start, start)
        ws.teams.append(team)
        for pos, (sname, stype, color) in enumerate(STATES):
            ws.states.append(WorkflowState(ws.new_id(), sname, stype, color, float(pos), team, start, start))
    for lname, color in LABELS:
        ws.labels.append(IssueLabel(ws.new_id(), lname, color, start, start))
    for pos, (pname, ptype) in enumerate(PROJECT_STATUSES):
        ws.project_statuses.append(
            ProjectStatus(ws.new_id(), pname, ptype, "#5e6ad2", float(pos), start, start)
        )

    for _ in range(cfg.projects):
        created = moment(start)
        codename = text.codename()
        name, description, content = text.project(codename)
        project_id = ws.new_id()
        slug_id = project_id[-12:]
        project = Project(project_id, name, slug_id,
                          f"https://linear.app/{ws.organization.urlKey}/project/{slug(name)}-{slug_id}",
                          description, content, rng.choice(ws.project_statuses), created, moment(created),
                          teams=rng.sample(ws.teams, rng.randint(1, 2)), lead=rng.choice(ws.users),
                          creator=ws.users[0], priority=rng.randint(0, 4))  # fmt: skip
        ws.projects.append(project)

    creation = sorted(start + timedelta(seconds=span * rng.random() * 0.9) for _ in range(cfg.issues))
    for n, created_raw in enumerate(creation):
        created = ms(created_raw)
        team = ws.teams[0] if n == 0 else rng.choice(ws.teams)
        issue = ws.create_issue(text.issue_title(), None, team.key, created)
        issue.description = text.issue_description(text.codename()) if rng.random() < 0.9 else None
        issue.updatedAt = moment(created)
        issue.priority = float(rng.randint(0, 4))
        issue.state = rng.choice([s for s in ws.states if s.team is team])
        issue.assignee = rng.choice(ws.users) if rng.random() < 0.8 else None
        issue.creator = rng.choice(ws.users)
        issue.project = rng.choice(ws.projects) if ws.projects and rng.random() < 0.4 else None
        issue.labels = rng.sample(ws.labels, rng.randint(0, 2))
        issue.estimate = float(rng.choice([1, 2, 3, 5, 8])) if rng.random() < 0.5 else None
        if issue.state.type in ("started", "completed"):
            issue.startedAt = issue.updatedAt
        if issue.state.type == "completed":
            issue.completedAt = issue.updatedAt
        count = (
            cfg.long_thread_comments if n == 0 and cfg.long_thread_comments > 0 else cfg.comments_per_issue
        )
        _comments(ws, issue, count, moment)

    candidates = ws.issues[1:]
    # Tiny workspaces (demo, CLI with --issues 5) keep most issues visible.
    wanted = min(cfg.archived_issues + cfg.trashed_issues, max(1, cfg.issues // 5))
    hidden = rng.sample(candidates, min(len(candidates), wanted))
    for k, issue in enumerate(hidden):
        issue.archivedAt = moment(issue.updatedAt)
        if k >= cfg.archived_issues:
            issue.trashed = True

    for _ in range(cfg.documents):
        created = moment(start)
        title, content = text.document(text.codename())
        doc_id = ws.new_id()
        doc = Document(doc_id, title, content, doc_id[-12:],
                       f"https://linear.app/{ws.organization.urlKey}/document/{slug(title)}-{doc_id[-12:]}",
                       created, moment(created), creator=rng.choice(ws.users))  # fmt: skip
        doc.updatedBy = doc.creator
        if ws.projects and rng.random() < 0.7:
            doc.project = rng.choice(ws.projects)
        elif ws.issues and rng.random() < 0.5:
            doc.issue = rng.choice(ws.issues)
        else:
            doc.team = rng.choice(ws.teams)
        ws.documents.append(doc)
    for n in range(cfg.orphan_comments if ws.documents else 0):
        doc = ws.documents[n % len(ws.documents)]
        comment = Comment(
            ws.new_id(), text.comment_body(), moment(doc.createdAt), now, user=rng.choice(ws.users)
        )
        comment.updatedAt = moment(comment.createdAt)
        comment.document = doc
        comment.url = f"{doc.url}#comment-{comment.id[:8]}"
        ws.comments.append(comment)

    for entity in [*ws.users, *ws.teams, *ws.states, *ws.labels, *ws.project_statuses, *ws.projects,
                   *ws.documents, *ws.comments]:  # fmt: skip
        ws.add(entity)


def _comments(ws: Workspace, issue: Issue, count: int, moment: object) -> None:
    rng, text = ws.rng, ws.text
    at = issue.createdAt
    previous: Comment | None = None
    for _ in range(count):
        at = moment(at)  # type: ignore[operator]
        user = rng.choice(ws.users) if rng.random() > 0.05 else None
        comment = Comment(ws.new_id(), text.comment_body(), at, at, issue=issue, user=user)
        comment.url = f"{issue.url}#comment-{comment.id[:8]}"
        if previous is not None and rng.random() < 0.15:
            comment.parent = previous
        if rng.random() < 0.1:
            comment.updatedAt = comment.editedAt = moment(at)  # type: ignore[operator]
        issue.comments.append(comment)
        ws.comments.append(comment)
        previous = comment
