"""Errors a command can raise. Each carries a stable ``code`` for the API and a
Chinese-first message for people; raising one never leaves partial state."""

from __future__ import annotations


class HallQError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(HallQError):
    code = "not_found"
    status = 404


class InvalidTransition(HallQError):
    """The action is not allowed from the ticket's or window's current state."""

    code = "invalid_transition"
    status = 409


class WindowUnavailable(HallQError):
    code = "window_unavailable"
    status = 409


class WindowBusy(HallQError):
    code = "window_busy"
    status = 409


class StaffAtWindow(HallQError):
    """A staff login already holds another open or paused window of the hall (one window each)."""

    code = "staff_at_window"
    status = 409


class RecallLimitReached(HallQError):
    code = "recall_limit"
    status = 409


class NotEligible(HallQError):
    code = "not_eligible"
    status = 409


class NoWindowServes(HallQError):
    code = "no_window_serves"
    status = 409


class BadRequest(HallQError):
    code = "bad_request"
    status = 400


class Conflict(HallQError):
    code = "conflict"
    status = 409


class Unauthorized(HallQError):
    code = "unauthorized"
    status = 401


class Forbidden(HallQError):
    code = "forbidden"
    status = 403


class TooManyRequests(HallQError):
    code = "rate_limited"
    status = 429

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServicePaused(HallQError):
    """A manager paused issuing for this service (暂停取号)."""

    code = "service_paused"
    status = 409


class NotOnStaff(HallQError):
    """A login that the hall's staff list does not name: it may sign in, but not sit at a window."""

    code = "not_on_staff"
    status = 403
