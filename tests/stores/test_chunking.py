"""Chunking invariants: exact offsets, size bound, headings, fences, and plain text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from breadbox.stores.chunking import chunk_markdown, chunk_plain

DOC = """# Guide

Intro line.

## Install

```bash
# a comment, not a heading
pip install thing
```

## Use
Setext heading
--------------

Body text.
"""


def test_headings_and_fences() -> None:
    chunks = chunk_markdown(DOC, 60).chunks
    headings = [h.text for c in chunks for h in c.headings]
    assert headings == ["Guide", "Install", "Use", "Setext heading"]
    install = next(c for c in chunks if any(h.text == "Install" for h in c.headings))
    assert [h.text for h in install.heading_context] == ["Guide"]
    last = chunks[-1]
    assert [h.text for h in last.heading_context] in (["Guide", "Use"], ["Guide"])


def test_small_sections_share_a_chunk_and_frontmatter_is_read() -> None:
    doc = "---\ntitle: T\nauthor: 'Ann'\n---\n# A\n\nx\n\n# B\n\ny\n"
    parsed = chunk_markdown(doc, 1000)
    assert len(parsed.chunks) == 1 and parsed.frontmatter == {"title": "T", "author": "Ann"}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="abc xyz\n", min_size=0, max_size=300),
            st.sampled_from(["# H1", "## H2", "### H3", "```", "", "---", "====="]),
        ),
        max_size=40,
    ),
    st.integers(min_value=20, max_value=300),
)
def test_offsets_exact_and_size_bounded(lines: list[str], size: int) -> None:
    text = "\n".join(lines)
    for chunker in (chunk_markdown, chunk_plain):
        chunks = chunker(text, size).chunks
        for c in chunks:
            assert text[c.offset : c.offset + len(c.text)] == c.text
            assert len(c.text) <= size
            assert c.text.strip()
        offsets = [c.offset for c in chunks]
        assert offsets == sorted(offsets)
        # nothing is lost: every non-blank character is in exactly one chunk, in order
        assert "".join("".join(c.text.split()) for c in chunks) == "".join(text.split())
