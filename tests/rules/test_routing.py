"""Which ticket a window calls next (DESIGN.md, Routing), on hand-built candidates."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain import Ticket, TicketState, Tier, Window
from queue_server.rules.routing import RoutingPolicy, effective_tier, is_candidate, pick, rank
from tests.rules.support import MINUTE_US, NOW_US, make_ticket, make_window, minutes_ago

S = TicketState
POLICY = RoutingPolicy.from_minutes(30)
W1 = make_window(1, {"A": 1.0, "B": 1.0})
W2 = make_window(2, {"B": 2.0, "C": 1.0})


def green(id: int, waited: float, service: str = "A") -> Ticket:
    return make_ticket(id, service=service, tier=Tier.GREEN, priority="green", order_key=minutes_ago(waited))


def normal(id: int, waited: float, service: str = "A") -> Ticket:
    return make_ticket(id, service=service, order_key=minutes_ago(waited))


def elderly(id: int, waited: float, service: str = "A") -> Ticket:
    return make_ticket(id, service=service, tier=Tier.PRIORITY, priority="elderly", order_key=minutes_ago(waited))


def appointment(id: int, slot_minutes_ago: float, service: str = "A") -> Ticket:
    return make_ticket(
        id,
        service=service,
        tier=Tier.APPOINTMENT,
        priority="appointment",
        order_key=minutes_ago(slot_minutes_ago),
        appointment=f"YY-{id}",
    )


def returned_held(id: int, window: int = 1, waited: float = 1) -> Ticket:
    return make_ticket(id, state=S.HELD, window=window, returned=True, order_key=minutes_ago(waited))


def picked(candidates: list[Ticket], window: Window = W1) -> int | None:
    """The id call-next takes; the answer must not depend on the order of the candidates."""
    chosen = pick(candidates, window, NOW_US, POLICY)
    for seed in range(5):
        shuffled = candidates[:]
        random.Random(seed).shuffle(shuffled)
        assert pick(shuffled, window, NOW_US, POLICY) == chosen
    return None if chosen is None else chosen.id


def test_policy_from_minutes() -> None:
    assert RoutingPolicy.from_minutes(30).aging_us == 30 * MINUTE_US
    assert RoutingPolicy.from_minutes(0).aging_us == 0


# -- the order -------------------------------------------------------------------


def test_returned_held_ticket_at_this_window_comes_first() -> None:
    cands = [green(1, 50), appointment(2, 40), elderly(3, 45), normal(4, 59), returned_held(5, waited=0)]
    assert picked(cands) == 5


def test_held_ticket_not_back_yet_or_held_elsewhere_is_skipped() -> None:
    not_back = replace(returned_held(5), returned=False)
    elsewhere = returned_held(6, window=2)
    assert picked([not_back, elsewhere, normal(4, 1)]) == 4
    assert picked([not_back, elsewhere]) is None


def test_green_channel_beats_appointment_priority_and_longer_normal_waits() -> None:
    assert picked([appointment(1, 25), elderly(2, 29), normal(3, 29), green(4, 0)]) == 4


def test_green_and_aged_tickets_are_served_first_come_first_served() -> None:
    aged_normal = normal(1, 31)
    young_green = green(2, 5)
    old_green = green(3, 40)
    assert picked([aged_normal, young_green]) == 1  # nothing younger jumps an aged ticket
    assert picked([aged_normal, young_green, old_green]) == 3
    assert picked([elderly(4, 35), aged_normal, young_green]) == 4  # aged elderly is older still


def test_aging_starts_exactly_at_the_bound() -> None:
    at_bound = make_ticket(1, order_key=NOW_US - POLICY.aging_us)
    just_under = make_ticket(2, order_key=NOW_US - POLICY.aging_us + 1)
    assert effective_tier(at_bound, NOW_US, POLICY) is Tier.GREEN
    assert effective_tier(just_under, NOW_US, POLICY) is Tier.NORMAL
    assert picked([green(3, 10), at_bound]) == 1
    assert picked([green(3, 10), just_under]) == 3


def test_due_appointment_beats_priority_and_normal() -> None:
    assert picked([elderly(1, 29), normal(2, 29), appointment(3, 0)]) == 3


def test_due_appointments_in_order_of_their_slots() -> None:
    assert picked([appointment(1, 5), appointment(2, 15), appointment(3, 10)]) == 2


def test_appointment_whose_slot_is_in_the_future_ranks_as_normal() -> None:
    early = appointment(1, -10)  # checked in ten minutes before the slot
    assert effective_tier(early, NOW_US, POLICY) is Tier.NORMAL
    assert picked([early, elderly(2, 0)]) == 2
    assert picked([early, normal(3, 0)]) == 3  # a normal ticket that waited at all is ahead
    assert picked([early]) == 1  # but it is not refused: nobody else waits


def test_priority_class_beats_a_longer_normal_wait() -> None:
    assert picked([normal(1, 29), elderly(2, 1)]) == 2
    assert picked([elderly(1, 5), elderly(2, 10)]) == 2


def test_longest_weighted_wait_among_normal_tickets() -> None:
    # Window 2 weighs B twice as much as C.
    b10 = normal(1, 10, "B")  # 2 × 10 = 20
    c15 = normal(2, 15, "C")  # 1 × 15 = 15
    c25 = normal(3, 25, "C")  # 1 × 25 = 25
    assert picked([b10, c15], W2) == 1
    assert picked([b10, c25], W2) == 3
    # The same two tickets on a window with equal weights: plain longest wait.
    assert picked([normal(1, 10, "B"), normal(4, 15, "A")], W1) == 4


def test_weighted_wait_applies_within_the_priority_tier() -> None:
    assert picked([elderly(1, 10, "B"), elderly(2, 15, "C")], W2) == 1
    assert picked([elderly(1, 10, "B"), elderly(2, 25, "C")], W2) == 2


def test_ties_go_to_the_earlier_place_then_the_lower_id() -> None:
    assert picked([normal(2, 10), normal(1, 10)]) == 1
    assert picked([green(5, 3), green(4, 3)]) == 4


def test_rank_orders_tiers() -> None:
    ranks = [
        rank(returned_held(1), W1, NOW_US, POLICY),
        rank(green(2, 0), W1, NOW_US, POLICY),
        rank(appointment(3, 0), W1, NOW_US, POLICY),
        rank(elderly(4, 0), W1, NOW_US, POLICY),
        rank(normal(5, 0), W1, NOW_US, POLICY),
    ]
    assert [r[0] for r in ranks] == [Tier.CALLBACK, Tier.GREEN, Tier.APPOINTMENT, Tier.PRIORITY, Tier.NORMAL]
    assert ranks == sorted(ranks)


def test_effective_tier() -> None:
    assert effective_tier(replace(returned_held(1), tier=Tier.GREEN), NOW_US, POLICY) is Tier.CALLBACK
    assert effective_tier(green(2, 0), NOW_US, POLICY) is Tier.GREEN
    assert effective_tier(green(2, 90), NOW_US, POLICY) is Tier.GREEN
    assert effective_tier(appointment(3, 0), NOW_US, POLICY) is Tier.APPOINTMENT
    assert effective_tier(appointment(3, 31), NOW_US, POLICY) is Tier.GREEN
    assert effective_tier(elderly(4, 29), NOW_US, POLICY) is Tier.PRIORITY
    assert effective_tier(elderly(4, 30), NOW_US, POLICY) is Tier.GREEN
    assert effective_tier(normal(5, 30), NOW_US, POLICY) is Tier.GREEN


def test_nothing_to_pick() -> None:
    assert picked([]) is None
    assert picked([normal(1, 10, "C"), make_ticket(2, state=S.CALLED, window=1)]) is None


# -- who is a candidate ------------------------------------------------------------


def test_waiting_ticket_is_a_candidate_where_its_service_is_served() -> None:
    assert is_candidate(normal(1, 1, "A"), W1)
    assert is_candidate(normal(1, 1, "B"), W2)
    assert not is_candidate(normal(1, 1, "C"), W1)


def test_transferred_ticket_is_a_candidate_only_at_its_target_window() -> None:
    to_w1 = replace(normal(1, 1, "C"), target_window=1)
    to_w2 = replace(normal(2, 1, "A"), target_window=2)
    assert is_candidate(to_w1, W1)  # even though window 1 does not serve C
    assert not is_candidate(to_w1, W2)  # even though window 2 does serve C
    assert not is_candidate(to_w2, W1)  # even though window 1 does serve A
    assert picked([to_w2, normal(3, 1, "B")], W1) == 3


def test_held_ticket_is_a_candidate_only_when_back_at_its_window() -> None:
    assert is_candidate(returned_held(1, window=1), W1)
    assert not is_candidate(returned_held(1, window=1), W2)
    assert not is_candidate(replace(returned_held(1, window=1), returned=False), W1)


@pytest.mark.parametrize("state", [s for s in S if s not in (S.WAITING, S.HELD)])
def test_tickets_in_other_states_are_never_candidates(state: TicketState) -> None:
    t = make_ticket(1, state=state, window=1, returned=True)
    assert not is_candidate(t, W1)
    assert not is_candidate(replace(t, target_window=1), W1)


# -- properties --------------------------------------------------------------------

TIERS = {"normal": Tier.NORMAL, "green": Tier.GREEN, "elderly": Tier.PRIORITY, "appointment": Tier.APPOINTMENT}


@st.composite
def candidates(draw: st.DrawFn) -> list[Ticket]:
    n = draw(st.integers(0, 12))
    out = []
    for i in range(1, n + 1):
        priority = draw(st.sampled_from(sorted(TIERS)))
        state = draw(st.sampled_from([S.WAITING, S.WAITING, S.WAITING, S.HELD, S.CALLED]))
        out.append(
            make_ticket(
                i,
                service=draw(st.sampled_from("ABC")),
                state=state,
                priority=priority,
                tier=TIERS[priority],
                order_key=NOW_US - draw(st.integers(-20, 60)) * MINUTE_US + draw(st.integers(0, 3)),
                window=draw(st.sampled_from([1, 2])) if state is not S.WAITING else None,
                target_window=draw(st.none() | st.sampled_from([1, 2])) if state is S.WAITING else None,
                returned=draw(st.booleans()),
            )
        )
    return out


def _green_or_aged(t: Ticket) -> bool:
    return t.tier is Tier.GREEN or NOW_US - t.order_key >= POLICY.aging_us


@given(cands=candidates(), window=st.sampled_from([W1, W2]))
def test_pick_keeps_the_routing_guarantees(cands: list[Ticket], window: Window) -> None:
    chosen = pick(cands, window, NOW_US, POLICY)
    eligible = [t for t in cands if is_candidate(t, window)]
    if not eligible:
        assert chosen is None
        return
    assert chosen is not None and chosen in eligible
    callbacks = [t for t in eligible if t.state is S.HELD]
    if callbacks:
        assert chosen.state is S.HELD
        return
    waiting = eligible
    aged = [t for t in waiting if NOW_US - t.order_key >= POLICY.aging_us]
    if aged:
        # Nothing younger jumps an aged ticket.
        assert _green_or_aged(chosen)
        assert chosen.order_key <= min(t.order_key for t in aged)
    if any(t.tier is Tier.GREEN for t in waiting):
        assert _green_or_aged(chosen)
    if not any(_green_or_aged(t) for t in waiting) and any(
        t.tier is Tier.APPOINTMENT and t.order_key <= NOW_US for t in waiting
    ):
        assert chosen.tier is Tier.APPOINTMENT and chosen.order_key <= NOW_US
    # ``pick`` is a minimum: nobody eligible ranks strictly before the chosen one.
    best = rank(chosen, window, NOW_US, POLICY)
    assert all(rank(t, window, NOW_US, POLICY) >= best for t in eligible)
