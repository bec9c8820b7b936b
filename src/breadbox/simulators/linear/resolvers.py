"""Field resolution for the simulated workspace.

One default field resolver serves the whole schema: it reads attributes or dict keys, uses a
small table for root fields and derived relations, turns any list returned for a `…Connection`
field into a paginated connection, and answers unmodelled non-null fields with empty values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, get_named_type

from .complexity import is_connection
from .config import LinearSimConfig
from .connections import CursorError, paginate
from .errors import input_error
from .filters import MISSING, FilterError, Matcher
from .model import Comment, Document, Issue, IssueLabel, Project, Team, User, WorkflowState
from .oauth import Principal
from .schema import fallback
from .workspace import Workspace


@dataclass
class Context:
    """Per-request state handed to every resolver."""

    ws: Workspace
    config: LinearSimConfig
    principal: Principal
    now: datetime
    rate_limit_rows: Callable[[], list[dict[str, Any]]]
    unsupported: set[str] = field(default_factory=set)

    def matcher(self) -> Matcher:
        ws = self.ws
        matcher = Matcher(lambda entity, key: related(ws, entity, key), self.now)
        matcher.unsupported = self.unsupported
        return matcher


Resolver = Callable[[Context, Any, dict[str, Any]], Any]

RELATIONS: dict[tuple[str, str], Callable[[Workspace, Any], Any]] = {
    ("Team", "issues"): lambda ws, t: [i for i in ws.issues if i.team is t],
    ("Team", "states"): lambda ws, t: [s for s in ws.states if s.team is t],
    ("Team", "members"): lambda ws, t: list(ws.users),
    ("Team", "labels"): lambda ws, t: [lb for lb in ws.labels if lb.team in (None, t)],
    ("Team", "projects"): lambda ws, t: [p for p in ws.projects if t in p.teams],
    ("Team", "issueCount"): lambda ws, t: sum(1 for i in ws.issues if i.team is t),
    ("Team", "organization"): lambda ws, t: ws.organization,
    ("Project", "issues"): lambda ws, p: [i for i in ws.issues if i.project is p],
    ("Project", "documents"): lambda ws, p: [d for d in ws.documents if d.project is p],
    ("Project", "members"): lambda ws, p: [u for u in ws.users if u is p.lead],
    ("User", "assignedIssues"): lambda ws, u: [i for i in ws.issues if i.assignee is u],
    ("User", "createdIssues"): lambda ws, u: [i for i in ws.issues if i.creator is u],
    ("User", "teams"): lambda ws, u: list(ws.teams),
    ("User", "organization"): lambda ws, u: ws.organization,
    ("WorkflowState", "issues"): lambda ws, s: [i for i in ws.issues if i.state is s],
    ("IssueLabel", "issues"): lambda ws, lb: [i for i in ws.issues if lb in i.labels],
    ("IssueLabel", "organization"): lambda ws, lb: ws.organization,
    ("Issue", "children"): lambda ws, i: [c for c in ws.issues if c.parent is i],
    ("Issue", "documents"): lambda ws, i: [d for d in ws.documents if d.issue is i],
    ("Comment", "children"): lambda ws, c: [x for x in ws.comments if x.parent is c],
    ("Document", "comments"): lambda ws, d: [c for c in ws.comments if c.document is d],
    ("Organization", "users"): lambda ws, o: list(ws.users),
    ("Organization", "teams"): lambda ws, o: list(ws.teams),
    ("Organization", "labels"): lambda ws, o: list(ws.labels),
    ("Organization", "userCount"): lambda ws, o: len(ws.users),
    ("Organization", "projectStatuses"): lambda ws, o: list(ws.project_statuses),
    ("Query", "issues"): lambda ws, _: ws.issues,
    ("Query", "comments"): lambda ws, _: ws.comments,
    ("Query", "projects"): lambda ws, _: ws.projects,
    ("Query", "documents"): lambda ws, _: ws.documents,
    ("Query", "teams"): lambda ws, _: ws.teams,
    ("Query", "users"): lambda ws, _: ws.users,
    ("Query", "workflowStates"): lambda ws, _: ws.states,
    ("Query", "issueLabels"): lambda ws, _: ws.labels,
    ("Query", "projectStatuses"): lambda ws, _: ws.project_statuses,
    ("Query", "organization"): lambda ws, _: ws.organization,
}


def related(ws: Workspace, entity: object, key: str) -> Any:
    """Attribute or derived relation of `entity`, for filters; MISSING if unknown."""
    relation = RELATIONS.get((type(entity).__name__, key))
    if relation is not None:
        return relation(ws, entity)
    if hasattr(entity, key):
        return getattr(entity, key)
    return MISSING


def not_found(kind: str, status: int) -> GraphQLError:
    err = input_error(f"Entity not found: {kind}", f"Could not find referenced {kind}.", status)
    return GraphQLError(err["message"], extensions=err["extensions"])


def _lookup(kind: type, label: str) -> Resolver:
    def resolve(ctx: Context, _: Any, args: dict[str, Any]) -> Any:
        ref = str(args.get("id", ""))
        found = ctx.ws.find_issue(ref) if kind is Issue else ctx.ws.by_id.get(ref)
        if found is None and kind is Project:
            found = next((p for p in ctx.ws.projects if p.slugId == ref), None)
        if found is None and kind is Team:
            found = next((t for t in ctx.ws.teams if t.key == ref.upper()), None)
        if not isinstance(found, kind):
            raise not_found(label, ctx.config.not_found_status)
        return found

    return resolve


def _viewer(ctx: Context, _: Any, __: dict[str, Any]) -> Any:
    return ctx.ws.by_id.get(ctx.principal.user_id, ctx.ws.viewer)


def _rate_limit_status(ctx: Context, _: Any, __: dict[str, Any]) -> Any:
    return {"identifier": ctx.principal.bucket, "kind": ctx.principal.kind, "limits": ctx.rate_limit_rows()}


CUSTOM: dict[tuple[str, str], Resolver] = {
    ("Query", "viewer"): _viewer,
    ("Query", "issue"): _lookup(Issue, "Issue"),
    ("Query", "comment"): _lookup(Comment, "Comment"),
    ("Query", "project"): _lookup(Project, "Project"),
    ("Query", "document"): _lookup(Document, "Document"),
    ("Query", "team"): _lookup(Team, "Team"),
    ("Query", "user"): _lookup(User, "User"),
    ("Query", "workflowState"): _lookup(WorkflowState, "WorkflowState"),
    ("Query", "issueLabel"): _lookup(IssueLabel, "IssueLabel"),
    ("Query", "rateLimitStatus"): _rate_limit_status,
    ("User", "isMe"): lambda ctx, user, _: user.id == ctx.principal.user_id,
}


def field_resolver(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    """The schema-wide default resolver (see module docstring)."""
    ctx: Context = info.context
    key = (info.parent_type.name, info.field_name)
    custom = CUSTOM.get(key)
    if custom is not None:
        value = custom(ctx, source, args)
    elif key in RELATIONS:
        value = RELATIONS[key](ctx.ws, source)
    elif isinstance(source, dict):
        value = source.get(info.field_name)
    else:
        value = getattr(source, info.field_name, None)
    named = get_named_type(info.return_type)
    if is_connection(named) and (value is None or isinstance(value, list)):
        try:
            return paginate(
                value or [],
                args,
                ctx.matcher(),
                ctx.config.default_page_size,
                ctx.config.order_direction == "desc",
            )
        except (CursorError, FilterError) as exc:
            err = input_error(str(exc), str(exc))
            raise GraphQLError(err["message"], extensions=err["extensions"]) from exc
    if value is None:
        return fallback(info.return_type, source, info)
    return value
