"""The README is part of the product: its quick start and its configuration table stay true."""

from __future__ import annotations

from pathlib import Path

from breadbox.config import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_every_setting_is_in_the_configuration_table() -> None:
    missing = [name for name in Settings.model_fields if f"`BREADBOX_{name.upper()}`" not in README]
    assert not missing, f"settings missing from the README table: {missing}"


def test_quick_start_is_the_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make run" in quick_start and "make test" in quick_start
