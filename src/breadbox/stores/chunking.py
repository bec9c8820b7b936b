"""Markdown-aware chunking: split at headings first, then at paragraphs, to a target size.

A document becomes a list of blocks (headings, paragraphs, fenced code, front matter), each an exact
span of the source. Blocks are packed into chunks of at most `size` characters; a heading starts a
new chunk whenever its whole section would not fit in the current one, so small sections share a
chunk and large ones begin at their heading. A block larger than `size` is cut at line breaks, then
at whitespace. Every chunk's text is `source[offset:offset + len(text)]`, so offsets are exact.

Plain text uses the same packing with paragraphs only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")
FRONTMATTER_FIELD = re.compile(r"^([A-Za-z0-9_][\w\- ]*):[ \t]*(.*)$")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Chunk:
    offset: int
    text: str
    start_line: int
    num_lines: int
    headings: tuple[Heading, ...] = ()
    heading_context: tuple[Heading, ...] = ()


@dataclass
class _Block:
    start: int
    end: int
    start_line: int
    end_line: int
    heading: Heading | None = None


@dataclass
class ChunkedDocument:
    chunks: list[Chunk]
    frontmatter: dict[str, str] = field(default_factory=dict)


class _Lines:
    """The source split into lines, with the offset each line starts at."""

    def __init__(self, text: str) -> None:
        self.raw = text.splitlines(keepends=True)
        self.starts: list[int] = []
        pos = 0
        for line in self.raw:
            self.starts.append(pos)
            pos += len(line)

    def __len__(self) -> int:
        return len(self.raw)

    def content(self, i: int) -> str:
        return self.raw[i].rstrip("\r\n")

    def end(self, i: int) -> int:
        return self.starts[i] + len(self.content(i))

    def block(self, first: int, last: int, heading: Heading | None = None) -> _Block:
        return _Block(self.starts[first], self.end(last), first, last + 1, heading)


def chunk_markdown(text: str, size: int) -> ChunkedDocument:
    lines = _Lines(text)
    blocks, frontmatter = _markdown_blocks(lines)
    return ChunkedDocument(_pack(text, _split_large(text, lines, blocks, size), size), frontmatter)


def chunk_plain(text: str, size: int) -> ChunkedDocument:
    lines = _Lines(text)
    return ChunkedDocument(_pack(text, _split_large(text, lines, _paragraph_blocks(lines), size), size))


def _paragraph_blocks(lines: _Lines) -> list[_Block]:
    blocks: list[_Block] = []
    first: int | None = None
    for i in range(len(lines)):
        if lines.content(i).strip():
            if first is None:
                first = i
        elif first is not None:
            blocks.append(lines.block(first, i - 1))
            first = None
    if first is not None:
        blocks.append(lines.block(first, len(lines) - 1))
    return blocks


def _markdown_blocks(lines: _Lines) -> tuple[list[_Block], dict[str, str]]:
    blocks: list[_Block] = []
    frontmatter: dict[str, str] = {}
    para: int | None = None  # first line of the open paragraph
    i = 0
    n = len(lines)

    def close_para(last: int) -> None:
        nonlocal para
        if para is not None:
            blocks.append(lines.block(para, last))
            para = None

    if n and lines.content(0).strip() == "---":
        for j in range(1, n):
            if lines.content(j).strip() in ("---", "..."):
                for k in range(1, j):
                    m = FRONTMATTER_FIELD.match(lines.content(k))
                    if m:
                        frontmatter[m.group(1).strip()] = m.group(2).strip().strip("'\"")
                blocks.append(lines.block(0, j))
                i = j + 1
                break

    while i < n:
        line = lines.content(i)
        if not line.strip():
            close_para(i - 1)
            i += 1
            continue
        fence = FENCE_OPEN.match(line)
        if fence:
            close_para(i - 1)
            marker = fence.group(1)
            j = i + 1
            while j < n and not lines.content(j).lstrip().startswith(marker[0] * len(marker)):
                j += 1
            last = min(j, n - 1)
            blocks.append(lines.block(i, last))
            i = last + 1
            continue
        atx = ATX_HEADING.match(line)
        if atx:
            close_para(i - 1)
            blocks.append(lines.block(i, i, Heading(len(atx.group(1)), (atx.group(2) or "").strip())))
            i += 1
            continue
        underline = SETEXT_UNDERLINE.match(line)
        if underline and para is not None and para == i - 1:
            level = 1 if underline.group(1)[0] == "=" else 2
            blocks.append(lines.block(para, i, Heading(level, lines.content(para).strip())))
            para = None
            i += 1
            continue
        if para is None:
            para = i
        i += 1
    close_para(n - 1)
    return blocks, frontmatter


def _split_large(text: str, lines: _Lines, blocks: list[_Block], size: int) -> list[_Block]:
    """Cut blocks longer than `size`: at line breaks, then at whitespace, then anywhere."""
    out: list[_Block] = []
    for block in blocks:
        if block.end - block.start <= size:
            out.append(block)
            continue
        first = block.start_line
        for last in range(block.start_line, block.end_line):
            if lines.end(last) - lines.starts[first] > size and last > first:
                piece = lines.block(first, last - 1, block.heading if first == block.start_line else None)
                out.extend(_split_line_span(text, piece, size))
                first = last
        tail = lines.block(first, block.end_line - 1, block.heading if first == block.start_line else None)
        out.extend(_split_line_span(text, tail, size))
    return out


def _split_line_span(text: str, block: _Block, size: int) -> list[_Block]:
    if block.end - block.start <= size:
        return [block]
    pieces: list[_Block] = []
    start = block.start
    while block.end - start > size:
        cut = text.rfind(" ", start + 1, start + size + 1)
        if cut <= start:
            cut = start + size
        pieces.append(
            _Block(start, cut, block.start_line, block.end_line, block.heading if not pieces else None)
        )
        start = cut
        while start < block.end and text[start] == " ":
            start += 1
    if start < block.end:
        pieces.append(_Block(start, block.end, block.start_line, block.end_line))
    return pieces


def _pack(text: str, blocks: list[_Block], size: int) -> list[Chunk]:
    section_end = _section_ends(blocks)
    chunks: list[Chunk] = []
    current: list[_Block] = []
    context: tuple[Heading, ...] = ()
    path: list[Heading] = []

    def flush() -> None:
        if current:
            start, end = current[0].start, current[-1].end
            chunks.append(
                Chunk(
                    offset=start,
                    text=text[start:end],
                    start_line=current[0].start_line,
                    num_lines=current[-1].end_line - current[0].start_line,
                    headings=tuple(b.heading for b in current if b.heading),
                    heading_context=context,
                )
            )
            current.clear()

    for i, block in enumerate(blocks):
        if current:
            reach = section_end[i] if block.heading else block.end
            if reach - current[0].start > size:
                flush()
        if block.heading:
            while path and path[-1].level >= block.heading.level:
                path.pop()
        if not current:
            context = tuple(path)
        if block.heading:
            path.append(block.heading)
        current.append(block)
    flush()
    return chunks


def _section_ends(blocks: list[_Block]) -> list[int]:
    """For each heading block, where its section (up to the next heading) ends."""
    ends = [b.end for b in blocks]
    running = blocks[-1].end if blocks else 0
    for i in range(len(blocks) - 1, -1, -1):
        if blocks[i].heading:
            ends[i] = running
            if i > 0:
                running = blocks[i - 1].end
    return ends
