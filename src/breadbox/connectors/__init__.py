"""Connectors: keep one store in sync with one data source on a polling interval."""
