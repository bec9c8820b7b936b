"""Hand-made block and rich-text JSON shaped like notion.md 4.2/4.3, for renderer unit tests."""

from __future__ import annotations

from typing import Any

from breadbox.providers.notion.render import CHILDREN

PAGE = "11111111-1111-4111-8111-111111111111"
_n = 0


def rt(
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    code: bool = False,
    strike: bool = False,
    href: str | None = None,
) -> dict[str, Any]:
    return {
        "type": "text",
        "text": {"content": text, "link": {"url": href} if href else None},
        "annotations": {
            "bold": bold,
            "italic": italic,
            "strikethrough": strike,
            "underline": False,
            "code": code,
            "color": "default",
        },
        "plain_text": text,
        "href": href,
    }


def mention(kind: str, plain: str, target: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "mention",
        "mention": {"type": kind, kind: target},
        "plain_text": plain,
        "href": None,
        "annotations": rt("")["annotations"],
    }


def equation(expr: str) -> dict[str, Any]:
    return {
        "type": "equation",
        "equation": {"expression": expr},
        "plain_text": expr,
        "href": None,
        "annotations": rt("")["annotations"],
    }


def block(kind: str, children: list[dict[str, Any]] | None = None, **payload: Any) -> dict[str, Any]:
    global _n
    _n += 1
    out: dict[str, Any] = {
        "object": "block",
        "id": f"00000000-0000-4000-8000-{_n:012d}",
        "parent": {"type": "page_id", "page_id": PAGE},
        "created_time": "2026-01-01T00:00:00.000Z",
        "last_edited_time": "2026-01-02T00:00:00.000Z",
        "has_children": bool(children),
        "in_trash": False,
        "type": kind,
        kind: payload,
    }
    if children:
        out[CHILDREN] = children
    return out


def text_block(
    kind: str, text: str, children: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    return block(kind, children, rich_text=[rt(text)], color="default", **extra)
