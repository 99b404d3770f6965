"""Reads of one ticket: finding it, proving who holds it, and what its visitor or slip shows."""

from __future__ import annotations

from typing import Any

from ..auth.secrets import same_secret
from ..domain import Ticket, TicketState
from ..errors import NotFound
from ..rules import estimate
from ..service import RECENT_SERVICES, QueueService


def track_url(ticket: Ticket) -> str:
    return f"/t/{ticket.id}?token={ticket.token}"


def find_ticket(service: QueueService, ticket_id: int) -> Ticket | None:
    """The ticket with ``ticket_id`` in any hall (ids are unique across halls)."""
    hall = service.store.hall_of_ticket(ticket_id)
    if hall is None or service.config.hall(hall) is None:
        return None
    with service.store.reader(hall) as r:
        return r.ticket(ticket_id)


def hall_of_ticket(service: QueueService, ticket_id: int) -> str | None:
    """The hall (of this deployment) a ticket was issued in; None for no such ticket."""
    hall = service.store.hall_of_ticket(ticket_id)
    return hall if hall is not None and service.config.hall(hall) is not None else None


def known_ticket(service: QueueService, ticket_id: int) -> Ticket:
    """The ticket with ``ticket_id`` in any hall; 404 if there is none."""
    ticket = find_ticket(service, ticket_id)
    if ticket is None:
        raise NotFound(f"没有这张票 / no ticket {ticket_id}")
    return ticket


def holds(ticket: Ticket, token: str) -> Ticket:
    """``ticket``, if ``token`` is its own; a wrong token looks like an unknown ticket."""
    if not same_secret(ticket.token, token):
        raise NotFound(f"没有这张票或令牌不符 / no ticket {ticket.id} with that token")
    return ticket


def ticket_by_token(service: QueueService, ticket_id: int, token: str) -> Ticket:
    """The ticket, if ``token`` is its own; an unknown ticket and a wrong token look the same."""
    ticket = find_ticket(service, ticket_id)
    if ticket is None:
        raise NotFound(f"没有这张票或令牌不符 / no ticket {ticket_id} with that token")
    return holds(ticket, token)


def ticket_status(service: QueueService, ticket_id: int, token: str) -> dict[str, Any]:
    """What the phone page shows; the token proves the caller holds the ticket."""
    return status_view(service, ticket_by_token(service, ticket_id, token))


def status_view(service: QueueService, ticket: Ticket) -> dict[str, Any]:
    hall = service.hall(ticket.hall)
    svc = hall.service(ticket.service)
    ahead = 0
    wait: int | None = 0
    per_person = 0.0
    if ticket.state is TicketState.WAITING and svc is not None:
        with service.store.reader(hall.slug) as r:
            if ticket.target_window is None:
                stats = r.line_stats(ticket, RECENT_SERVICES)
                ahead = stats.ahead
                wait, per_person = estimate.line_wait(
                    ahead, stats.recent_mean_s, stats.recent_count, svc.expected_minutes, stats.open_windows
                )
            else:  # one window, its own line
                ahead = r.count_ahead(ticket)
                wait, per_person = estimate.line_wait(ahead, None, 0, svc.expected_minutes, 1)
    return {
        "id": ticket.id,
        "hall": hall.slug,
        "number": ticket.number,
        "service": ticket.service,
        "service_name_zh": svc.name_zh if svc else ticket.service,
        "service_name_en": svc.name_en if svc else ticket.service,
        "priority": ticket.priority,
        "state": ticket.state.value,
        "ahead": ahead,
        "estimated_wait_s": wait,
        "no_open_window": wait is None,
        "seconds_per_person": round(per_person, 1),
        "window": ticket.window if ticket.state.at_window else None,
        "issued_at": ticket.issued_at.isoformat(),
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
        "business_day": ticket.business_day.isoformat(),
    }


def slip(service: QueueService, ticket: Ticket, base_url: str) -> dict[str, Any]:
    """What a ticket printer prints for ``ticket`` (the tracking link carries the ticket's token)."""
    hall = service.hall(ticket.hall)
    status = status_view(service, ticket)
    return {
        "ticket_id": ticket.id,
        "hall": hall.slug,
        "hall_name_zh": hall.name_zh,
        "hall_name_en": hall.name_en,
        "number": ticket.number,
        "service": ticket.service,
        "service_name_zh": status["service_name_zh"],
        "service_name_en": status["service_name_en"],
        "ahead": status["ahead"],
        "no_open_window": status["no_open_window"],
        "issued_at": ticket.issued_at.astimezone(hall.tz).isoformat(),  # the hall's wall clock, for the slip
        "track_url": base_url.rstrip("/") + track_url(ticket),
    }
