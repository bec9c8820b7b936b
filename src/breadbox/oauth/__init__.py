"""OAuth2 for data sources: the authorize URL and its state, the callback's code exchange, and the
one `TokenService` every caller uses to get a fresh access token (refresh, single-flight)."""
