"""The engine and the Linear connector end to end, connected by OAuth through the simulator."""

from __future__ import annotations

from datetime import datetime

import httpx


def sim_admin(sim, method: str, path: str, body: dict | None = None) -> dict:
    r = httpx.request(method, f"{sim.url}{path}", json=body, timeout=30)
    r.raise_for_status()
    return r.json()


def stats(sim) -> dict:
    return httpx.get(f"{sim.url}/_sim/stats", timeout=30).json()


def test_end_to_end_issue_comment_project_document(sync_env_factory, linear_sim_factory):
    sim = linear_sim_factory(issues=12, long_thread_comments=120, archive_bumps_updated_at=True)
    env = sync_env_factory(linear=sim)
    store = env.store()
    issue = sim_admin(
        sim,
        "POST",
        "/_sim/issues",
        {"title": "Wombat burrow", "description": "Dig with gnarlwhistle shovels."},
    )
    sim_admin(sim, "POST", f"/_sim/issues/{issue['id']}/comments", {"body": "Mind the frobnicated roots."})
    ws = sim_admin(sim, "GET", "/_sim/workspace")
    sim_admin(
        sim,
        "PATCH",
        f"/_sim/projects/{ws['projects'][0]['id']}",
        {"content": "Roadmap of the snorkelwood initiative."},
    )
    sim_admin(
        sim,
        "PATCH",
        f"/_sim/documents/{ws['documents'][0]['id']}",
        {"content": "Runbook: restart the plumbizzle daemon."},
    )

    ds = env.oauth_source("linear")
    assert ds["auth_params"]["type"] == "oauth2" and ds["auth_params"]["access_token"].endswith(
        ds["auth_params"]["access_token"][-4:]
    )
    c = env.connector(ds, store, polling_interval="1h")
    done = env.wait(c, timeout=120)
    assert done["status"] == "completed", done
    for word in ("gnarlwhistle", "frobnicated", "snorkelwood", "plumbizzle"):
        hits = env.search(store, word)
        assert hits and word in hits[0]["text"].lower(), word
    assert env.search(store, "gnarlwhistle")[0]["metadata"]["source"] == "linear"

    # An edit: the next sync updates only that file.
    sim_admin(sim, "PATCH", f"/_sim/issues/{issue['id']}", {"description": "Dig with quaffleberry shovels."})
    env.sync(c)
    env.wait(c, runs=2, timeout=60)
    counters = env.runs(c)[0]["counters"]
    assert counters["updated"] == 1 and counters["created"] == 0, counters
    assert env.search(store, "quaffleberry") and not env.search(store, "gnarlwhistle")

    # A new comment on the (now old) issue re-renders it.
    sim_admin(sim, "POST", f"/_sim/issues/{issue['id']}/comments", {"body": "Update: zizzlepop found."})
    env.sync(c)
    env.wait(c, runs=3, timeout=60)
    assert env.runs(c)[0]["counters"]["updated"] == 1
    hit = env.search(store, "zizzlepop")
    assert hit and hit[0]["metadata"]["source_id"] == issue["id"]

    # Trash: the file leaves the store.
    sim_admin(sim, "DELETE", f"/_sim/issues/{issue['id']}")
    env.sync(c)
    env.wait(c, runs=4, timeout=60)
    assert issue["id"] not in {f["metadata"]["source_id"] for f in env.files(store)}
    assert not env.search(store, "zizzlepop")


def test_long_thread_arrives_whole(sync_env_factory, linear_sim_factory):
    sim = linear_sim_factory(issues=4, long_thread_comments=120)
    env = sync_env_factory(linear=sim)
    store = env.store()
    c = env.connector(env.oauth_source("linear"), store)
    assert env.wait(c, timeout=120)["status"] == "completed"
    contents = [env.client.get(f"/v1/files/{f['id']}/content").text for f in env.files(store)]
    longest = max(contents, key=len)
    comments = sim_admin(sim, "GET", "/_sim/workspace")["counts"]["comments"]
    assert comments >= 120
    # Every comment of the long thread is rendered under its own "### author, date" heading.
    assert longest.count("\n### ") >= 120, longest[:500]
    files = env.files(store)
    assert max(f["metadata"].get("comments", 0) for f in files) >= 120


def test_incremental_cost_five_of_many(sync_env_factory, linear_sim_factory):
    sim = linear_sim_factory(issues=200, comments_per_issue=1)
    env = sync_env_factory(linear=sim)
    store = env.store()
    c = env.connector(env.oauth_source("linear"), store, polling_interval="1h")
    assert env.wait(c, timeout=120)["status"] == "completed"
    issues = [
        i
        for i in sim_admin(sim, "GET", "/_sim/workspace")["issues"]
        if not i["archived"] and not i["trashed"]
    ]
    for i in issues[:5]:
        sim_admin(sim, "PATCH", f"/_sim/issues/{i['id']}", {"description": f"Changed {i['id']}"})
    sim_admin(sim, "POST", "/_sim/reset-stats")
    env.sync(c)
    env.wait(c, runs=2, timeout=60)
    run = env.runs(c)[0]
    assert run["counters"]["updated"] == 5 and run["counters"]["created"] == 0, run["counters"]
    graphql = stats(sim)["requests"]["by_endpoint"].get("POST /graphql", 0)
    assert graphql <= 5, stats(sim)


def test_rate_limit_storm_and_5xx_burst(sync_env_factory, linear_sim_factory):
    sim = linear_sim_factory(issues=30)
    env = sync_env_factory(linear=sim)
    store = env.store()
    ds = env.oauth_source("linear")
    sim_admin(sim, "POST", "/_sim/faults", {"fail_next": 3, "statuses": [500, 503]})
    c = env.connector(ds, store)
    assert env.wait(c, timeout=120)["status"] == "completed"
    assert sim_admin(sim, "GET", "/_sim/faults")["fail_next"] == 0, "the three 5xx answers were served"
    # A budget of one request per 3-second window: a full sync needs several, so it must wait for
    # resets (or be answered RATELIMITED, HTTP 400) and still complete.
    sim_admin(sim, "POST", "/_sim/ratelimit", {"oauth_requests": 1, "period_seconds": 3, "mode": "fixed"})
    sim_admin(sim, "POST", "/_sim/reset-stats")
    env.sync(c, full=True)
    final = env.wait(c, runs=2, timeout=120)
    assert final["status"] == "completed", final
    run = env.runs(c)[0]
    graphql = stats(sim)["requests"]["by_endpoint"].get("POST /graphql", 0)
    assert graphql >= 2
    took = datetime.fromisoformat(run["finished_at"]) - datetime.fromisoformat(run["started_at"])
    assert took.total_seconds() >= 2 or stats(sim)["rate_limited"] >= 1, "the budget was waited for"


def test_token_expiry_mid_sync_refreshes_once(sync_env_factory, linear_sim_factory):
    sim = linear_sim_factory(issues=10)
    env = sync_env_factory(linear=sim)
    store = env.store()
    ds = env.oauth_source("linear")
    c = env.connector(ds, store, polling_interval="1h")
    assert env.wait(c, timeout=120)["status"] == "completed"
    # 25 hours later the 24-hour access token has expired: the next sync refreshes it once.
    sim_admin(sim, "POST", "/_sim/clock", {"advance_seconds": 25 * 3600})
    before = stats(sim).get("token_refreshes", 0)
    env.sync(c)
    assert env.wait(c, runs=2, timeout=60)["status"] == "completed"
    assert stats(sim).get("token_refreshes", 0) == before + 1


def test_invalid_grant_needs_reauthorization(sync_env_factory, linear_sim_factory):
    sim = linear_sim_factory(issues=5)
    env = sync_env_factory(linear=sim)
    store = env.store()
    ds = env.oauth_source("linear")
    c = env.connector(ds, store, polling_interval="1h")
    assert env.wait(c, timeout=120)["status"] == "completed"
    sim_admin(sim, "POST", "/_sim/oauth", {"revoke_all": True})
    sim_admin(sim, "POST", "/_sim/clock", {"advance_seconds": 25 * 3600})
    env.sync(c)
    failed = env.wait(c, runs=2, timeout=60)
    assert failed["status"] == "failed" and failed["error"]["type"] == "reauthorization_required", failed
    # A new authorize + callback resumes the connector.
    url = env.client.get(f"/v1/data_sources/{ds['id']}/oauth2/authorize").json()["url"]
    consent = httpx.get(url, follow_redirects=False)
    from urllib.parse import urlsplit

    parts = urlsplit(consent.headers["location"])
    assert httpx.get(f"{env.server.url}{parts.path}?{parts.query}", follow_redirects=False).status_code == 307
    # ...without anyone asking for a sync: the callback queues the stopped connectors.
    resumed = env.wait(c, runs=3, timeout=60)
    assert resumed["status"] == "completed" and resumed["error"] is None
    assert env.runs(c)[0]["trigger"] == "reauthorized"
