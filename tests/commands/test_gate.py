"""The command gate: who may, one command, one audit row; for every caller alike."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest

from queue_server import Actor, Fields, Gate, Principal, QueueService, Role, window_command
from queue_server.errors import BadRequest, Forbidden, InvalidTransition, NotFound
from queue_server.principal import DeviceKind
from reports.demo import DemoRunner, params_for
from tests.conftest import FakeClock

CLERK = Actor(Principal(name="li", role=Role.CLERK, hall="t"), "10.0.0.7")
OTHER_CLERK = Actor(Principal(name="wang", role=Role.CLERK, hall="t"), "10.0.0.8")
MANAGER = Actor(Principal(name="boss", role=Role.MANAGER, hall="t"))
PAD = Actor(Principal(name="device:t-serial", device=DeviceKind.AGENT, hall="t"))


@dataclass
class Recorded:
    rows: list[tuple[str, str, str, str | None, str, str, dict[str, Any] | None]] = field(default_factory=list)

    def audit(
        self,
        principal: Principal | None,
        action: str,
        outcome: str,
        *,
        hall: str | None,
        ip: str = "",
        target: str = "",
        detail: dict[str, Any] | None = None,
    ) -> None:
        name = principal.name if principal else "anonymous"
        self.rows.append((name, action, outcome, hall, ip, target, detail))


@pytest.fixture
def log() -> Recorded:
    return Recorded()


@pytest.fixture
def gate(service: QueueService, log: Recorded) -> Gate:
    return Gate(service, log)


def window_action(gate: Gate, actor: Actor, name: str, window: int, **body: Any) -> Any:
    async def go() -> Any:
        staff = await gate.window_staff(actor, "t", window, name)
        fields = Fields(dict(body), "body")
        command = window_command(name, window, fields)
        fields.done()
        return await gate.window(actor, "t", command, staff)

    return asyncio.run(go())


def test_a_command_that_succeeds_is_audited_once_as_ok(gate: Gate, log: Recorded) -> None:
    issued = gate.perform(CLERK, "t", "ticket.issue", "A", gate.service.issue, "t", "A")
    assert issued.ticket.number == "A001"
    assert log.rows == [("li", "ticket.issue", "ok", "t", "10.0.0.7", "A", None)]


def test_a_refused_command_is_audited_as_rejected_with_its_error_code_and_re_raised(gate: Gate, log: Recorded) -> None:
    with pytest.raises(NotFound):
        gate.perform(CLERK, "t", "ticket.issue", "Z", gate.service.issue, "t", "Z")
    assert log.rows == [("li", "ticket.issue", "rejected", "t", "10.0.0.7", "Z", {"error": "not_found"})]


def test_authorise_audits_a_denial_and_answers_403(gate: Gate, log: Recorded) -> None:
    async def go() -> None:
        assert await gate.authorise(MANAGER, "t", lambda p: p.can_manage("t"), "report.daily") is MANAGER.principal
        with pytest.raises(Forbidden, match=r"li may not report\.daily"):
            await gate.authorise(CLERK, "t", lambda p: p.can_manage("t"), "report.daily", {"path": "/x"})
        with pytest.raises(Forbidden, match="anonymous may not"):
            await gate.authorise(Actor(None), "t", lambda p: True, "report.daily")

    asyncio.run(go())
    assert [(r[0], r[1], r[2], r[6]) for r in log.rows] == [
        ("li", "report.daily", "denied", {"path": "/x"}),
        ("anonymous", "report.daily", "denied", None),
    ]


def test_window_commands_record_the_clerk_and_refuse_someone_elses_window(gate: Gate, log: Recorded) -> None:
    gate.service.issue("t", "A")
    window_action(gate, CLERK, "open", 1)
    outcome = window_action(gate, CLERK, "call-next", 1)
    assert outcome.ticket.number == "A001" and outcome.ticket.window == 1
    with pytest.raises(Forbidden, match="window 1 belongs to li"):
        window_action(gate, OTHER_CLERK, "recall", 1)
    assert [(r[0], r[1], r[2], r[5]) for r in log.rows] == [
        ("li", "window.open", "ok", "window 1"),
        ("li", "window.call-next", "ok", "window 1"),
        ("wang", "window.recall", "denied", "window 1"),
    ]


def test_a_caller_pad_acts_for_the_clerk_at_its_window(gate: Gate, log: Recorded) -> None:
    gate.service.issue("t", "A")
    window_action(gate, CLERK, "open", 1)
    outcome = window_action(gate, PAD, "call-next", 1)
    assert outcome.ticket.number == "A001"
    assert log.rows[-1][:3] == ("device:t-serial", "window.call-next", "ok")
    with gate.service.store.reader("t") as r:
        [event] = [e for e in r.events() if e.kind == "ticket.call"]
    assert event.staff == "li"


def test_only_a_manager_opens_a_window_for_a_clerk(gate: Gate, log: Recorded) -> None:
    with pytest.raises(Forbidden, match="only a manager"):
        window_action(gate, CLERK, "open", 2, staff="wang")
    window_action(gate, MANAGER, "open", 2, staff="wang")
    with gate.service.store.reader("t") as r:
        window = r.window(2)
    assert window is not None and window.staff == "wang"


def test_window_command_names_what_is_wrong() -> None:
    with pytest.raises(NotFound, match="unknown window action 'dance'"):
        window_command("dance", 1, Fields({}, "body"))
    with pytest.raises(BadRequest, match=r"body\.reason is required"):
        window_command("pause", 1, Fields({}, "body"))
    with pytest.raises(BadRequest, match=r"a transfer needs body\.service or body\.window"):
        window_command("transfer", 1, Fields({}, "body"))


def test_a_rejected_window_command_changes_nothing_and_is_audited(gate: Gate, log: Recorded) -> None:
    window_action(gate, CLERK, "open", 1)
    with pytest.raises(InvalidTransition):
        window_action(gate, CLERK, "finish", 1)  # nobody called
    assert log.rows[-1][1:3] == ("window.finish", "rejected")


def test_demo_traffic_goes_through_the_gate_as_the_demo_manager(
    service: QueueService, log: Recorded, clock: FakeClock
) -> None:
    hall = service.hall("t")
    runner = DemoRunner(service, "t", params_for(hall, 1.0), seed=1, windows=2, clock=clock, gate=Gate(service, log))
    for _ in range(20):
        runner.run_once()
        clock.advance(1)
    runner.stop()
    actions = {r[1] for r in log.rows}
    assert {r[0] for r in log.rows} == {"demo"}
    assert {"ticket.issue", "window.open", "window.call-next", "window.close"} <= actions
    assert all(r[2] in ("ok", "rejected") for r in log.rows)
