"""Codec for the FF 68 bus shared by caller pads (呼叫器) and evaluation pads (评价器).

Pure bytes in, frames out (PROTOCOLS.md §2): builders for what the host sends, a
buffer-driven decoder that resyncs after line noise and drops the host's own echo, and
``interpret`` to turn a decoded frame into a key press or a score. No I/O here.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass
from typing import Final

HEAD: Final = b"\xff\x68"
START2: Final = 0x68
TRAILER: Final = 0x16
# FF 68 LEN LEN 68 | ADDR CMD DATA | SUM 16: LEN counts ADDR, CMD and DATA.
HEADER_LEN: Final = 5
MIN_LEN: Final = 2
MAX_LEN: Final = 255
MAX_DATA: Final = MAX_LEN - 2
MAX_FRAME: Final = HEADER_LEN + MAX_LEN + 2

CMD_ASK_RATING: Final = 0x01
CMD_SHOW: Final = 0x02
CMD_BEEP: Final = 0x03
CMD_SCORE: Final = 0x11
# The public material does not say which CMD byte a caller pad's key frame carries (the key
# is the last DATA byte), so ``interpret`` accepts any non-host CMD; simulated pads send this.
CMD_KEY: Final = 0x05
HOST_COMMANDS: Final = frozenset({CMD_ASK_RATING, CMD_SHOW, CMD_BEEP})

BLANK: Final = 0x0A  # a digit position left dark on the pad's display
DIGITS_SHOWN: Final = 6
RATING_PROMPT: Final = 0x0B  # DATA of CMD 01: "please rate"
SCORE_MIN: Final = 1
SCORE_MAX: Final = 5


class PadKey(enum.IntEnum):
    """Key bytes a caller pad sends as the last DATA byte."""

    EVALUATE = 0x0B
    CALL_NEXT = 0x0C
    RECALL = 0x0D
    CANCEL = 0x0E
    CONFIRM = 0x0F
    PAUSE = 0x12
    TRANSFER = 0x13


def checksum(address: int, cmd: int, data: bytes) -> int:
    return (address + cmd + sum(data)) & 0xFF


def build_frame(address: int, cmd: int, data: bytes = b"") -> bytes:
    """``FF 68 LEN LEN 68 ADDR CMD DATA SUM 16``; ValueError for out-of-range fields."""
    if not 0 <= address <= 0xFF:
        raise ValueError(f"pad address {address} is outside 0..255")
    if not 0 <= cmd <= 0xFF:
        raise ValueError(f"command {cmd} is outside 0..255")
    data = bytes(data)
    if len(data) > MAX_DATA:
        raise ValueError(f"{len(data)} data bytes: a frame carries at most {MAX_DATA}")
    length = len(data) + 2
    return HEAD + bytes((length, length, START2, address, cmd)) + data + bytes((checksum(address, cmd, data), TRAILER))


def _digits(value: int) -> list[int]:
    return [int(c) for c in str(value)]


def show_number(address: int, number: int) -> bytes:
    """Show a ticket number, right-aligned with blanks on the left (123 -> blank×3 1 2 3)."""
    if not 0 <= number < 10**DIGITS_SHOWN:
        raise ValueError(f"{number} does not fit the pad's {DIGITS_SHOWN} digits")
    digits = _digits(number)
    return build_frame(address, CMD_SHOW, bytes([BLANK] * (DIGITS_SHOWN - len(digits)) + digits))


def show_count(address: int, count: int) -> bytes:
    """Show how many are waiting: three digits, zero-padded, then blanks (15 -> 0 1 5 blank×3).

    More than 999 shows 999: the pad has three positions for it, and a host loop should
    not fail over a number it only displays.
    """
    if count < 0:
        raise ValueError(f"a waiting count cannot be negative ({count})")
    digits = [int(c) for c in f"{min(count, 999):03d}"]
    return build_frame(address, CMD_SHOW, bytes(digits + [BLANK] * (DIGITS_SHOWN - 3)))


def show_blank(address: int) -> bytes:
    return build_frame(address, CMD_SHOW, bytes([BLANK] * DIGITS_SHOWN))


def beep(address: int) -> bytes:
    return build_frame(address, CMD_BEEP)


def key_frame(address: int, key: int, digits: tuple[int, ...] = ()) -> bytes:
    """What a caller pad sends for ``key`` pressed after ``digits`` (for simulators and tests)."""
    return build_frame(address, CMD_KEY, bytes((*digits, key)))


def score_frame(address: int, score: int) -> bytes:
    """What an evaluation pad sends for a score (for simulators and tests)."""
    return build_frame(address, CMD_SCORE, bytes([score]))


def ask_rating(address: int) -> bytes:
    return build_frame(address, CMD_ASK_RATING, bytes((RATING_PROMPT,)))


@dataclass(frozen=True, slots=True)
class PadFrame:
    """One valid frame off the bus; ``raw`` is its exact bytes (the host echoes it as the ack)."""

    address: int
    cmd: int
    data: bytes
    raw: bytes


@dataclass(frozen=True, slots=True)
class KeyPress:
    """A caller pad key: ``key`` is the last DATA byte, ``digits`` what the clerk typed before it."""

    address: int
    key: int
    digits: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Score:
    """An evaluation pad's rating, 1 (非常不满意) .. 5 (非常满意)."""

    address: int
    score: int


_KEYS: Final = frozenset(int(k) for k in PadKey)


def interpret(frame: PadFrame) -> KeyPress | Score | None:
    """What a pad meant; None for the host's own commands and for anything not understood."""
    if frame.cmd in HOST_COMMANDS:
        return None
    if frame.cmd == CMD_SCORE:
        if len(frame.data) == 1 and SCORE_MIN <= frame.data[0] <= SCORE_MAX:
            return Score(frame.address, frame.data[0])
        return None
    if not frame.data or frame.data[-1] not in _KEYS:
        return None
    digits = tuple(frame.data[:-1])
    if any(d > 9 for d in digits):
        return None
    return KeyPress(frame.address, frame.data[-1], digits)


class PadBusDecoder:
    """Bytes from the bus in, valid frames out; never raises and never waits on a partial frame.

    A sans-I/O state machine: call ``receive_data`` with whatever the port returned, then
    ``events_received``. Call ``sent`` with every frame the host writes, before writing it,
    so that a half-duplex adapter's echo is not read as a pad's frame. On an adapter that
    never echoes, use ``echo_window=0``: otherwise a pad repeating the very frame the host
    just sent (a second identical key press before any other traffic) would be dropped.
    """

    def __init__(self, *, echo_window: int = 8) -> None:
        if echo_window < 0:
            raise ValueError("echo_window cannot be negative")
        self._buffer = bytearray()
        self._events: list[PadFrame] = []
        self._expected: deque[bytes] = deque(maxlen=echo_window)
        self.dropped = 0
        self.echoes = 0

    def sent(self, frame: bytes) -> None:
        if self._expected.maxlen:
            self._expected.append(bytes(frame))

    def receive_data(self, data: bytes) -> None:
        self._buffer += data
        self._parse()

    def events_received(self) -> list[PadFrame]:
        events, self._events = self._events, []
        return events

    def _parse(self) -> None:
        buf = self._buffer
        pos = 0
        while True:
            start = buf.find(HEAD, pos)
            if start < 0:
                # Keep a trailing FF: it may be the first half of the next header.
                pos = max(pos, len(buf) - 1) if buf.endswith(HEAD[:1]) else len(buf)
                break
            status, frame = _frame_at(buf, start)
            if status is _Status.PARTIAL:
                if _complete_frame_after(buf, start + 1):
                    # A whole frame has arrived inside what this header claims as its body:
                    # the header was noise, do not sit on it until LEN bytes more come.
                    self.dropped += 1
                    pos = start + 1
                    continue
                pos = start
                break
            if status is _Status.BAD:
                self.dropped += 1
                pos = start + 1  # a real header may begin inside the bad one
                continue
            assert frame is not None
            self._accept(frame)
            pos = start + len(frame.raw)
        del buf[:pos]

    def _accept(self, frame: PadFrame) -> None:
        expected = self._expected
        if frame.raw in expected:
            # The echo of something the host wrote; earlier expectations that never came
            # back (lost to noise) go with it so they cannot swallow a later pad frame.
            while expected.popleft() != frame.raw:
                pass
            self.echoes += 1
            return
        self._events.append(frame)


class _Status(enum.Enum):
    OK = "ok"
    BAD = "bad"
    PARTIAL = "partial"


def _frame_at(buf: bytearray, start: int) -> tuple[_Status, PadFrame | None]:
    """Check the frame whose FF 68 is at ``start``, reporting BAD as early as the bytes allow."""
    avail = len(buf) - start
    if avail >= 3 and buf[start + 2] < MIN_LEN:
        return _Status.BAD, None
    if avail >= 4 and buf[start + 3] != buf[start + 2]:
        return _Status.BAD, None
    if avail >= 5 and buf[start + 4] != START2:
        return _Status.BAD, None
    if avail < HEADER_LEN:
        return _Status.PARTIAL, None
    length = buf[start + 2]
    total = HEADER_LEN + length + 2
    if avail < total:
        return _Status.PARTIAL, None
    body = bytes(buf[start + HEADER_LEN : start + HEADER_LEN + length])
    address, cmd, data = body[0], body[1], body[2:]
    if buf[start + total - 1] != TRAILER or buf[start + total - 2] != checksum(address, cmd, data):
        return _Status.BAD, None
    return _Status.OK, PadFrame(address, cmd, data, bytes(buf[start : start + total]))


def _complete_frame_after(buf: bytearray, pos: int) -> bool:
    while (start := buf.find(HEAD, pos)) >= 0:
        if _frame_at(buf, start)[0] is _Status.OK:
            return True
        pos = start + 1
    return False


__all__ = [
    "BLANK",
    "CMD_ASK_RATING",
    "CMD_BEEP",
    "CMD_SCORE",
    "CMD_SHOW",
    "KeyPress",
    "PadBusDecoder",
    "PadFrame",
    "PadKey",
    "Score",
    "ask_rating",
    "beep",
    "build_frame",
    "interpret",
    "show_blank",
    "show_count",
    "show_number",
]
