"""Device commands: what the links report about the hall's LED screens, pads and printers,
what the hall file declares at start-up, and the slip job a ticket printer prints.
The health transitions are ``rules.devices``'s."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..domain import DeviceHealth, DeviceState, Event, Ticket
from ..errors import NotFound
from ..rules import devices as device_rules
from ..views import device_view, ticket_view
from .outcomes import DeviceReport, Outcome
from .unit import Commands, Unit


def print_job(u: Unit, printer: str, ticket: Ticket) -> Event:
    """The slip job for ``printer`` (the agent or local link that owns it prints on seeing it)."""
    health = u.tx.device(printer)
    # Unknown: no running line reports it, so nobody would print the slip.
    if health is None or health.kind != "printer" or health.state is DeviceState.UNKNOWN:
        raise NotFound(f"没有这台取号打印机 / no ticket printer {printer!r} has reported in {u.hall.slug}")
    return Event(
        hall=u.hall.slug,
        kind="device.print",
        at=u.now,
        ticket_id=ticket.id,
        detail={"device": printer, "ticket": ticket_view(ticket)},
    )


def _save_health(u: Unit, change: tuple[DeviceHealth, Event]) -> DeviceHealth:
    health, event = change
    u.tx.put_device(health)
    u.record(replace(event, detail={"device": device_view(health)}))
    return health


class DeviceCommands(Commands):
    def report_device(
        self, slug: str, device: str, *, kind: str, state: str, error: str = "", window: int | None = None
    ) -> DeviceReport:
        """A link says how its device is; a change of state or error is stored and published."""
        with self._unit(slug) as u:
            if window is not None:
                u.window(window)
            current = u.tx.device(device)
            change = device_rules.report(
                current, hall=slug, device=device, kind=kind, state=state, error=error, window=window, at=u.now
            )
            if change is None:
                assert current is not None  # no change is only possible against a stored health
                return DeviceReport(current, [])
            health = _save_health(u, change)
        return DeviceReport(health, u.events)

    def declare_devices(
        self, slug: str, declared: Sequence[device_rules.DeclaredDevice], *, error: str = ""
    ) -> Outcome:
        """The server starts: the hall's devices are those its hall file declares, each unknown
        (with ``error`` saying why) until a running line reports it; what an earlier run left
        of other devices is removed, so it is neither listed nor shown online."""
        with self._unit(slug) as u:
            wanted = {d.device for d in declared}
            for stale in u.tx.devices():
                if stale.device not in wanted:
                    u.tx.delete_device(stale.device)
            for spec in declared:
                change = device_rules.declared(u.tx.device(spec.device), spec, hall=slug, error=error, at=u.now)
                if change is not None:
                    _save_health(u, change)
        return Outcome(None, u.events)

    def devices_unreported(self, slug: str, *, error: str = "") -> Outcome:
        """Nothing drives the hall's devices any more (its agent left): each becomes unknown."""
        with self._unit(slug) as u:
            for health in u.tx.devices():
                change = device_rules.unreported(health, error=error, at=u.now)
                if change is not None:
                    _save_health(u, change)
        return Outcome(None, u.events)

    def devices(self, slug: str) -> list[DeviceHealth]:
        self.hall(slug)
        with self.store.reader(slug) as r:
            return r.devices()
