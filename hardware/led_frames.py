"""Turns the lines of an LED screen into Onbon dynamic-area frames: one area per text row.

Joins the layout of ``displays.led`` (widths, encodings, scrolling) to the ``hardware.onbon``
codec, given the screen's geometry; a line that does not fit scrolls instead of being cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from displays import led

from . import onbon


@dataclass(frozen=True, slots=True)
class Geometry:
    """A screen's size in pixels, its font height, text encoding and receive buffer."""

    width_px: int = 128
    height_px: int = 32
    font_px: int = 16
    encoding: str = "gb2312"
    buffer_size: int = onbon.BUFFER_6TH_GEN

    def __post_init__(self) -> None:
        if self.font_px < 2 or self.font_px % 2:
            raise ValueError(f"font_px must be an even number of pixels, got {self.font_px}")
        if not 0 < self.width_px < 0x8000 or not 0 < self.height_px < 0x8000:
            raise ValueError(f"screen of {self.width_px}×{self.height_px} pixels is out of range")
        if self.encoding.lower() not in led.ENCODINGS:
            raise ValueError(f"encoding must be one of {led.ENCODINGS}, got {self.encoding!r}")

    @property
    def columns(self) -> int:
        """Half-width (ASCII) characters per row."""
        return self.width_px // (self.font_px // 2)

    @property
    def rows(self) -> int:
        return self.height_px // self.font_px


def _area(row: int, text: str, geometry: Geometry) -> onbon.TextArea:
    line = led.fit(text, geometry.columns)
    return onbon.TextArea(
        area_id=row,
        x=onbon.px(0),
        # y and height are always pixels; the vendor's golden vector sends them without bit 15.
        y=row * geometry.font_px,
        width=onbon.px(geometry.width_px),
        height=geometry.font_px,
        text=led.encode(text, geometry.encoding),
        # Single-line areas: a long line must scroll sideways, not wrap into a row it does not own.
        multi_line=False,
        display_mode=onbon.DisplayMode.SCROLL_LEFT if line.scroll else onbon.DisplayMode.STATIC,
    )


def screen_frames(address: int, lines: Sequence[str], geometry: Geometry) -> list[bytes]:
    """Frames putting ``lines`` (row 0 first) on the screen at ``address``, split by its buffer size."""
    if len(lines) > geometry.rows:
        raise ValueError(f"{len(lines)} lines do not fit a screen of {geometry.rows} rows")
    areas = [_area(row, text, geometry) for row, text in enumerate(lines)]
    return onbon.dynamic_area_frames(address, areas, buffer_size=geometry.buffer_size)
