"""Suite-wide fixtures. Server fixtures live in tests/plugins/, one module per real server."""

pytest_plugins = [
    "tests.plugins.api",
    "tests.plugins.notion_sim",
    "tests.plugins.linear_sim",
]
