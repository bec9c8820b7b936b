"""Notion's enhanced markdown -> CommonMark, and row properties as a header."""

from __future__ import annotations

from breadbox.providers.notion.markdown import EnhancedMarkdown
from breadbox.providers.notion.nodes import emit
from breadbox.providers.notion.properties import header, summary, title_of

PAGE = "11111111-1111-4111-8111-111111111111"
CHILD = "33333333333343338333333333333333"
BLOCK = "44444444444444448444444444444444"


def convert(text: str, users: dict[str, str] | None = None) -> tuple[str, EnhancedMarkdown]:
    parser = EnhancedMarkdown(PAGE, (users or {}).get)
    return emit(parser.parse(text)), parser


def test_blocks_tags_and_nesting() -> None:
    source = "\n".join(
        [
            "# Title",
            "Intro with **bold** and *it*.",
            "- one",
            "\t- nested",
            "1. first",
            "1. second",
            "- [x] done",
            "<details>",
            "<summary>Toggle</summary>",
            "\tHidden text",
            "</details>",
            '## Heading {toggle="true"}',
            "\tUnder heading",
            '<callout icon="💡">',
            "\tCallout text",
            "\tCallout child",
            "</callout>",
            "> Quote",
            "```python",
            "def f():",
            "\treturn 1",
            "```",
            "$$",
            "E = mc^2",
            "$$",
            "---",
            '<table header-row="true">',
            "\t<tr>",
            "\t\t<td>A</td>",
            "\t\t<td>B</td>",
            "\t</tr>",
            "\t<tr>",
            "\t\t<td>1</td>",
            "\t\t<td>2</td>",
            "\t</tr>",
            "</table>",
            "<columns>",
            "\t<column>",
            "\t\tLeft",
            "\t</column>",
            "\t<column>",
            "\t\tRight",
            "\t</column>",
            "</columns>",
            f'<synced_block url="https://www.notion.so/x-{CHILD}#{BLOCK}">',
            "\tSynced",
            "</synced_block>",
            "<table_of_contents/>",
            'Color {color="red"}',
        ]
    )
    out, _ = convert(source)
    assert out == (
        "# Title\n\nIntro with **bold** and *it*.\n\n- one\n  - nested\n\n1. first\n2. second\n\n"
        "- [x] done\n\nToggle\n\nHidden text\n\n## Heading\n\nUnder heading\n\n"
        "> 💡 Callout text\n>\n> Callout child\n\n> Quote\n\n```python\ndef f():\n\treturn 1\n```\n\n"
        "$$\nE = mc^2\n$$\n\n---\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\nLeft\n\nRight\n\nSynced\n\nColor"
    )


def test_over_indented_children_still_nest() -> None:
    out, _ = convert("- a\n\t- b\n\t\t\t- c\n\t- d")
    assert out == "- a\n  - b\n    - c\n  - d"


def test_mentions_links_and_child_objects() -> None:
    db = "55555555555545558555555555555555"
    source = "\n".join(
        [
            f'See <mention-page url="https://www.notion.so/Road-{CHILD}">Road</mention-page>, '
            '<mention-user url="user://u-1"/> on <mention-date start="2026-05-01"/>, $x$.',
            f'<mention-page url="https://www.notion.so/{CHILD}"/>',
            f'<page url="https://www.notion.so/Sub-Page-{CHILD}">Sub Page</page>',
            f'<database url="https://www.notion.so/{db}" inline="true">Tasks</database>',
            f'<unknown url="https://www.notion.so/x-{CHILD}#{BLOCK}" alt="bookmark"/>',
        ]
    )
    out, parser = convert(source, {"u-1": "Ada Lovelace"})
    link = f"https://www.notion.so/{CHILD}"
    assert out == (
        f"See [Road]({link}), @Ada Lovelace on 2026-05-01, $x$.\n\n[Linked page]({link})\n\n"
        f"[Sub Page]({link})\n\n[Tasks](https://www.notion.so/{db})"
    )
    assert parser.refs.pages == ["33333333-3333-4333-8333-333333333333"]
    assert parser.refs.databases == ["55555555-5555-4555-8555-555555555555"]
    assert parser.unknown == ["44444444-4444-4444-8444-444444444444"]


def test_signed_media_urls_become_links_to_the_page() -> None:
    signed = "http://127.0.0.1:1/_files/b/diagram.png?X-Amz-Expires=3600&expires=1&sig=abc"
    out, _ = convert(
        f'![Diagram]({signed})\n<file src="{signed}"></file>\n<pdf src="https://example.com/spec.pdf"></pdf>'
    )
    page = "https://www.notion.so/11111111111141118111111111111111"
    assert (
        out
        == f"[Image: Diagram]({page})\n\n[File: diagram.png]({page})\n\n[PDF: spec.pdf](https://example.com/spec.pdf)"
    )


PROPS = {
    "Name": {"id": "title", "type": "title", "title": [{"type": "text", "plain_text": "Ship it"}]},
    "Status": {"id": "s", "type": "status", "status": {"name": "Done"}},
    "Tags": {"id": "t", "type": "multi_select", "multi_select": [{"name": "a"}, {"name": "b"}]},
    "Priority": {"id": "p", "type": "select", "select": None},
    "Estimate": {"id": "e", "type": "number", "number": 3.0},
    "Done": {"id": "d", "type": "checkbox", "checkbox": True},
    "Due": {"id": "du", "type": "date", "date": {"start": "2026-01-01", "end": "2026-01-03"}},
    "Owner": {"id": "o", "type": "people", "people": [{"object": "user", "id": "u", "name": "Ada"}]},
    "Link": {"id": "l", "type": "url", "url": "https://example.com"},
    "Mail": {"id": "m", "type": "email", "email": "a@example.com"},
    "Rel": {
        "id": "r",
        "type": "relation",
        "relation": [{"id": "abcdef12-0000-4000-8000-000000000000"}],
        "has_more": True,
    },
    "Notes": {
        "id": "n",
        "type": "rich_text",
        "rich_text": [{"type": "text", "plain_text": "hi", "annotations": {"bold": True}}],
    },
    "F": {"id": "f", "type": "formula", "formula": {"type": "number", "number": 2.5}},
    "R": {
        "id": "ro",
        "type": "rollup",
        "rollup": {
            "type": "array",
            "array": [{"type": "number", "number": 1}, {"type": "select", "select": {"name": "x"}}],
        },
    },
    "ID": {"id": "i", "type": "unique_id", "unique_id": {"prefix": "ENG", "number": 7}},
    "Files": {
        "id": "fi",
        "type": "files",
        "files": [{"name": "a.pdf", "type": "file", "file": {"url": "https://s3/a.pdf?X-Amz-Signature=1"}}],
    },
}


def test_properties_header_and_summary() -> None:
    assert title_of(PROPS) == "Ship it"
    assert header(PROPS) == "\n".join(
        [
            "- **Status:** Done",
            "- **Tags:** a, b",
            "- **Estimate:** 3",
            "- **Done:** Yes",
            "- **Due:** 2026-01-01 → 2026-01-03",
            "- **Owner:** Ada",
            "- **Link:** https://example.com",
            "- **Mail:** a@example.com",
            "- **Rel:** [abcdef12](https://www.notion.so/abcdef1200004000800000000000000), …".replace(
                "abcdef1200004000800000000000000", "abcdef12000040008000000000000000"
            ),
            "- **Notes:** **hi**",
            "- **F:** 2.5",
            "- **R:** 1, x",
            "- **ID:** ENG-7",
            "- **Files:** a.pdf",
        ]
    )
    assert summary(PROPS)["Tags"] == "a, b" and summary(PROPS)["Notes"] == "hi"
    assert "X-Amz" not in header(PROPS)
