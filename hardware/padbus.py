"""Codec for the FF 68 bus shared by caller pads (呼叫器) and evaluation pads (评价器).

Pure bytes in, frames out (PROTOCOLS.md §2): builders for what the host sends, a
buffer-driven decoder that resyncs after line noise and drops the host's own echo, and
``read_key`` / ``read_rating`` to turn a pad's frame into a key press or a rating key.
No I/O here.

The CMD byte of a pad's frame is not documented publicly and differs between pad models
(01, the host's "ask for a rating", among them), so nothing here judges a frame by its
CMD: a pad's frame means its last DATA byte, and the host's own frames heard back on a
half-duplex bus are known by comparing with what the host sent moments ago.
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
CMD_SCORE: Final = 0x11  # what HallQ's simulated evaluation pads send (the key byte is what counts)
CMD_KEY: Final = 0x05  # what simulated caller pads send by default (the key byte is what counts)

BLANK: Final = 0x0A  # a digit position left dark on the pad's display
DIGITS_SHOWN: Final = 6
RATING_PROMPT: Final = 0x0B  # DATA of CMD 01: "please rate"


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


def key_frame(address: int, key: int, digits: tuple[int, ...] = (), *, cmd: int = CMD_KEY) -> bytes:
    """What a caller pad sends for ``key`` pressed after ``digits`` (for simulators and tests)."""
    return build_frame(address, cmd, bytes((*digits, key)))


def score_frame(address: int, key: int, *, cmd: int = CMD_SCORE) -> bytes:
    """What an evaluation pad sends when the visitor presses the key that sends ``key``
    (for simulators and tests)."""
    return build_frame(address, cmd, bytes([key]))


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
class RatingKey:
    """The DATA byte an evaluation pad's key sent; the pad's ``scores`` say which score it is."""

    address: int
    key: int


_KEYS: Final = frozenset(int(k) for k in PadKey)


def read_key(frame: PadFrame) -> KeyPress | None:
    """The caller-pad key a frame carries (its last DATA byte, whatever its CMD); None if none."""
    if not frame.data or frame.data[-1] not in _KEYS:
        return None
    digits = tuple(frame.data[:-1])
    if any(d > 9 for d in digits):
        return None
    return KeyPress(frame.address, frame.data[-1], digits)


def read_rating(frame: PadFrame) -> RatingKey | None:
    """The evaluation-pad key a frame carries (its last DATA byte, whatever its CMD); None if none."""
    return RatingKey(frame.address, frame.data[-1]) if frame.data else None


class PadBusDecoder:
    """Bytes from the bus in, valid frames out; never raises and never waits on a partial frame.

    A sans-I/O state machine with the time passed in: call ``receive_data`` with whatever
    the port returned and when, then ``events_received``. Call ``sent`` with every frame
    the host writes, as it writes it: on a half-duplex bus the host hears its own frames,
    and a frame equal to one the host sent less than ``echo_window_s`` earlier is that
    echo (once), not a pad's frame. An older one is a pad's: an echo lost to noise must
    not swallow a key pressed later. ``echo_window_s=0`` (an adapter that never echoes)
    remembers nothing.
    """

    def __init__(self, *, echo_window_s: float = 1.0, remember: int = 32) -> None:
        if echo_window_s < 0:
            raise ValueError("echo_window_s cannot be negative")
        self.echo_window_s = echo_window_s
        self._buffer = bytearray()
        self._events: list[PadFrame] = []
        self._expected: deque[tuple[float, bytes]] = deque(maxlen=remember)  # (sent at, frame), oldest first
        self.dropped = 0
        self.echoes = 0

    def sent(self, frame: bytes, *, now: float) -> None:
        if self.echo_window_s > 0:
            self._expected.append((now, bytes(frame)))

    def receive_data(self, data: bytes, *, now: float) -> None:
        expected = self._expected
        while expected and expected[0][0] + self.echo_window_s < now:
            expected.popleft()  # its echo never came (or came garbled): forget it
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
        match = next((i for i, (_, raw) in enumerate(expected) if raw == frame.raw), None)
        if match is None:
            self._events.append(frame)
            return
        # The echo of something the host wrote; earlier expectations that never came back
        # (lost to noise) go with it: echoes come back in the order the frames went out.
        for _ in range(match + 1):
            expected.popleft()
        self.echoes += 1


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
    "RatingKey",
    "ask_rating",
    "beep",
    "build_frame",
    "key_frame",
    "read_key",
    "read_rating",
    "score_frame",
    "show_blank",
    "show_count",
    "show_number",
]
