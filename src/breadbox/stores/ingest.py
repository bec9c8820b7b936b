"""From uploaded bytes to indexable chunks: type detection, conversion, chunking, chunk metadata.

Supported: plain text, Markdown, HTML (converted to Markdown, so offsets refer to the Markdown) and
JSON (re-indented, chunked as text). Anything else is refused before any row is written, with a
415 naming the supported types; bytes that claim a supported type but cannot be read (not UTF-8,
invalid JSON) become a store file with status `failed` and a `last_error`.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any, Literal

from bs4 import BeautifulSoup
from markdownify import markdownify

from breadbox.errors import UnsupportedMediaTypeError
from breadbox.stores.chunking import Chunk, ChunkedDocument, chunk_markdown, chunk_plain

Kind = Literal["text", "markdown", "html", "json"]

MIME_KINDS: dict[str, Kind] = {
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/json": "json",
    "text/json": "json",
}
EXTENSION_KINDS: dict[str, Kind] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdx": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
}
SUPPORTED_DESCRIPTION = (
    "plain text (text/plain, .txt), Markdown (text/markdown, .md), HTML (text/html, .html) "
    "and JSON (application/json, .json)"
)
GENERIC_MIME = {"", "application/octet-stream", "binary/octet-stream"}
MIME_PATTERN = re.compile(r"^[\w.\-+]+/[\w.\-+]+(\.\w+)*$")


class IngestError(Exception):
    """The file has a supported type but its content cannot be read; recorded as `last_error`."""


@dataclass(frozen=True)
class PreparedChunk:
    index: int
    offset: int
    text: str
    context: str
    generated_metadata: dict[str, Any]


def clean_mime_type(value: str | None) -> str:
    """The bare `type/subtype` of a Content-Type, or octet-stream when it is missing or malformed."""
    mime = (value or "").split(";", 1)[0].strip().lower()
    return mime if MIME_PATTERN.match(mime) else "application/octet-stream"


def detect_kind(filename: str, mime_type: str | None) -> Kind:
    """A known extension wins (clients often send text/plain or octet-stream for .md); then the MIME type."""
    ext = os.path.splitext(filename)[1].lower()
    if ext in EXTENSION_KINDS:
        return EXTENSION_KINDS[ext]
    mime = clean_mime_type(mime_type)
    if mime in MIME_KINDS:
        return MIME_KINDS[mime]
    if mime.endswith("+json"):
        return "json"
    raise UnsupportedMediaTypeError(
        f"Cannot index '{filename}' ({mime if mime not in GENERIC_MIME else 'unknown type'}): "
        f"the embedded store supports {SUPPORTED_DESCRIPTION}",
        error_type="unsupported_file_type",
    )


def to_text(data: bytes, kind: Kind) -> str:
    """The text that gets chunked: Markdown for HTML, indented JSON for JSON, the text itself otherwise."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"File is not valid UTF-8 text (byte {exc.start})") from exc
    if kind == "html":
        return html_to_markdown(text)
    if kind == "json":
        try:
            return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except json.JSONDecodeError as exc:
            raise IngestError(f"File is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    return text


def html_to_markdown(html: str) -> str:
    """Markdown for an HTML page, without the text of scripts, styles and other non-content elements."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    return str(markdownify(str(soup), heading_style="ATX")).strip() + "\n"


def prepare_chunks(data: bytes, kind: Kind, filename: str, chunk_size: int) -> list[PreparedChunk]:
    """Convert and chunk a file; raises `IngestError` for unreadable content."""
    text = to_text(data, kind)
    ext = os.path.splitext(filename)[1].lower() or None
    title = _title_words(filename)
    if kind in ("markdown", "html"):
        doc = chunk_markdown(text, chunk_size)
        return [_markdown_chunk(i, c, doc, title, ext, len(data)) for i, c in enumerate(doc.chunks)]
    chunks = chunk_plain(text, chunk_size).chunks
    return [_text_chunk(i, c, kind, title, ext, len(data)) for i, c in enumerate(chunks)]


def _title_words(filename: str) -> str:
    """The file name as words (`kube-networking_guide.md` -> `kube networking guide`), indexed as context."""
    stem = os.path.splitext(os.path.basename(filename))[0]
    return re.sub(r"[-_.]+", " ", stem).strip()


def _markdown_chunk(
    index: int, chunk: Chunk, doc: ChunkedDocument, title: str, ext: str | None, size: int
) -> PreparedChunk:
    meta: dict[str, Any] = {
        "type": "markdown",
        "file_type": "text/markdown",
        "word_count": len(chunk.text.split()),
        "file_size": size,
        "chunk_headings": [{"level": h.level, "text": h.text} for h in chunk.headings],
        "heading_context": [{"level": h.level, "text": h.text} for h in chunk.heading_context],
        "start_line": chunk.start_line,
        "num_lines": chunk.num_lines,
        "file_extension": ext,
    }
    if doc.frontmatter:
        meta["frontmatter"] = doc.frontmatter
    context = " ".join([title, *(h.text for h in chunk.heading_context)])
    return PreparedChunk(index, chunk.offset, chunk.text, context, meta)


def _text_chunk(
    index: int, chunk: Chunk, kind: Kind, title: str, ext: str | None, size: int
) -> PreparedChunk:
    meta: dict[str, Any]
    if kind == "json":
        meta = {"type": "code", "file_type": "application/json", "language": "json"}
    else:
        meta = {"type": "text", "file_type": "text/plain"}
    meta.update(
        word_count=len(chunk.text.split()),
        file_size=size,
        start_line=chunk.start_line,
        num_lines=chunk.num_lines,
        file_extension=ext,
    )
    return PreparedChunk(index, chunk.offset, chunk.text, title, meta)
