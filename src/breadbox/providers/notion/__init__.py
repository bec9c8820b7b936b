"""The Notion connector: pages, databases and rows as Markdown documents (notion.md)."""

from .checkpoint import NotionCheckpoint
from .connector import NotionConnector

__all__ = ["NotionCheckpoint", "NotionConnector"]
