"""Deterministic workspace generator: the same seed always yields the same ids, titles and text.

It is built for speed (benchmarks sync 1,000-page workspaces) and for coverage: the first page
carries every block type of notion.md 4.3, the rest get a random mix.
"""

from __future__ import annotations

import random

from .config import NotionSimConfig
from .model import Block, Comment, Page, Span, User
from .rows import build_database
from .words import EMOJIS, LANGUAGES, WORDS
from .workspace import Workspace

BASE_TIME = 1767225600.0  # 2026-01-01T00:00:00Z
SPAN_SECONDS = 300 * 86400.0
FEATURES = (
    "table",
    "columns",
    "toggle",
    "code",
    "equation",
    "callout",
    "todos",
    "image",
    "file",
    "quote",
    "bookmark",
    "numbered",
    "toggle_heading",
    "link_to_page",
    "mentions",
    "divider",
)


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def sentence(rng: random.Random) -> str:
    text = words(rng, rng.randint(6, 14))
    return text[0].upper() + text[1:] + "."


def title(rng: random.Random) -> str:
    return " ".join(w.capitalize() for w in (rng.choice(WORDS) for _ in range(rng.randint(2, 4))))


class Generator:
    """Fills a `Workspace` from a config; one instance per generation run."""

    def __init__(self, config: NotionSimConfig) -> None:
        self.config = config
        self.ws = Workspace(config.seed, config.workspace_name)
        self.rng = self.ws.rng
        self.synced_origin: str | None = None

    def build(self) -> Workspace:
        ws, rng, n = self.ws, self.rng, max(self.config.pages, 0)
        ws.people = [
            User(ws.new_id(), name, "person", f"{name.split()[0].lower()}@example.com")
            for name in ("Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra")
        ]
        step = SPAN_SECONDS / max(n + self.config.private_pages, 1)
        regular: list[Page] = []
        for i in range(n):
            created = BASE_TIME + i * step + rng.uniform(0, step / 2)
            parent = rng.choice(regular) if regular and rng.random() < self.config.child_page_ratio else None
            page = self._page(title(rng), created, parent, shared=parent is None)
            regular.append(page)
            self._fill(page, features=FEATURES if i == 0 else rng.sample(FEATURES, rng.randint(1, 3)))
            if i % 4 == 1:
                self._comments(page)
        if len(regular) > 1:
            self._synced_duplicate(regular[1])
            build_database(self, "Sprint Board", regular[1], rows=5, content=True)
        if regular:
            self._unsupported(regular[-1])
        rows = self.config.database_rows if self.config.database_rows is not None else max(8, n // 5)
        build_database(self, "Tasks", None, rows=rows, content=True)
        if self.config.multi_source_database:
            build_database(self, "Roadmap", None, rows=3, content=False, sources=2)
        if self.config.big_database_rows:
            build_database(self, "Event Log", None, rows=self.config.big_database_rows, content=False)
        for j in range(self.config.private_pages):
            created = BASE_TIME + (n + j) * step
            private = self._page(f"Private {title(rng)}", created, None, shared=False)
            self._fill(private, features=("callout",))
            child = self._page(f"Private Child {title(rng)}", created, private, shared=False)
            self._fill(child, features=())
        tops = [p for p in regular if p.parent_type == "workspace"]
        for page in tops[len(tops) - min(self.config.trashed_pages, max(len(tops) - 1, 0)) :]:
            page.in_trash = True
        return ws

    # ---- pages --------------------------------------------------------------------------------
    def _page(self, name: str, created: float, parent: Page | None, shared: bool) -> Page:
        ws, rng = self.ws, self.rng
        edited = min(created + rng.uniform(0, 5 * 86400), BASE_TIME + SPAN_SECONDS + 6 * 86400)
        author = rng.choice(ws.people).id
        page = Page(
            ws.new_id(),
            name,
            "workspace",
            None,
            created,
            edited,
            shared=shared,
            icon=rng.choice(EMOJIS) if rng.random() < 0.3 else None,
            created_by=author,
            edited_by=author,
        )
        ws.pages[page.id] = page
        if parent is None:
            ws.top_level.append(page.id)
            return page
        holder = self._holder(parent) if rng.random() < 0.3 else None
        if holder is None:
            page.parent_type, page.parent_id = "page_id", parent.id
            self._block(parent.id, "page_id", "child_page", parent, block_id=page.id)
        else:
            page.parent_type, page.parent_id = "block_id", holder
            self._block(holder, "block_id", "child_page", parent, block_id=page.id)
        return page

    def _holder(self, parent: Page) -> str | None:
        """A toggle in `parent` that can hold a nested child page (parent.type block_id)."""
        toggle = self._block(parent.id, "page_id", "toggle", parent, rich=[Span(words(self.rng, 3))])
        return toggle.id

    def _block(
        self,
        parent: str,
        parent_type: str,
        type_: str,
        page: Page,
        rich: list[Span] | None = None,
        block_id: str | None = None,
        **data: object,
    ) -> Block:
        block = self.ws.add_block(parent, parent_type, type_, page.created, rich=rich or [], **data)
        block.edited = page.edited
        if block_id is not None:  # child_page / child_database blocks share the object's id
            del self.ws.blocks[block.id]
            block.id = block_id
            self.ws.blocks[block_id] = block
            owner = self.ws.pages.get(parent) if parent_type == "page_id" else self.ws.blocks.get(parent)
            if owner is not None:
                owner.children[-1] = block_id
        return block

    def _text(
        self, page: Page, parent: str, parent_type: str, type_: str = "paragraph", **data: object
    ) -> Block:
        data.setdefault("color", "default")
        block = self.ws.add_block(parent, parent_type, type_, page.created, rich=self._rich(), **data)
        block.edited = page.edited
        return block

    def _rich(self) -> list[Span]:
        rng = self.rng
        spans = [Span(sentence(rng) + " ")]
        roll = rng.random()
        if roll < 0.15:
            spans.append(Span(words(rng, 2), bold=True))
        elif roll < 0.25:
            spans.append(Span(words(rng, 2), italic=True, link=f"https://example.com/{rng.choice(WORDS)}"))
        return spans

    # ---- content ------------------------------------------------------------------------------
    def _fill(self, page: Page, features: tuple[str, ...] | list[str]) -> None:
        rng, pid = self.rng, page.id
        self._block(
            pid, "page_id", "heading_1", page, rich=[Span(page.title)], color="default", is_toggleable=False
        )
        for _ in range(rng.randint(1, 3)):
            self._text(page, pid, "page_id")
        bullets = [self._text(page, pid, "page_id", "bulleted_list_item") for _ in range(rng.randint(0, 3))]
        if bullets and rng.random() < 0.3:
            self._text(page, bullets[0].id, "block_id", "bulleted_list_item")
        for feature in features:
            getattr(self, f"_f_{feature}")(page)
        if self.synced_origin is None:
            self._f_synced(page)

    def _f_table(self, page: Page) -> None:
        table = self._block(
            page.id, "page_id", "table", page, table_width=3, has_column_header=True, has_row_header=False
        )
        header = [[Span(w.capitalize())] for w in ("item", "owner", "amount")]
        self._block(table.id, "block_id", "table_row", page, cells=header)
        for _ in range(self.rng.randint(2, 4)):
            cells = [
                [Span(words(self.rng, 2))],
                [Span(words(self.rng, 1))],
                [Span(str(self.rng.randint(1, 999)))],
            ]
            self._block(table.id, "block_id", "table_row", page, cells=cells)

    def _f_columns(self, page: Page) -> None:
        columns = self._block(page.id, "page_id", "column_list", page)
        for _ in range(2):
            column = self._block(columns.id, "block_id", "column", page, width_ratio=0.5)
            self._text(page, column.id, "block_id")

    def _f_toggle(self, page: Page) -> None:
        toggle = self._text(page, page.id, "page_id", "toggle")
        for _ in range(self.rng.randint(1, 2)):
            self._text(page, toggle.id, "block_id")

    def _f_toggle_heading(self, page: Page) -> None:
        heading = self._text(page, page.id, "page_id", "heading_2", is_toggleable=True)
        self._text(page, heading.id, "block_id")

    def _f_code(self, page: Page) -> None:
        lang = self.rng.choice(LANGUAGES)
        body = f"def {self.rng.choice(WORDS)}():\n    return '{words(self.rng, 3)}'"
        self._block(
            page.id,
            "page_id",
            "code",
            page,
            rich=[Span(body)],
            language=lang,
            caption=[Span(f"{lang} snippet")],
        )

    def _f_equation(self, page: Page) -> None:
        self._block(page.id, "page_id", "equation", page, expression="E = mc^2 + \\sum_{i=1}^{n} x_i")

    def _f_callout(self, page: Page) -> None:
        self._text(page, page.id, "page_id", "callout", icon=self.rng.choice(EMOJIS), color="gray_background")

    def _f_todos(self, page: Page) -> None:
        for _ in range(self.rng.randint(2, 3)):
            self._text(page, page.id, "page_id", "to_do", checked=self.rng.random() < 0.5)

    def _f_numbered(self, page: Page) -> None:
        for _ in range(self.rng.randint(2, 3)):
            self._text(page, page.id, "page_id", "numbered_list_item")

    def _f_quote(self, page: Page) -> None:
        self._text(page, page.id, "page_id", "quote")

    def _f_divider(self, page: Page) -> None:
        self._block(page.id, "page_id", "divider", page)

    def _f_image(self, page: Page) -> None:
        name = f"{self.rng.choice(WORDS)}-diagram.png"
        self._block(
            page.id, "page_id", "image", page, hosted=True, name=name, caption=[Span(words(self.rng, 3))]
        )

    def _f_file(self, page: Page) -> None:
        self._block(
            page.id,
            "page_id",
            "file",
            page,
            hosted=True,
            name=f"{self.rng.choice(WORDS)}-report.pdf",
            caption=[],
        )
        self._block(
            page.id, "page_id", "pdf", page, hosted=False, url="https://example.com/spec.pdf", caption=[]
        )

    def _f_bookmark(self, page: Page) -> None:
        self._block(
            page.id,
            "page_id",
            "bookmark",
            page,
            url=f"https://example.com/{self.rng.choice(WORDS)}",
            caption=[],
        )

    def _f_link_to_page(self, page: Page) -> None:
        target = self.rng.choice(self.ws.top_level)
        self._block(page.id, "page_id", "link_to_page", page, target=target)

    def _f_mentions(self, page: Page) -> None:
        other = self.rng.choice(self.ws.top_level)
        person = self.rng.choice(self.ws.people)
        rich = [
            Span("See "),
            Span(self.ws.title_of(other), kind="mention_page", target=other),
            Span(", ask "),
            Span("@" + person.name, kind="mention_user", target=person.id),
            Span(" before "),
            Span("2026-05-01", kind="mention_date", target="2026-05-01"),
            Span(", where "),
            Span("a^2+b^2=c^2", kind="equation"),
            Span(" holds."),
        ]
        self._block(page.id, "page_id", "paragraph", page, rich=rich, color="default")

    def _f_synced(self, page: Page) -> None:
        origin = self._block(page.id, "page_id", "synced_block", page, synced_from=None)
        for _ in range(2):
            self._text(page, origin.id, "block_id")
        self.synced_origin = origin.id

    def _synced_duplicate(self, page: Page) -> None:
        if self.synced_origin:
            self._block(page.id, "page_id", "synced_block", page, synced_from=self.synced_origin)

    def _unsupported(self, page: Page) -> None:
        self._block(page.id, "page_id", "unsupported", page, block_type="form")

    def _comments(self, page: Page) -> None:
        ws, rng = self.ws, self.rng
        discussion = ws.new_id()
        for resolved in (False, False, True):
            author = rng.choice(ws.people).id
            ws.comments.setdefault(page.id, []).append(
                Comment(
                    ws.new_id(),
                    discussion if not resolved else ws.new_id(),
                    "page_id",
                    page.id,
                    page.edited,
                    author,
                    [Span(sentence(rng))],
                    resolved=resolved,
                )
            )
        first = next((b for b in page.children if ws.blocks[b].type == "paragraph"), None)
        if first:
            ws.comments.setdefault(first, []).append(
                Comment(
                    ws.new_id(),
                    ws.new_id(),
                    "block_id",
                    first,
                    page.edited,
                    ws.people[0].id,
                    [Span(sentence(rng))],
                )
            )


def generate(config: NotionSimConfig) -> Workspace:
    """Build the deterministic workspace for `config.seed`."""
    return Generator(config).build()
