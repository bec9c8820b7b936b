"""Full and incremental loads against the Linear simulator: completeness, cost and deletions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from breadbox.providers.base import SyncWindow
from breadbox.simulators.linear import LinearSimHandle
from tests.plugins.linear_sim import admin

from .conftest import connector, drain, full_window, live_ids, reset_stats, sim_now, stats

SimFactory = Callable[..., LinearSimHandle]


async def test_full_load_yields_every_live_issue_project_and_document(linear_sim: LinearSimHandle) -> None:
    conn = connector(linear_sim)
    result = await drain(conn, full_window(linear_sim))
    expected = live_ids(linear_sim)
    for kind, ids in expected.items():
        assert set(result.of_kind(kind)) == ids, kind
    # Archived and trashed issues come back only thanks to includeArchived, as deletions.
    hidden = {i.id for i in linear_sim.sim.ws.issues if i.archivedAt is not None}
    assert hidden and hidden <= result.deleted
    # The ID-only listing returns every ID the full load indexes, and nothing else.
    listing = await conn.list_ids(True)
    assert listing.covers == frozenset({"listing"})
    assert listing.ids == set(result.documents)
    assert {d.discovered_by for d in result.documents.values()} == {"listing"}
    assert stats(linear_sim).get("unsupported_filter:id", 0) == 0
    await conn.aclose()


async def test_issue_renders_header_description_and_comments(linear_sim: LinearSimHandle) -> None:
    issue = next(i for i in linear_sim.sim.ws.issues if i.labels and i.assignee and i.archivedAt is None)
    result = await drain(connector(linear_sim), full_window(linear_sim))
    doc = result.documents[issue.id]
    assert doc.title == f"{issue.identifier}: {issue.title}"
    assert doc.content.startswith(f"# {issue.identifier}: {issue.title}\n")
    for text in (
        issue.state.name,
        issue.team.key,
        issue.assignee.name,
        issue.priorityLabel,
        issue.labels[0].name,
    ):
        assert text in doc.content
    if issue.description:
        assert issue.description.strip()[:40] in doc.content
    positions = [doc.content.index(c.body.strip()) for c in sorted(issue.comments, key=lambda c: c.createdAt)]
    assert positions == sorted(positions)
    assert doc.metadata["identifier"] == issue.identifier and doc.metadata["team"] == issue.team.key
    assert doc.metadata["labels"] == [label.name for label in issue.labels]
    project = linear_sim.sim.ws.projects[0]
    assert result.documents[project.id].content.startswith(f"# {project.name}\n")
    assert project.content.strip()[:40] in result.documents[project.id].content
    document = linear_sim.sim.ws.documents[0]
    assert document.content.strip()[:40] in result.documents[document.id].content


async def test_issue_with_120_comments_arrives_whole_and_in_order(linear_sim_factory: SimFactory) -> None:
    sim = linear_sim_factory(long_thread_comments=120)
    long = sim.sim.ws.find_issue("ENG-1")
    assert long is not None and len(long.comments) == 120
    result = await drain(connector(sim), full_window(sim))
    content = result.documents[long.id].content
    bodies = [c.body.strip() for c in sorted(long.comments, key=lambda c: (c.createdAt, c.id))]
    cursor = 0
    for body in bodies:  # each comment appears, after the one before it
        cursor = content.index(body, cursor) + 1
    assert result.documents[long.id].metadata["comments"] == 120
    assert content.count("\n### ") == 120


async def test_incremental_returns_only_changed_issues_in_few_requests(
    linear_sim_factory: SimFactory,
) -> None:
    sim = linear_sim_factory(issues=500, comments_per_issue=2)
    first = full_window(sim)
    await drain(connector(sim), first)
    changed = [i.id for i in sim.sim.ws.issues if i.archivedAt is None][100:105]
    sim_now(sim, advance=120)
    for issue_id in changed:
        admin(sim, "PATCH", f"/issues/{issue_id}", {"title": f"Edited {issue_id[:8]}"})
    reset_stats(sim)
    window = SyncWindow(since=first.until - timedelta(seconds=30), until=sim_now(sim), full=False)
    conn = connector(sim)
    result = await drain(conn, window)
    assert set(result.documents) == set(changed)
    assert all(d.title.split(": ", 1)[1].startswith("Edited") for d in result.documents.values())
    assert not result.deleted
    requests = stats(sim)["requests"]["total"]
    assert requests <= 5 and requests == result.requests
    listing = await conn.list_ids(False)  # incremental runs list nothing, at no cost
    assert listing.ids == set() and listing.covers == frozenset()
    assert stats(sim)["requests"]["total"] == requests


async def test_new_comment_on_old_issue_rerenders_that_issue(linear_sim: LinearSimHandle) -> None:
    first = full_window(linear_sim)
    await drain(connector(linear_sim), first)
    old = next(i for i in linear_sim.sim.ws.issues if i.archivedAt is None and i.comments)
    sim_now(linear_sim, advance=60)
    admin(
        linear_sim,
        "POST",
        f"/issues/{old.id}/comments",
        {"body": "A brand new remark about zebra crossings."},
    )
    edited = next(i for i in linear_sim.sim.ws.issues if i.archivedAt is None and i is not old and i.comments)
    admin(
        linear_sim, "PATCH", f"/comments/{edited.comments[0].id}", {"body": "Edited: quokka migration notes."}
    )
    window = SyncWindow(since=first.until, until=sim_now(linear_sim), full=False)
    result = await drain(connector(linear_sim), window)
    assert set(result.documents) == {old.id, edited.id}
    new_doc = result.documents[old.id].content
    assert new_doc.rstrip().endswith("A brand new remark about zebra crossings.")
    assert old.comments[0].body.strip() in new_doc  # re-rendered whole, not just the new comment
    assert "Edited: quokka migration notes." in result.documents[edited.id].content


async def test_trash_is_reported_whether_or_not_it_bumps_updated_at(linear_sim: LinearSimHandle) -> None:
    first = full_window(linear_sim)
    await drain(connector(linear_sim), first)
    live = [i for i in linear_sim.sim.ws.issues if i.archivedAt is None]
    sim_now(linear_sim, advance=60)
    admin(linear_sim, "DELETE", f"/issues/{live[0].id}")  # trash, updatedAt untouched
    admin(linear_sim, "POST", "/quirks", {"archive_bumps_updated_at": True})
    admin(linear_sim, "DELETE", f"/issues/{live[1].id}")  # trash that bumps updatedAt
    admin(linear_sim, "PATCH", f"/issues/{live[2].id}", {"archived": True})
    project = linear_sim.sim.ws.projects[0]
    admin(linear_sim, "DELETE", f"/projects/{project.id}")
    window = SyncWindow(since=first.until, until=sim_now(linear_sim), full=False)
    conn = connector(linear_sim)
    result = await drain(conn, window)
    assert {live[0].id, live[1].id, live[2].id, project.id} <= result.deleted
    assert not set(result.documents) & result.deleted
    listing = await conn.list_ids(True)
    assert not {live[0].id, live[1].id, live[2].id, project.id} & listing.ids


async def test_hard_delete_is_absent_from_the_full_listing(linear_sim: LinearSimHandle) -> None:
    conn = connector(linear_sim)
    before = await conn.list_ids(True)
    victim = next(i for i in linear_sim.sim.ws.issues if i.archivedAt is None)
    admin(linear_sim, "DELETE", f"/issues/{victim.id}?hard=true")
    after = await conn.list_ids(True)
    assert before.ids - after.ids == {victim.id}


async def test_moving_team_keeps_the_source_id(linear_sim: LinearSimHandle) -> None:
    first = full_window(linear_sim)
    before = await drain(connector(linear_sim), first)
    issue = next(i for i in linear_sim.sim.ws.issues if i.archivedAt is None and i.team.key == "ENG")
    old_identifier = issue.identifier
    sim_now(linear_sim, advance=60)
    admin(linear_sim, "PATCH", f"/issues/{issue.id}", {"team_key": "OPS"})
    window = SyncWindow(since=first.until, until=sim_now(linear_sim), full=False)
    after = await drain(connector(linear_sim), window)
    assert set(after.documents) == {issue.id}
    assert before.documents[issue.id].metadata["identifier"] == old_identifier
    moved = after.documents[issue.id]
    assert moved.metadata["identifier"] == issue.identifier != old_identifier
    assert moved.title.startswith("OPS-") and moved.metadata["team"] == "OPS"
