"""Device health (LED screens, pads, printers): which reports are news.

Pure: a link reports its device's state as often as it likes (after every retry, on
every reconnect); only a change of state or error becomes an event, so the hall's
event log and the dashboard see transitions, not heartbeats.
"""

from __future__ import annotations

from datetime import datetime

from ..domain import DEVICE_KINDS, DeviceHealth, DeviceState, Event
from ..errors import BadRequest

MAX_ID = 63
MAX_ERROR = 500


def check_report(device: str, kind: str, state: str, error: str, window: int | None) -> DeviceState:
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
    try:
        return DeviceState(state)
    except ValueError:
        known = ", ".join(s.value for s in DeviceState)
        raise BadRequest(f"设备状态须为 {known} 之一 / device state must be one of {known}, got {state!r}") from None


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
    error = error.strip()  # an online screen may still have a problem (text its font cannot show)
    if current is not None and (current.state, current.error, current.kind, current.window) == (
        new_state,
        error,
        kind,
        window,
    ):
        return None
    since = current.since if current is not None and current.state is new_state else at
    health = DeviceHealth(hall=hall, device=device, kind=kind, state=new_state, since=since, window=window, error=error)
    event = Event(
        hall=hall,
        kind="device.health",
        at=at,
        window=window,
        from_state=current.state.value if current else None,
        to_state=new_state.value,
    )
    return health, event
