"""The FF 68 pad bus codec: the documented vector, decoding under noise, echoes, reading keys."""

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
    RatingKey,
    ask_rating,
    beep,
    build_frame,
    read_key,
    read_rating,
    show_blank,
    show_count,
    show_number,
)

KEY_CMD = 0x10  # some pad model's key frames (the CMD byte of a key is not documented)

addresses = st.integers(0, 255)
commands = st.integers(0, 255)
payloads = st.binary(max_size=40)


def decode(*chunks: bytes, decoder: PadBusDecoder | None = None, now: float = 0.0) -> list[PadFrame]:
    d = decoder or PadBusDecoder()
    for chunk in chunks:
        d.receive_data(chunk, now=now)
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
        d.receive_data(chunk, now=0.0)
        got += d.events_received()
    assert [f.raw for f in got] == raws
    assert d.dropped == 0


def test_byte_at_a_time() -> None:
    raw = build_frame(7, KEY_CMD, bytes([PadKey.CALL_NEXT]))
    d = PadBusDecoder()
    for i, b in enumerate(raw):
        d.receive_data(bytes([b]), now=0.0)
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
    d.receive_data(raw[:-1], now=0.0)
    assert d.events_received() == [] and d.dropped == 0
    d.receive_data(raw[-1:], now=0.0)
    assert [f.raw for f in d.events_received()] == [raw]


def test_a_noise_header_claiming_a_long_body_does_not_stall_a_real_frame() -> None:
    raw = build_frame(2, KEY_CMD, b"\x0c")
    d = PadBusDecoder()
    d.receive_data(b"\xff\x68\xf0\xf0\x68" + raw, now=0.0)
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
    d.receive_data(bad + good, now=0.0)
    assert [f.raw for f in d.events_received()] == [good]
    assert d.dropped == 1


def test_buffer_stays_bounded_on_noise() -> None:
    d = PadBusDecoder()
    for _ in range(200):
        d.receive_data(bytes(range(256)) * 4, now=0.0)
    d.receive_data(b"\xff\x68\x07\x07\x68", now=0.0)
    assert len(d._buffer) <= 262


# --- echoes -----------------------------------------------------------------------------

FIELD_CALL_NEXT = bytes.fromhex("ff 68 03 03 68 01 01 0c 0e 16")  # pad 1, CMD 01: "call next"


def test_a_key_frame_with_cmd_01_is_a_key() -> None:
    # CMD 01 is also the host's "ask for a rating": a pad's frame is read by its last DATA byte.
    d = PadBusDecoder()
    d.sent(ask_rating(7), now=0.0)  # the host's own traffic on the bus does not change that
    d.receive_data(FIELD_CALL_NEXT, now=0.05)
    [f] = d.events_received()
    assert (f.address, f.cmd, f.data) == (1, 0x01, b"\x0c")
    assert read_key(f) == KeyPress(1, PadKey.CALL_NEXT, ())


@pytest.mark.parametrize("cmd", [0x01, 0x02, 0x03, 0x05, 0x11, 0x80])
def test_a_key_is_its_last_data_byte_whatever_the_cmd(cmd: int) -> None:
    assert read_key(frame(3, cmd, bytes([6, PadKey.CONFIRM]))) == KeyPress(3, PadKey.CONFIRM, (6,))
    assert read_rating(frame(103, cmd, b"\x02")) == RatingKey(103, 2)


def test_a_host_frame_echoed_back_is_not_a_key() -> None:
    d = PadBusDecoder()
    d.receive_data(FIELD_CALL_NEXT, now=10.0)  # the pad's key press
    assert [f.raw for f in d.events_received()] == [FIELD_CALL_NEXT]
    d.sent(FIELD_CALL_NEXT, now=10.01)  # the host acknowledges by echoing it
    d.receive_data(FIELD_CALL_NEXT, now=10.03)  # ... and hears its own echo on the bus
    assert d.events_received() == [] and d.echoes == 1
    d.receive_data(FIELD_CALL_NEXT, now=10.2)  # the clerk presses it again: that counts
    assert [f.raw for f in d.events_received()] == [FIELD_CALL_NEXT]
    for host in (show_number(1, 12), beep(1), ask_rating(1)):
        d.sent(host, now=11.0)
        d.receive_data(host, now=11.02)
    assert d.events_received() == [] and d.echoes == 4 and d.dropped == 0


def test_a_pad_frame_equal_to_a_host_frame_sent_long_ago_is_a_key() -> None:
    d = PadBusDecoder(echo_window_s=1.0)
    d.sent(FIELD_CALL_NEXT, now=0.0)  # its echo was lost to noise
    d.receive_data(FIELD_CALL_NEXT, now=60.0)  # a minute later the pad sends the same bytes
    [f] = d.events_received()
    assert read_key(f) == KeyPress(1, PadKey.CALL_NEXT, ()) and d.echoes == 0
    # The window is measured from the host's write: just inside it, the same bytes are the echo.
    d.sent(FIELD_CALL_NEXT, now=100.0)
    d.receive_data(FIELD_CALL_NEXT, now=100.9)
    assert d.events_received() == [] and d.echoes == 1


def test_echoes_come_back_in_order_and_a_lost_one_is_forgotten() -> None:
    show, ring = show_number(5, 12), beep(5)
    d = PadBusDecoder()
    d.sent(show, now=0.0)
    d.sent(ring, now=0.0)
    d.receive_data(ring, now=0.1)  # the echo of `show` was lost to noise
    assert d.events_received() == [] and d.echoes == 1
    d.receive_data(show, now=0.2)  # so this one came from somewhere else
    assert [f.raw for f in d.events_received()] == [show]


def test_echo_memory_is_bounded_and_a_zero_window_disables_it() -> None:
    d = PadBusDecoder(remember=2)
    frames = [show_number(1, n) for n in range(3)]
    for f in frames:
        d.sent(f, now=0.0)
    d.receive_data(frames[0], now=0.0)  # forgotten: only the last two are remembered
    assert [f.raw for f in d.events_received()] == [frames[0]]
    off = PadBusDecoder(echo_window_s=0)
    off.sent(frames[0], now=0.0)
    off.receive_data(frames[0], now=0.0)
    assert [f.raw for f in off.events_received()] == [frames[0]]
    with pytest.raises(ValueError):
        PadBusDecoder(echo_window_s=-1)


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
        d.receive_data(noise[i : i + chunk], now=0.0)
    assert all(frame_is_valid(f) for f in d.events_received())


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("sent"), st.tuples(addresses, commands, st.binary(max_size=6))),
            st.tuples(st.just("noise"), st.binary(max_size=40)),
            st.tuples(st.just("frame"), st.tuples(addresses, commands, st.binary(max_size=6))),
        ),
        max_size=20,
    ),
    st.lists(st.floats(0, 5), min_size=20, max_size=20),
)
def test_echo_tracking_under_noise_never_raises(steps: list[tuple[str, object]], gaps: list[float]) -> None:
    d = PadBusDecoder(echo_window_s=1.0, remember=4)
    now = 0.0
    for (what, arg), gap in zip(steps, gaps, strict=False):
        now += gap
        if what == "sent":
            d.sent(build_frame(*arg), now=now)  # type: ignore[misc]
        elif what == "noise":
            d.receive_data(arg, now=now)  # type: ignore[arg-type]
        else:
            d.receive_data(build_frame(*arg), now=now)  # type: ignore[misc]
        assert len(d._expected) <= 4
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
        d.receive_data(stream[i : i + 5], now=0.0)
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


# --- reading keys -----------------------------------------------------------------------


def frame(address: int, cmd: int, data: bytes) -> PadFrame:
    return PadFrame(address, cmd, data, build_frame(address, cmd, data))


@pytest.mark.parametrize("key", list(PadKey))
def test_read_every_key(key: PadKey) -> None:
    assert read_key(frame(4, KEY_CMD, bytes([key]))) == KeyPress(4, key, ())


def test_read_digits_before_the_key() -> None:
    assert read_key(frame(4, KEY_CMD, bytes([6, PadKey.CONFIRM]))) == KeyPress(4, 0x0F, (6,))
    assert read_key(frame(4, KEY_CMD, bytes([1, 2, PadKey.TRANSFER]))) == KeyPress(4, 0x13, (1, 2))
    assert read_key(frame(4, KEY_CMD, bytes([10, PadKey.CONFIRM]))) is None  # not a digit
    assert read_key(frame(4, KEY_CMD, b"\x20")) is None  # not a key
    assert read_key(frame(4, KEY_CMD, b"")) is None


@pytest.mark.parametrize("key", [1, 2, 3, 4, 5, 9])
def test_read_rating_keys(key: int) -> None:
    # The byte as sent: which score it stands for is the pad's ``scores`` (the controller's business).
    assert read_rating(frame(9, CMD_SCORE, bytes([key]))) == RatingKey(9, key)
    assert read_rating(frame(9, CMD_SCORE, bytes([0x11, key]))) == RatingKey(9, key)  # the last DATA byte


def test_a_frame_without_data_is_neither() -> None:
    assert read_rating(frame(9, CMD_SCORE, b"")) is None
    assert read_key(frame(9, CMD_BEEP, b"")) is None


def test_the_host_display_frames_are_no_keys() -> None:
    # Heard back from a bus whose echo is not tracked, a display frame still means nothing.
    for raw in (show_number(1, 12), show_count(1, 3), show_blank(1), beep(1)):
        (f,) = decode(raw)
        assert read_key(f) is None
