"""Text layout for the LED window and hall screens: what each line says and whether the screen can show it.

Pure functions, no I/O. LED font cards draw a GB2312/GBK double-byte character two columns wide and
ASCII one column wide; a character outside the screen's font is an error for the manager to see,
never a silent '?'. ``hardware.led_frames`` turns these lines into Onbon frames.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

ENCODINGS = ("gb2312", "gbk")
WINDOW_STATES = ("open", "paused", "closed")
WINDOW_SCREEN_COLS = 16  # a 128×32 window screen: two lines of 16 columns
# The lunch handover's pause reason: "午休，请到 N 号窗口办理 / Lunch break, please go to window N".
LUNCH_TO = re.compile(r"^午休.*?请到\s*(\d+)\s*号窗口")


class UnshowableText(ValueError):
    """Text with a character the screen's font cannot show (or a control character)."""

    def __init__(self, text: str, char: str, position: int, encoding: str) -> None:
        self.text = text
        self.char = char
        self.position = position  # index into text; messages count from 1
        self.encoding = encoding
        shown = char if char.isprintable() else f"U+{ord(char):04X}"
        super().__init__(
            f"屏幕字库不支持“{shown}”(第{position + 1}个字符) / "
            f"the screen's {encoding} font cannot show {shown!r} (character {position + 1}) in {text!r}"
        )


def _char_columns(char: str) -> int:
    try:
        return len(char.encode("gbk"))
    except UnicodeEncodeError:
        # Not on any font card; width only matters for layout of a line that will be refused anyway.
        return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def columns(text: str) -> int:
    """Display width in columns: 2 for a double-byte GB2312/GBK character, 1 for ASCII."""
    return sum(_char_columns(char) for char in text)


def _codec(encoding: str) -> str:
    codec = encoding.lower()
    if codec not in ENCODINGS:
        raise ValueError(f"screen encoding must be one of {ENCODINGS}, got {encoding!r}")
    return codec


def encode(text: str, encoding: str) -> bytes:
    """``text`` in the screen's encoding ("gb2312" or "gbk"); UnshowableText names the first bad character."""
    codec = _codec(encoding)
    for position, char in enumerate(text):
        # Control characters would be sent as raw bytes that the font card interprets or garbles.
        if unicodedata.category(char).startswith("C"):
            raise UnshowableText(text, char, position, codec)
    try:
        return text.encode(codec)
    except UnicodeEncodeError as error:
        raise UnshowableText(text, text[error.start], error.start, codec) from None


@dataclass(frozen=True, slots=True)
class ScreenLine:
    """One line of a screen: the text unchanged, scrolling when it is wider than the screen."""

    text: str
    scroll: bool


def fit(text: str, width_cols: int) -> ScreenLine:
    """The line as shown on a screen ``width_cols`` wide: never cut, scrolled when too wide."""
    if width_cols <= 0:
        raise ValueError(f"screen width must be positive, got {width_cols} columns")
    return ScreenLine(text=text, scroll=columns(text) > width_cols)


def call_line(number: str, window: int, lang: str = "zh") -> str:
    """One call: "A017 → 3号窗口" (en: "A017 → Window 3")."""
    if lang == "zh":
        return f"{number} → {window}号窗口"
    if lang == "en":
        return f"{number} → Window {window}"
    raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")


def paused_line(reason: str | None, width_cols: int = WINDOW_SCREEN_COLS) -> str:
    """What a paused window's screen says: the reason's Chinese part ("中文 / English") when the
    screen can show it whole (a lunch break in its short form: 午休 请到5号窗口), else 暂停服务."""
    zh = (reason or "").split(" / ")[0].strip()
    lunch = LUNCH_TO.match(zh)
    to = f"{lunch.group(1)}号窗口" if lunch else "其他窗口"
    candidates = [f"午休 请到{to}", f"午休请到{to}", zh, "午休 暂停服务"] if zh.startswith("午休") else [zh]
    for text in candidates:
        if text and columns(text) <= width_cols and _showable(text):
            return text
    return "暂停服务"


def _showable(text: str) -> bool:
    try:
        encode(text, "gb2312")  # every font card has GB2312
    except UnshowableText:
        return False
    return True


def window_screen_lines(
    number: str | None, window: int, state: str, waiting: int, reason: str | None = None
) -> list[str]:
    """The two lines above window ``window`` (each at most 16 columns for a 128×32 screen).

    ``state`` is the window's state ("open", "paused", "closed"); ``number`` its called ticket, if any;
    ``reason`` a paused window's pause reason. An open window with no ticket shows the waiting count
    when people are waiting.
    """
    if state not in WINDOW_STATES:
        raise ValueError(f"window state must be one of {WINDOW_STATES}, got {state!r}")
    if waiting < 0:
        raise ValueError(f"waiting count cannot be negative, got {waiting}")
    name = f"{window}号窗口"
    if state == "closed":
        return [name, "暂停办理"]
    if state == "paused":
        return [name, paused_line(reason)]
    if number is not None:
        return [f"请 {number} 号", f"到{window}号窗口办理"]
    return [name, f"等候 {waiting} 人" if waiting else "欢迎光临"]


def hall_screen_lines(calls: Sequence[tuple[str, int]], rows: int) -> list[str]:
    """One call_line per row for (number, window) ``calls`` given newest first, padded with "" to ``rows``
    (欢迎光临 on the first row before any call)."""
    if rows < 0:
        raise ValueError(f"rows cannot be negative, got {rows}")
    lines = [call_line(number, window) for number, window in calls[:rows]]
    if not lines and rows:
        lines = ["欢迎光临"]  # a morning before the first call: not a dark screen
    return lines + [""] * (rows - len(lines))
