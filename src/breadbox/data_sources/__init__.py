"""Data sources: a Notion or Linear workspace and the credentials to read it."""
