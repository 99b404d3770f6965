"""Staff accounts, sessions, device tokens, rate limits and the audit trail."""
