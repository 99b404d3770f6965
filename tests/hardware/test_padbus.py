"""The FF 68 pad bus codec: the documented vector, decoding under noise, echoes, interpret."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardware.padbus import (
    BLANK,
    CMD_ASK_RATING,
    CMD_BEEP,
    CMD_SCORE,
    CMD_SHOW,
    KeyPress,
    PadBusDecoder,
    PadFrame,
    PadKey,
    Score,
    ask_rating,
    beep,
    build_frame,
    interpret,
    show_blank,
    show_count,
    show_number,
)

KEY_CMD = 0x10  # the pads' key frames: any command the host does not send itself

addresses = st.integers(0, 255)
commands = st.integers(0, 255)
payloads = st.binary(max_size=40)


def decode(*chunks: bytes, decoder: PadBusDecoder | None = None) -> list[PadFrame]:
    d = decoder or PadBusDecoder()
    for chunk in chunks:
        d.receive_data(chunk)
    return d.events_received()


def frame_is_valid(frame: PadFrame) -> bool:
    raw = frame.raw
    n = raw[2]
    return (
        raw[:2] == b"\xff\x68"
        and raw[3] == n
        and raw[4] == 0x68
        and len(raw) == n + 7
        and raw[-1] == 0x16
        and raw[-2] == (frame.address + frame.cmd + sum(frame.data)) % 256
        and raw == build_frame(frame.address, frame.cmd, frame.data)
    )


# --- building ---------------------------------------------------------------------------


def test_protocols_example_byte_for_byte() -> None:
    assert show_number(5, 123) == bytes.fromhex("ff680808680502 0a0a0a010203 2b16")


def test_builders() -> None:
    assert show_count(5, 15) == build_frame(5, CMD_SHOW, bytes([0, 1, 5, BLANK, BLANK, BLANK]))
    assert show_count(5, 0) == build_frame(5, CMD_SHOW, bytes([0, 0, 0, BLANK, BLANK, BLANK]))
    assert show_count(5, 12345) == show_count(5, 999)
    assert show_number(1, 0) == build_frame(1, CMD_SHOW, bytes([BLANK] * 5 + [0]))
    assert show_number(1, 999999) == build_frame(1, CMD_SHOW, bytes([9] * 6))
    assert show_blank(2) == build_frame(2, CMD_SHOW, bytes([BLANK] * 6))
    assert beep(3) == bytes.fromhex("ff6802026803 03 06 16".replace(" ", ""))
    assert ask_rating(4) == build_frame(4, CMD_ASK_RATING, b"\x0b")
    assert build_frame(255, 255, b"\xff") == bytes.fromhex("ff680303 68 ff ff ff fd 16".replace(" ", ""))


@pytest.mark.parametrize(
    "call",
    [
        lambda: build_frame(256, 1),
        lambda: build_frame(-1, 1),
        lambda: build_frame(1, 256),
        lambda: build_frame(1, 2, bytes(254)),
        lambda: show_number(1, 1_000_000),
        lambda: show_number(1, -1),
        lambda: show_count(1, -1),
    ],
)
def test_out_of_range_is_a_value_error(call: object) -> None:
    with pytest.raises(ValueError):
        call()  # type: ignore[operator]


def test_longest_frame_round_trips() -> None:
    raw = build_frame(9, 8, bytes(range(253)))
    assert decode(raw) == [PadFrame(9, 8, bytes(range(253)), raw)]


# --- decoding ---------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(addresses, commands, payloads)
def test_build_decode_round_trip(address: int, cmd: int, data: bytes) -> None:
    raw = build_frame(address, cmd, data)
    assert decode(raw) == [PadFrame(address, cmd, data, raw)]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(addresses, commands, payloads), min_size=1, max_size=6), st.data())
def test_any_chunking_gives_the_same_frames(specs: list[tuple[int, int, bytes]], data: st.DataObject) -> None:
    raws = [build_frame(*spec) for spec in specs]
    stream = b"".join(raws)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=12)))
    chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
    d = PadBusDecoder()
    got: list[PadFrame] = []
    for chunk in chunks:
        d.receive_data(chunk)
        got += d.events_received()
    assert [f.raw for f in got] == raws
    assert d.dropped == 0


def test_byte_at_a_time() -> None:
    raw = build_frame(7, KEY_CMD, bytes([PadKey.CALL_NEXT]))
    d = PadBusDecoder()
    for i, b in enumerate(raw):
        d.receive_data(bytes([b]))
        assert d.events_received() == ([] if i < len(raw) - 1 else [PadFrame(7, KEY_CMD, b"\x0c", raw)])


def test_resyncs_after_garbage() -> None:
    raw = build_frame(1, KEY_CMD, b"\x0d")
    garbage = b"\x00\x13\xff\xff\x68\x68\xff\x00\x16"
    assert [f.raw for f in decode(garbage + raw + garbage + raw)] == [raw, raw]


def test_header_inside_garbage_header_is_found() -> None:
    raw = build_frame(1, KEY_CMD, b"\x0d")
    # FF 68 followed by a mismatched LEN pair: the real FF 68 starts inside it.
    assert decode(b"\xff\x68" + raw) == [PadFrame(1, KEY_CMD, b"\x0d", raw)]


def test_a_partial_frame_waits_for_the_rest() -> None:
    raw = build_frame(2, KEY_CMD, b"\x0c")
    d = PadBusDecoder()
    d.receive_data(raw[:-1])
    assert d.events_received() == [] and d.dropped == 0
    d.receive_data(raw[-1:])
    assert [f.raw for f in d.events_received()] == [raw]


def test_a_noise_header_claiming_a_long_body_does_not_stall_a_real_frame() -> None:
    raw = build_frame(2, KEY_CMD, b"\x0c")
    d = PadBusDecoder()
    d.receive_data(b"\xff\x68\xf0\xf0\x68" + raw)
    assert [f.raw for f in d.events_received()] == [raw]
    assert d.dropped == 1


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda r: r[:-2] + bytes([(r[-2] + 1) % 256]) + r[-1:], id="checksum"),
        pytest.param(lambda r: r[:3] + bytes([r[3] + 1]) + r[4:], id="len-mismatch"),
        pytest.param(lambda r: r[:-1] + b"\x17", id="trailer"),
        pytest.param(lambda r: r[:4] + b"\x69" + r[5:], id="second-68"),
        pytest.param(lambda r: b"\xff\x68\x01\x01\x68\x05\x05\x16", id="len-below-2"),
    ],
)
def test_bad_frames_are_dropped_and_counted(damage: object) -> None:
    good = build_frame(3, KEY_CMD, b"\x04\x0f")
    bad: bytes = damage(good)  # type: ignore[operator]
    d = PadBusDecoder()
    d.receive_data(bad + good)
    assert [f.raw for f in d.events_received()] == [good]
    assert d.dropped == 1


def test_buffer_stays_bounded_on_noise() -> None:
    d = PadBusDecoder()
    for _ in range(200):
        d.receive_data(bytes(range(256)) * 4)
    d.receive_data(b"\xff\x68\x07\x07\x68")
    assert len(d._buffer) <= 262


# --- echoes -----------------------------------------------------------------------------


def test_own_frame_is_dropped_once() -> None:
    key = build_frame(5, KEY_CMD, b"\x0c")
    d = PadBusDecoder()
    d.receive_data(key)  # the pad's key press
    assert [f.raw for f in d.events_received()] == [key]
    d.sent(key)  # the host acknowledges by echoing it
    d.receive_data(key)  # ... and reads its own echo back
    assert d.events_received() == [] and d.echoes == 1
    d.receive_data(key)  # the clerk presses the same key again: that counts
    assert [f.raw for f in d.events_received()] == [key]
    assert d.echoes == 1 and d.dropped == 0


def test_echo_of_host_commands_and_lost_echoes() -> None:
    show, ring = show_number(5, 12), beep(5)
    d = PadBusDecoder()
    d.sent(show)
    d.sent(ring)
    d.receive_data(ring)  # the echo of `show` was lost to noise
    assert d.events_received() == [] and d.echoes == 1
    d.receive_data(show)  # so this one came from somewhere else
    assert [f.raw for f in d.events_received()] == [show]


def test_echo_window_bounds_memory_and_zero_disables() -> None:
    d = PadBusDecoder(echo_window=2)
    frames = [show_number(1, n) for n in range(3)]
    for f in frames:
        d.sent(f)
    d.receive_data(frames[0])  # forgotten: only the last two are remembered
    assert [f.raw for f in d.events_received()] == [frames[0]]
    off = PadBusDecoder(echo_window=0)
    off.sent(frames[0])
    off.receive_data(frames[0])
    assert [f.raw for f in off.events_received()] == [frames[0]]


# --- fuzz -------------------------------------------------------------------------------


def mutate(raw: bytes, edits: list[tuple[int, int]]) -> bytes:
    out = bytearray(raw)
    for pos, value in edits:
        if not out:
            break
        i = pos % len(out)
        if value < 256:
            out[i] = value
        elif value < 384:
            del out[i]
        else:
            out.insert(i, value % 256)
    return bytes(out)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600), st.integers(1, 64))
def test_random_bytes_never_raise(noise: bytes, chunk: int) -> None:
    d = PadBusDecoder()
    for i in range(0, len(noise), chunk):
        d.receive_data(noise[i : i + chunk])
    assert all(frame_is_valid(f) for f in d.events_received())


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(addresses, commands, st.binary(max_size=8)), min_size=1, max_size=5),
    st.lists(st.tuples(st.integers(0, 500), st.integers(0, 511)), max_size=6),
    st.binary(max_size=20),
)
def test_mutated_frames_never_raise_and_emit_only_valid_frames(
    specs: list[tuple[int, int, bytes]], edits: list[tuple[int, int]], prefix: bytes
) -> None:
    stream = prefix + mutate(b"".join(build_frame(*s) for s in specs), edits)
    d = PadBusDecoder()
    for i in range(0, len(stream), 5):
        d.receive_data(stream[i : i + 5])
    frames = d.events_received()
    assert all(frame_is_valid(f) for f in frames)
    if not edits and not prefix:
        assert len(frames) == len(specs)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=30), addresses, st.sampled_from(list(PadKey)))
def test_a_good_frame_after_any_noise_is_eventually_read(noise: bytes, address: int, key: PadKey) -> None:
    raw = build_frame(address, KEY_CMD, bytes([key]))
    # A few good frames after the noise: the first may be swallowed by a noise header
    # that claims a long body, but the decoder resyncs within them.
    frames = decode(noise + raw * 3)
    assert raw in [f.raw for f in frames]


# --- interpret --------------------------------------------------------------------------


def frame(address: int, cmd: int, data: bytes) -> PadFrame:
    return PadFrame(address, cmd, data, build_frame(address, cmd, data))


@pytest.mark.parametrize("key", list(PadKey))
def test_interpret_every_key(key: PadKey) -> None:
    assert interpret(frame(4, KEY_CMD, bytes([key]))) == KeyPress(4, key, ())


def test_interpret_digits_before_the_key() -> None:
    assert interpret(frame(4, KEY_CMD, bytes([6, PadKey.CONFIRM]))) == KeyPress(4, 0x0F, (6,))
    assert interpret(frame(4, KEY_CMD, bytes([1, 2, PadKey.TRANSFER]))) == KeyPress(4, 0x13, (1, 2))
    assert interpret(frame(4, KEY_CMD, bytes([10, PadKey.CONFIRM]))) is None  # not a digit
    assert interpret(frame(4, KEY_CMD, b"\x20")) is None  # not a key
    assert interpret(frame(4, KEY_CMD, b"")) is None


@pytest.mark.parametrize("score", [1, 2, 3, 4, 5])
def test_interpret_scores(score: int) -> None:
    assert interpret(frame(9, CMD_SCORE, bytes([score]))) == Score(9, score)


@pytest.mark.parametrize("data", [b"\x00", b"\x06", b"\xff", b"", b"\x03\x03"])
def test_interpret_rejects_bad_scores(data: bytes) -> None:
    assert interpret(frame(9, CMD_SCORE, data)) is None


def test_interpret_ignores_host_frames() -> None:
    for raw in (show_number(1, 12), show_count(1, 3), beep(1), ask_rating(1)):
        (f,) = decode(raw)
        assert interpret(f) is None
    assert interpret(frame(1, CMD_BEEP, b"\x0c")) is None
