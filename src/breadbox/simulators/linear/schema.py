"""Linear's own SDL, parsed once per process, plus the serialization it needs to execute.

The schema is 1.25 MB and takes most of a second to build, while several simulators may run in
one test process; so it is cached per path. The cache is the only module-level state: the
scalar serializers set here are pure functions and identical for every app.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    get_named_type,
    is_list_type,
    is_non_null_type,
    print_schema,
)

ENV_VAR = "BREADBOX_LINEAR_SCHEMA"
PACKAGED_SCHEMA = Path(__file__).with_name("schema.graphql")


def repo_root() -> Path:
    """src/breadbox/simulators/linear/schema.py -> the checkout root."""
    return Path(__file__).resolve().parents[4]


def schema_path(override: Path | str | None = None) -> Path:
    """Explicit path, else $BREADBOX_LINEAR_SCHEMA, else the copy shipped in this package (types
    and fields only: what validation needs), so the simulator works on any clone."""
    if override:
        return Path(override)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    return PACKAGED_SCHEMA


def format_datetime(value: Any) -> Any:
    """Linear's wire format: UTC, millisecond precision, `Z` suffix."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if isinstance(value, date):
        return value.isoformat()
    return value


@lru_cache(maxsize=4)
def _load(path: Path) -> GraphQLSchema:
    schema = build_schema(path.read_text(encoding="utf-8"), assume_valid_sdl=True)
    for name in ("DateTime", "TimelessDate", "DateTimeOrDuration", "TimelessDateOrDuration"):
        scalar = schema.get_type(name)
        if isinstance(scalar, GraphQLScalarType):
            scalar.serialize = format_datetime  # type: ignore[method-assign]
            if hasattr(scalar, "coerce_output_value"):
                scalar.coerce_output_value = format_datetime  # type: ignore[method-assign]
    return schema


def load_schema(path: Path | str | None = None) -> GraphQLSchema:
    """The built schema for `path` (see `schema_path`), built on first use only."""
    resolved = schema_path(path).resolve()
    if not resolved.is_file():
        raise FileNotFoundError(f"Linear schema not found at {resolved}; set {ENV_VAR}")
    return _load(resolved)


SCALAR_DEFAULTS: dict[str, Any] = {
    "String": "",
    "ID": "",
    "Boolean": False,
    "Int": 0,
    "Float": 0.0,
    "UUID": "",
}


def fallback(return_type: GraphQLOutputType, source: Any, info: GraphQLResolveInfo) -> Any:
    """A harmless value for a non-null field the simulator does not model.

    Linear's schema has hundreds of non-null fields a sync never reads; answering them with an
    empty value keeps a query that selects one from failing with a null-propagation error.
    """
    if not is_non_null_type(return_type):
        return None
    inner = return_type.of_type  # type: ignore[attr-defined]
    if is_list_type(inner):
        return []
    named = get_named_type(inner)
    if isinstance(named, GraphQLEnumType):
        return next(iter(named.values))
    if isinstance(named, GraphQLObjectType):
        return {}
    if isinstance(named, GraphQLScalarType):
        if named.name in SCALAR_DEFAULTS:
            return SCALAR_DEFAULTS[named.name]
        if named.name in ("JSON", "JSONObject"):
            return {}
        if named.name.startswith(("DateTime", "TimelessDate")):
            created = getattr(source, "createdAt", None)
            return created if created is not None else info.context.now
        return ""
    return None


def resolve_type(value: Any, info: GraphQLResolveInfo, abstract: Any) -> str | None:
    """Entity classes are named after their GraphQL types."""
    if isinstance(value, dict):
        return value.get("__typename")
    return type(value).__name__


def strip_prose(sdl: str) -> str:
    """The schema as SDL without its prose (descriptions, deprecation reasons): the types and
    fields validation needs. `schema.graphql` beside this module is this function applied to
    Linear's published schema (`shared/providers/linear-schema.graphql`); a test keeps it so."""
    schema = build_schema(sdl, assume_valid_sdl=True)
    for named in schema.type_map.values():
        named.description = None
        fields = getattr(named, "fields", None) if not isinstance(named, GraphQLEnumType) else None
        for field in (fields or {}).values():
            field.description = None
            if getattr(field, "deprecation_reason", None):
                field.deprecation_reason = "deprecated"
            for arg in getattr(field, "args", {}).values():
                arg.description = None
                if arg.deprecation_reason:
                    arg.deprecation_reason = "deprecated"
        if isinstance(named, GraphQLEnumType):
            for value in named.values.values():
                value.description = None
                if value.deprecation_reason:
                    value.deprecation_reason = "deprecated"
    for directive in schema.directives:
        directive.description = None
        for arg in directive.args.values():
            arg.description = None
    return print_schema(schema) + "\n"
