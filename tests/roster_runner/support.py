"""A hall with three clerks on posts, a published week of duties, and the roster runner over it
with the test's clock: what the runner tests share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from queue_server.commands.gate import Gate
from queue_server.commands.roster_runner import ROSTER_LOGIN, RosterRunner, Taken
from queue_server.domain import Event
from queue_server.principal import Principal
from queue_server.service import QueueService
from queue_server.staffing import Assignment
from queue_server.storage import Store
from tests.conftest import FakeClock
from tests.staffing_support import HALL, MONDAY, SHANGHAI, at, staffed

__all__ = ["HALL", "MONDAY", "SHANGHAI", "at"]

# Window 1 serves A and B (post W01: li, wang its B), window 2 B and C (W02: wang), window 3
# only C (W03: zhang). li knows A and B, wang anything, zhang C.


@dataclass
class AuditRows:
    """The gate's audit log, kept in memory."""

    rows: list[dict[str, Any]] = field(default_factory=list)

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
        self.rows.append({"who": principal.name if principal else None, "action": action, "outcome": outcome,
                          "target": target})  # fmt: skip


def duty(
    login: str,
    day: date,
    post: str | None,
    hours: tuple[tuple[int, int], tuple[int, int]] = ((9, 0), (17, 0)),
    lunch: tuple[tuple[int, int], tuple[int, int]] | None = ((12, 0), (13, 0)),
    shift: str = "full",
) -> Assignment:
    return Assignment(
        HALL, day, login, shift, post, at(day, *hours[0]), at(day, *hours[1]),
        at(day, *lunch[0]) if lunch else None, at(day, *lunch[1]) if lunch else None,
    )  # fmt: skip


def hall_with_posts(store: Store, clock: FakeClock) -> QueueService:
    service = staffed(store, clock)
    service.set_post_holders(HALL, "W01", "li", "wang")
    service.set_post_holders(HALL, "W02", "wang", None)
    service.set_post_holders(HALL, "W03", "zhang", None)
    return service


def publish(service: QueueService, first: date, last: date, duties: list[Assignment]) -> None:
    draft = service.save_roster(HALL, first, last, duties, by="boss").value
    assert draft.id is not None
    service.publish_roster(HALL, draft.id, by="boss")


@dataclass
class Harness:
    """The service, its clock and a runner, driven minute by minute or to an instant."""

    service: QueueService
    clock: FakeClock
    audit: AuditRows = field(default_factory=AuditRows)
    runner: RosterRunner = field(init=False)

    def __post_init__(self) -> None:
        self.runner = RosterRunner(self.service, Gate(self.service, self.audit))

    def to(self, when: datetime) -> Taken:
        """Move the clock to ``when`` and run the reconcile once."""
        assert when >= self.clock.now, f"the clock only moves forward: {when} < {self.clock.now}"
        self.clock.now = when
        return self.runner.reconcile(HALL)

    def every(self, until: datetime, step: timedelta = timedelta(minutes=1)) -> list[Taken]:
        """Run the reconcile at each ``step`` from the clock's next step up to ``until`` (as the
        scheduler's minute job would)."""
        taken = []
        while self.clock.now + step <= until:
            taken.append(self.to(self.clock.now + step))
        return taken

    def runner_events(self) -> list[Event]:
        with self.service.store.reader(HALL) as r:
            events = r.events(0, 100_000)
        return [e for e in events if e.staff == ROSTER_LOGIN]

    def window(self, number: int) -> Any:
        with self.service.store.reader(HALL) as r:
            return r.window(number)


def local(e: Event) -> str:
    """An event as ``"Mon 12:07 window.pause 1"`` in the hall's time."""
    t = e.at.astimezone(SHANGHAI)
    return f"{t:%a %H:%M} {e.kind} {e.window}"
