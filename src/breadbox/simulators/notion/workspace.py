"""The workspace store: lookups, the sharing model, trash, and the edits the admin API makes.

Sharing follows notion.md 6.3: an object is visible when it or an ancestor is shared with the
integration and no object on the way up had the connection removed. Trash is inherited the same way.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator

from .model import Block, Comment, Database, DataSource, Page, Span, User

Node = Page | Database


class Workspace:
    """All objects of one simulated workspace, keyed by dashed lowercase id."""

    def __init__(self, seed: int, name: str) -> None:
        self.rng = random.Random(seed)
        self.name = name
        self.id = self.new_id()
        self.bot = User(self.new_id(), "Breadbox Sim Connection", "bot")
        self.people: list[User] = []
        self.pages: dict[str, Page] = {}
        self.blocks: dict[str, Block] = {}
        self.databases: dict[str, Database] = {}
        self.data_sources: dict[str, DataSource] = {}
        self.comments: dict[str, list[Comment]] = {}
        self.top_level: list[str] = []  # pages and databases whose parent is the workspace

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # ---- ancestry ---------------------------------------------------------------------------
    def page_of_block(self, block_id: str) -> Page | None:
        """The page a block lives in (following block parents upwards)."""
        seen = 0
        current = self.blocks.get(block_id)
        while current is not None and seen < 1000:
            seen += 1
            if current.parent_type == "page_id":
                return self.pages.get(current.parent_id)
            current = self.blocks.get(current.parent_id)
        return None

    def chain(self, node: Node) -> Iterator[Node]:
        """`node`, then every page/database above it, nearest first."""
        current: Node | None = node
        hops = 0
        while current is not None and hops < 1000:
            hops += 1
            yield current
            parent_type, parent_id = current.parent_type, current.parent_id
            current = None
            if parent_id is None or parent_type == "workspace":
                break
            if parent_type == "page_id":
                current = self.pages.get(parent_id)
            elif parent_type == "block_id":
                current = self.page_of_block(parent_id)
            elif parent_type == "data_source_id":
                source = self.data_sources.get(parent_id)
                current = self.databases.get(source.database_id) if source else None

    def visible(self, node: Node) -> bool:
        """Shared with the integration directly or through an ancestor, and not revoked."""
        for item in self.chain(node):
            if item.deleted or item.revoked:
                return False
            if item.shared:
                return True
        return False

    def trashed(self, node: Node) -> bool:
        return any(item.in_trash for item in self.chain(node))

    def block_visible(self, block: Block) -> bool:
        page = self.page_of_block(block.id)
        return page is not None and self.visible(page)

    # ---- lookups used by the API --------------------------------------------------------------
    def visible_page(self, page_id: str) -> Page | None:
        page = self.pages.get(page_id)
        return page if page is not None and self.visible(page) else None

    def visible_database(self, database_id: str) -> Database | None:
        db = self.databases.get(database_id)
        return db if db is not None and self.visible(db) else None

    def visible_data_source(self, source_id: str) -> DataSource | None:
        source = self.data_sources.get(source_id)
        if source is None or self.visible_database(source.database_id) is None:
            return None
        return source

    def visible_block(self, block_id: str) -> Block | None:
        block = self.blocks.get(block_id)
        if block is None:
            return None
        if block.type == "child_page":
            return block if self.visible_page(block_id) else None
        if block.type == "child_database":
            return block if self.visible_database(block_id) else None
        return block if self.block_visible(block) else None

    def children_of(self, block_id: str) -> list[str]:
        """Direct children ids; a duplicate synced block lists its original's children."""
        page = self.pages.get(block_id)
        if page is not None:
            ids = page.children
        else:
            block = self.blocks.get(block_id)
            if block is None:
                return []
            origin = block.data.get("synced_from")
            if block.type == "synced_block" and origin and origin in self.blocks:
                block = self.blocks[origin]
            ids = block.children
        return [child for child in ids if child in self.blocks and not self.blocks[child].in_trash]

    def has_children(self, block: Block) -> bool:
        if block.type == "child_database":
            return False
        return bool(self.children_of(block.id))

    def title_of(self, object_id: str) -> str:
        if object_id in self.pages:
            return self.pages[object_id].title
        if object_id in self.databases:
            return self.databases[object_id].title
        return "Untitled"

    def user(self, user_id: str) -> User:
        if user_id == self.bot.id:
            return self.bot
        return next((person for person in self.people if person.id == user_id), self.bot)

    # ---- edits (admin API) --------------------------------------------------------------------
    def add_block(self, parent: str, parent_type: str, type_: str, now: float, **data: object) -> Block:
        """Create a block of `type_` appended to `parent`'s children (page or block)."""
        rich = data.pop("rich", None)
        block = Block(
            self.new_id(),
            type_,
            parent_type,
            parent,
            now,
            now,
            rich=rich if isinstance(rich, list) else [],
            data=dict(data),
        )
        self.blocks[block.id] = block
        owner = self.pages.get(parent) if parent_type == "page_id" else self.blocks.get(parent)
        if owner is not None:
            owner.children.append(block.id)
        return block

    def create_page(
        self, title: str, paragraphs: list[str], parent_id: str | None, now: float, shared: bool | None = None
    ) -> Page:
        parent = self.pages.get(parent_id) if parent_id else None
        page = Page(
            self.new_id(),
            title,
            "page_id" if parent else "workspace",
            parent.id if parent else None,
            now,
            now,
            shared=(parent is None) if shared is None else shared,
            created_by=self.bot.id,
            edited_by=self.bot.id,
        )
        self.pages[page.id] = page
        if parent is None:
            self.top_level.append(page.id)
        else:
            link = Block(page.id, "child_page", "page_id", parent.id, now, now)
            self.blocks[page.id] = link
            parent.children.append(page.id)
            parent.edited = now
        self.set_paragraphs(page, paragraphs, now)
        return page

    def set_paragraphs(self, page: Page, paragraphs: list[str], now: float) -> None:
        """Replace the page's own content blocks (child pages/databases stay)."""
        keep = []
        for child in page.children:
            block = self.blocks.get(child)
            if block is None:
                continue
            if block.type in ("child_page", "child_database"):
                keep.append(child)
            else:
                block.in_trash = True
        page.children = keep
        for text in paragraphs:
            self.add_block(page.id, "page_id", "paragraph", now, rich=[Span(text)], color="default")
        page.edited = now

    def rename(self, page: Page, title: str, now: float) -> None:
        page.title = title
        page.edited = now
        link = self.blocks.get(page.id)
        if link is not None:
            link.edited = now
