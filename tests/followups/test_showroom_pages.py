"""R-FU-4: the showroom pages and API — outsiders get 404, lists have bounded queries, a double submit
registers once."""

from __future__ import annotations

import pytest
import time_machine

from baifang.followups import showroom as svc
from baifang.followups.models import Registration, Showroom
from baifang.followups.showroom_views import _candidates
from tests.conftest import api_for, client_for
from tests.factories import UserFactory
from tests.followups.test_showroom import NOW, at, walk_in

DAY = NOW.date()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def room(org):
    showroom = Showroom.objects.create(name="西湖4S店", unit=org.team1)
    svc.set_duty_order(org.manager, showroom, DAY, [org.rep, org.teammate])
    return showroom


def _form(**extra):
    data = {
        "kind": "walk_in",
        "visitor_name": "某先生",
        "time_in": "2026-03-10T15:00",
        "time_out": "2026-03-10T15:30",
        "intent_level": "A",
        "idempotency_key": "k-1",
    }
    data.update(extra)
    return data


def test_r_fu_4_register_form_double_submit_registers_once(clock, org, room):
    client = client_for(org.rep)
    page = client.get(f"/visits/showrooms/{room.pk}/register/")
    assert page.status_code == 200 and "张三" in page.content.decode()
    data = _form(received_by=str(org.rep.pk))
    first = client.post(f"/visits/showrooms/{room.pk}/register/", data)
    second = client.post(f"/visits/showrooms/{room.pk}/register/", data)
    assert first.status_code == second.status_code == 302
    assert Registration.objects.count() == 1
    row = Registration.objects.get()
    assert row.phone == "" and row.in_turn and row.info_due_at == at(15, 50)


def test_r_fu_4_register_form_bad_input_changes_nothing(clock, org, room):
    client = client_for(org.rep)
    answer = client.post(
        f"/visits/showrooms/{room.pk}/register/",
        _form(received_by=str(org.rep.pk), time_out="2026-03-10T14:00"),
    )
    assert answer.status_code == 400 and "离开时间不能早于进店时间" in answer.content.decode()
    assert not Registration.objects.exists()


def test_r_fu_4_today_page_shows_the_order_and_next(clock, org, room, django_assert_max_num_queries):
    walk_in(org.rep, room, 15)  # still receiving
    for i in range(5):
        walk_in(org.teammate, room, 9, i, out=(9, 30), visitor_name=f"客户{i}", phone=f"1390000{i}")
    client = client_for(org.teammate)
    with django_assert_max_num_queries(20):
        page = client.get(f"/visits/showrooms/{room.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "data-next" in html
    assert html.index("李四") < html.index("data-next")  # the teammate is next: the rep is receiving


def test_r_fu_4_manager_sets_the_duty_order_on_the_page(clock, org, room):
    client = client_for(org.manager)
    answer = client.post(f"/visits/showrooms/{room.pk}/", {"reps": "teammate\nrep"})
    assert answer.status_code == 302
    assert [r.username for r in svc.duty_order(room, DAY)] == ["teammate", "rep"]
    bad = client.post(f"/visits/showrooms/{room.pk}/", {"reps": "teammate, outsider"})
    assert bad.status_code == 200 and [r.username for r in svc.duty_order(room, DAY)] == ["teammate", "rep"]
    assert client_for(org.rep).post(f"/visits/showrooms/{room.pk}/", {"reps": "rep"}).status_code == 403


def test_r_fu_4_reports_page_and_query_counts(clock, org, room, django_assert_max_num_queries):
    for i in range(10):
        walk_in(org.rep, room, 9, i, out=(9, 30), visitor_name=f"客户{i}", intent_level="AB"[i % 2])
    client = client_for(org.manager)
    with django_assert_max_num_queries(25):
        page = client.get(f"/visits/showrooms/{room.pk}/reports/?day=2026-03-10")
    assert page.status_code == 200 and "客户3" in page.content.decode()
    row = Registration.objects.first()
    assert client.get(f"/visits/registrations/{row.pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/visits/showrooms/").status_code == 200


def test_r_fu_4_outsider_gets_404_on_every_page_and_endpoint(clock, org, room):
    row = walk_in(org.rep, room, 10, out=(10, 30))
    client = client_for(org.outsider)
    for url in [
        f"/visits/showrooms/{room.pk}/",
        f"/visits/showrooms/{room.pk}/register/",
        f"/visits/showrooms/{room.pk}/reports/",
        f"/visits/registrations/{row.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    assert "西湖4S店" not in client.get("/visits/showrooms/").content.decode()
    api = api_for(org.outsider)
    assert api.get(f"/api/v1/showrooms/{room.pk}/").status_code == 404
    assert api.get(f"/api/v1/showrooms/{room.pk}/duty-order/").status_code == 404
    assert api.get(f"/api/v1/showroom-registrations/{row.pk}/").status_code == 404
    assert api.post(f"/api/v1/showroom-registrations/{row.pk}/info-sent/").status_code == 404
    assert api.get("/api/v1/showroom-registrations/").json()["results"] == []
    created = api.post(
        "/api/v1/showroom-registrations/",
        {"showroom": room.pk, "kind": "call", "time_in": "2026-03-10T15:00+08:00", "visitor_name": "某女士"},
        format="json",
    )
    assert created.status_code == 404 and Registration.objects.count() == 1


def test_r_fu_4_api_register_duty_order_and_replay(clock, org, room, django_assert_max_num_queries):
    api = api_for(org.rep)
    body = {
        "showroom": room.pk,
        "kind": "call",
        "time_in": "2026-03-10T15:00+08:00",
        "visitor_name": "某女士",
    }
    first = api.post("/api/v1/showroom-registrations/", body, format="json", HTTP_IDEMPOTENCY_KEY="a1")
    again = api.post("/api/v1/showroom-registrations/", body, format="json", HTTP_IDEMPOTENCY_KEY="a1")
    assert first.status_code == 201 and again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Registration.objects.count() == 1 and first.json()["left_details"] is False
    today = api.get(f"/api/v1/showrooms/{room.pk}/duty-order/").json()
    assert today["order"] == [org.rep.pk, org.teammate.pk] and today["busy"] == [org.rep.pk]
    assert today["next"] == org.teammate.pk
    assert (
        api.post(
            f"/api/v1/showrooms/{room.pk}/duty-order/", {"order": [org.rep.pk]}, format="json"
        ).status_code
        == 403
    )
    ok = api_for(org.manager).post(
        f"/api/v1/showrooms/{room.pk}/duty-order/", {"order": [org.teammate.pk]}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["order"] == [org.teammate.pk]
    row = Registration.objects.get()
    finished = api.post(
        f"/api/v1/showroom-registrations/{row.pk}/finish/",
        {"time_out": "2026-03-10T15:10+08:00"},
        format="json",
    )
    assert finished.status_code == 200 and finished.json()["info_due_at"].startswith("2026-03-10T15:30")
    bad = api.post("/api/v1/showroom-registrations/", {**body, "visitor_name": ""}, format="json")
    assert bad.status_code == 400 and Registration.objects.count() == 1
    for i in range(5):
        walk_in(org.teammate, room, 9, i, out=(9, 30), visitor_name=f"客户{i}")
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/showroom-registrations/").json()["results"]) == 6


def test_r_fu_4_the_rep_choices_are_the_showroom_units_people(org, room):
    stranger = UserFactory(username="stranger", unit=org.sales2, position="field_rep")
    candidates = list(_candidates(room))
    assert org.rep in candidates and org.teammate in candidates and stranger not in candidates


@pytest.mark.parametrize(
    "field, value",
    [
        ("time_in", "0411-03-10T15:00+08:00"),
        ("time_in", "2101-01-01T09:00+08:00"),
        ("time_out", "1899-12-31T23:00+08:00"),
    ],
)
def test_r_fu_4_a_time_outside_the_calendar_bounds_is_a_400_and_writes_nothing(
    clock, org, room, field, value
):
    """Found by the API fuzzer: a year-0411 time_in was stored and answered back as ``+08:05:43``
    (Shanghai's local mean time of that year). Every moment the API takes lies within DATE_MIN..DATE_MAX."""
    body = {
        "showroom": room.pk,
        "kind": "call",
        "time_in": "2026-03-10T15:00+08:00",
        "visitor_name": "某女士",
    }
    body[field] = value
    response = api_for(org.rep).post("/api/v1/showroom-registrations/", body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["errors"][0]
    assert error["attr"] == field and error["code"] == "date_out_of_range"
    assert Registration.objects.count() == 0
