"""The Onbon BX-5K/6K codec: the vendor's golden vectors, round trips, the stream decoder and frame splitting."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardware.onbon import (
    BROADCAST_REPLY,
    BUFFER_5TH_GEN,
    HOST_ADDRESS,
    AreaUpdate,
    DisplayMode,
    Frame,
    FrameTooLarge,
    MalformedFrame,
    OnbonDecoder,
    Reply,
    TextArea,
    build_frame,
    build_reply,
    crc16_arc,
    dynamic_area_data,
    dynamic_area_frames,
    escape,
    parse_dynamic_area,
    parse_reply,
    px,
    unescape,
)

GOLDEN_REQUEST = bytes.fromhex(
    "a5 a5 a5 a5 a5 a5 a5 a5 fe ff 00 80 00 00 00 00 00 00 fe 02 2c 00"
    "a3 06 01 00 00 00 01 23 00 00 00 80 00 00 80 80 20 00 00 00 00 0a"
    "00 00 00 00 02 01 01 00 02 0a 08 00 00 00 bb b6 d3 ad b9 e2 c1 d9"
    "3c 49 5a"
)
# The vendor gives only the tail; the rest is the header of a reply from FE FF to the host 80 00.
GOLDEN_ACK = bytes.fromhex("a5 a5 a5 a5 a5 a5 a5 a5 00 80 fe ff 00 00 00 00 00 00 fe 02 05 00 a0 00 00 00 00 14 ac 5a")

WELCOME = TextArea(
    area_id=0,
    x=px(0),
    y=0,  # the vector's y is 00 00: no pixel bit
    width=px(128),
    height=32,
    text="欢迎光临".encode("gb2312"),
    timeout_s=10,
    multi_line=True,
    auto_wrap=False,
    display_mode=DisplayMode.STATIC,
    speed=2,
    stay_s=10,
)
FAST = settings(max_examples=200, deadline=None)


def reference_crc(data: bytes) -> int:
    """Bit by bit, independent of the table-driven implementation."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def decode_all(stream: bytes, chunks: list[int] | None = None) -> tuple[list[Frame], OnbonDecoder]:
    decoder = OnbonDecoder()
    pos = 0
    for size in chunks or []:
        decoder.receive_data(stream[pos : pos + size])
        pos += size
    decoder.receive_data(stream[pos:])
    return decoder.events_received(), decoder


# --- golden vectors ---------------------------------------------------------------------------


def test_golden_request_byte_for_byte() -> None:
    assert dynamic_area_frames(BROADCAST_REPLY, [WELCOME]) == [GOLDEN_REQUEST]


def test_golden_request_decodes_back() -> None:
    frames, decoder = decode_all(GOLDEN_REQUEST)
    assert decoder.dropped == 0
    [frame] = frames
    assert (frame.dst, frame.src, frame.device_type, frame.protocol_version) == (0xFFFE, 0x8000, 0xFE, 2)
    assert (frame.cmd_group, frame.cmd) == (0xA3, 0x06)
    assert parse_dynamic_area(frame) == AreaUpdate(reply_wanted=True, delete=(), areas=(WELCOME,))


def test_golden_ack() -> None:
    assert build_reply(BROADCAST_REPLY) == GOLDEN_ACK
    assert GOLDEN_ACK.endswith(bytes.fromhex("a0 00 00 00 00 14 ac 5a"))
    [frame], _ = decode_all(GOLDEN_ACK)
    assert parse_reply(frame) == Reply(screen=0xFFFE, ok=True, error=0)


def test_nack_carries_its_error() -> None:
    [frame], _ = decode_all(build_reply(0x0001, error=5))
    assert frame.data == bytes([0xA0, 0x01, 0x05, 0, 0])
    assert frame.dst == HOST_ADDRESS
    assert parse_reply(frame) == Reply(screen=0x0001, ok=False, error=5)


def test_parse_reply_ignores_requests_and_rejects_short_replies() -> None:
    [request], _ = decode_all(GOLDEN_REQUEST)
    assert parse_reply(request) is None
    with pytest.raises(MalformedFrame, match="expected 5"):
        parse_reply(Frame(dst=HOST_ADDRESS, src=1, device_type=0xFE, protocol_version=2, data=b"\xa0\x00"))


# --- CRC and escaping -------------------------------------------------------------------------


def test_crc_known_values() -> None:
    assert crc16_arc(b"123456789") == 0xBB3D
    assert crc16_arc(b"") == 0
    assert crc16_arc(GOLDEN_REQUEST[8:-3]) == 0x493C


@given(st.binary(max_size=300))
@FAST
def test_crc_matches_bitwise_reference(data: bytes) -> None:
    assert crc16_arc(data) == reference_crc(data)


def test_escape_table() -> None:
    assert escape(bytes([0xA5, 0xA6, 0x5A, 0x5B, 0x00])) == bytes.fromhex("a6 02 a6 01 5b 02 5b 01 00")


@given(st.binary(max_size=300))
@FAST
def test_escape_round_trip(packet: bytes) -> None:
    escaped = escape(packet)
    assert 0xA5 not in escaped and 0x5A not in escaped
    assert unescape(escaped) == packet


@pytest.mark.parametrize("body", [b"\xa6", b"\xa6\x03", b"\x5b\x00", b"\x01\xa5", b"\x5a", b"\xa6\xa6\x01"])
def test_unescape_rejects_bad_sequences(body: bytes) -> None:
    with pytest.raises(MalformedFrame, match="bad escape"):
        unescape(body)


# --- build -> decode round trips --------------------------------------------------------------

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
areas = st.builds(
    TextArea,
    area_id=u8,
    x=u16,
    y=u16,
    width=u16,
    height=u16,
    # Biased towards the bytes that need escaping.
    text=st.binary(max_size=60) | st.lists(st.sampled_from(b"\xa5\xa6\x5a\x5b\x00")).map(bytes),
    line_spacing=u8,
    run_mode=u8,
    timeout_s=u16,
    voice=u8,
    align=u8,
    multi_line=st.booleans(),
    auto_wrap=st.booleans(),
    display_mode=u8,
    exit_mode=u8,
    speed=u8,
    stay_s=u8,
)


@given(st.lists(areas, max_size=5), st.lists(u8, max_size=5), st.booleans(), u16)
@FAST
def test_dynamic_area_round_trip(items: list[TextArea], delete: list[int], reply: bool, dst: int) -> None:
    frames, decoder = decode_all(build_frame(dst, dynamic_area_data(items, delete=delete, reply=reply)))
    assert decoder.dropped == 0
    [frame] = frames
    assert frame.dst == dst
    assert parse_dynamic_area(frame) == AreaUpdate(reply_wanted=reply, delete=tuple(delete), areas=tuple(items))


@given(st.lists(st.tuples(u16, st.binary(min_size=2, max_size=80)), min_size=1, max_size=6), st.data())
@FAST
def test_decoder_handles_any_chunking(packets: list[tuple[int, bytes]], data: st.DataObject) -> None:
    stream = b"".join(build_frame(dst, payload) for dst, payload in packets)
    chunks = data.draw(st.lists(st.integers(1, 40), max_size=len(stream)))
    frames, decoder = decode_all(stream, chunks)
    assert decoder.dropped == 0
    assert [(f.dst, f.data) for f in frames] == packets


def test_events_are_returned_once() -> None:
    decoder = OnbonDecoder()
    decoder.receive_data(GOLDEN_ACK)
    assert len(decoder.events_received()) == 1
    assert decoder.events_received() == []


# --- resync and dropping ----------------------------------------------------------------------

ACK = build_reply(0x0001)


def test_garbage_before_and_between_frames() -> None:
    stream = b"\x00\x12\x5a\xff" + ACK + b"\x33\x5a\x44" + GOLDEN_REQUEST + b"\x01\x02"
    frames, decoder = decode_all(stream)
    assert [f.cmd_group for f in frames] == [0xA0, 0xA3]
    assert decoder.dropped == 0


def test_frame_cut_off_by_a_new_preamble_is_dropped() -> None:
    frames, decoder = decode_all(ACK[:20] + GOLDEN_REQUEST)
    assert [f.cmd_group for f in frames] == [0xA3]
    assert decoder.dropped == 1


def corrupt_crc(frame: bytes) -> bytes:
    body = unescape(frame[8:-1])
    return frame[:8] + escape(body[:-2] + bytes([body[-2] ^ 0x01, body[-1]])) + frame[-1:]


def corrupt_length(frame: bytes) -> bytes:
    body = bytearray(unescape(frame[8:-1]))
    body[12] += 1  # data_len, with the CRC recomputed so only the length is wrong
    packet = bytes(body[:-2])
    return frame[:8] + escape(packet + crc16_arc(packet).to_bytes(2, "little")) + frame[-1:]


def corrupt_escape(frame: bytes) -> bytes:
    return frame[:-1] + b"\xa6\x07" + frame[-1:]


@pytest.mark.parametrize(
    ("corrupt", "reason"), [(corrupt_crc, "CRC"), (corrupt_length, "length field"), (corrupt_escape, "bad escape")]
)
def test_bad_frames_are_dropped_and_counted(corrupt: Callable[[bytes], bytes], reason: str) -> None:
    frames, decoder = decode_all(corrupt(ACK) + GOLDEN_REQUEST)
    assert [f.cmd_group for f in frames] == [0xA3]
    assert decoder.dropped == 1
    assert reason in (decoder.last_drop_reason or "")


def test_oversize_garbage_is_dropped_without_growing() -> None:
    decoder = OnbonDecoder(max_frame=100)
    for _ in range(50):
        decoder.receive_data(b"\xa5" + b"\x01" * 60 + b"\x02" * 60)
    assert len(decoder._body) <= 100
    decoder.receive_data(b"\x5a" + ACK)
    assert [f.cmd_group for f in decoder.events_received()] == [0xA0]
    assert decoder.dropped == 50


def test_empty_and_commandless_frames_are_dropped() -> None:
    frames, decoder = decode_all(b"\xa5\xa5\x5a" + build_frame(1, b"\xa3") + ACK)
    assert [f.cmd_group for f in frames] == [0xA0]
    assert decoder.dropped == 2


# --- fuzzing against an independent reference parser ------------------------------------------

_CANDIDATE = re.compile(rb"\xa5+([^\xa5\x5a]*)\x5a")


def reference_unescape(body: bytes) -> bytes | None:
    out = bytearray()
    it = iter(body)
    pairs = {(0xA6, 1): 0xA6, (0xA6, 2): 0xA5, (0x5B, 1): 0x5B, (0x5B, 2): 0x5A}
    for byte in it:
        if byte in (0xA6, 0x5B):
            value = pairs.get((byte, next(it, -1)))
            if value is None:
                return None
            out.append(value)
        else:
            out.append(byte)
    return bytes(out)


def reference_frames(stream: bytes) -> list[tuple[int, int, bytes]]:
    """Every (dst, src, data) in ``stream`` that passes the unescape, length, CRC and command checks."""
    found = []
    for match in _CANDIDATE.finditer(stream):
        packet = reference_unescape(match.group(1))
        if packet is None or len(packet) < 18:
            continue
        if int.from_bytes(packet[12:14], "little") != len(packet) - 16:
            continue
        if reference_crc(packet[:-2]) != int.from_bytes(packet[-2:], "little"):
            continue
        found.append((int.from_bytes(packet[0:2], "little"), int.from_bytes(packet[2:4], "little"), packet[14:-2]))
    return found


def check_against_reference(stream: bytes, chunks: list[int]) -> None:
    frames, _ = decode_all(stream, chunks)
    assert [(f.dst, f.src, f.data) for f in frames] == reference_frames(stream)


@given(st.binary(max_size=400), st.lists(st.integers(1, 50), max_size=20))
@FAST
def test_random_bytes_never_raise(stream: bytes, chunks: list[int]) -> None:
    check_against_reference(stream, chunks)


@st.composite
def mutated_streams(draw: st.DrawFn) -> bytes:
    stream = bytearray(b"".join(draw(st.lists(st.sampled_from([ACK, GOLDEN_REQUEST, GOLDEN_ACK]), max_size=4))))
    for _ in range(draw(st.integers(0, 6))):
        if not stream:
            break
        at = draw(st.integers(0, len(stream) - 1))
        action = draw(st.sampled_from(["flip", "delete", "insert"]))
        if action == "flip":
            stream[at] ^= draw(st.integers(1, 255))
        elif action == "delete":
            del stream[at]
        else:
            stream.insert(at, draw(st.sampled_from([0xA5, 0x5A, 0xA6, 0x5B, 0x00])))
    return bytes(stream)


@given(mutated_streams(), st.lists(st.integers(1, 50), max_size=20))
@FAST
def test_mutated_frames_never_raise_nor_pass_bad_crc(stream: bytes, chunks: list[int]) -> None:
    check_against_reference(stream, chunks)


# --- splitting by buffer size -----------------------------------------------------------------


def line_area(i: int, size: int) -> TextArea:
    return TextArea(area_id=i, x=px(0), y=16 * i, width=px(128), height=16, text=bytes([0xB0 + i % 8, 0xA1]) * size)


def test_many_areas_are_split_in_order() -> None:
    items = [line_area(i, 40) for i in range(30)]
    frames = dynamic_area_frames(1, items, buffer_size=BUFFER_5TH_GEN)
    assert len(frames) > 1
    assert all(len(f) <= BUFFER_5TH_GEN for f in frames)
    decoded, decoder = decode_all(b"".join(frames))
    assert decoder.dropped == 0
    carried = [area for frame in decoded for area in parse_dynamic_area(frame).areas]
    assert carried == items


def test_escaping_counts_against_the_buffer() -> None:
    # 240 bytes that double when escaped: about 300 bytes before escaping, over 512 on the wire.
    area = TextArea(area_id=0, x=0, y=0, width=1, height=1, text=b"\xa5" * 200)
    [frame] = dynamic_area_frames(1, [area], buffer_size=BUFFER_5TH_GEN)
    assert len(frame) <= BUFFER_5TH_GEN
    with pytest.raises(FrameTooLarge, match="512 bytes"):
        dynamic_area_frames(1, [replace(area, text=b"\xa5" * 240)], buffer_size=BUFFER_5TH_GEN)


def test_oversize_single_area_raises() -> None:
    items = [line_area(0, 10), line_area(1, 600)]
    with pytest.raises(FrameTooLarge, match=r"area 1 .*1024 bytes"):
        dynamic_area_frames(1, items)
    assert issubclass(FrameTooLarge, ValueError)


def test_no_areas_no_frames() -> None:
    assert dynamic_area_frames(1, []) == []


# --- parse_dynamic_area reasons ---------------------------------------------------------------


def frame_with(data: bytes) -> Frame:
    return Frame(dst=1, src=HOST_ADDRESS, device_type=0xFE, protocol_version=2, data=data)


GOLDEN_DATA = dynamic_area_data([WELCOME])


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xa3\x05\x01\x00\x00\x00\x00", "not a dynamic area command"),
        (GOLDEN_DATA[:-3], "area 0 text"),
        (GOLDEN_DATA + b"\x00", "left over"),
        (GOLDEN_DATA[:2] + b"\x03" + GOLDEN_DATA[3:], "response flag"),
        (GOLDEN_DATA[:7] + b"\x24" + GOLDEN_DATA[8:], "area_len 36"),
        (GOLDEN_DATA[:9] + b"\x01" + GOLDEN_DATA[10:], "area_type"),
        (GOLDEN_DATA[:10], "area 0 fields"),
    ],
)
def test_parse_dynamic_area_says_why(data: bytes, reason: str) -> None:
    with pytest.raises(MalformedFrame, match=reason):
        parse_dynamic_area(frame_with(data))


def test_field_ranges_are_checked() -> None:
    with pytest.raises(ValueError, match="area_id"):
        TextArea(area_id=256, x=0, y=0, width=1, height=1, text=b"")
    with pytest.raises(ValueError, match="pixel"):
        px(0x8000)
    with pytest.raises(ValueError, match="dst"):
        build_frame(0x10000, b"\xa0\x00")
