"""Organizations, API keys and the request principal (who is calling, and what they may do)."""
