"""The README's account and token commands work when pasted as printed (after `make run`)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.server_support import ROOT

HALLQ = Path(sys.prefix) / "bin" / "hallq"


def readme_block(after_heading: str) -> list[str]:
    """The shell lines of the first ```sh block under ``after_heading`` (comments dropped)."""
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split(after_heading, 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, f"no sh block under {after_heading}"
    lines = [line.split("  #", 1)[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line]


def test_the_accounts_and_tokens_block_runs_as_printed(tmp_path: Path) -> None:
    lines = readme_block("## Accounts and devices")
    assert lines and all(line.startswith(".venv/bin/hallq ") for line in lines)
    for line in lines:
        argv = shlex.split(line)
        argv[0] = str(HALLQ)  # the same script the line names, from the test's own checkout
        done = subprocess.run(argv, cwd=tmp_path, input="a good password\n", capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{line}\n{done.stderr}"
    # The default database, relative to where the commands ran.
    assert (tmp_path / "data" / "hallq.db").exists()
