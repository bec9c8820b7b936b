"""Generated databases: schema, data sources and rows (database rows are pages, notion.md 4.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .model import Database, DataSource, Page
from .words import WORDS

if TYPE_CHECKING:
    from .generator import Generator

STATUSES = ("Not started", "In progress", "Done")
TAGS = ("backend", "frontend", "design", "ops", "research")
PRIORITIES = ("Low", "Medium", "High")
COLORS = ("gray", "blue", "green", "orange", "red")


def _options(names: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {"id": f"opt-{i}", "name": name, "color": COLORS[i % len(COLORS)]} for i, name in enumerate(names)
    ]


def task_schema() -> dict[str, dict[str, Any]]:
    """Property name -> {id, type, config}; ids are short URL-safe strings as in real schemas."""
    return {
        "Name": {"id": "title", "type": "title"},
        "Status": {"id": "st%3A1", "type": "status", "options": _options(STATUSES)},
        "Tags": {"id": "tg%3A2", "type": "multi_select", "options": _options(TAGS)},
        "Priority": {"id": "pr%3A3", "type": "select", "options": _options(PRIORITIES)},
        "Estimate": {"id": "es%3A4", "type": "number", "format": "number"},
        "Done": {"id": "dn%3A5", "type": "checkbox"},
        "Due": {"id": "du%3A6", "type": "date"},
        "Owner": {"id": "ow%3A7", "type": "people"},
        "Link": {"id": "ln%3A8", "type": "url"},
        "Notes": {"id": "nt%3A9", "type": "rich_text"},
        "Created": {"id": "cr%3AA", "type": "created_time"},
        "Edited": {"id": "ed%3AB", "type": "last_edited_time"},
    }


def build_database(
    gen: Generator, title: str, parent: Page | None, rows: int, content: bool, sources: int = 1
) -> Database:
    """A database (inline child of `parent`, or top-level and directly shared) with `rows` rows."""
    ws, rng = gen.ws, gen.rng
    created = parent.created if parent else gen.rng.uniform(1767225600.0, 1767225600.0 + 86400 * 30)
    db = Database(
        ws.new_id(),
        title,
        "page_id" if parent else "workspace",
        parent.id if parent else None,
        created,
        created + 3600,
        is_inline=parent is not None,
        shared=parent is None,
    )
    ws.databases[db.id] = db
    if parent is None:
        ws.top_level.append(db.id)
    else:
        gen._block(parent.id, "page_id", "child_database", parent, block_id=db.id)
    light = rows > 2000  # big logs: no blocks, cheap props, so 10k+ rows build fast
    for s in range(sources):
        source = DataSource(ws.new_id(), db.id, title if s == 0 else f"{title} {s + 1}", task_schema())
        ws.data_sources[source.id] = source
        db.data_sources.append(source.id)
        people = [p.id for p in ws.people]
        for r in range(rows):
            row_created = created + 60 * (r + 1) + (r % 7)
            name = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {r + 1}"
            row = Page(
                ws.new_id(),
                name,
                "data_source_id",
                source.id,
                row_created,
                row_created + (r % 50) * 97.0,
                created_by=people[r % len(people)],
                edited_by=people[r % len(people)],
            )
            if not light:
                row.props = {
                    "Status": STATUSES[r % 3],
                    "Tags": [TAGS[r % 5], TAGS[(r + 2) % 5]][: 1 + r % 2],
                    "Priority": PRIORITIES[r % 3],
                    "Estimate": (r % 13) + 0.5,
                    "Done": r % 3 == 2,
                    "Due": f"2026-{1 + r % 12:02d}-{1 + r % 28:02d}",
                    "Owner": [people[r % len(people)]],
                    "Link": f"https://example.com/task/{r + 1}",
                    "Notes": f"{rng.choice(WORDS)} {rng.choice(WORDS)}",
                }
            ws.pages[row.id] = row
            source.rows.append(row.id)
            if content:
                gen._text(row, row.id, "page_id")
        db.edited = max([db.edited] + [ws.pages[r].edited for r in source.rows[-1:]])
    return db
