"""Fixtures for the notion simulator (filled in by its issue)."""
