"""HallQ: the queue core — domain, rules, storage, service and server."""

__version__ = "0.1.0"
