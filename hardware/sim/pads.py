"""A bus of FF 68 pads: press keys and give ratings; see what the host showed, beeped and asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import padbus
from .base import Simulator


@dataclass(slots=True)
class Pad:
    address: int
    shown: tuple[int, ...] = ()  # the six digit bytes last shown (0A = blank)
    beeps: int = 0
    asked: int = 0  # rating questions received
    acks: list[bytes] = field(default_factory=list)  # echoes of this pad's own frames

    @property
    def display(self) -> str:
        """The pad's LCD as text: blanks as spaces."""
        return "".join(" " if d == padbus.BLANK else str(d) for d in self.shown)


class PadBus(Simulator):
    def __init__(self, path: str | Path, addresses: list[int]) -> None:
        super().__init__(path)
        self.pads = {a: Pad(a) for a in addresses}
        self._decoder = padbus.PadBusDecoder(echo_window=0)

    def on_bytes(self, data: bytes) -> None:
        self._decoder.receive_data(data)
        for frame in self._decoder.events_received():
            pad = self.pads.get(frame.address)
            if pad is None:
                continue
            if frame.cmd == padbus.CMD_SHOW:
                pad.shown = tuple(frame.data)
            elif frame.cmd == padbus.CMD_BEEP:
                pad.beeps += 1
            elif frame.cmd == padbus.CMD_ASK_RATING:
                pad.asked += 1
            else:
                pad.acks.append(frame.raw)

    def press(self, address: int, key: int, digits: tuple[int, ...] = ()) -> bytes:
        """A key (after ``digits``) on pad ``address``; the frame written."""
        frame = padbus.key_frame(address, key, digits)
        self.send(frame)
        return frame

    def rate(self, address: int, score: int) -> bytes:
        frame = padbus.score_frame(address, score)
        self.send(frame)
        return frame

    def pad(self, address: int) -> Pad:
        return self.pads[address]
