"""A faithful local Notion API (notion.md sections 1-7b): `create_app(config)` for ASGI and
`start(config)` for a real server in a thread."""

from .app import create_app, sim_of
from .config import NotionSimConfig
from .handle import NotionSimHandle, start
from .state import NotionSim

__all__ = ["NotionSim", "NotionSimConfig", "NotionSimHandle", "create_app", "sim_of", "start"]
