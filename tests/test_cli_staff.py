"""The staff registry from the console: `hallq staff list|add|set|deactivate`, audited as the
console's actor, each refusal a message and exit code 2 with nothing stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import run


def hallq(db: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run.main(["--db", f"sqlite:///{db}", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def audit(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT actor, action, outcome FROM audit WHERE action LIKE 'staff.%' ORDER BY id")
        return [tuple(r) for r in rows]


def test_add_change_list_and_deactivate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "h.db"
    code, out, _ = hallq(db, "staff", "add", "qianwei", "--hall", "demo", "--name", "钱伟", "--department", "人社",
                         "--skills", "A,B:1.5", "--partner", "zhangwei", capsys=capsys)  # fmt: skip
    assert code == 0 and "added qianwei" in out
    assert "one-time password" in out  # no account was there: a clerk account was made
    code, out, _ = hallq(db, "staff", "list", "--hall", "demo", capsys=capsys)
    row = next(line.split("\t") for line in out.splitlines() if line.startswith("qianwei\t"))
    assert row == ["qianwei", "钱伟", "人社", "A,B:1.5", "zhangwei", "active"]
    assert any(line.startswith("zhangwei\t") and line.split("\t")[4] == "qianwei" for line in out.splitlines())

    assert hallq(db, "staff", "set", "qianwei", "--hall", "demo", "--skills", "H:0.8", "--partner", "-",
                 capsys=capsys)[0] == 0  # fmt: skip
    _, out, _ = hallq(db, "staff", "list", "--hall", "demo", capsys=capsys)
    row = next(line.split("\t") for line in out.splitlines() if line.startswith("qianwei\t"))
    assert row[3:5] == ["H:0.8", "-"] and row[2] == "人社"  # what was not given is kept

    assert hallq(db, "staff", "deactivate", "qianwei", "--hall", "demo", capsys=capsys)[0] == 0
    _, out, _ = hallq(db, "staff", "list", "--hall", "demo", capsys=capsys)
    assert next(line for line in out.splitlines() if line.startswith("qianwei\t")).endswith("\tinactive")
    assert [a for a in audit(db) if a[0] == "cli"] == [
        ("cli", "staff.create", "ok"), ("cli", "staff.update", "ok"), ("cli", "staff.deactivate", "ok")
    ]  # fmt: skip


def test_refusals_say_what_and_store_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "h.db"
    code, _, err = hallq(db, "staff", "add", "zhangwei", "--hall", "demo", capsys=capsys)
    assert code == 2 and "zhangwei" in err  # already on the staff
    code, _, err = hallq(db, "staff", "set", "nobody", "--hall", "demo", "--name", "x", capsys=capsys)
    assert code == 2 and "nobody" in err
    code, _, err = hallq(db, "staff", "add", "q2", "--hall", "demo", "--skills", "ZZ", capsys=capsys)
    assert code == 2 and "ZZ" in err
    _, out, _ = hallq(db, "staff", "list", "--hall", "demo", capsys=capsys)
    assert "q2\t" not in out
    with pytest.raises(SystemExit):
        run.main(["--db", f"sqlite:///{db}", "staff", "add", "q3", "--hall", "demo", "--skills", "A:x"])
    assert "weight is not a number" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="unknown hall"):
        run.main(["--db", f"sqlite:///{db}", "staff", "list", "--hall", "nowhere"])
    assert [a[2] for a in audit(db) if a[0] == "cli"] == ["rejected", "rejected", "rejected"]
