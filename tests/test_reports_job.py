"""The report job as the scheduler holds it: every hall's fold on a thread of its own, run by the
leader only, a failure logged and tried again; and a report being read never holds up the queue."""

from __future__ import annotations

import logging
import threading
from datetime import date

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from queue_server.commands.report_fold import ReportFolder
from queue_server.leadership import Leadership
from queue_server.queries.reports import summary
from queue_server.scheduler import REPORT_EXECUTOR, REPORT_SECONDS, build_scheduler, fold_reports
from queue_server.service import QueueService
from queue_server.storage.sql_reports import ReportStore
from tests.conftest import FakeClock


class Switch(Leadership):
    def __init__(self, leads: bool) -> None:
        self.leads = leads

    def acquire(self) -> bool:
        return self.leads

    @property
    def is_leader(self) -> bool:
        return self.leads

    def release(self) -> None:
        self.leads = False


def mark(service: QueueService) -> int:
    with ReportStore(service.store).reading("t") as r:
        return r.mark()


def test_every_hall_has_its_fold_job(service: QueueService) -> None:
    job = build_scheduler(service).get_job("reports:t")
    assert job is not None and job.executor == REPORT_EXECUTOR
    assert isinstance(job.trigger, IntervalTrigger) and job.trigger.interval.total_seconds() == REPORT_SECONDS


def test_only_the_leader_folds(service: QueueService) -> None:
    service.issue("t", "A")
    folder = ReportFolder(service)
    fold_reports(folder, Switch(False), "t")
    assert mark(service) == 0
    fold_reports(folder, Switch(True), "t")
    assert mark(service) == 1


class Broken(ReportFolder):
    def fold(self, slug: str, max_pages: int | None = None) -> int:
        raise ConnectionError("the database went away")


def test_a_failed_fold_is_logged_and_changes_nothing(service: QueueService, caplog: pytest.LogCaptureFixture) -> None:
    service.issue("t", "A")
    with caplog.at_level(logging.ERROR, "hallq.scheduler"):
        fold_reports(Broken(service), Switch(True), "t")
    assert "the report fold failed" in caplog.text
    assert mark(service) == 0


def test_reading_a_report_holds_up_no_command(service: QueueService, clock: FakeClock) -> None:
    """A report's snapshot stays open while a clerk calls and a fold writes: both go through at
    once (a reader holds no lock a writer needs), and the open snapshot still sees its moment."""
    service.issue("t", "A")
    service.open_window("t", 1, "li")
    reports = ReportStore(service.store)
    with reports.reading("t") as r:
        seen = r.last_seq()
        done = threading.Event()

        def clerk() -> None:
            service.call_next("t", 1, "li")
            ReportFolder(service).fold("t")
            done.set()

        worker = threading.Thread(target=clerk)
        worker.start()
        assert done.wait(10), "a command or a fold waited for a report being read"
        worker.join()
        assert r.last_seq() == seen and r.mark() == 0
    day: date = clock().date()
    assert summary(service, "t", day, day, None)["totals"]["wait"]["count"] == 1
    assert mark(service) == seen + 1
