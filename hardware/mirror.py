"""What the devices need to know of a hall, kept from the hall channel's messages.

Pure: ``apply`` takes one decoded message (a snapshot or a sequenced event) and
says what it changed, so the controller re-sends only the screens and pads that
show something new. A gap in the sequence asks for a resync; a snapshot replaces
everything (after a reconnect, every device is brought up to date from it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from queue_server import (
    CallEntry,
    DeviceView,
    EventKind,
    EventView,
    HallEvent,
    HallSnapshot,
    WindowView,
)

JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Changes:
    windows: frozenset[int] = frozenset()  # windows whose state, current ticket or held list changed
    waiting: frozenset[str] = frozenset()  # services whose waiting count changed
    calls: bool = False  # a new call for the hall screen
    call_window: int | None = None  # the window that call (or recall) was for: its screen redraws it
    event: EventView | None = None  # the event itself (finish → rating prompt, device.print → a slip)
    snapshot: bool = False  # everything may have changed: refresh every device
    resync: bool = False  # a gap: ask the server for a new snapshot


@dataclass(slots=True)
class HallMirror:
    hall: str
    seq: int | None = None  # None until the first snapshot
    windows: dict[int, WindowView] = field(default_factory=dict)
    waiting: dict[str, int] = field(default_factory=dict)
    calls: list[CallEntry] = field(default_factory=list)  # newest first
    devices: dict[str, DeviceView] = field(default_factory=dict)

    def apply(self, message: Mapping[str, Any]) -> Changes:
        """One decoded message of the hall channel; its ``type`` says which shape it has."""
        kind = message.get("type")
        if kind == "snapshot":
            snap = cast(HallSnapshot, message)
            self.seq = int(snap["seq"])
            self.windows = {int(w["number"]): w for w in snap.get("windows", [])}
            self.waiting = dict(snap.get("waiting", {}))
            self.calls = list(snap.get("calls", []))
            self.devices = {str(d["id"]): d for d in snap.get("devices", [])}
            return Changes(windows=frozenset(self.windows), calls=True, snapshot=True)
        if kind != "event" or self.seq is None:
            return Changes()
        update = cast(HallEvent, message)
        if update.get("prev") != self.seq:
            return Changes(resync=True)
        self.seq = int(update["seq"])
        touched = set()
        for w in update.get("windows", []):
            self.windows[int(w["number"])] = w
            touched.add(int(w["number"]))
        waiting = update.get("waiting") or {}
        self.waiting.update(waiting)
        call = update.get("call")
        if call:
            self.calls.insert(0, call)
            del self.calls[20:]
        # An event message with no event is not one the server sends; it changes nothing more.
        event = update.get("event") or cast(EventView, {})
        device = (event.get("detail") or {}).get("device")
        if event.get("kind") == EventKind.DEVICE_HEALTH and isinstance(device, dict):
            self.devices[str(device["id"])] = cast(DeviceView, device)
        called_to = call.get("window") if call else None
        call_window = int(called_to) if called_to is not None else None
        return Changes(
            windows=frozenset(touched),
            waiting=frozenset(waiting),
            calls=bool(call),
            call_window=call_window,
            event=event,
        )

    def window_waiting(self, number: int) -> int:
        """People waiting for the services ``number`` serves (what its pad shows when idle)."""
        window = self.windows.get(number)
        services = (window.get("services") if window else None) or {}
        return sum(self.waiting.get(s, 0) for s in services)

    def serves_any(self, number: int, services: frozenset[str]) -> bool:
        """Whether window ``number`` serves one of ``services`` (its idle screen and pad show their count)."""
        window = self.windows.get(number)
        return not services.isdisjoint((window.get("services") if window else None) or ())

    def current_number(self, number: int) -> str | None:
        window = self.windows.get(number)
        current = window.get("current") if window else None
        return str(current["number"]) if current else None
