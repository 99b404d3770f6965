"""`hallq user unlock NAME` clears an account's sign-in throttle from the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from queue_server.auth.service import AuthService
from queue_server.config import demo_config
from queue_server.errors import TooManyRequests, Unauthorized
from queue_server.principal import Role
from queue_server.storage import open_store
from tests.api.conftest import FAST
from tests.server_support import ROOT

PASSWORD = "counter one secret"


def hallq(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_user_unlock_clears_the_throttle_and_is_audited(db_url: str, tmp_path: Path) -> None:
    store = open_store(db_url)
    try:
        store.sync_halls(demo_config())
        auth = AuthService(store.accounts, FAST)
        auth.create_user("zhangwei", PASSWORD, Role.CLERK, "demo")
        for _ in range(5):
            with pytest.raises(Unauthorized):
                auth.login("zhangwei", "a wrong guess", "10.0.0.8", bearer=True)
        with pytest.raises(TooManyRequests):
            auth.login("zhangwei", PASSWORD, "10.0.0.8", bearer=True)

        done = hallq("user", "unlock", "zhangwei", "--db", db_url, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "unlocked zhangwei" in done.stdout and "1 address" in done.stdout
        assert auth.login("zhangwei", PASSWORD, "10.0.0.8", bearer=True).principal.name == "zhangwei"
        (record,) = store.accounts.audit_log("demo", action="account.unlock")
        assert (record.actor, record.target, record.outcome) == ("cli", "zhangwei", "ok")

        unknown = hallq("user", "unlock", "nobody", "--db", db_url, cwd=tmp_path)
        assert unknown.returncode == 2 and "no account 'nobody'" in unknown.stderr
    finally:
        store.close()
