"""Contacts' personal information under the PIPL: reads logged, a copy for the person, erasure,
retention review (issue 18, R-ARCH-2, R-SEC-1)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from baifang.core.models import AuditLog
from baifang.customers.models import PERSONAL_FIELDS, Anniversary, Contact
from baifang.ops import personal
from baifang.ops.choices import AccessPurpose
from baifang.ops.models import PersonalDataAccess
from tests.conftest import api_for, client_for
from tests.factories import ContactFactory, CustomerFactory, UserFactory

MOBILE = "13912345678"


@pytest.fixture
def officer(org):
    user = UserFactory(username="dpo", display_name="数据保护官", unit=org.company, position="market_staff")
    user.user_permissions.add(Permission.objects.get(codename="protect_personal_data"))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def contact(customer):
    person = ContactFactory(
        customer=customer, name="陈静", mobile=MOBILE, family="女儿在读高二", hobbies="钓鱼"
    )
    person.family = "女儿在读高三"  # a second history version
    person.save()
    Anniversary.objects.create(contact=person, name="结婚纪念日", date=dt.date(2001, 5, 20))
    return person


def test_personal_fields_are_listed_once_and_are_contact_fields():
    names = {f.name for f in Contact._meta.get_fields()}
    assert set(PERSONAL_FIELDS) <= names
    assert {"mobile", "birthday", "family", "hobbies", "habits"} <= set(PERSONAL_FIELDS)


def test_reading_the_contacts_tab_is_logged(org, contact):
    response = client_for(org.rep).get(contact.customer.get_absolute_url() + "?tab=contacts")
    assert response.status_code == 200 and MOBILE in response.content.decode()
    (row,) = PersonalDataAccess.objects.all()
    assert (row.user, row.contact_id, row.customer_id, row.purpose) == (
        org.rep,
        contact.pk,
        contact.customer_id,
        AccessPurpose.PAGE,
    )
    client_for(org.rep).get(contact.customer.get_absolute_url() + "?tab=basic")
    assert PersonalDataAccess.objects.count() == 1  # the basic tab shows no personal facts


def test_reading_contacts_through_the_api_is_logged(org, contact):
    other = ContactFactory(customer=CustomerFactory(owner=org.outsider), mobile="13700000000")
    response = api_for(org.rep).get("/api/v1/contacts/")
    assert response.status_code == 200
    assert list(PersonalDataAccess.objects.values_list("contact_id", "purpose")) == [(contact.pk, "api")]
    assert api_for(org.rep).get(f"/api/v1/contacts/{other.pk}/").status_code == 404
    assert PersonalDataAccess.objects.count() == 1  # nothing read, nothing logged
    api_for(org.rep).get(f"/api/v1/contacts/{contact.pk}/")
    assert PersonalDataAccess.objects.filter(contact_id=contact.pk).count() == 2


def test_only_the_officer_and_admins_reach_the_pages(org, officer, contact):
    for user in (org.rep, org.manager, org.leader, org.market, org.outsider):
        client = client_for(user)
        assert client.get(reverse("ops:personal")).status_code == 403
        assert client.get(reverse("ops:personal-contact", args=[contact.pk])).status_code == 403
        assert (
            client.post(reverse("ops:personal-contact", args=[contact.pk]), {"action": "copy"}).status_code
            == 403
        )
        with pytest.raises(PermissionDenied):
            personal.erase(user, contact, reason="x")
    assert client_for(officer).get(reverse("ops:personal")).status_code == 200
    assert client_for(org.admin).get(reverse("ops:personal-contact", args=[contact.pk])).status_code == 200
    contact.refresh_from_db()
    assert contact.mobile == MOBILE


def test_officer_searches_the_log(org, officer, contact, django_assert_max_num_queries):
    personal.log_reads(org.rep, [contact], AccessPurpose.PAGE)
    personal.log_reads(org.manager, [contact], AccessPurpose.API)
    client = client_for(officer)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("ops:personal"), {"reader": org.manager.pk}).content.decode()
    assert page.count('href="/ops/personal/contacts/') == 1  # the manager's read only
    assert personal.access_log(officer, contact_id=contact.pk).count() == 2
    assert personal.access_log(officer, since=timezone.localdate() + dt.timedelta(days=1)).count() == 0


def test_copy_for_the_person_holds_everything_and_is_logged(org, officer, contact):
    personal.log_reads(org.rep, [contact], AccessPurpose.PAGE)
    response = client_for(officer).post(
        reverse("ops:personal-contact", args=[contact.pk]), {"action": "copy"}
    )
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    copy = json.loads(response.content)
    assert copy["contact"]["mobile"] == MOBILE and copy["contact"]["family"] == "女儿在读高三"
    assert [v["family"] for v in copy["history"]] == ["女儿在读高二", "女儿在读高三"]
    assert copy["anniversaries"] == [{"name": "结婚纪念日", "date": "2001-05-20"}]
    assert [r["by"] for r in copy["reads"]] == [str(org.rep)]
    entry = AuditLog.objects.get(action="export", object_id=str(contact.pk))
    assert entry.user == officer and entry.after == {"filter": {"contact": contact.pk}}
    assert PersonalDataAccess.objects.filter(purpose=AccessPurpose.SUBJECT_EXPORT, user=officer).count() == 1


def test_erasure_empties_the_contact_and_its_history_and_says_so(org, officer, contact):
    from baifang.core import audit

    audit.record(
        "update", contact, user=org.rep, before={"mobile": MOBILE, "title": "总经理"}, after={"mobile": ""}
    )
    client = client_for(officer)
    refused = client.post(
        reverse("ops:personal-contact", args=[contact.pk]), {"action": "erase", "reason": " "}
    )
    assert refused.status_code == 200
    contact.refresh_from_db()
    assert contact.mobile == MOBILE  # a failed request changes nothing

    response = client.post(
        reverse("ops:personal-contact", args=[contact.pk]),
        {"action": "erase", "reason": "本人2026-12-01书面申请"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert all(getattr(contact, f) in ("", None, False) for f in PERSONAL_FIELDS)
    assert "陈静" not in contact.name and contact.customer_id  # the customer keeps a contact row
    assert not Anniversary.objects.filter(contact_id=contact.pk).exists()
    for version in contact.history.all():
        assert version.mobile == "" and version.family == "" and "陈静" not in version.name
    held = json.dumps(
        list(AuditLog.objects.values("before", "after", "message", "object_repr")), ensure_ascii=False
    )
    assert MOBILE not in held and "女儿" not in held and "陈静" not in held
    entry = AuditLog.objects.filter(action="delete", object_id=str(contact.pk)).get()
    assert entry.user == officer and "本人2026-12-01书面申请" in entry.message
    assert "mobile" in entry.after["erased_fields"] and entry.after["anniversaries_deleted"] == 1
    assert personal.is_erased(contact)
    assert "女儿" not in json.dumps(personal.subject_copy(officer, contact), ensure_ascii=False)


def test_erasure_needs_a_reason(officer, contact):
    with pytest.raises(ValidationError):
        personal.erase(officer, contact, reason="")


def test_contacts_of_customers_lost_longer_than_the_retention_are_due_for_review(org, officer, settings):
    settings.BAIFANG = {**settings.BAIFANG, "PERSONAL_RETENTION_YEARS": 3}
    long_lost = CustomerFactory(owner=org.rep, status="active")
    long_lost.status = "lost"
    long_lost.save()
    recent = CustomerFactory(owner=org.rep, status="blacklisted")
    active = CustomerFactory(owner=org.rep, status="active")
    old = timezone.now() - dt.timedelta(days=4 * 365)
    long_lost.history.update(history_date=old)
    # created active then lost, both four years ago; the other two are recent or not ended
    for c in (long_lost, recent, active):
        ContactFactory(customer=c)
    due = personal.due_for_review(officer)
    assert [customer for _c, customer, _since in due] == [long_lost]
    (erase_me,) = [c for c, _cu, _s in due]
    personal.erase(officer, erase_me, reason="保留期满")
    assert personal.due_for_review(officer) == []
    page = client_for(officer).get(reverse("ops:personal")).content.decode()
    assert "保留期满" not in page
