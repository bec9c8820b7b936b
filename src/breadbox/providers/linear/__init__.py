"""Linear: GraphQL with complexity budgets, rate limits answered with HTTP 400, trash visible only
with `includeArchived` (linear.md). `LinearConnector` is what the registry builds."""

from breadbox.providers.linear.connector import LinearCheckpoint, LinearConnector

__all__ = ["LinearCheckpoint", "LinearConnector"]
