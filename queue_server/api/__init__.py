"""The HTTP API: JSON in and out, errors as {"error": {"code", "message"}}."""
