"""Access control and accountability: API keys with scopes, the audit log, and per-client rate limits."""
