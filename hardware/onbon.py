"""Codec for the Onbon BX-5K/6K font-card protocol that drives HallQ's LED window and hall screens.

Pure bytes in, bytes out: building frames (escaping, CRC-16/ARC), the RAM "dynamic area" command
``A3 06`` that live text uses, the screens' ACK/NACK replies, and ``OnbonDecoder``, a buffer-driven
parser for a serial byte stream. No I/O here; a thin asyncio link wraps it.
"""

from __future__ import annotations

import enum
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass

HOST_ADDRESS = 0x8000
BROADCAST_NO_REPLY = 0xFFFF
BROADCAST_REPLY = 0xFFFE
ANY_DEVICE = 0xFE
PROTOCOL_VERSION = 0x02
BUFFER_5TH_GEN = 512
BUFFER_6TH_GEN = 1024

PREAMBLE_BYTE = 0xA5
END_BYTE = 0x5A
PREAMBLE = bytes([PREAMBLE_BYTE]) * 8
END = bytes([END_BYTE])

DYNAMIC_AREA = (0xA3, 0x06)
REPLY_GROUP = 0xA0
_REPLY_WANTED = 0x01
_NO_REPLY = 0x02

# dst src reserved(3) barcode_opt check_mode display_mode device_type protocol_version data_len
_HEADER = struct.Struct("<HH3sBBBBBH")
_CRC_SIZE = 2
# Everything of an area after its area_len field, up to its text (27 bytes; area_len = 27 + text_len).
_AREA_FIXED = struct.Struct("<BHHHHBBBHBBBBBBBBBI")
_AREA_LEN = struct.Struct("<H")
_MAX_TEXT = 0xFFFF - _AREA_FIXED.size
_MAX_AREAS = 0xFF  # update_count is one byte
_U16_FIELDS = ("x", "y", "width", "height", "timeout_s")
_U8_FIELDS = ("area_id", "line_spacing", "run_mode", "voice", "align", "display_mode", "exit_mode", "speed", "stay_s")

_ESCAPES = {b"\xa5": b"\xa6\x02", b"\xa6": b"\xa6\x01", b"\x5a": b"\x5b\x02", b"\x5b": b"\x5b\x01"}
_UNESCAPES = {pair: raw for raw, pair in _ESCAPES.items()}
_TO_ESCAPE = re.compile(rb"[\xa5\xa6\x5a\x5b]")
_ESCAPED_PAIR = re.compile(rb"[\xa6\x5b][\x01\x02]")
# A frame delimiter inside a body, or an escape byte not followed by 01/02.
_BAD_ESCAPE = re.compile(rb"[\xa5\x5a]|[\xa6\x5b](?![\x01\x02])")
_DELIMITER = re.compile(rb"[\xa5\x5a]")


class MalformedFrame(ValueError):
    """Bytes that are not a well-formed Onbon frame or command; the message says exactly why."""


class FrameTooLarge(ValueError):
    """An area that cannot fit into one frame within the screen's receive buffer."""


class DisplayMode(enum.IntEnum):
    """How a dynamic area shows its text (the vendor's 显示方式 byte).

    Only STATIC is confirmed by the vendor's golden vector; the others are the values the Onbon
    SDK documentation lists (03 向左移动, 04 向左连移) and still need checking on a real screen.
    """

    STATIC = 0x01
    MOVE_LEFT = 0x03
    SCROLL_LEFT = 0x04  # continuous marquee: what a line wider than its area needs


def _check_uint(name: str, value: int, bits: int) -> None:
    if not 0 <= value < 1 << bits:
        raise ValueError(f"{name} must fit in {bits} bits (0..{(1 << bits) - 1}), got {value}")


def _make_crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _make_crc_table()


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC (reflected polynomial 0xA001, initial value 0) as the vendor computes it."""
    crc = 0
    for byte in data:
        crc = (crc >> 8) ^ _CRC_TABLE[(crc ^ byte) & 0xFF]
    return crc


def escape(packet: bytes) -> bytes:
    """Escape header+data+crc so that A5 (preamble) and 5A (end) never appear inside a frame."""
    return _TO_ESCAPE.sub(lambda m: _ESCAPES[m.group()], packet)


def unescape(body: bytes) -> bytes:
    """Undo ``escape``; a stray A5/5A or an A6/5B not followed by 01/02 raises MalformedFrame."""
    bad = _BAD_ESCAPE.search(body)
    if bad is not None:
        at = bad.start()
        raise MalformedFrame(f"bad escape sequence at byte {at}: {body[at : at + 2].hex(' ')}")
    return _ESCAPED_PAIR.sub(lambda m: _UNESCAPES[m.group()], body)


def px(n: int) -> int:
    """A coordinate in pixel units: bit 15 set (without it x and width count 8-pixel bytes)."""
    _check_uint("pixel value", n, 15)
    return n | 0x8000


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded packet: addresses, device type, protocol version and the data field."""

    dst: int
    src: int
    device_type: int
    protocol_version: int
    data: bytes

    # Frames from OnbonDecoder always carry at least these two bytes.
    @property
    def cmd_group(self) -> int:
        return self.data[0]

    @property
    def cmd(self) -> int:
        return self.data[1]


@dataclass(frozen=True, slots=True)
class TextArea:
    """One dynamic area and its text, field for field as the ``A3 06`` command carries it.

    x, y, width and height are the raw 16-bit values: x and width count 8-pixel bytes unless
    wrapped in ``px()``; y and height are pixels (the vendor's example sends them without bit 15).
    """

    area_id: int
    x: int
    y: int
    width: int
    height: int
    text: bytes  # already encoded (GB2312/GBK)
    line_spacing: int = 0
    run_mode: int = 0
    timeout_s: int = 10
    voice: int = 0
    align: int = 0
    multi_line: bool = True
    auto_wrap: bool = False
    display_mode: int = DisplayMode.STATIC
    exit_mode: int = 0
    speed: int = 2
    stay_s: int = 10

    def __post_init__(self) -> None:
        for name in _U16_FIELDS:
            _check_uint(name, getattr(self, name), 16)
        for name in _U8_FIELDS:
            _check_uint(name, getattr(self, name), 8)
        if len(self.text) > _MAX_TEXT:
            raise ValueError(f"area {self.area_id}: text of {len(self.text)} bytes exceeds {_MAX_TEXT}")


@dataclass(frozen=True, slots=True)
class Reply:
    """A screen's answer: ok with error 0 (ACK), or not ok with its error code (NACK: 3 busy, 5 CRC…)."""

    screen: int
    ok: bool
    error: int


@dataclass(frozen=True, slots=True)
class AreaUpdate:
    """A decoded ``A3 06`` request: whether it wants a reply, the areas deleted and those updated."""

    reply_wanted: bool
    delete: tuple[int, ...]
    areas: tuple[TextArea, ...]


def _packet(dst: int, src: int, device_type: int, data: bytes) -> bytes:
    _check_uint("dst", dst, 16)
    _check_uint("src", src, 16)
    _check_uint("device_type", device_type, 8)
    _check_uint("data length", len(data), 16)
    header = _HEADER.pack(dst, src, bytes(3), 0, 0, 0, device_type, PROTOCOL_VERSION, len(data))
    body = header + data
    return body + crc16_arc(body).to_bytes(_CRC_SIZE, "little")


def build_frame(dst: int, data: bytes, *, src: int = HOST_ADDRESS, device_type: int = ANY_DEVICE) -> bytes:
    """A complete frame on the wire: eight A5, the escaped packet, 5A."""
    return PREAMBLE + escape(_packet(dst, src, device_type, data)) + END


def _area_bytes(area: TextArea) -> bytes:
    fixed = _AREA_FIXED.pack(
        0,  # area_type: text
        area.x,
        area.y,
        area.width,
        area.height,
        area.area_id,
        area.line_spacing,
        area.run_mode,
        area.timeout_s,
        area.voice,
        0,  # ext_count: no extended parameters
        area.align,
        0x02 if area.multi_line else 0x01,
        0x02 if area.auto_wrap else 0x01,
        area.display_mode,
        area.exit_mode,
        area.speed,
        area.stay_s,
        len(area.text),
    )
    return _AREA_LEN.pack(len(fixed) + len(area.text)) + fixed + area.text


def dynamic_area_data(areas: Sequence[TextArea], *, delete: Sequence[int] = (), reply: bool = True) -> bytes:
    """The data field of an ``A3 06`` request that deletes ``delete`` and then updates ``areas``.

    The deleted ids sit between delete_count and update_count, in the vendor's field order
    (DeleteAreaNum, DeleteAreaId…, AreaNum); the golden vector deletes nothing, so this is unconfirmed.
    """
    _check_uint("delete count", len(delete), 8)
    _check_uint("area count", len(areas), 8)
    for area_id in delete:
        _check_uint("deleted area id", area_id, 8)
    head = bytes([*DYNAMIC_AREA, _REPLY_WANTED if reply else _NO_REPLY, 0, 0, len(delete), *delete, len(areas)])
    return head + b"".join(_area_bytes(area) for area in areas)


def dynamic_area_frames(
    dst: int,
    areas: Sequence[TextArea],
    *,
    buffer_size: int = BUFFER_6TH_GEN,
    reply: bool = True,
    src: int = HOST_ADDRESS,
    device_type: int = ANY_DEVICE,
) -> list[bytes]:
    """Frames updating ``areas`` in order, each at most ``buffer_size`` bytes on the wire.

    Areas are packed greedily into as few frames as fit; an area too big even alone raises
    FrameTooLarge. No areas means no frames.
    """

    def frame(group: Sequence[TextArea]) -> bytes:
        return build_frame(dst, dynamic_area_data(group, reply=reply), src=src, device_type=device_type)

    frames: list[bytes] = []
    group: list[TextArea] = []
    for area in areas:
        if len(group) < _MAX_AREAS and len(frame([*group, area])) <= buffer_size:
            group.append(area)
            continue
        alone = frame([area])
        if len(alone) > buffer_size:
            raise FrameTooLarge(
                f"area {area.area_id} ({len(area.text)} text bytes) needs a {len(alone)}-byte frame on its own; "
                f"the screen's receive buffer holds {buffer_size} bytes"
            )
        frames.append(frame(group))
        group = [area]
    if group:
        frames.append(frame(group))
    return frames


class _Reader:
    """Reads little-endian fields from a data field, naming what was missing when it runs out."""

    def __init__(self, data: bytes, pos: int) -> None:
        self.data = data
        self.pos = pos

    def take(self, n: int, what: str) -> bytes:
        left = len(self.data) - self.pos
        if n > left:
            raise MalformedFrame(f"{what}: needs {n} bytes at offset {self.pos}, only {left} left")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def u8(self, what: str) -> int:
        return self.take(1, what)[0]

    def unpack(self, layout: struct.Struct, what: str) -> tuple[int, ...]:
        values: tuple[int, ...] = layout.unpack(self.take(layout.size, what))
        return values


def _flag(value: int, what: str) -> bool:
    """The vendor's 01/02 booleans (single/multi line, manual/auto wrap, reply/no reply): True for 02."""
    if value not in (0x01, 0x02):
        raise MalformedFrame(f"{what} must be 01 or 02, got {value:02x}")
    return value == 0x02


def _read_area(reader: _Reader, index: int) -> TextArea:
    (area_len,) = reader.unpack(_AREA_LEN, f"area {index} length")
    fields = reader.unpack(_AREA_FIXED, f"area {index} fields")
    area_type, x, y, width, height, area_id, spacing, run_mode, timeout_s, voice, ext_count = fields[:11]
    align, single_line, wrap, mode, exit_mode, speed, stay_s, text_len = fields[11:]
    if area_type != 0:
        raise MalformedFrame(f"area {index}: area_type {area_type:02x} is not a text area (00)")
    if ext_count != 0:
        raise MalformedFrame(f"area {index}: {ext_count} extended parameter bytes are not supported")
    if area_len != _AREA_FIXED.size + text_len:
        raise MalformedFrame(
            f"area {index}: area_len {area_len} does not match {_AREA_FIXED.size} + text_len {text_len}"
        )
    text = reader.take(text_len, f"area {index} text")
    return TextArea(
        area_id=area_id,
        x=x,
        y=y,
        width=width,
        height=height,
        text=text,
        line_spacing=spacing,
        run_mode=run_mode,
        timeout_s=timeout_s,
        voice=voice,
        align=align,
        multi_line=_flag(single_line, f"area {index} single/multi line"),
        auto_wrap=_flag(wrap, f"area {index} wrap mode"),
        display_mode=mode,
        exit_mode=exit_mode,
        speed=speed,
        stay_s=stay_s,
    )


def parse_dynamic_area(frame: Frame) -> AreaUpdate:
    """Decode an ``A3 06`` request (the inverse of ``dynamic_area_data``), as a simulated screen would."""
    if tuple(frame.data[:2]) != DYNAMIC_AREA:
        raise MalformedFrame(f"not a dynamic area command (A3 06): data starts {frame.data[:2].hex(' ')}")
    reader = _Reader(frame.data, 2)
    reply_flag = reader.u8("response flag")
    reader.take(2, "reserved bytes")
    delete = tuple(reader.take(reader.u8("delete count"), "deleted area ids"))
    count = reader.u8("area count")
    areas = tuple(_read_area(reader, index) for index in range(count))
    if reader.pos != len(frame.data):
        raise MalformedFrame(f"{len(frame.data) - reader.pos} bytes left over after {count} areas")
    return AreaUpdate(reply_wanted=not _flag(reply_flag, "response flag"), delete=delete, areas=areas)


def parse_reply(frame: Frame) -> Reply | None:
    """The screen's ACK/NACK in ``frame``, or None when the frame is not an A0 reply.

    Raises MalformedFrame for an A0 frame shorter than the vendor's 5 bytes or with an unknown cmd.
    """
    data = frame.data
    if data[:1] != bytes([REPLY_GROUP]):
        return None
    if len(data) < 5:
        raise MalformedFrame(f"reply of {len(data)} data bytes; expected 5")
    if data[1] not in (0x00, 0x01):
        raise MalformedFrame(f"reply cmd {data[1]:02x} is neither ACK (00) nor NACK (01)")
    ok = data[1] == 0x00
    return Reply(screen=frame.src, ok=ok, error=0 if ok else data[2])


def build_reply(screen: int, *, host: int = HOST_ADDRESS, error: int = 0, device_type: int = ANY_DEVICE) -> bytes:
    """The frame a screen sends back: ACK when ``error`` is 0, else NACK carrying ``error``."""
    _check_uint("error", error, 8)
    data = bytes([REPLY_GROUP, 0x00, 0, 0, 0]) if error == 0 else bytes([REPLY_GROUP, 0x01, error, 0, 0])
    return build_frame(host, data, src=screen, device_type=device_type)


def decode_body(body: bytes) -> Frame:
    """One frame from the escaped bytes between its preamble and its 5A; MalformedFrame says why not."""
    packet = unescape(body)
    minimum = _HEADER.size + _CRC_SIZE
    if len(packet) < minimum:
        raise MalformedFrame(f"packet of {len(packet)} bytes is shorter than header and CRC ({minimum})")
    dst, src, _, _, _, _, device_type, version, data_len = _HEADER.unpack_from(packet)
    if data_len != len(packet) - minimum:
        raise MalformedFrame(f"length field says {data_len} data bytes, the packet carries {len(packet) - minimum}")
    expected = crc16_arc(packet[:-_CRC_SIZE])
    got = int.from_bytes(packet[-_CRC_SIZE:], "little")
    if expected != got:
        raise MalformedFrame(f"CRC {got:04x} does not match the computed {expected:04x}")
    if data_len < 2:
        raise MalformedFrame(f"{data_len} data bytes: no command group and command")
    return Frame(dst=dst, src=src, device_type=device_type, protocol_version=version, data=packet[_HEADER.size : -2])


class OnbonDecoder:
    """Turns a serial byte stream into frames; never raises, drops and counts bad frames.

    Any run of A5 starts a frame and 5A ends it; an A5 inside a frame abandons it and starts over
    (the sender was cut off). A body longer than ``max_frame`` escaped bytes is dropped so that
    garbage without a 5A cannot grow memory.
    """

    def __init__(self, max_frame: int = 4096) -> None:
        self.max_frame = max_frame
        self.dropped = 0
        self.last_drop_reason: str | None = None
        self._in_frame = False
        self._body = bytearray()
        self._events: list[Frame] = []

    def receive_data(self, data: bytes) -> None:
        """Feed bytes as they arrive, in chunks of any size."""
        pos = 0
        while pos < len(data):
            pos = self._step(data, pos) if self._in_frame else self._seek_preamble(data, pos)

    def events_received(self) -> list[Frame]:
        """The frames completed since the last call."""
        events, self._events = self._events, []
        return events

    def _seek_preamble(self, data: bytes, pos: int) -> int:
        start = data.find(PREAMBLE_BYTE, pos)
        if start < 0:
            return len(data)
        self._in_frame = True
        self._body.clear()
        return start + 1

    def _step(self, data: bytes, pos: int) -> int:
        match = _DELIMITER.search(data, pos)
        end = match.start() if match else len(data)
        if len(self._body) + end - pos > self.max_frame:
            self._drop(f"no end byte within {self.max_frame} bytes")
            self._in_frame = False
            return end
        self._body += data[pos:end]
        if match is None:
            return end
        if data[end] == PREAMBLE_BYTE:
            if self._body:
                self._drop("cut off by a new preamble")
                self._body.clear()
        else:
            self._finish()
        return end + 1

    def _finish(self) -> None:
        self._in_frame = False
        try:
            self._events.append(decode_body(bytes(self._body)))
        except MalformedFrame as error:
            self._drop(str(error))

    def _drop(self, reason: str) -> None:
        self.dropped += 1
        self.last_drop_reason = reason
