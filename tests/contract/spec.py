"""Where the contract lives, and which of its operations a later issue implements."""

from __future__ import annotations

from pathlib import Path

SPEC_DIR = Path("/work/shared/spec")
DATA_SOURCES_SPEC = SPEC_DIR / "data-sources.openapi.yml"
API_KEYS_SPEC = SPEC_DIR / "api-keys.openapi.yml"

# Operations of the data-sources contract that are not required yet: the OAuth2 flow comes in a
# later issue. Everything else in the contract must be served exactly as specified.
NOT_YET_IMPLEMENTED = ("authorize_data_source", "oauth2_callback")
