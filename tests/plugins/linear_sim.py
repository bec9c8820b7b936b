"""Fixtures for the linear simulator (filled in by its issue)."""
