"""The two tiny HTML pages a browser sees at the end of the flow (until the web UI exists).

Every value is escaped; nothing secret is ever passed in. No external resources, so the page
cannot leak its URL (which, at the callback, carries the code and state) through a Referer.
"""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}

_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{title} - Breadbox</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}}</style>
</head>
<body><h1>{title}</h1>{body}</body>
</html>
"""


def page(title: str, paragraphs: list[str], status_code: int = 200) -> HTMLResponse:
    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    return HTMLResponse(
        _PAGE.format(title=escape(title), body=body), status_code=status_code, headers=HEADERS
    )


def wants_html(accept: str | None) -> bool:
    return "text/html" in (accept or "").lower()
