"""Breadbox: a self-hosted server for the Mixedbread Data Sources API."""

__version__ = "0.1.0"
