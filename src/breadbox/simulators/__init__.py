"""Faithful local Notion and Linear APIs: real HTTP servers for tests, benchmarks and the demo."""
