"""The channels' declared message types hold: every event kind the core emits is declared,
a real hub's messages have the declared keys, and hallq-live.js documents them as declared."""

from __future__ import annotations

import ast
import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from enum import Enum
from importlib import import_module
from pathlib import Path
from typing import Any, NotRequired, get_origin, get_type_hints

import pytest

from queue_server.domain import DeviceState, TicketAction, WindowAction
from queue_server.realtime import jsdoc
from queue_server.realtime.hub import Hub, Subscription
from queue_server.realtime.local import LocalBus
from queue_server.realtime.messages import (
    CallEntry,
    DeviceView,
    EventKind,
    EventView,
    HallEvent,
    HallSnapshot,
    Resumed,
    TicketSnapshot,
    TicketView,
    WindowSnapshot,
    WindowView,
)
from queue_server.service import QueueService
from tests.conftest import FakeClock
from tests.realtime.conftest import HALL, Recorder

ROOT = Path(__file__).resolve().parents[2]
# Where events are made: the commands, and the rules they apply.
EMITTERS = ("queue_server/commands", "queue_server/rules")
# An f-string kind names its family; the enum it formats gives every member of it.
FAMILIES: dict[str, type[Enum]] = {"ticket.": TicketAction, "window.": WindowAction}


def _kinds(node: ast.expr, module: str) -> Iterator[str]:
    """Every value the ``kind=`` expression of an ``Event(...)`` can take."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _kinds(node.body, module)
        yield from _kinds(node.orelse, module)
    elif isinstance(node, ast.Name):
        yield str(getattr(import_module(module), node.id))
    elif isinstance(node, ast.JoinedStr) and isinstance(node.values[0], ast.Constant):
        prefix = str(node.values[0].value)
        assert prefix in FAMILIES and len(node.values) == 2, f"{module}: an f-string kind of a new form"
        yield from (prefix + str(member.value) for member in FAMILIES[prefix])
    else:
        raise AssertionError(f"{module}: a kind= the test cannot read: {ast.dump(node)}")


def emitted_kinds() -> dict[str, str]:
    """Each event kind the core's source can emit, with the module that does."""
    found: dict[str, str] = {}
    for folder in EMITTERS:
        for path in sorted((ROOT / folder).glob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Event":
                    for kw in node.keywords:
                        if kw.arg == "kind":
                            found.update(dict.fromkeys(_kinds(kw.value, module), module))
    return found


def test_every_kind_the_source_emits_is_declared_and_every_declared_kind_is_emitted() -> None:
    emitted = emitted_kinds()
    assert len(emitted) > 20  # the scan found the emitters
    undeclared = {k: m for k, m in emitted.items() if k not in set(EventKind)}
    assert not undeclared, f"declare these in realtime/messages.py EventKind: {undeclared}"
    assert set(EventKind) == set(emitted), "EventKind declares kinds nothing emits"


def test_every_kind_a_busy_day_commits_is_declared(hall: tuple[QueueService, FakeClock, Recorder]) -> None:
    service, clock, rec = hall
    for n in (1, 2, 3):
        service.open_window(HALL, n, f"clerk{n}")
    first = service.issue(HALL, "A").ticket.id
    service.call_next(HALL, 1)
    service.recall(HALL, 1)
    service.start(HALL, 1)
    service.finish(HALL, 1)
    service.evaluate(HALL, first, 2, "pad")
    service.record_follow_up(HALL, first, "clerk1", "回访 / called back")
    second = service.issue(HALL, "A").ticket.id
    service.call_next(HALL, 1)
    service.hold(HALL, 1)
    service.mark_returned(HALL, second)
    service.call_back(HALL, 1, second)
    service.transfer(HALL, 1, to_window=2)
    service.call_next(HALL, 2)
    service.no_show(HALL, 2)
    service.reactivate(HALL, second)
    service.cancel(HALL, second)
    third = service.issue(HALL, "A").ticket.id
    service.call_next(HALL, 1)
    service.start(HALL, 1)
    service.finish(HALL, 1)
    service.mark_not_rated(HALL, third)
    service.pause_window(HALL, 3, "午休")
    service.resume_window(HALL, 3)
    service.close_window(HALL, 3)
    service.set_window_services(HALL, 1, {"A": 1.0, "C": 2.0})
    service.pause_service(HALL, "B", "系统维护")
    service.resume_service(HALL, "B")
    service.report_device(HALL, "printer-1", kind="printer", state=DeviceState.ONLINE)
    service.issue(HALL, "C", print_on="printer-1")
    notice = service.publish_notice(HALL, "今日午间不停歇").notice
    service.withdraw_notice(HALL, notice.id)
    clock.advance(timedelta(days=1).total_seconds())
    service.rollover(HALL)
    seen = {e.kind for e in rec.take()}
    assert {"ticket.rollover", "device.print", "notice.withdraw", "evaluation.follow_up"} <= seen
    assert seen <= set(EventKind), seen - set(EventKind)


# -- a real hub's messages have the declared keys ---------------------------------


def keys_match(message: Any, shape: type) -> None:
    """``message`` (decoded JSON) has every required key of the TypedDict ``shape`` and no
    key it does not declare, all the way down through the nested views."""
    assert isinstance(message, dict), message
    hints = get_type_hints(shape, include_extras=True)
    optional: frozenset[str] = shape.__optional_keys__  # type: ignore[attr-defined]
    required = {k for k, h in hints.items() if k not in optional and get_origin(h) is not NotRequired}
    assert required <= message.keys() <= hints.keys(), (shape.__name__, sorted(message))


NESTED: dict[str, type] = {"current": TicketView, "ticket": TicketView, "event": EventView, "call": CallEntry}
LISTS: dict[str, type] = {"windows": WindowView, "calls": CallEntry, "devices": DeviceView}


def deep_match(message: dict[str, Any], shape: type) -> None:
    keys_match(message, shape)
    for key, value in message.items():
        if key in LISTS:
            for item in value:
                deep_match(item, LISTS[key])
        elif key == "window" and isinstance(value, dict):
            deep_match(value, WindowView)
        elif key in NESTED and isinstance(value, dict):
            deep_match(value, NESTED[key])


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def hub(hall: tuple[QueueService, FakeClock, Recorder]) -> AsyncIterator[Hub]:
    service, _, _ = hall
    for n in (1, 2):
        service.open_window(HALL, n, f"clerk{n}")
    service.report_device(HALL, "printer-1", kind="printer", state=DeviceState.ONLINE)
    service.issue(HALL, "A")
    service.call_next(HALL, 1)
    hub = Hub(service, LocalBus(), grace=0.001)
    service.listeners.append(hub.listener)
    async with hub.running():
        yield hub


async def receive(sub: Subscription) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(await asyncio.wait_for(sub.outbox.get(), 5.0))
    return decoded


@pytest.mark.anyio
async def test_a_real_hubs_messages_round_trip_through_json_with_the_declared_keys(hub: Hub) -> None:
    service = hub.service
    hall_sub = await hub.subscribe_hall(HALL)
    snapshot = await receive(hall_sub)
    assert snapshot["type"] == "snapshot" and snapshot["windows"][0]["current"] and snapshot["calls"]
    assert snapshot["devices"]
    deep_match(snapshot, HallSnapshot)
    assert json.loads(json.dumps(snapshot)) == snapshot

    window_sub = await hub.subscribe_window(HALL, 1)
    deep_match(await receive(window_sub), WindowSnapshot)
    ticket = await asyncio.to_thread(service.issue, HALL, "A")
    ticket_sub = await hub.subscribe_ticket(ticket.ticket)
    deep_match(await receive(ticket_sub), TicketSnapshot)

    event = await receive(hall_sub)
    assert event["type"] == "event" and event["event"]["kind"] == EventKind.TICKET_ISSUE
    deep_match(event, HallEvent)
    await asyncio.to_thread(service.start, HALL, 1)
    await asyncio.to_thread(service.finish, HALL, 1)
    await asyncio.to_thread(service.call_next, HALL, 1)
    for _ in range(3):
        deep_match(await receive(hall_sub), HallEvent)

    resumed = await hub.subscribe_hall(HALL, since=event["seq"])
    head = await receive(resumed)
    deep_match(head, Resumed)
    assert head["until"] > head["seq"] == event["seq"]


# -- the JavaScript's documentation of them ---------------------------------------


def test_the_block_atop_hallq_live_js_is_what_the_script_prints() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "queue_server.realtime.jsdoc"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert printed.stderr == ""
    assert printed.stdout == jsdoc.block()
    js = (ROOT / "displays/static/hallq-live.js").read_text(encoding="utf-8")
    assert js.startswith(jsdoc.BEGIN)
    in_js = js[: js.index(jsdoc.END) + len(jsdoc.END) + 1]
    assert in_js == printed.stdout, "out of date: put python -m queue_server.realtime.jsdoc's output in its place"


def test_the_block_names_every_event_kind_and_message_type() -> None:
    block = jsdoc.block()
    for kind in EventKind:
        assert f'"{kind.value}"' in block
    for name in ("snapshot", "event", "resumed", "resync"):
        assert f'"{name}"' in block
