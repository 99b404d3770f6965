"""The dashboard's 预约 page (a day's appointments, booking, cancelling, the CSV import with its
preview) and 电子监察 page (the audit log filtered, paged and exported as CSV). Both are shells
the browser fills from the JSON API."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Route

from queue_server import AUDIT_EXPORT_MAX, ApiContext, QueueService, templates

from .shell import page_endpoint

HERE = Path(__file__).resolve().parent


class AppointmentAuditPages:
    def __init__(self, service: QueueService, ctx: ApiContext) -> None:
        self.service = service
        self.ctx = ctx
        self.templates = templates(HERE / "templates")

    def routes(self) -> list[BaseRoute]:
        pages = (("appointments", "appointments.html"), ("audit", "audit.html"))
        return [
            Route(
                f"/dashboard/{{hall}}/{name}",
                page_endpoint(
                    self.service, self.ctx, self.templates, template, f"nav_{name}", {"export_cap": AUDIT_EXPORT_MAX}
                ),
                methods=["GET"],
            )
            for name, template in pages
        ]


__all__ = ["AppointmentAuditPages"]
