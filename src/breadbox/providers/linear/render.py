"""Linear issues, projects and documents as Markdown documents for a store.

An issue renders as its title, a header of properties (identifier, state, team, assignee,
labels, priority, project), the description, then every comment in creation order with its
author and date, so a search for words from a reply finds the issue it belongs to. Descriptions,
comments and content are Markdown already (the `body`/`content` fields, never the internal
ProseMirror or YJS ones), so they are copied as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from breadbox.providers.base import Document


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def name_of(value: Any, key: str = "name") -> str | None:
    """A to-one relation's name; relations are JSON null when unset (llama-index crashes here)."""
    if isinstance(value, dict) and isinstance(value.get(key), str) and value[key]:
        return str(value[key])
    return None


def is_gone(node: Mapping[str, Any]) -> bool:
    """Trashed or archived: the store should not keep it (archived rows appear only because
    every query passes includeArchived)."""
    return bool(node.get("trashed")) or node.get("archivedAt") is not None


def _when(value: Any) -> str:
    moment = parse_time(value)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "unknown date"


def _header(pairs: list[tuple[str, str | None]]) -> str:
    return "\n".join(f"- **{label}:** {value}" for label, value in pairs if value)


def sorted_comments(comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Creation order (the API's order direction is unverified), archived ones left out."""
    live = [c for c in comments if c.get("archivedAt") is None]
    return sorted(live, key=lambda c: (str(c.get("createdAt") or ""), str(c.get("id") or "")))


def render_issue(
    issue: dict[str, Any], comments: list[dict[str, Any]], labels: Mapping[str, str]
) -> Document:
    identifier = str(issue.get("identifier") or "")
    title = str(issue.get("title") or "Untitled")
    team = issue.get("team") or {}
    team_text = f"{team.get('name')} ({team.get('key')})" if team.get("key") else name_of(team)
    label_names = [labels[i] for i in issue.get("labelIds") or [] if labels.get(i)]
    state = name_of(issue.get("state"))
    header = _header(
        [
            ("Identifier", identifier),
            ("State", state),
            ("Team", team_text),
            ("Assignee", name_of(issue.get("assignee")) or "Unassigned"),
            ("Labels", ", ".join(label_names) or None),
            ("Priority", issue.get("priorityLabel")),
            ("Project", name_of(issue.get("project"))),
        ]
    )
    parts = [f"# {identifier}: {title}" if identifier else f"# {title}", header]
    description = str(issue.get("description") or "").strip()
    if description:
        parts.append(description)
    ordered = sorted_comments(comments)
    if ordered:
        parts.append("## Comments")
        for comment in ordered:
            author = name_of(comment.get("user")) or "Integration"
            parts.append(
                f"### {author}, {_when(comment.get('createdAt'))}\n\n{str(comment.get('body') or '').strip()}"
            )
    metadata = {
        "identifier": identifier,
        "team": team.get("key"),
        "state": state,
        "state_type": (issue.get("state") or {}).get("type"),
        "priority": issue.get("priorityLabel"),
        "assignee": name_of(issue.get("assignee")),
        "labels": label_names,
        "project": name_of(issue.get("project")),
        "comments": len(ordered),
    }
    return Document(
        source_id=str(issue["id"]),
        kind="issue",
        title=f"{identifier}: {title}" if identifier else title,
        content="\n\n".join(parts) + "\n",
        url=issue.get("url"),
        created_at=parse_time(issue.get("createdAt")),
        updated_at=parse_time(issue.get("updatedAt")),
        metadata={k: v for k, v in metadata.items() if v not in (None, "")},
    )


def render_project(project: dict[str, Any]) -> Document:
    name = str(project.get("name") or "Untitled project")
    status = name_of(project.get("status"))
    lead = name_of(project.get("lead"))
    parts = [
        f"# {name}",
        _header([("Status", status), ("Lead", lead), ("Target date", project.get("targetDate"))]),
    ]
    for text in (project.get("description"), project.get("content")):
        if isinstance(text, str) and text.strip():
            parts.append(text.strip())
    metadata = {"status": status, "lead": lead, "target_date": project.get("targetDate")}
    return Document(
        source_id=str(project["id"]),
        kind="project",
        title=name,
        content="\n\n".join(p for p in parts if p) + "\n",
        url=project.get("url"),
        created_at=parse_time(project.get("createdAt")),
        updated_at=parse_time(project.get("updatedAt")),
        metadata={k: v for k, v in metadata.items() if v is not None},
    )


def render_document(document: dict[str, Any]) -> Document:
    # "An empty string indicates an untitled document" (schema).
    title = str(document.get("title") or "Untitled document")
    project = name_of(document.get("project"))
    issue = name_of(document.get("issue"), "identifier")
    team = name_of(document.get("team"), "key")
    creator = name_of(document.get("creator"))
    parts = [
        f"# {title}",
        _header([("Project", project), ("Issue", issue), ("Team", team), ("Author", creator)]),
    ]
    content = document.get("content")
    if isinstance(content, str) and content.strip():
        parts.append(content.strip())
    metadata = {"project": project, "issue": issue, "team": team, "author": creator}
    return Document(
        source_id=str(document["id"]),
        kind="document",
        title=title,
        content="\n\n".join(p for p in parts if p) + "\n",
        url=document.get("url"),
        created_at=parse_time(document.get("createdAt")),
        updated_at=parse_time(document.get("updatedAt")),
        metadata={k: v for k, v in metadata.items() if v is not None},
    )
