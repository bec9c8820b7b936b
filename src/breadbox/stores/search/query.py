"""Turning free text into a full-text query both engines read the same way.

The query is split into words (Unicode letters and digits); common English function words are
dropped unless nothing else is left; the remaining terms are ORed, and BM25 (or cover density)
ranks documents that match more and rarer terms first. Words are quoted for FTS5 and reduced to
`[\\w]` characters for `to_tsquery`, so no query syntax of either engine reaches them from users.
"""

from __future__ import annotations

import re

WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 32

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves""".split()  # noqa: SIM905
)


def terms(query: str) -> list[str]:
    """Distinct lowercase words of the query, stopwords removed (unless that removes every word)."""
    words = [w.lower() for w in WORD.findall(query)]
    kept = [w for w in words if w not in STOPWORDS] or words
    return list(dict.fromkeys(kept))[:MAX_TERMS]


def fts5_match(words: list[str]) -> str:
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)


def tsquery(words: list[str]) -> str:
    # \w+ tokens carry no tsquery operators; the prefix-free OR mirrors the FTS5 query.
    return " | ".join(words)
