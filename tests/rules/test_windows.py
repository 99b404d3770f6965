"""A window's own state machine: closed -> open <-> paused -> closed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from queue_server.domain import Event, Window, WindowAction, WindowState
from queue_server.errors import BadRequest, InvalidTransition, WindowBusy, WindowUnavailable
from queue_server.rules import windows as rules
from tests.rules.support import NOW, assert_bilingual, make_window

W = WindowState
ACT = WindowAction

DESIGN: dict[WindowAction, tuple[set[WindowState], WindowState]] = {
    ACT.OPEN: ({W.CLOSED}, W.OPEN),
    ACT.PAUSE: ({W.OPEN}, W.PAUSED),
    ACT.RESUME: ({W.PAUSED}, W.OPEN),
    ACT.CLOSE: ({W.OPEN, W.PAUSED}, W.CLOSED),
}

APPLY: dict[WindowAction, Callable[[Window], tuple[Window, Event]]] = {
    ACT.OPEN: lambda w: rules.open_window(w, "clerk2", NOW),
    ACT.PAUSE: lambda w: rules.pause(w, "午休", NOW),
    ACT.RESUME: lambda w: rules.resume(w, NOW),
    ACT.CLOSE: lambda w: rules.close(w, None, NOW),
}

ALLOWED = [(s, a) for a, (sources, _) in DESIGN.items() for s in sorted(sources)]
REFUSED = [(s, a) for a, (sources, _) in DESIGN.items() for s in W if s not in sources]


def window(state: WindowState) -> Window:
    paused = state is W.PAUSED
    staff = None if state is W.CLOSED else "clerk1"
    return make_window(7, state=state, staff=staff, pause_reason="喝水" if paused else None)


def test_transition_table() -> None:
    assert {a: (set(src), dst) for a, (src, dst) in rules.TRANSITIONS.items()} == DESIGN


@pytest.mark.parametrize(("state", "action"), ALLOWED)
def test_allowed(state: WindowState, action: WindowAction) -> None:
    w = window(state)
    before = dataclasses.astuple(w)
    new, e = APPLY[action](w)
    assert new.state is DESIGN[action][1]
    assert dataclasses.astuple(w) == before
    assert (new.number, new.services, new.kind) == (w.number, w.services, w.kind)
    assert (e.kind, e.window, e.at, e.ticket_id) == (f"window.{action.value}", 7, NOW, None)
    assert (e.from_state, e.to_state) == (state.value, new.state.value)


@pytest.mark.parametrize(("state", "action"), REFUSED)
def test_refused(state: WindowState, action: WindowAction) -> None:
    w = window(state)
    before = dataclasses.astuple(w)
    with pytest.raises(InvalidTransition) as err:
        APPLY[action](w)
    assert dataclasses.astuple(w) == before
    assert err.value.status == 409
    assert_bilingual(err.value.message, "7")
    assert state.value in err.value.message and action.value in err.value.message


def test_open_takes_the_clerk_and_close_releases_it() -> None:
    opened, e = rules.open_window(window(W.CLOSED), "clerk9", NOW)
    assert (opened.staff, opened.pause_reason, e.staff) == ("clerk9", None, "clerk9")
    closed, e = rules.close(opened, None, NOW)
    assert (closed.staff, closed.pause_reason) == (None, None)
    assert e.staff == "clerk9"  # the event still says who closed it


def test_pause_needs_a_reason_and_resume_clears_it() -> None:
    paused, e = rules.pause(window(W.OPEN), "  午休  ", NOW)
    assert (paused.state, paused.pause_reason, e.detail) == (W.PAUSED, "午休", {"reason": "午休"})
    resumed, e = rules.resume(paused, NOW)
    assert (resumed.state, resumed.pause_reason, e.detail) == (W.OPEN, None, {})
    closed, _ = rules.close(paused, None, NOW)
    assert closed.pause_reason is None


@pytest.mark.parametrize("reason", ["", "   ", "\t\n"])
def test_pause_without_reason_is_a_bad_request(reason: str) -> None:
    w = window(W.OPEN)
    with pytest.raises(BadRequest) as err:
        rules.pause(w, reason, NOW)
    assert w.state is W.OPEN
    assert err.value.status == 400
    assert_bilingual(err.value.message)


@pytest.mark.parametrize("state", [W.OPEN, W.PAUSED])
def test_close_with_a_ticket_at_the_window_is_busy(state: WindowState) -> None:
    w = window(state)
    before = dataclasses.astuple(w)
    with pytest.raises(WindowBusy) as err:
        rules.close(w, "B017", NOW)
    assert dataclasses.astuple(w) == before
    assert err.value.code == "window_busy" and err.value.status == 409
    assert_bilingual(err.value.message, "B017", "7")


def test_close_of_a_closed_window_is_an_invalid_transition_even_with_a_ticket() -> None:
    with pytest.raises(InvalidTransition):
        rules.close(window(W.CLOSED), "B017", NOW)


def test_ensure_can_call_on_a_free_open_window() -> None:
    w = window(W.OPEN)
    rules.ensure_can_call(w, None)  # raises nothing
    assert w.state is W.OPEN


def test_ensure_can_call_on_a_busy_window() -> None:
    with pytest.raises(WindowBusy) as err:
        rules.ensure_can_call(window(W.OPEN), "A003")
    assert_bilingual(err.value.message, "A003", "7")


@pytest.mark.parametrize("state", [W.PAUSED, W.CLOSED])
@pytest.mark.parametrize("current", [None, "A003"])
def test_ensure_can_call_on_paused_or_closed_window(state: WindowState, current: str | None) -> None:
    with pytest.raises(WindowUnavailable) as err:
        rules.ensure_can_call(window(state), current)
    assert err.value.code == "window_unavailable" and err.value.status == 409
    assert_bilingual(err.value.message, "7")
    assert state.value in err.value.message


def test_window_events_name_who_acted_or_else_the_windows_clerk() -> None:
    window = make_window(state=W.OPEN, staff="clerk1")
    assert rules.pause(window, "午休", NOW)[1].staff == "clerk1"
    paused, event = rules.pause(window, "午休", NOW, staff="boss")  # a manager pauses the clerk's window
    assert event.staff == "boss"
    assert rules.resume(paused, NOW, staff="boss")[1].staff == "boss"
    assert rules.close(window, None, NOW, staff="boss")[1].staff == "boss"
