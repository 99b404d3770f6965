"""QR codes as inline SVG, made on the server (no script from the internet)."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import segno


def same_origin_path(path: str) -> bool:
    """Only a relative path of this server (``/t/12?token=…``), never another site."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return False
    parts = urlsplit(path)
    return not parts.scheme and not parts.netloc and len(path) <= 500


def svg(url: str, scale: int = 6) -> str:
    """A standalone SVG document (with its namespace, so an <img> can show it)."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        out, kind="svg", scale=scale, border=2, dark="#000", light="#fff", xmldecl=False, nl=False, title=url
    )
    return out.getvalue().decode()
