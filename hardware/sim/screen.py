"""A bus of Onbon LED screens: what the host sent each one, as text, and an ACK per frame."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import onbon
from .base import Simulator


@dataclass(slots=True)
class Screen:
    address: int
    encoding: str = "gb2312"
    areas: dict[int, str] = field(default_factory=dict)  # area id (row) -> text
    frames: int = 0
    answering: bool = True  # False: a dead screen (the host times out)

    @property
    def lines(self) -> list[str]:
        return [self.areas[k] for k in sorted(self.areas)]


class ScreenBus(Simulator):
    """Screens at ``addresses`` sharing one line; frames for other addresses are ignored."""

    def __init__(self, path: str | Path, addresses: dict[int, str]) -> None:
        super().__init__(path)
        self.screens = {a: Screen(a, enc) for a, enc in addresses.items()}
        self._decoder = onbon.OnbonDecoder()
        self.bad_frames = 0

    def on_bytes(self, data: bytes) -> None:
        self._decoder.receive_data(data)
        for frame in self._decoder.events_received():
            self._apply(frame)
        self.bad_frames = self._decoder.dropped

    def _apply(self, frame: onbon.Frame) -> None:
        screen = self.screens.get(frame.dst)
        if screen is None or (frame.cmd_group, frame.cmd) != onbon.DYNAMIC_AREA:
            return
        try:
            update = onbon.parse_dynamic_area(frame)
        except onbon.MalformedFrame:
            self.bad_frames += 1
            return
        if not screen.answering:
            return
        for area_id in update.delete:
            screen.areas.pop(area_id, None)
        for area in update.areas:
            screen.areas[area.area_id] = area.text.decode(screen.encoding)
        screen.frames += 1
        if update.reply_wanted:
            self.send(onbon.build_reply(screen.address))

    def lines(self, address: int) -> list[str]:
        with self._changed:
            return list(self.screens[address].lines)

    def wait_for_text(self, address: int, text: str, timeout: float = 5.0) -> list[str]:
        """Until screen ``address`` shows a line containing ``text``; its lines."""

        def showing() -> list[str] | None:
            lines = self.screens[address].lines
            return lines if any(text in line for line in lines) else None

        found = self.wait_until(showing, timeout, f"screen {address} to show {text!r}")
        assert found is not None
        return found
