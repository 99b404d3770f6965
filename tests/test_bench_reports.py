"""bench.reports end to end at a tiny size (10 halls, 2,000 tickets): the month is generated in
the project's schema, rebuilt by the project, and the reports agree with the raw rows."""

from __future__ import annotations

import os

import pytest

from bench import reports

PG_ENV = "HALLQ_TEST_PG"


def test_tiny_city_month_agrees_with_the_raw_rows(capsys: pytest.CaptureFixture[str]) -> None:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"the reports bench needs PostgreSQL: set {PG_ENV}")
    argv = ["--pg", base, "--halls", "10", "--tickets", "2000", "--rounds", "1", "--calls", "10", "--call-rounds", "2"]
    with pytest.raises(SystemExit) as done:
        reports.main(argv)
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "issued and served equal for every hall: yes" in out
    assert "ranked by served: yes" in out
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("SUMMARY reports: city ranking ")
    assert "not measured" not in summary
