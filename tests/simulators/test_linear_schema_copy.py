"""The simulator's packaged schema is Linear's published schema minus its prose, nothing else."""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema, print_schema

from breadbox.simulators.linear.schema import PACKAGED_SCHEMA, strip_prose

SHARED = Path(__file__).resolve().parents[3] / "shared" / "providers" / "linear-schema.graphql"


def test_packaged_schema_is_the_published_one_without_prose() -> None:
    published = SHARED.read_text(encoding="utf-8")
    packaged = PACKAGED_SCHEMA.read_text(encoding="utf-8")
    assert packaged == strip_prose(published)
    # Same types, fields and arguments: validation against either gives the same answers.
    assert print_schema(build_schema(packaged)) == strip_prose(packaged).rstrip("\n")
    assert '"""' not in packaged
