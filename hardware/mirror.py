"""What the devices need to know of a hall, kept from the hall channel's messages.

Pure: ``apply`` takes one decoded message (a snapshot or a sequenced event) and
says what it changed, so the controller re-sends only the screens and pads that
show something new. A gap in the sequence asks for a resync; a snapshot replaces
everything (after a reconnect, every device is brought up to date from it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Changes:
    windows: frozenset[int] = frozenset()  # windows whose state, current ticket or held list changed
    waiting: frozenset[str] = frozenset()  # services whose waiting count changed
    calls: bool = False  # a new call for the hall screen
    call_window: int | None = None  # the window that call (or recall) was for: its screen redraws it
    event: JSON | None = None  # the event itself (finish → rating prompt, device.print → a slip)
    snapshot: bool = False  # everything may have changed: refresh every device
    resync: bool = False  # a gap: ask the server for a new snapshot


@dataclass(slots=True)
class HallMirror:
    hall: str
    seq: int | None = None  # None until the first snapshot
    windows: dict[int, JSON] = field(default_factory=dict)
    waiting: dict[str, int] = field(default_factory=dict)
    calls: list[JSON] = field(default_factory=list)  # newest first
    devices: dict[str, JSON] = field(default_factory=dict)

    def apply(self, message: JSON) -> Changes:
        kind = message.get("type")
        if kind == "snapshot":
            self.seq = int(message["seq"])
            self.windows = {int(w["number"]): w for w in message.get("windows", [])}
            self.waiting = dict(message.get("waiting", {}))
            self.calls = list(message.get("calls", []))
            self.devices = {str(d["id"]): d for d in message.get("devices", [])}
            return Changes(windows=frozenset(self.windows), calls=True, snapshot=True)
        if kind != "event" or self.seq is None:
            return Changes()
        if message.get("prev") != self.seq:
            return Changes(resync=True)
        self.seq = int(message["seq"])
        touched = set()
        for w in message.get("windows", []):
            self.windows[int(w["number"])] = w
            touched.add(int(w["number"]))
        waiting = message.get("waiting") or {}
        self.waiting.update(waiting)
        call = message.get("call")
        if call:
            self.calls.insert(0, call)
            del self.calls[20:]
        event: JSON = message.get("event") or {}
        device = (event.get("detail") or {}).get("device")
        if event.get("kind") == "device.health" and isinstance(device, dict):
            self.devices[str(device["id"])] = device
        call_window = int(call["window"]) if call and call.get("window") is not None else None
        return Changes(
            windows=frozenset(touched),
            waiting=frozenset(waiting),
            calls=bool(call),
            call_window=call_window,
            event=event,
        )

    def window_waiting(self, number: int) -> int:
        """People waiting for the services ``number`` serves (what its pad shows when idle)."""
        services = (self.windows.get(number) or {}).get("services") or {}
        return sum(self.waiting.get(s, 0) for s in services)

    def serves_any(self, number: int, services: frozenset[str]) -> bool:
        """Whether window ``number`` serves one of ``services`` (its idle screen and pad show their count)."""
        return not services.isdisjoint((self.windows.get(number) or {}).get("services") or ())

    def current_number(self, number: int) -> str | None:
        current = (self.windows.get(number) or {}).get("current")
        return str(current["number"]) if current else None
