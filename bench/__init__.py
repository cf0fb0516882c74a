"""The benchmark of issue #12: the service on PostgreSQL against the fake Gemini, driven by wrk."""
