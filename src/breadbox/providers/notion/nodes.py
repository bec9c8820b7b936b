"""A small block tree both content paths build, and the one CommonMark writer that prints it.

The block walk (`render.py`) and the markdown endpoint (`markdown.py`) turn very different
inputs into the same `Node`s, so a page reads the same whichever way it was fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LIST_KINDS = ("bullet", "number", "todo")


@dataclass
class Node:
    """One block. `text` is inline Markdown, already escaped; `kind` picks how it prints:

    paragraph, heading (`level`), bullet, number (`start`), todo (`checked`), quote, callout,
    code (`text` raw, `lang`), equation (`text` raw), divider, table (`rows`, `header`),
    group (children only: columns, synced blocks), unknown (`block_id`, spliced in later).
    Children of paragraphs and headings print after them; of list items, nested; of quotes
    and callouts, inside the quote.
    """

    kind: str
    text: str = ""
    children: list[Node] = field(default_factory=list)
    level: int = 1
    checked: bool = False
    lang: str = ""
    start: int | None = None
    rows: list[list[str]] = field(default_factory=list)
    header: bool = False
    block_id: str = ""


def emit(nodes: list[Node]) -> str:
    """CommonMark for `nodes`: blocks separated by blank lines, consecutive list items tight."""
    out: list[str] = []
    prev_kind: str | None = None
    number = 0
    for node in _flat(nodes):
        if node.kind == "number":
            number = number + 1 if prev_kind == "number" else (node.start or 1)
        chunk = _node(node, number)
        if not chunk:
            continue
        if out:
            tight = node.kind in LIST_KINDS and prev_kind == node.kind
            out.append("\n" if tight else "\n\n")
        out.append(chunk)
        prev_kind = node.kind
    return "".join(out)


def _flat(nodes: list[Node]) -> list[Node]:
    """Groups dissolve; paragraph and heading children follow their parent at the same level."""
    flat: list[Node] = []
    for node in nodes:
        if node.kind == "group":
            flat.extend(_flat(node.children))
        elif node.kind in ("paragraph", "heading") and node.children:
            flat.append(Node(node.kind, node.text, level=node.level))
            flat.extend(_flat(node.children))
        else:
            flat.append(node)
    return flat


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.split("\n"))


def _quoted(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))


def _node(node: Node, number: int) -> str:
    kind, text = node.kind, node.text.strip()
    if kind == "paragraph":
        return text
    if kind == "heading":
        return f"{'#' * min(max(node.level, 1), 6)} {text}" if text else ""
    if kind in LIST_KINDS:
        marker = {"bullet": "- ", "todo": "- [x] " if node.checked else "- [ ] "}.get(kind, f"{number}. ")
        pad = " " * (2 if kind != "number" else len(f"{number}. "))
        body = marker + _indent(text, pad).lstrip(" ")
        inner = emit(node.children)
        return body.rstrip() + ("\n" + _indent(inner, pad) if inner else "")
    if kind in ("quote", "callout"):
        inner = emit(node.children)
        body = "\n\n".join(part for part in (text, inner) if part)
        return _quoted(body) if body else ""
    if kind == "code":
        longest = max((len(run) for run in re.findall(r"`+", node.text)), default=0)
        fence = "`" * max(3, longest + 1)
        return f"{fence}{node.lang}\n{node.text}\n{fence}"
    if kind == "equation":
        return f"$$\n{node.text.strip()}\n$$" if node.text.strip() else ""
    if kind == "divider":
        return "---"
    if kind == "table":
        return _table(node)
    return ""  # unresolved `unknown` blocks and anything unprintable


def _cell(text: str) -> str:
    return text.replace("\n", " ").replace("|", "\\|").strip()


def _table(node: Node) -> str:
    if not node.rows:
        return ""
    width = max(len(row) for row in node.rows)
    rows = [[_cell(cell) for cell in row] + [""] * (width - len(row)) for row in node.rows]
    head, body = (rows[0], rows[1:]) if node.header else ([""] * width, rows)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * width) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)
