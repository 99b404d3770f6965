"""What the console's duties panel reads beside /my/duties: each post's window, each shift's
name, the hall's time zone, whether the clerk is on the staff, and the service's clock."""

from __future__ import annotations

from starlette.testclient import TestClient

import counters
from queue_server.service import QueueService
from queue_server.storage import Store
from tests.api.conftest import make_auth, room_client
from tests.conftest import FakeClock
from tests.counters.test_pages import sign_in
from tests.staffing_support import staffed

PLACES = "/counter/api/halls/t/duty-places"


def test_duty_places_need_a_signed_in_clerk(client: TestClient) -> None:
    r = client.get(PLACES)
    assert r.status_code == 401
    assert r.json()["error"]["message"]


def test_a_clerk_on_the_staff_learns_where_posts_are_and_the_services_time(store: Store, clock: FakeClock) -> None:
    service = staffed(store, clock)
    with room_client(service, make_auth(service, clock, "li"), counters.plugin) as client:
        sign_in(client, "li")
        r = client.get(PLACES)
        assert r.status_code == 200, r.text
        body = r.json()
    assert body["on_staff"] is True
    assert body["now"] == clock.now.isoformat()  # the service's clock, never the machine's
    assert body["timezone"] == "Asia/Shanghai"
    windows = {w.number for w in service.config.hall("t").windows}  # type: ignore[union-attr]
    assert set(body["windows"].values()) == windows  # one post per window, seeded
    assert all(set(s) == {"name_zh", "name_en"} for s in body["shifts"].values()) and body["shifts"]


def test_an_account_without_a_staff_record_has_no_duties_to_show(client: TestClient, service: QueueService) -> None:
    sign_in(client, "li")  # the small hall has no staff list
    body = client.get(PLACES).json()
    assert body["on_staff"] is False


def test_an_unknown_hall_is_404(client: TestClient) -> None:
    sign_in(client, "boss")
    assert client.get("/counter/api/halls/nowhere/duty-places").status_code == 404
