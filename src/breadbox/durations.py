"""Polling intervals: what clients may send, and the one form we answer with (ISO 8601).

Accepted: integer seconds, shorthand (`"45s"`, `"30m"`, `"1h"`, `"2d"`, combinable as `"1h30m"`),
or an ISO 8601 duration without years or months (`"PT30M"`, `"P1D"`, `"P1DT2H"`): a month has no
fixed length in seconds, so it cannot be a polling interval.
"""

from __future__ import annotations

import re

MIN_SECONDS = 15
MAX_SECONDS = 30 * 24 * 3600
DEFAULT_SECONDS = 30 * 60

_SHORTHAND = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_ISO = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


class DurationError(ValueError):
    pass


def parse_duration(value: int | str) -> int:
    """Seconds in `value`; raises DurationError on anything malformed or out of range."""
    if isinstance(value, bool):
        raise DurationError("polling_interval must be seconds or a duration string, not a boolean")
    seconds = value if isinstance(value, int) else _parse_text(value.strip())
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise DurationError(
            f"polling_interval must be between {MIN_SECONDS} seconds and 30 days, got {seconds} seconds"
        )
    return seconds


def _parse_text(text: str) -> int:
    if text.isdigit():
        return int(text)
    match = _SHORTHAND.match(text)
    if match and any(match.groups()):
        d, h, m, s = (int(g) if g else 0 for g in match.groups())
        return ((d * 24 + h) * 60 + m) * 60 + s
    match = _ISO.match(text.upper())
    if match and any(match.groups()) and not text.upper().endswith("T"):
        w, d, h, m = (int(g) if g else 0 for g in match.groups()[:4])
        seconds = float(match.group(5) or 0)
        if seconds != int(seconds):
            raise DurationError("polling_interval must be a whole number of seconds")
        return (((w * 7 + d) * 24 + h) * 60 + m) * 60 + int(seconds)
    raise DurationError(
        f"Invalid polling_interval {text!r}: use seconds, '30s', '30m', '1h', '2d' or ISO 8601 like 'PT30M'"
    )


def format_iso(seconds: int) -> str:
    """ISO 8601 in its shortest exact form: 1800 -> 'PT30M', 172800 -> 'P2D', 90 -> 'PT1M30S'."""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    out = "P"
    if days:
        out += f"{days}D"
    time_part = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    if time_part:
        out += "T" + time_part
    return out if out != "P" else "PT0S"
