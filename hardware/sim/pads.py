"""A bus of FF 68 pads: press keys and give ratings; see what the host showed, beeped and asked."""

from __future__ import annotations

import time
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
    unacked: list[bytes] = field(default_factory=list)  # frames sent and not yet echoed

    @property
    def display(self) -> str:
        """The pad's LCD as text: blanks as spaces."""
        return "".join(" " if d == padbus.BLANK else str(d) for d in self.shown)


class PadBus(Simulator):
    def __init__(self, path: str | Path, addresses: list[int]) -> None:
        super().__init__(path)
        self.pads = {a: Pad(a) for a in addresses}
        self._decoder = padbus.PadBusDecoder(echo_window_s=0)

    def on_bytes(self, data: bytes) -> None:
        self._decoder.receive_data(data, now=time.monotonic())
        for frame in self._decoder.events_received():
            pad = self.pads.get(frame.address)
            if pad is None:
                continue
            if frame.raw in pad.unacked:
                # The host echoes a pad's frame to acknowledge it: known by its bytes, since a
                # pad's CMD byte may be one the host uses too (01 on some models).
                pad.unacked.remove(frame.raw)
                pad.acks.append(frame.raw)
            elif frame.cmd == padbus.CMD_SHOW:
                pad.shown = tuple(frame.data)
            elif frame.cmd == padbus.CMD_BEEP:
                pad.beeps += 1
            elif frame.cmd == padbus.CMD_ASK_RATING:
                pad.asked += 1

    def press(self, address: int, key: int, digits: tuple[int, ...] = (), *, cmd: int = padbus.CMD_KEY) -> bytes:
        """A key (after ``digits``) on pad ``address``, in a frame with ``cmd``; the frame written."""
        return self._send_from(address, padbus.key_frame(address, key, digits, cmd=cmd))

    def rate(self, address: int, key: int, *, cmd: int = padbus.CMD_SCORE) -> bytes:
        """The visitor presses the key that sends DATA byte ``key`` on evaluation pad ``address``."""
        return self._send_from(address, padbus.score_frame(address, key, cmd=cmd))

    def _send_from(self, address: int, frame: bytes) -> bytes:
        with self._changed:
            unacked = self.pads[address].unacked
            unacked.append(frame)
            del unacked[:-16]  # a host that never answers must not make this grow
        self.send(frame)
        return frame

    def pad(self, address: int) -> Pad:
        return self.pads[address]
