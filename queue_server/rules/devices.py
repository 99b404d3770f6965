"""Device health (LED screens, pads, printers): which reports are news, and what the
hall's device list says when nothing reports a device.

Pure: a link reports its device's state as often as it likes (after every retry, on
every reconnect); only a change of state or error becomes an event, so the hall's
event log and the dashboard see transitions, not heartbeats. The server itself says
``unknown`` of a device no running line reports: the devices its hall file declares,
when it starts, and the devices of an agent that left.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ..domain import DEVICE_KINDS, DeviceHealth, DeviceState, Event
from ..errors import BadRequest

MAX_ID = 63
MAX_ERROR = 500
# What a link may report; ``unknown`` is only ever the server's own word.
REPORTABLE = (DeviceState.ONLINE, DeviceState.RETRYING, DeviceState.OFFLINE)


@dataclass(frozen=True, slots=True)
class DeclaredDevice:
    """A device as the hall file declares it: what the device list shows before it reports."""

    device: str
    kind: str
    window: int | None = None


def check_device(device: str, kind: str, window: int | None, error: str = "") -> None:
    if not device or len(device) > MAX_ID or not device.replace("-", "").replace("_", "").isalnum():
        raise BadRequest(
            f"设备编号须为 1–{MAX_ID} 个字母、数字、- 或 _ / device id must be 1-{MAX_ID} letters, digits, - or _, "
            f"got {device!r}"
        )
    if kind not in DEVICE_KINDS:
        known = ", ".join(sorted(DEVICE_KINDS))
        raise BadRequest(f"设备类型须为 {known} 之一 / device kind must be one of {known}, got {kind!r}")
    if window is not None and window < 1:
        raise BadRequest(f"窗口号须为正整数 / window must be a positive number, got {window}")
    if len(error) > MAX_ERROR:
        raise BadRequest(f"错误说明最多 {MAX_ERROR} 字 / error is at most {MAX_ERROR} characters")


def check_report(device: str, kind: str, state: str, error: str, window: int | None) -> DeviceState:
    check_device(device, kind, window, error)
    if state not in REPORTABLE:
        known = ", ".join(s.value for s in REPORTABLE)
        raise BadRequest(f"设备状态须为 {known} 之一 / device state must be one of {known}, got {state!r}")
    return DeviceState(state)


def report(
    current: DeviceHealth | None,
    *,
    hall: str,
    device: str,
    kind: str,
    state: str,
    error: str = "",
    window: int | None = None,
    at: datetime,
) -> tuple[DeviceHealth, Event] | None:
    """The device's new health and its event, or None when nothing a manager sees changed."""
    new_state = check_report(device, kind, state, error, window)
    # An online screen may still have a problem (text its font cannot show): the error stays.
    health = DeviceHealth(
        hall=hall, device=device, kind=kind, state=new_state, since=at, window=window, error=error.strip()
    )
    return _change(current, health)


def declared(
    current: DeviceHealth | None, spec: DeclaredDevice, *, hall: str, error: str = "", at: datetime
) -> tuple[DeviceHealth, Event] | None:
    """A server starts: ``spec`` as its hall file declares it, unknown until a running line
    reports it (whatever an earlier run last stored of it)."""
    check_device(spec.device, spec.kind, spec.window, error)
    health = DeviceHealth(
        hall=hall,
        device=spec.device,
        kind=spec.kind,
        state=DeviceState.UNKNOWN,
        since=at,
        window=spec.window,
        error=error.strip(),
    )
    return _change(current, health)


def unreported(current: DeviceHealth, *, error: str = "", at: datetime) -> tuple[DeviceHealth, Event] | None:
    """Nothing drives the device any more (its agent left): unknown, until reported again."""
    return _change(current, replace(current, state=DeviceState.UNKNOWN, error=error.strip(), since=at))


def _change(current: DeviceHealth | None, new: DeviceHealth) -> tuple[DeviceHealth, Event] | None:
    """``new`` (its ``since`` the time of the change) and its event; None if nothing shown changed."""
    if current is not None and (current.state, current.error, current.kind, current.window) == (
        new.state,
        new.error,
        new.kind,
        new.window,
    ):
        return None
    at = new.since
    if current is not None and current.state is new.state:
        new = replace(new, since=current.since)  # a new error in the same state: "since" stays
    event = Event(
        hall=new.hall,
        kind="device.health",
        at=at,
        window=new.window,
        from_state=current.state.value if current else None,
        to_state=new.state.value,
    )
    return new, event
