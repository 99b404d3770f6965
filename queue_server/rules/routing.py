"""Which ticket a window calls next (DESIGN.md, Routing).

Order: a held ticket whose visitor is back at this window; then the green
channel together with every ticket that has waited past the aging bound (first
come, first served, so nothing starves); then appointments whose slot has come;
then priority classes; then the longest weighted wait.

The storage layer hands in only the head of each (service, tier) queue: within
one queue the head is always at least as urgent as any ticket behind it, so
call-next costs the same with 1,000 or 100,000 people waiting.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

from ..domain import Ticket, TicketState, Tier, Window


@dataclass(frozen=True, slots=True)
class RoutingPolicy:
    aging_us: int  # a ticket that has waited this long is served first come, first served

    @classmethod
    def from_minutes(cls, aging_minutes: int) -> RoutingPolicy:
        return cls(aging_us=aging_minutes * 60_000_000)


RankKey = tuple[int, float, int, int]


def effective_tier(ticket: Ticket, now_us: int, policy: RoutingPolicy) -> Tier:
    if ticket.state is TicketState.HELD:
        return Tier.CALLBACK
    tier = ticket.tier
    if tier is Tier.APPOINTMENT and ticket.order_key > now_us:
        # Checked in before the slot: waits like everyone else until the slot comes.
        tier = Tier.NORMAL
    if now_us - ticket.order_key >= policy.aging_us and tier > Tier.GREEN:
        tier = Tier.GREEN
    return tier


def rank(ticket: Ticket, window: Window, now_us: int, policy: RoutingPolicy) -> RankKey:
    """Smaller is called first."""
    tier = effective_tier(ticket, now_us, policy)
    if tier <= Tier.APPOINTMENT:
        # Callbacks, green channel, aged tickets and due appointments: strict order of place.
        return (int(tier), 0.0, ticket.order_key, ticket.id)
    weight = window.services.get(ticket.service, 1.0)
    waited = now_us - ticket.order_key
    return (int(tier), -weight * waited, ticket.order_key, ticket.id)


def is_candidate(ticket: Ticket, window: Window) -> bool:
    if ticket.state is TicketState.HELD:
        return ticket.returned and ticket.window == window.number
    if ticket.state is not TicketState.WAITING:
        return False
    if ticket.target_window is not None:
        return ticket.target_window == window.number
    return window.serves(ticket.service)


def staffed(window: Window, skills: Collection[str] | None) -> Window:
    """The window as its clerk can run it: only the services the clerk has the skill for.

    ``None`` (or no skills on record) means the clerk may serve everything the window does.
    """
    if not skills:
        return window
    return replace(window, services={s: w for s, w in window.services.items() if s in skills})


def pick(candidates: Iterable[Ticket], window: Window, now_us: int, policy: RoutingPolicy) -> Ticket | None:
    eligible = [t for t in candidates if is_candidate(t, window)]
    if not eligible:
        return None
    return min(eligible, key=lambda t: rank(t, window, now_us, policy))
