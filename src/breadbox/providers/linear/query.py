"""GraphQL operations built from selections that also know their complexity.

Linear rejects any query above 10,000 points and charges every query's points against an hourly
budget, so the connector must know a query's cost *before* sending it, and choose page sizes to
fit. Each selection here renders its GraphQL text and computes its cost by Linear's documented
rule (linear.md §2): a scalar is 0.1 point, an object 1 point plus its fields, a connection
`first` times (1 + its node's fields); `nodes` is free, `pageInfo` is a plain object, and the total
is rounded up. Costs are kept in tenths so the arithmetic is exact.

Several root fields can share one request (one page of issues, comments, projects and documents
at once): that is how the connector spends fewer requests than streams.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

MAX_FIRST = 250  # widely documented maximum page size (linear.md §2)
MAX_COMPLEXITY = 10_000  # "Your query will always get rejected if it exceeds that"
# Our count follows the documented rule; the real server's accounting is undocumented in places
# (pageInfo, nested lists), so requests aim 10% under the cap.
SAFE_COMPLEXITY = 9_000


@dataclass(frozen=True)
class Obj:
    """A to-one object field, e.g. `state { name type }`."""

    name: str
    fields: tuple[Selection, ...]


@dataclass(frozen=True)
class Conn:
    """A nested connection with literal arguments, e.g. an issue's first comments."""

    name: str
    first: int
    args: str
    nodes: tuple[Selection, ...]
    page_info: tuple[str, ...] = ("hasNextPage",)


Selection = str | Obj | Conn


def render(selections: Sequence[Selection]) -> str:
    parts: list[str] = []
    for sel in selections:
        if isinstance(sel, str):
            parts.append(sel)
        elif isinstance(sel, Obj):
            parts.append(f"{sel.name} {{ {render(sel.fields)} }}")
        else:
            inner = f"nodes {{ {render(sel.nodes)} }}"
            if sel.page_info:
                inner += f" pageInfo {{ {' '.join(sel.page_info)} }}"
            parts.append(f"{sel.name}(first: {sel.first}, {sel.args}) {{ {inner} }}")
    return " ".join(parts)


def tenths(selections: Sequence[Selection]) -> int:
    """Cost of a selection set in tenths of a point (linear.md §2)."""
    total = 0
    for sel in selections:
        if isinstance(sel, str):
            total += 1
        elif isinstance(sel, Obj):
            total += 10 + tenths(sel.fields)
        else:
            total += sel.first * (10 + tenths(sel.nodes))
            if sel.page_info:
                total += 10 + len(sel.page_info)
    return total


@dataclass(frozen=True)
class Root:
    """One paginated root field of a request: `alias: field(first, after, ...) { nodes pageInfo }`.

    `args` maps argument names to (GraphQL type, value); every argument travels as a variable so
    the query text stays the same from page to page.
    """

    alias: str
    field: str
    first: int
    nodes: tuple[Selection, ...]
    args: dict[str, tuple[str, Any]] = dataclasses.field(default_factory=dict)

    @property
    def node_tenths(self) -> int:
        return 10 + tenths(self.nodes)

    @property
    def cost_tenths(self) -> int:
        return self.first * self.node_tenths + 12  # pageInfo { hasNextPage endCursor }

    def with_first(self, first: int) -> Root:
        return replace(self, first=first)


@dataclass(frozen=True)
class Operation:
    text: str
    variables: dict[str, Any]
    cost: int  # points, rounded up as Linear does


def build(name: str, roots: Sequence[Root]) -> Operation:
    """One request reading every root; variables are prefixed with the root's alias."""
    declarations: list[str] = []
    fields: list[str] = []
    variables: dict[str, Any] = {}
    for root in roots:
        args = {"first": ("Int!", root.first), **root.args}
        passed: list[str] = []
        for arg, (type_, value) in args.items():
            var = f"{root.alias}_{arg}"
            declarations.append(f"${var}: {type_}")
            passed.append(f"{arg}: ${var}")
            variables[var] = value
        selection = f"nodes {{ {render(root.nodes)} }} pageInfo {{ hasNextPage endCursor }}"
        fields.append(f"{root.alias}: {root.field}({', '.join(passed)}) {{ {selection} }}")
    text = f"query {name}({', '.join(declarations)}) {{ {' '.join(fields)} }}"
    return Operation(text, variables, math.ceil(sum(r.cost_tenths for r in roots) / 10))


def fit(roots: Sequence[Root], cap_points: float) -> list[Root]:
    """Scale page sizes down, proportionally, until the request costs at most `cap_points`.

    The cost comes from the *requested* `first`, not the rows returned, so an oversized page is
    paid in full even when it comes back short.
    """
    out = list(roots)
    cap = int(cap_points * 10)
    fixed = 12 * len(out)
    while (total := sum(r.cost_tenths for r in out)) > cap:
        factor = max(0.0, cap - fixed) / max(1, total - fixed)
        scaled = [r.with_first(max(1, int(r.first * factor))) for r in out]
        if scaled == out:
            index = max(range(len(out)), key=lambda i: out[i].cost_tenths)
            if out[index].first == 1:
                break  # a single node costs more than the cap: let the server say so
            scaled[index] = out[index].with_first(out[index].first - 1)
        out = scaled
    return out
