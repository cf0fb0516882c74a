"""Medical safety and privacy: triage, redaction and guidance, as pure functions easy to test."""
