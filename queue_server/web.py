"""What the rooms' pages share: the core's public face for their HTML (it imports no room).

    templates(directory)     a room's Jinja2 templates (HTML autoescaped)
    language(value)          ``?lang=…`` → "en" or "zh-CN" (one rule for every page)
    switch_url(request, lang) this page in the other language, every other query parameter kept
    strings(table, lang)     a room's words in that language

Every page is Simplified Chinese first; ``?lang=en`` (any value starting with "en", any case)
picks English.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Final, TypeVar

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.templating import Jinja2Templates

ZH: Final = "zh-CN"
EN: Final = "en"

V = TypeVar("V")


def templates(directory: str | os.PathLike[str]) -> Jinja2Templates:
    """The templates under ``directory``, HTML autoescaped."""
    env = Environment(loader=FileSystemLoader(directory), autoescape=select_autoescape(["html"]))
    return Jinja2Templates(env=env)


def language(value: str | None) -> str:
    """``EN`` for any value starting with "en" (any case), else ``ZH``."""
    return EN if (value or "").lower().startswith("en") else ZH


def switch_url(request: Request, lang: str) -> str:
    """The path and query of this page in the language other than ``lang`` (the page's own):
    ``lang=en`` added, or removed on an English page. The other query parameters stay as they
    came, URL-encoded."""
    url = request.url.remove_query_params("lang") if language(lang) == EN else request.url.include_query_params(lang=EN)
    return f"{url.path}?{url.query}" if url.query else url.path


def strings(table: Mapping[str, V], lang: str) -> V:
    """``table``'s entry for ``lang`` (by the rule of ``language``)."""
    return table[language(lang)]


__all__ = ["EN", "ZH", "language", "strings", "switch_url", "templates"]
