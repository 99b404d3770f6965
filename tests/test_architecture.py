"""The shape the README's "Architecture" promises, beyond what import-linter checks in make lint."""

from __future__ import annotations

from pathlib import Path

import queue_server

CORE = Path(queue_server.__file__).resolve().parent
MAX_LINES = 400  # a module longer than this holds more than one concept: split it


def test_no_core_module_outgrows_one_concept() -> None:
    long = {
        str(path.relative_to(CORE)): n
        for path in CORE.rglob("*.py")
        if "migrations" not in path.parts and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_every_name_of_the_public_face_is_there() -> None:
    missing = [name for name in queue_server.__all__ if not hasattr(queue_server, name)]
    assert missing == []
    assert len(set(queue_server.__all__)) == len(queue_server.__all__)
