"""Ticket slips rendered to ESC/POS and read back; printer status replies."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from escpos import constants as esc
from escpos.printer import Dummy
from hypothesis import given, settings
from hypothesis import strategies as st

from hardware.printer import (
    CHINESE_OFF,
    CHINESE_ON,
    STATUS_ONLINE_QUERY,
    STATUS_PAPER_QUERY,
    PrinterOptions,
    PrinterStatus,
    SlipParser,
    TicketSlip,
    parse_online,
    parse_paper,
    parse_status,
    render_slip,
    status_reply,
    text_bytes,
    wrap,
)

URL = "https://hall.example.cn/t/1234?token=Zm9vYmFy"
SLIP = TicketSlip(
    hall_name="市民中心政务服务大厅",
    number="A012",
    service_name="社保业务（医保）",
    ahead=3,
    issued_at=datetime(2024, 5, 6, 9, 7),
    track_url=URL,
)

GS_V0 = b"\x1dv0"
GS_K = b"\x1d(k"


def parse(data: bytes, chunk: int | None = None) -> SlipParser:
    parser = SlipParser()
    step = chunk or len(data) or 1
    for i in range(0, len(data), step):
        parser.feed(data[i : i + step])
    return parser


def test_slip_reads_back() -> None:
    raw = render_slip(SLIP)
    assert raw.startswith(esc.HW_INIT)
    parser = parse(raw)
    assert parser.text_lines[0] == "市民中心政务服务大厅"
    for line in ("A012", "社保业务（医保）", "前面还有 3 人", "2024-05-06 09:07", "请留意叫号，过号需重新排队"):
        assert line in parser.text_lines
    assert parser.qr_payloads == [URL]
    assert parser.images == 0
    assert parser.cuts == 1
    assert GS_K in raw and GS_V0 not in raw
    assert b"\x1d!\x11" in raw  # the number in double width and height


def test_a_slip_says_when_no_window_serves_the_service_right_now() -> None:
    plain = parse(render_slip(SLIP)).text_lines
    assert "暂无窗口办理此业务，请留意叫号" not in plain
    closed = replace(SLIP, no_open_window=True)
    lines = parse(render_slip(closed)).text_lines
    assert "暂无窗口办理此业务，请留意叫号" in lines and "前面还有 3 人" in lines
    bilingual = parse(render_slip(closed, PrinterOptions(bilingual=True))).text_lines
    assert "No window serves this right now" in bilingual


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 64))
def test_slip_reads_back_in_any_chunks(chunk: int) -> None:
    raw = render_slip(SLIP)
    whole = parse(raw)
    parts = parse(raw, chunk)
    assert (parts.text_lines, parts.qr_payloads, parts.cuts) == (whole.text_lines, whole.qr_payloads, whole.cuts)


def test_chinese_goes_out_as_gb18030_in_chinese_mode() -> None:
    raw = render_slip(SLIP)
    assert CHINESE_ON + "社保业务（医保）".encode("gb18030") + CHINESE_OFF in raw
    assert CHINESE_ON + "前面还有".encode("gb18030") + CHINESE_OFF + b" 3 " + CHINESE_ON in raw
    assert b"A012" in raw  # ASCII as ASCII
    assert "社保".encode() not in raw


@pytest.mark.parametrize(
    ("text", "escpos_loses_it"), [("（）：", True), ("〇", True), ("𠀀", True), ("〇号窗口（𠀀）", False), ("·", False)]
)
def test_rare_characters_and_punctuation(text: str, escpos_loses_it: bool) -> None:
    # What escpos's own text() does (see hardware/printer.py): "?" unless the text has a
    # character in U+4E00–U+9FA5, and never Chinese mode.
    probe = Dummy()
    probe.text(text)
    assert (b"?" in probe.output) is escpos_loses_it
    assert CHINESE_ON not in probe.output
    encoded = text_bytes(text)
    assert encoded == CHINESE_ON + text.encode("gb18030") + CHINESE_OFF
    assert b"?" not in encoded
    slip = TicketSlip("大厅", "B001", text, 0, SLIP.issued_at, URL)
    assert text in parse(render_slip(slip)).text_lines


def test_four_byte_gb18030() -> None:
    assert len("𠀀".encode("gb18030")) == 4
    assert text_bytes("A𠀀B") == b"A" + CHINESE_ON + "𠀀".encode("gb18030") + CHINESE_OFF + b"B"


def test_control_characters_cannot_become_commands() -> None:
    assert text_bytes("A\x1bd\x05\nB") == b"A d\x05 B".replace(b"\x05", b" ")
    assert b"\x1b" not in text_bytes("\x1b\x1d\x1c")


def test_image_qr_fallback() -> None:
    raw = render_slip(SLIP, PrinterOptions(native_qr=False))
    assert GS_V0 in raw and GS_K not in raw
    parser = parse(raw)
    assert parser.images == 1 and parser.qr_payloads == []
    assert "前面还有 3 人" in parser.text_lines
    # GS v 0 m xL xH yL yH: as wide as the paper (32 columns × 12 dots = 384 dots = 48 bytes).
    at = raw.index(GS_V0)
    assert raw[at + 4] | raw[at + 5] << 8 == 48


def test_image_qr_shrinks_to_fit_a_long_link() -> None:
    slip = TicketSlip("大厅", "B001", "业务", 0, SLIP.issued_at, URL + "x" * 300)
    raw = render_slip(slip, PrinterOptions(native_qr=False, qr_size=16))
    assert parse(raw).images == 1


def test_options() -> None:
    uncut = parse(render_slip(SLIP, PrinterOptions(cut=False)))
    assert uncut.cuts == 0
    wide = render_slip(SLIP, PrinterOptions(width_chars=48))
    assert b"-" * 48 + b"\n" in wide
    bilingual = parse(render_slip(SLIP, PrinterOptions(bilingual=True)))
    assert "3 ahead of you" in bilingual.text_lines
    sized = render_slip(SLIP, PrinterOptions(qr_size=8))
    assert b"\x1d(k\x03\x001C\x08" in sized
    with pytest.raises(ValueError):
        PrinterOptions(qr_size=0)
    with pytest.raises(ValueError):
        PrinterOptions(width_chars=8)


@pytest.mark.parametrize("native", [True, False])
def test_no_link_no_qr(native: bool) -> None:
    slip = TicketSlip("大厅", "B001", "业务", 0, SLIP.issued_at, "")
    parser = parse(render_slip(slip, PrinterOptions(native_qr=native)))
    assert (parser.qr_payloads, parser.images) == ([], 0)
    assert "前面还有 0 人" in parser.text_lines


def test_long_lines_wrap_by_columns() -> None:
    assert wrap("一二三四五六", 8) == ["一二三四", "五六"]
    assert wrap("ab一二", 4) == ["ab一", "二"]
    assert wrap("", 8) == [""]
    slip = TicketSlip("非常非常非常长的政务服务中心大厅名称一二三四五六七八九十", "A1", "业务", 1, SLIP.issued_at, URL)
    lines = parse(render_slip(slip)).text_lines
    assert lines[:2] == ["非常非常非常长的政务服务中心大厅", "名称一二三四五六七八九十"]


# --- status -----------------------------------------------------------------------------


def test_queries_are_the_escpos_ones() -> None:
    assert STATUS_ONLINE_QUERY == b"\x10\x04\x01" == esc.RT_STATUS_ONLINE
    assert STATUS_PAPER_QUERY == b"\x10\x04\x04" == esc.RT_STATUS_PAPER


def test_online_replies() -> None:
    assert parse_online(b"\x12") is True
    assert parse_online(b"\x1a") is False  # bit 3: offline
    assert parse_online(b"") is False  # no answer
    assert parse_online(b"\x1a\x12") is True  # the freshest byte counts


def test_paper_replies() -> None:
    assert parse_paper(b"\x12") == "ok"
    assert parse_paper(b"\x1e") == "low"  # near-end sensor (bits 2-3)
    assert parse_paper(b"\x72") == "out"  # roll end sensor (bits 5-6)
    assert parse_paper(b"\x7e") == "out"
    assert parse_paper(b"") == "out"


@pytest.mark.parametrize("online", [True, False])
@pytest.mark.parametrize("paper", ["ok", "low", "out"])
def test_status_reply_round_trip(online: bool, paper: str) -> None:
    online_reply, paper_reply = status_reply(online, paper)
    assert parse_status(online_reply, paper_reply) == PrinterStatus(online, paper)
    assert online_reply[0] & 0x93 == 0x12 and paper_reply[0] & 0x93 == 0x12  # the fixed bits


def test_status_reply_rejects_unknown_paper() -> None:
    with pytest.raises(ValueError):
        status_reply(True, "plenty")


def test_parser_handles_other_commands() -> None:
    p = Dummy()
    p.hw("INIT")
    p.set(align="right", bold=True, underline=1, font="b")
    p._raw(b"left\r\tx\n")
    p.barcode("123456789012", "EAN13")
    p._raw(b"\x1dL\x10\x00margin\n\x10\x04\x01")
    p.image(_tiny_image(), impl="graphics")
    p.image(_tiny_image(), impl="bitImageColumn")
    p.cut(feed=False)
    parser = parse(bytes(p.output), 3)
    assert parser.text_lines == ["leftx", "margin"]  # CR and HT print no characters
    assert parser.images == 2
    assert parser.cuts == 1


def _tiny_image() -> object:
    from PIL import Image

    return Image.new("1", (16, 16), 0)
