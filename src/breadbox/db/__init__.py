"""Database plumbing that knows no feature: engine, sessions, the declarative base, migrations."""
