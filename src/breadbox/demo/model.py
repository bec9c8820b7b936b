"""What the demo reports, and the few constants it plants and looks for."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENDED = ("completed", "failed", "cancelled")
POLL_SECONDS = 0.25
MARKUP = re.compile(r"^#+ |\*\*|^- |`", re.MULTILINE)  # Markdown marks that clutter a one-line snippet

# Content planted in both workspaces before the first sync, so the searches below are known to
# find something in each source (the generated text is random-looking on purpose).
NOTION_PAGE = {
    "title": "Kiln launch plan",
    "paragraphs": [
        "Kiln is the codename of the spring launch: offline search ships to every customer on day one.",
        "Launch checklist: pricing page, onboarding email, press kit and the public status page.",
        "The onboarding email belongs to the growth team; Linear tracks its rendering bug.",
    ],
}
LINEAR_ISSUE = {
    "title": "Kiln launch blocker: onboarding email renders twice",
    "description": (
        "During the kiln launch rehearsal the onboarding email was sent, and rendered, twice for "
        "every new customer. It is the last open item of the launch checklist."
    ),
}
LINEAR_COMMENT = (
    "Root cause: the retry queue re-sent the onboarding email. The fix ships before the kiln launch."
)
QUERIES = ("kiln launch", "onboarding email", "launch checklist")


class DemoError(Exception):
    """Something the demo needed did not happen; the message says what."""


@dataclass
class SearchRow:
    query: str
    title: str
    source: str
    score: float
    snippet: str


@dataclass
class DemoResult:
    """What the demo built and found (returned for tests and embedding; printed for people)."""

    api_url: str
    api_key: str
    store_id: str
    notion_url: str
    linear_url: str
    data_dir: Path
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)  # source -> its first sync run
    rows: list[SearchRow] = field(default_factory=list)


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        return self.at - time.monotonic()

    def check(self, doing: str) -> None:
        if self.left() <= 0:
            raise DemoError(f"the demo's {self.seconds:g}s deadline passed while {doing}")
