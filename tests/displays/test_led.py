"""LED screen text: widths, encoding refusals, scrolling, the window/hall lines and the frames they become."""

from __future__ import annotations

import pytest

from displays.led import (
    ScreenLine,
    UnshowableText,
    call_line,
    columns,
    encode,
    fit,
    hall_screen_lines,
    window_screen_lines,
)
from hardware.led_frames import Geometry, screen_frames
from hardware.onbon import BUFFER_5TH_GEN, DisplayMode, OnbonDecoder, TextArea, parse_dynamic_area, px

WINDOW = Geometry()  # 128×32, 16 px font: 16 columns, 2 rows


def test_columns() -> None:
    assert columns("") == 0
    assert columns("A017") == 4
    assert columns("3号窗口") == 7
    assert columns("请，稍候！") == 10  # full-width punctuation is double-byte too
    assert columns("→") == 2


def test_encode() -> None:
    assert encode("欢迎光临", "gb2312") == bytes.fromhex("bb b6 d3 ad b9 e2 c1 d9")
    assert encode("A017 号", "GBK") == "A017 号".encode("gbk")
    assert encode("", "gb2312") == b""


def test_encode_refuses_with_char_and_position() -> None:
    with pytest.raises(UnshowableText) as caught:
        encode("请A𠀀号", "gb2312")
    error = caught.value
    assert (error.text, error.char, error.position, error.encoding) == ("请A𠀀号", "𠀀", 2, "gb2312")
    message = str(error)
    assert message.startswith("屏幕字库不支持“𠀀”(第3个字符) / ")
    assert "gb2312" in message and "character 3" in message and "请A𠀀号" in message
    assert isinstance(error, ValueError)


def test_gbk_shows_more_than_gb2312() -> None:
    # 喆 (a name character) is in GBK but not in GB2312.
    assert encode("王喆", "gbk") == "王喆".encode("gbk")
    with pytest.raises(UnshowableText) as caught:
        encode("王喆", "gb2312")
    assert caught.value.position == 1


@pytest.mark.parametrize(("text", "position"), [("A\n1", 1), ("\t", 0), ("号\x7f", 1), ("x\u200b", 1)])
def test_encode_refuses_control_characters(text: str, position: int) -> None:
    with pytest.raises(UnshowableText) as caught:
        encode(text, "gbk")
    assert caught.value.position == position
    assert "U+" in str(caught.value)


def test_encode_rejects_unknown_encodings() -> None:
    with pytest.raises(ValueError, match="encoding"):
        encode("A", "utf-8")


def test_fit() -> None:
    assert fit("到3号窗口办理", 16) == ScreenLine("到3号窗口办理", scroll=False)
    assert fit("一二三四五六七八", 16) == ScreenLine("一二三四五六七八", scroll=False)
    # 17 columns: one more than fits; the text is kept whole and scrolls.
    assert fit("一二三四五六七八A", 16) == ScreenLine("一二三四五六七八A", scroll=True)
    assert fit("A" * 16, 15).scroll


def test_call_line() -> None:
    assert call_line("A017", 3) == "A017 → 3号窗口"
    assert call_line("A017", 3, lang="en") == "A017 → Window 3"
    with pytest.raises(ValueError):
        call_line("A017", 3, lang="fr")


@pytest.mark.parametrize(
    ("number", "state", "waiting", "lines"),
    [
        ("A017", "open", 4, ["请 A017 号", "到3号窗口办理"]),
        (None, "open", 0, ["3号窗口", "欢迎光临"]),
        (None, "open", 5, ["3号窗口", "等候 5 人"]),
        ("A017", "paused", 2, ["3号窗口", "暂停服务"]),
        (None, "closed", 0, ["3号窗口", "暂停办理"]),
    ],
)
def test_window_screen_lines(number: str | None, state: str, waiting: int, lines: list[str]) -> None:
    assert window_screen_lines(number, 3, state, waiting) == lines


@pytest.mark.parametrize("state", ["open", "paused", "closed"])
def test_window_lines_fit_a_small_screen_without_scrolling(state: str) -> None:
    for number in ("A017", None):
        lines = window_screen_lines(number, 12, state, 999)
        assert len(lines) == WINDOW.rows
        assert all(not fit(line, WINDOW.columns).scroll for line in lines)
        for line in lines:
            encode(line, "gb2312")


@pytest.mark.parametrize(
    ("reason", "line"),
    [
        ("午休，请到 3 号窗口办理 / Lunch break, please go to window 3", "午休 请到3号窗口"),
        ("午休，请到 12 号窗口办理 / Lunch break, please go to window 12", "午休请到12号窗口"),
        ("午休，请到其他窗口办理 / Lunch break, please go to another window", "午休请到其他窗口"),
        ("系统维护 / Maintenance", "系统维护"),
        ("系统升级维护中，请前往其他窗口办理", "暂停服务"),  # wider than the screen: never scrolled or cut
        ("喝茶☕", "暂停服务"),  # not in the font
        (None, "暂停服务"),
        ("", "暂停服务"),
    ],
)
def test_a_paused_window_shows_its_reason_when_it_fits(reason: str | None, line: str) -> None:
    lines = window_screen_lines(None, 12, "paused", 3, reason)
    assert lines == ["12号窗口", line]
    assert not fit(line, WINDOW.columns).scroll
    encode(line, "gb2312")
    # Only a paused window says why.
    assert window_screen_lines(None, 12, "open", 0, reason) == ["12号窗口", "欢迎光临"]


def test_window_lines_reject_unknown_state() -> None:
    with pytest.raises(ValueError, match="state"):
        window_screen_lines(None, 1, "busy", 0)


def test_hall_screen_lines() -> None:
    calls = [("A017", 3), ("B002", 1), ("A016", 2)]
    assert hall_screen_lines(calls, 2) == ["A017 → 3号窗口", "B002 → 1号窗口"]
    assert hall_screen_lines(calls[:1], 3) == ["A017 → 3号窗口", "", ""]
    assert hall_screen_lines([], 0) == []
    assert hall_screen_lines([], 2) == ["欢迎光临", ""]


def test_geometry() -> None:
    assert (WINDOW.columns, WINDOW.rows) == (16, 2)
    assert (Geometry(width_px=256, height_px=96, font_px=32).columns, Geometry(height_px=96).rows) == (16, 6)


def decode_screen(frames: list[bytes]) -> list[TextArea]:
    decoder = OnbonDecoder()
    for frame in frames:
        decoder.receive_data(frame)
    assert decoder.dropped == 0
    return [area for frame in decoder.events_received() for area in parse_dynamic_area(frame).areas]


def test_window_screen_frames_decode_to_the_lines() -> None:
    lines = window_screen_lines("A017", 3, "open", 0)
    areas = decode_screen(screen_frames(0x0001, lines, WINDOW))
    assert [area.text.decode("gb2312") for area in areas] == lines
    assert [area.display_mode for area in areas] == [DisplayMode.STATIC, DisplayMode.STATIC]
    assert [(a.area_id, a.x, a.y, a.width, a.height) for a in areas] == [
        (0, px(0), 0, px(128), 16),
        (1, px(0), 16, px(128), 16),
    ]


def test_a_line_too_wide_scrolls() -> None:
    wide = call_line("A1017", 12)  # 17 columns on a 16-column screen
    areas = decode_screen(screen_frames(0x0001, [wide, "短"], WINDOW))
    assert [area.display_mode for area in areas] == [DisplayMode.SCROLL_LEFT, DisplayMode.STATIC]
    assert areas[0].text.decode("gb2312") == wide
    assert not areas[0].multi_line


def test_unshowable_text_propagates() -> None:
    with pytest.raises(UnshowableText):
        screen_frames(0x0001, ["请 A017 号", "王喆"], WINDOW)
    assert decode_screen(screen_frames(0x0001, ["王喆"], Geometry(encoding="gbk")))[0].text == "王喆".encode("gbk")


def test_too_many_lines() -> None:
    with pytest.raises(ValueError, match="2 rows"):
        screen_frames(0x0001, ["a", "b", "c"], WINDOW)


def test_large_hall_screen_is_split_by_buffer_size() -> None:
    hall = Geometry(width_px=512, height_px=640, font_px=32, buffer_size=BUFFER_5TH_GEN)
    calls = [(f"A{n:03d}", n % 9 + 1) for n in range(hall.rows, 0, -1)]
    lines = hall_screen_lines(calls, hall.rows)
    frames = screen_frames(0xFFFE, lines, hall)
    assert len(frames) > 1 and all(len(frame) <= BUFFER_5TH_GEN for frame in frames)
    areas = decode_screen(frames)
    assert [area.text.decode("gb2312") for area in areas] == lines
    assert [area.area_id for area in areas] == list(range(hall.rows))
