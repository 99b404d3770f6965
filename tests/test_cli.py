"""The command line as a person types it: options mean the same wherever they stand, the
commands the server prints work when pasted, and a clerk account is on its hall's staff."""

from __future__ import annotations

import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx2 as httpx
import pytest

import run
from queue_server.auth.service import AuthService
from queue_server.errors import BadRequest
from queue_server.principal import Role
from queue_server.storage import Store
from tests.api.conftest import FAST
from tests.server_support import ROOT, serve


def hallq(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=60
    )


def users(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT username FROM staff_user ORDER BY username")]


@pytest.mark.parametrize(
    "argv",
    [
        ["--db", "sqlite:///x.db", "serve"],
        ["serve", "--db", "sqlite:///x.db"],
        ["--db", "sqlite:///x.db", "user", "add", "a", "--role", "admin"],
        ["user", "--db", "sqlite:///x.db", "add", "a", "--role", "admin"],
        ["user", "add", "a", "--role", "admin", "--db", "sqlite:///x.db"],
        ["--db", "sqlite:///x.db", "token", "list"],
        ["token", "list", "--db", "sqlite:///x.db"],
        ["--db", "sqlite:///x.db", "agent", "--server", "http://127.0.0.1:1"],
        ["agent", "--server", "http://127.0.0.1:1", "--db", "sqlite:///x.db"],
    ],
)
def test_db_and_config_mean_the_same_wherever_they_are_given(argv: list[str]) -> None:
    args = run.parser().parse_args(argv)
    assert args.db == "sqlite:///x.db"
    with_config = run.parser().parse_args([*argv, "--config", "h.toml"])
    assert with_config.config == "h.toml" and with_config.db == "sqlite:///x.db"


@pytest.mark.parametrize("argv", [["--port", "9001", "serve"], ["serve", "--port", "9001"], ["--port", "9001"]])
def test_serve_options_before_or_after_serve(argv: list[str]) -> None:
    args = run.parser().parse_args(argv)
    assert args.port == 9001 and args.host == "127.0.0.1" and args.workers == 1


def test_defaults_hold_when_nothing_is_given() -> None:
    args = run.parser().parse_args(["user", "add", "a", "--role", "admin"])
    assert args.db == run.DEFAULT_DB or args.db == run.os.environ.get(run.ENV_DB)
    assert args.config is None


def test_the_db_given_before_the_command_is_the_one_written(tmp_path: Path) -> None:
    for i, placement in enumerate(
        [
            ["--db", f"sqlite:///{tmp_path}/a.db", "user", "add", "u0", "--role", "admin"],
            ["user", "add", "u1", "--role", "admin", "--db", f"sqlite:///{tmp_path}/a.db"],
        ]
    ):
        done = hallq(*placement, cwd=tmp_path, stdin="pw-long-enough\n")
        assert done.returncode == 0, done.stderr
        assert users(tmp_path / "a.db") == [f"u{n}" for n in range(i + 1)]
    assert not (tmp_path / "data").exists()  # the default database was never touched


def staff_logins(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT login FROM staff WHERE hall = 'demo' ORDER BY login")]


def test_a_clerk_account_joins_the_halls_staff(tmp_path: Path) -> None:
    """A clerk account and a staff member are one thing: a new login joins the hall's staff
    registry (so it can open a window), a login already there is linked, and a manager's
    account needs no staff entry."""
    db = f"sqlite:///{tmp_path}/h.db"
    made = hallq(
        "user", "add", "li", "--role", "clerk", "--hall", "demo", "--db", db, cwd=tmp_path, stdin="pw-long-enough\n"
    )
    assert made.returncode == 0, made.stderr
    assert "on the staff of hall demo now" in made.stdout
    assert "li" in staff_logins(tmp_path / "h.db")
    before = staff_logins(tmp_path / "h.db")
    linked = hallq(
        "user", "add", "zhangwei", "--role", "clerk", "--hall", "demo", "--db", db, cwd=tmp_path,
        stdin="pw-long-enough\n",
    )  # fmt: skip
    assert linked.returncode == 0, linked.stderr
    assert "linked to zhangwei" in linked.stdout and staff_logins(tmp_path / "h.db") == before
    boss = hallq(
        "user", "add", "wang", "--role", "manager", "--hall", "demo", "--db", db, cwd=tmp_path, stdin="pw-long-enough\n"
    )
    assert boss.returncode == 0, boss.stderr
    assert "wang" not in staff_logins(tmp_path / "h.db")
    assert users(tmp_path / "h.db") == ["li", "wang", "zhangwei"]


def test_the_first_start_hint_works_when_pasted(tmp_path: Path) -> None:
    """The server prints how to make the first account; that line, run by a shell in the same
    directory, makes an administrator who can then sign in."""
    log = tmp_path / "server.log"
    db = f"sqlite:///{tmp_path}/demo.db"
    with serve(db, tmp_path, log=log) as base:
        printed = log.read_text("utf-8").splitlines()
        (hint,) = [line.strip() for line in printed if "user add admin --role admin" in line]
        assert not hint.startswith("python ")  # a bare `python` may not have the project installed
        done = subprocess.run(
            hint, shell=True, cwd=tmp_path, input="first admin pw\n", capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        r = httpx.post(f"{base}/api/auth/login", json={"username": "admin", "password": "first admin pw"})
        assert r.status_code == 200, r.text
    assert shlex.split(hint)[0].endswith(("hallq", "python", "python3"))


def test_the_hallq_script_is_installed_next_to_the_interpreter() -> None:
    script = Path(sys.prefix) / "bin" / "hallq"
    assert script.exists(), "pip install -e . installs the hallq console script"
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "serve" in done.stdout and str(script.name) in done.stdout


BAD_LOGINS = ["", "../../etc/passwd", "li\nroot", " li", "li ", "l\u200bi", "l\u202eil", "x" * 100, "..", "张伟"]


@pytest.mark.parametrize("name", BAD_LOGINS)
def test_no_account_is_made_with_a_login_that_could_never_sign_in(store: Store, name: str) -> None:
    auth = AuthService(store.accounts, FAST)
    with pytest.raises(BadRequest, match="1 to 64 letters"):
        auth.create_user(name, "pw-long-enough", Role.ADMIN, None)
    assert store.accounts.count_users() == 0


def test_user_add_says_why_a_login_is_refused(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/h.db"
    done = hallq(
        "user", "add", "../../etc/passwd", "--role", "admin", "--db", db, cwd=tmp_path, stdin="pw-long-enough\n"
    )
    assert done.returncode == 2 and "1 to 64 letters" in done.stderr and "Traceback" not in done.stderr
    assert users(tmp_path / "h.db") == []


def test_what_an_operator_does_at_the_console_is_in_the_audit_log(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/a.db"
    assert hallq("--db", db, "user", "add", "boss", "--role", "manager", "--hall", "demo", cwd=tmp_path,
                 stdin="pw-long-enough\n").returncode == 0  # fmt: skip
    made = hallq("--db", db, "token", "add", "--kind", "display", "--hall", "demo", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    refused = hallq("--db", db, "token", "revoke", "999", cwd=tmp_path)
    assert refused.returncode == 2
    with sqlite3.connect(tmp_path / "a.db") as conn:
        rows = conn.execute("SELECT actor, action, outcome, hall FROM audit ORDER BY id").fetchall()
    assert rows == [
        ("cli", "account.create", "ok", "demo"),
        ("cli", "token.create", "ok", "demo"),
        ("cli", "token.revoke", "rejected", None),
    ]
