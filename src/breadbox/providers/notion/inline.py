"""Rich text (notion.md 4.2) to inline CommonMark, plus the URL rules both content paths share.

Mentions and equations are read from `plain_text` / `expression`, never `text.content`, which
is empty for them (the bug notion.md section 7 lists for other loaders).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

NOTION_WEB = "https://www.notion.so"
_HEX32 = re.compile(r"[0-9a-fA-F]{32}")
_ESCAPE = re.compile(r"([\\`*_\[\]<])")
# Query keys of signed, expiring file URLs (Notion-hosted files are S3 links valid for 1 h).
_SIGNED_KEYS = ("x-amz-", "signature", "expires", "sig", "token")


def compact(object_id: str) -> str:
    return object_id.replace("-", "").lower()


def dashed(object_id: str) -> str:
    c = compact(object_id)
    return f"{c[:8]}-{c[8:12]}-{c[12:16]}-{c[16:20]}-{c[20:]}"


def notion_url(object_id: str, block_id: str | None = None) -> str:
    """A stable link to a page or database (and a block in it): ids only, so titles can change."""
    url = f"{NOTION_WEB}/{compact(object_id)}"
    return f"{url}#{compact(block_id)}" if block_id else url


def id_from_url(url: str) -> str | None:
    """The dashed object id in a Notion URL's path (`/Title-<32 hex>`), if any."""
    found = _HEX32.findall(urlsplit(url).path)
    return dashed(found[-1]) if found else None


def canonical_url(url: str) -> str:
    """Notion links are rewritten to `notion_url`; others are left alone."""
    parts = urlsplit(url)
    if not parts.netloc.endswith("notion.so"):
        return url
    object_id = id_from_url(url)
    if object_id is None:
        return url
    fragment = _HEX32.search(parts.fragment or "")
    return notion_url(object_id, fragment.group(0) if fragment else None)


def is_expiring(url: str) -> bool:
    """True for signed URLs that stop working (never store them, notion.md 6.8)."""
    keys = [key.lower() for key, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)]
    return any(key.startswith(_SIGNED_KEYS) for key in keys)


def file_name(url: str) -> str:
    """The last path segment of a file URL (S3 keys end with the uploaded file's name)."""
    path = urlsplit(url).path.rstrip("/")
    return unquote(path.rsplit("/", 1)[-1]) if path else ""


def escape(text: str) -> str:
    return _ESCAPE.sub(r"\\\1", text)


def link(label: str, url: str) -> str:
    return f"[{label or url}]({url.replace(' ', '%20').replace(')', '%29')})"


def _wrap(text: str, marker: str) -> str:
    """Put `marker` around `text` but outside its edge spaces, or CommonMark ignores it."""
    core = text.strip()
    if not core:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{marker}{core}{marker}{trail}"


def rich_text(items: list[dict[str, Any]] | None) -> str:
    """Inline Markdown for a rich-text array."""
    return "".join(_item(item) for item in items or [])


def plain(items: list[dict[str, Any]] | None) -> str:
    return "".join(str(item.get("plain_text", "")) for item in items or [])


def _item(item: dict[str, Any]) -> str:
    kind = item.get("type")
    text = str(item.get("plain_text", ""))
    if kind == "equation":
        expression = (item.get("equation") or {}).get("expression", text)
        return f"${expression}$"
    if kind == "mention":
        mention = item.get("mention") or {}
        target = mention.get(mention.get("type", ""), {})
        if mention.get("type") in ("page", "database") and isinstance(target, dict) and target.get("id"):
            return link(escape(text), notion_url(target["id"]))
        href = item.get("href")
        return link(escape(text), href) if href and mention.get("type") != "user" else escape(text)
    notes = item.get("annotations") or {}
    out = (_wrap(text, "``" if "`" in text else "`")) if notes.get("code") else escape(text)
    if notes.get("bold"):
        out = _wrap(out, "**")
    if notes.get("italic"):
        out = _wrap(out, "*")
    if notes.get("strikethrough"):
        out = _wrap(out, "~~")
    href = item.get("href") or ((item.get("text") or {}).get("link") or {}).get("url")
    if href and out.strip():
        core = out.strip()
        out = out[: len(out) - len(out.lstrip())] + link(core, canonical_url(href)) + out[len(out.rstrip()) :]
    return out
