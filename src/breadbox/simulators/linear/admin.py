"""Linear-specific `/_sim/` routes: change the workspace, budgets and OAuth behaviour.

These are test hooks, not part of Linear's API: no auth, not counted in the stats. Every edit
uses the simulated clock, so "edit, advance the clock, edit again" gives ordered timestamps.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .model import Comment, Document, Issue, Project
from .service import LinearSim

QUIRKS = {
    "order_direction", "archive_bumps_updated_at", "comment_bumps_issue", "strict_auth_prefix",
    "auth_error_status", "validation_error_status", "not_found_status", "max_first",
    "first_over_max_code", "max_complexity", "default_page_size", "refresh_grace_seconds",
    "revoke_access_on_refresh", "access_token_ttl",
}  # fmt: skip


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    data = json.loads(raw) if raw else {}
    return data if isinstance(data, dict) else {}


def _missing(kind: str, ref: str) -> Response:
    return JSONResponse({"error": f"no {kind} {ref}"}, status_code=404)


def linear_admin_routes(sim: LinearSim) -> list[Route]:
    ws = sim.ws

    def now() -> Any:
        return sim.state.clock.now()

    def issue_of(request: Request) -> Issue | None:
        return ws.find_issue(request.path_params["id"])

    def summary(issue: Issue) -> dict[str, Any]:
        return {"id": issue.id, "identifier": issue.identifier, "url": issue.url}

    async def create_issue(request: Request) -> Response:
        body = await _body(request)
        try:
            issue = ws.create_issue(
                str(body.get("title", "Untitled")),
                body.get("description"),
                body.get("team_key", "ENG"),
                now(),
            )
        except KeyError:
            return JSONResponse({"error": f"no team {body.get('team_key')}"}, status_code=400)
        return JSONResponse(summary(issue))

    async def edit_issue(request: Request) -> Response:
        issue = issue_of(request)
        if issue is None:
            return _missing("issue", request.path_params["id"])
        if request.method == "DELETE":
            if request.query_params.get("hard") in ("1", "true", "yes"):
                ws.hard_delete_issue(issue)
                return JSONResponse({"id": issue.id, "deleted": True})
            ws.archive_issue(issue, now(), trash=True)
            return JSONResponse({**summary(issue), "trashed": True})
        body = await _body(request)
        if "title" in body or "description" in body:
            ws.update_issue(issue, now(), body.get("title"), body.get("description"))
        if body.get("team_key"):
            try:
                ws.move_issue(issue, body["team_key"], now())
            except KeyError:
                return JSONResponse({"error": f"no team {body['team_key']}"}, status_code=400)
        if "archived" in body:
            if body["archived"]:
                ws.archive_issue(issue, now(), trash=False)
            else:
                ws.unarchive_issue(issue, now())
        return JSONResponse(summary(issue))

    async def add_comment(request: Request) -> Response:
        issue = issue_of(request)
        if issue is None:
            return _missing("issue", request.path_params["id"])
        body = await _body(request)
        comment = ws.add_comment(issue, str(body.get("body", "")), now())
        return JSONResponse({"id": comment.id})

    async def edit_comment(request: Request) -> Response:
        comment = ws.by_id.get(request.path_params["id"])
        if not isinstance(comment, Comment):
            return _missing("comment", request.path_params["id"])
        if request.method == "DELETE":
            ws.delete_comment(comment)
            return JSONResponse({"id": comment.id, "deleted": True})
        ws.update_comment(comment, str((await _body(request)).get("body", comment.body)), now())
        return JSONResponse({"id": comment.id})

    async def edit_content(request: Request) -> Response:
        entity = ws.by_id.get(request.path_params["id"])
        if not isinstance(entity, Project | Document):
            return _missing("project or document", request.path_params["id"])
        stamp = now().replace(microsecond=now().microsecond // 1000 * 1000)
        if request.method == "DELETE":
            entity.archivedAt, entity.trashed = stamp, True
            if sim.config.archive_bumps_updated_at:
                entity.updatedAt = stamp
            return JSONResponse({"id": entity.id, "trashed": True})
        body = await _body(request)
        for key in ("name", "title", "description", "content"):
            if key in body and hasattr(entity, key):
                setattr(entity, key, str(body[key]))
        entity.updatedAt = stamp
        return JSONResponse({"id": entity.id})

    async def ratelimit(request: Request) -> Response:
        settings = sim.limiter.settings
        if request.method == "POST":
            body = await _body(request)
            for f in fields(settings):
                if f.name in body:
                    setattr(settings, f.name, type(getattr(settings, f.name))(body[f.name]))
            if body.get("reset", True):
                sim.limiter.reset()
        return JSONResponse(asdict(settings))

    async def oauth(request: Request) -> Response:
        if request.method == "POST":
            body = await _body(request)
            if "deny" in body:
                sim.oauth.deny = bool(body["deny"])
            if body.get("revoke_all"):
                sim.oauth.access.clear()
                sim.oauth.refresh.clear()
        return JSONResponse(
            {
                "deny": sim.oauth.deny,
                "access_tokens": len(sim.oauth.access),
                "refresh_tokens": len(sim.oauth.refresh),
            }
        )

    async def quirks(request: Request) -> Response:
        if request.method == "POST":
            for key, value in (await _body(request)).items():
                if key in QUIRKS:
                    setattr(sim.config, key, value)
        return JSONResponse({key: getattr(sim.config, key) for key in sorted(QUIRKS)})

    async def workspace(_: Request) -> Response:
        return JSONResponse(
            {
                "api_key": sim.config.token,
                "client_id": sim.config.client_id,
                "client_secret": sim.config.client_secret,
                "viewer": {"id": ws.viewer.id, "name": ws.viewer.name, "email": ws.viewer.email},
                "organization": {"id": ws.organization.id, "urlKey": ws.organization.urlKey},
                "teams": [{"id": t.id, "key": t.key, "name": t.name} for t in ws.teams],
                "counts": {
                    "issues": len(ws.issues),
                    "comments": len(ws.comments),
                    "projects": len(ws.projects),
                    "documents": len(ws.documents),
                    "users": len(ws.users),
                },
                "issues": [
                    {**summary(i), "archived": i.archivedAt is not None, "trashed": bool(i.trashed)}
                    for i in ws.issues
                ],
                "projects": [{"id": p.id, "name": p.name} for p in ws.projects],
                "documents": [{"id": d.id, "title": d.title} for d in ws.documents],
            }
        )

    return [
        Route("/_sim/issues", create_issue, methods=["POST"]),
        Route("/_sim/issues/{id}", edit_issue, methods=["PATCH", "DELETE"]),
        Route("/_sim/issues/{id}/comments", add_comment, methods=["POST"]),
        Route("/_sim/comments/{id}", edit_comment, methods=["PATCH", "DELETE"]),
        Route("/_sim/projects/{id}", edit_content, methods=["PATCH", "DELETE"]),
        Route("/_sim/documents/{id}", edit_content, methods=["PATCH", "DELETE"]),
        Route("/_sim/ratelimit", ratelimit, methods=["GET", "POST"]),
        Route("/_sim/oauth", oauth, methods=["GET", "POST"]),
        Route("/_sim/quirks", quirks, methods=["GET", "POST"]),
        Route("/_sim/workspace", workspace, methods=["GET"]),
    ]
