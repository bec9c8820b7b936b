"""From a data source row to the connector that reads it: the one place that knows every provider."""

from __future__ import annotations

from breadbox.config import Settings
from breadbox.data_sources.models import DataSource
from breadbox.providers.base import FatalProviderError, SourceConnector, TokenGetter
from breadbox.providers.ratelimit import limiters


def build_connector(settings: Settings, data_source: DataSource, get_token: TokenGetter) -> SourceConnector:
    """A connector for `data_source`; its rate limiter is shared by every connector on the same
    credential (the data source) in this process."""
    if data_source.type == "notion":
        from breadbox.providers.notion.connector import NotionConnector

        limiter = limiters.get(
            f"notion:{data_source.id}", settings.notion_rate_limit, settings.notion_rate_burst
        )
        return NotionConnector(settings.notion_api_url, get_token, limiter=limiter)
    if data_source.type == "linear":
        from breadbox.providers.linear.connector import LinearConnector

        limiter = limiters.get(f"linear:{data_source.id}", 0)
        return LinearConnector(settings.linear_api_url, get_token, limiter=limiter)
    raise FatalProviderError(f"No connector for data sources of type '{data_source.type}'")
