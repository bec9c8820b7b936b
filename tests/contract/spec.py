"""Where the contract lives."""

from __future__ import annotations

import os
from pathlib import Path

# `shared/` sits beside the repository (in CI too); BREADBOX_SHARED_DIR overrides.
SHARED_DIR = Path(os.environ.get("BREADBOX_SHARED_DIR", Path(__file__).resolve().parents[3] / "shared"))
SPEC_DIR = SHARED_DIR / "spec"
DATA_SOURCES_SPEC = SPEC_DIR / "data-sources.openapi.yml"
API_KEYS_SPEC = SPEC_DIR / "api-keys.openapi.yml"
