"""Query complexity by the rule of linear.md §2, computed before execution from the AST.

"Each property is 0.1 point, each object is 1 point and any connection multiplies its
children's points based on the given pagination argument, or the default 50." The `nodes` and
`edges` wrappers are free, `pageInfo` is a plain object, and the cost depends only on the
requested `first`/`last`, never on the rows returned. Points are kept in tenths to stay exact.
"""

from __future__ import annotations

import math
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
    value_from_ast_untyped,
)


class PageSizeError(ValueError):
    """`first`/`last` above the maximum (or negative)."""

    def __init__(self, argument: str, value: int, maximum: int) -> None:
        super().__init__(f"{argument} must be between 0 and {maximum}, got {value}")
        self.argument, self.value, self.maximum = argument, value, maximum


def is_connection(named: GraphQLNamedType) -> bool:
    return (
        isinstance(named, GraphQLObjectType) and named.name.endswith("Connection") and "nodes" in named.fields
    )


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: dict[str, Any],
        default: int,
        maximum: int,
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.default = default
        self.maximum = maximum
        self.defaults: dict[str, Any] = {}
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def _fields(
        self, parent: GraphQLNamedType, selection_set: SelectionSetNode | None
    ) -> list[tuple[Any, FieldNode]]:
        """(parent type, field) pairs with fragments flattened."""
        out: list[tuple[Any, FieldNode]] = []
        if selection_set is None:
            return out
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                out.append((parent, sel))
            elif isinstance(sel, InlineFragmentNode):
                cond = self.schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
                out.extend(self._fields(cond or parent, sel.selection_set))
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value in self.fragments:
                frag = self.fragments[sel.name.value]
                cond = self.schema.get_type(frag.type_condition.name.value)
                out.extend(self._fields(cond or parent, frag.selection_set))
        return out

    def _field_type(self, parent: Any, name: str) -> GraphQLNamedType | None:
        if name == "__schema":
            return self.schema.get_type("__Schema")
        if name == "__type":
            return self.schema.get_type("__Type")
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) and name in parent.fields:
            return get_named_type(parent.fields[name].type)
        return None

    def selection(self, parent: GraphQLNamedType, selection_set: SelectionSetNode | None) -> int:
        total = 0
        for owner, node in self._fields(parent, selection_set):
            name = node.name.value
            if name == "__typename":
                continue
            named = self._field_type(owner, name)
            if named is None:
                continue
            if is_connection(named):
                total += self.connection(named, node)
            elif is_composite_type(named):
                total += 10 + self.selection(named, node.selection_set)
            else:
                total += 1
        return total

    def connection(self, conn: GraphQLNamedType, node: FieldNode) -> int:
        size = self.page_size(node)
        total = 0
        for owner, child in self._fields(conn, node.selection_set):
            name = child.name.value
            named = self._field_type(owner, name)
            if named is None or name == "__typename":
                continue
            if name == "nodes":
                total += size * (10 + self.selection(named, child.selection_set))
            elif name == "edges":
                total += size * self.selection(named, child.selection_set)
            elif is_composite_type(named):
                total += 10 + self.selection(named, child.selection_set)
            else:
                total += 1
        return total

    def page_size(self, node: FieldNode) -> int:
        found: int | None = None
        for arg in node.arguments or ():
            if arg.name.value not in ("first", "last"):
                continue
            value: Any
            if isinstance(arg.value, VariableNode):
                var = arg.value.name.value
                value = self.variables.get(var, self.defaults.get(var))
            elif isinstance(arg.value, IntValueNode):
                value = int(arg.value.value)
            else:
                value = value_from_ast_untyped(arg.value, self.variables)
            if value is None:
                continue
            value = int(value)
            if value < 0 or value > self.maximum:
                raise PageSizeError(arg.name.value, value, self.maximum)
            found = value if found is None else max(found, value)
        return self.default if found is None else found


def complexity_tenths(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    default_page_size: int = 50,
    max_first: int = 250,
) -> int:
    """Cost of the operation that would run, in tenths of a point."""
    walker = _Walker(schema, document, variables or {}, default_page_size, max_first)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        op for op in operations if operation_name is None or (op.name and op.name.value == operation_name)
    ]
    if not chosen:
        return 0
    operation = chosen[0]
    for definition in operation.variable_definitions or ():
        if definition.default_value is not None:
            walker.defaults[definition.variable.name.value] = value_from_ast_untyped(definition.default_value)
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    return walker.selection(root, operation.selection_set)


def points(tenths: int) -> int:
    """The score "rounded up to the nearest integer"."""
    return math.ceil(tenths / 10)
