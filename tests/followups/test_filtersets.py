"""One FilterSet per follow-up list, shared by the page and the API (issue 11; R-SEC-1 bounded values)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from baifang.followups import services as followup
from baifang.followups.api.views import AppointmentViewSet, CommitmentViewSet, OpenQuestionViewSet
from baifang.followups.filtersets import AppointmentFilterSet, CommitmentFilterSet, OpenQuestionFilterSet
from baifang.visits import services
from tests.conftest import api_for, client_for
from tests.followups.test_followup import _visit
from tests.visits.test_pages import _queries

pytestmark = pytest.mark.django_db


def test_the_api_lists_filter_with_the_apps_filtersets():
    assert AppointmentViewSet.filterset_class is AppointmentFilterSet
    assert OpenQuestionViewSet.filterset_class is OpenQuestionFilterSet
    assert CommitmentViewSet.filterset_class is CommitmentFilterSet


def test_the_questions_page_and_api_filter_alike_R_VISIT_7(org, shop, clock):
    """R-VISIT-7: open questions by default; ?status=answered shows the answered ones, as the API does."""
    touch = _visit(org, shop, clock)
    followup.record_question(org.rep, touch, text="能否月结？")
    answered = followup.record_question(org.rep, touch, text="新品何时到？")
    followup.answer_question(org.rep, answered, text="下周")
    client, api = client_for(org.manager), api_for(org.manager)
    page = client.get(reverse("followups:questions"))
    assert isinstance(page.context["filterset"], OpenQuestionFilterSet)
    html = page.content.decode()
    assert "能否月结" in html and "新品何时到" not in html
    html = client.get(reverse("followups:questions"), {"status": "answered"}).content.decode()
    assert "新品何时到" in html and "能否月结" not in html
    listed = api.get("/api/v1/open-questions/", {"status": "answered"}).json()["results"]
    assert [q["text"] for q in listed] == ["新品何时到？"]


def test_a_bad_filter_value_is_a_form_error_on_the_page_and_400_in_the_api(org, shop, clock):
    """R-SEC-1: ?status=nonsense or an id out of range changes nothing and lists nothing."""
    followup.record_question(org.rep, _visit(org, shop, clock), text="能否月结？")
    page = client_for(org.manager).get(reverse("followups:questions"), {"status": "nonsense"})
    assert page.status_code == 200 and "能否月结" not in page.content.decode()
    assert "status" in page.context["filterset"].errors
    api = api_for(org.manager)
    assert api.get("/api/v1/open-questions/", {"status": "nonsense"}).status_code == 400
    assert api.get("/api/v1/commitments/", {"customer": str(2**70)}).status_code == 400


def test_the_filtered_questions_page_keeps_its_query_count(org, clock):
    client = client_for(org.rep)
    url = reverse("followups:questions") + "?status=answered"

    def answered(n):
        from tests.factories import CustomerFactory

        for _i in range(n):
            touch = services.check_in(org.rep, CustomerFactory(owner=org.rep), location_error="x")
            services.check_out(org.rep, touch)
            followup.answer_question(
                org.rep, followup.record_question(org.rep, touch, text="问题"), text="答"
            )

    answered(2)
    few = _queries(client, url)
    answered(6)
    assert _queries(client, url) == few


def test_the_flagged_visits_page_and_the_visit_api_share_their_filterset_R_VISIT_2(org, shop, clock):
    """R-VISIT-2: the flags page's "since" is the API's; an older flagged visit drops out of both."""
    from baifang.visits.api.views import VisitViewSet
    from baifang.visits.filtersets import TouchFilterSet

    assert VisitViewSet.filterset_class is TouchFilterSet
    touch = services.check_in(org.rep, shop, location_error="denied")  # flagged: no location
    clock.shift(dt.timedelta(minutes=20))
    services.check_out(org.rep, touch)
    client, api = client_for(org.manager), api_for(org.manager)
    assert shop.name in client.get(reverse("visits:flags")).content.decode()
    assert shop.name not in client.get(reverse("visits:flags"), {"since": "2026-03-11"}).content.decode()
    assert [v["id"] for v in api.get("/api/v1/visits/", {"since": "2026-03-10"}).json()["results"]] == [
        touch.pk
    ]
    assert api.get("/api/v1/visits/", {"since": "2026-03-11"}).json()["results"] == []
    assert shop.name in client.get(reverse("visits:flags"), {"since": "garbage"}).content.decode()
