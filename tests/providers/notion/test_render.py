"""Block JSON -> Markdown, exact, for the shapes notion.md 4.3/4.4 describe."""

from __future__ import annotations

from breadbox.providers.notion.nodes import emit
from breadbox.providers.notion.render import BlockRenderer

from .blocks import PAGE, block, equation, mention, rt, text_block


def md(*blocks: dict) -> str:
    return emit(BlockRenderer(PAGE).nodes(list(blocks)))


def test_paragraphs_and_headings() -> None:
    assert (
        md(
            text_block("heading_1", "Title"),
            text_block("paragraph", "One."),
            text_block("heading_3", "Small"),
            text_block("heading_4", "Smaller"),
            text_block("paragraph", ""),
        )
        == "# Title\n\nOne.\n\n### Small\n\n#### Smaller"
    )


def test_nested_lists_group_and_indent() -> None:
    out = md(
        text_block(
            "bulleted_list_item",
            "a",
            [text_block("bulleted_list_item", "a.1", [text_block("numbered_list_item", "deep")])],
        ),
        text_block("bulleted_list_item", "b"),
        text_block("numbered_list_item", "first"),
        text_block("numbered_list_item", "second", [text_block("paragraph", "inside")]),
        text_block("to_do", "done", checked=True),
        text_block("to_do", "open", checked=False),
    )
    assert out == (
        "- a\n  - a.1\n    1. deep\n- b\n\n1. first\n2. second\n   inside\n\n- [x] done\n- [ ] open"
    )


def test_numbered_list_start_index() -> None:
    assert (
        md(text_block("numbered_list_item", "x", list_start_index=4), text_block("numbered_list_item", "y"))
        == "4. x\n5. y"
    )


def test_annotations_links_and_edge_spaces() -> None:
    b = block(
        "paragraph",
        rich_text=[
            rt("plain "),
            rt("bold ", bold=True),
            rt("it", italic=True),
            rt(" "),
            rt("x*y", code=True),
            rt(" gone", strike=True),
            rt(" site", href="https://example.com/a b"),
            rt(" [raw] *stars*"),
        ],
    )
    assert md(b) == (
        "plain **bold** *it* `x*y` ~~gone~~ [site](https://example.com/a%20b) \\[raw\\] \\*stars\\*"
    )


def test_mentions_use_plain_text_and_equations_inline() -> None:
    page_id = "22222222-2222-4222-8222-222222222222"
    b = block(
        "paragraph",
        rich_text=[
            rt("See "),
            mention("page", "Roadmap", {"id": page_id}),
            rt(", ask "),
            mention("user", "@Ada Lovelace", {"object": "user", "id": "u1"}),
            rt(" by "),
            mention("date", "2026-05-01", {"start": "2026-05-01", "end": None}),
            rt(": "),
            equation("a^2"),
        ],
    )
    assert md(b) == (
        "See [Roadmap](https://www.notion.so/22222222222242228222222222222222), ask @Ada Lovelace"
        " by 2026-05-01: $a^2$"
    )


def test_table_with_and_without_header_row() -> None:
    rows = [block("table_row", cells=[[rt("h1")], [rt("h|2")]]), block("table_row", cells=[[rt("a")], []])]
    assert md(block("table", rows, table_width=2, has_column_header=True, has_row_header=False)) == (
        "| h1 | h\\|2 |\n|---|---|\n| a |  |"
    )
    rows = [block("table_row", cells=[[rt("a")]])]
    assert md(block("table", rows, table_width=2, has_column_header=False, has_row_header=False)) == (
        "|  |  |\n|---|---|\n| a |  |"
    )


def test_code_equation_quote_callout_divider() -> None:
    code = block("code", rich_text=[rt("print('```')\nx = 1")], caption=[rt("demo")], language="Python")
    plain_code = block("code", rich_text=[rt("text")], caption=[], language="plain text")
    out = md(
        code,
        plain_code,
        block("equation", expression="E = mc^2"),
        text_block("quote", "Quoted", [text_block("paragraph", "more")]),
        block(
            "callout",
            [text_block("paragraph", "child")],
            rich_text=[rt("Note")],
            icon={"type": "emoji", "emoji": "💡"},
            color="gray_background",
        ),
        block("divider"),
    )
    assert out == (
        "````python\nprint('```')\nx = 1\n````\n\n*demo*\n\n```\ntext\n```\n\n$$\nE = mc^2\n$$\n\n"
        "> Quoted\n>\n> more\n\n> 💡 Note\n>\n> child\n\n---"
    )


def test_toggles_columns_and_synced_blocks_open_up() -> None:
    out = md(
        text_block("toggle", "Summary", [text_block("paragraph", "hidden")]),
        block(
            "heading_2",
            [text_block("paragraph", "under")],
            rich_text=[rt("Toggle heading")],
            is_toggleable=True,
        ),
        block(
            "column_list",
            [
                block("column", [text_block("paragraph", "left")]),
                block("column", [text_block("paragraph", "right")]),
            ],
        ),
        block("synced_block", [text_block("paragraph", "synced original")], synced_from=None),
        block(
            "synced_block",
            [text_block("paragraph", "synced copy")],
            synced_from={"type": "block_id", "block_id": "x"},
        ),
    )
    assert out == (
        "Summary\n\nhidden\n\n## Toggle heading\n\nunder\n\nleft\n\nright\n\nsynced original\n\nsynced copy"
    )


def test_child_objects_become_links_and_are_collected() -> None:
    renderer = BlockRenderer(PAGE)
    child = block("child_page", title="Sub page")
    db = block("child_database", title="Tasks")
    out = emit(renderer.nodes([child, db, block("link_to_page", type="page_id", page_id=PAGE)]))
    assert out == (
        f"[Sub page](https://www.notion.so/{child['id'].replace('-', '')})\n\n"
        f"[Tasks](https://www.notion.so/{db['id'].replace('-', '')})\n\n"
        "[Linked page](https://www.notion.so/11111111111141118111111111111111)"
    )
    assert renderer.refs.pages == [child["id"]] and renderer.refs.databases == [db["id"]]
    assert renderer.refs.stubs[child["id"]]["last_edited_time"] == "2026-01-02T00:00:00.000Z"


def test_media_never_keeps_signed_urls() -> None:
    signed = (
        "https://prod-files-secure.s3.amazonaws.com/ws/f/diagram.png?X-Amz-Signature=abc&X-Amz-Expires=3600"
    )
    image = block(
        "image",
        type="file",
        file={"url": signed, "expiry_time": "2026-01-01T01:00:00.000Z"},
        caption=[rt("Diagram")],
    )
    external = block("image", type="external", external={"url": "https://example.com/cat.png"}, caption=[])
    pdf = block("file", type="file", file={"url": signed}, caption=[], name="report.pdf")
    bookmark = block("bookmark", url="https://example.com/post", caption=[rt("A post")])
    embed = block("embed", url="https://example.com/embed", caption=[])
    out = md(image, external, pdf, bookmark, embed)
    page = "https://www.notion.so/11111111111141118111111111111111"
    assert out == (
        f"[Image: Diagram]({page}#{image['id'].replace('-', '')})\n\n"
        "![cat.png](https://example.com/cat.png)\n\n"
        f"[File: report.pdf]({page}#{pdf['id'].replace('-', '')})\n\n"
        "[A post](https://example.com/post)\n\n[https://example.com/embed](https://example.com/embed)"
    )
    assert "X-Amz" not in out


def test_unknown_and_unsupported_types_are_tolerated() -> None:
    out = md(
        block("unsupported", block_type="form"),
        block("table_of_contents", color="default"),
        block("brand_new_type", rich_text=[rt("future text")]),
        block("breadcrumb"),
    )
    assert out == "future text"


def test_paragraph_text_that_looks_like_syntax_is_escaped() -> None:
    assert md(
        text_block("paragraph", "# not a heading"),
        text_block("paragraph", "- not a list"),
        text_block("paragraph", "1. not numbered"),
    ) == ("\\# not a heading\n\n\\- not a list\n\n1\\. not numbered")
