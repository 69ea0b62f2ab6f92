"""客户信息反馈表 and the monthly quota (R-INFO-1): filed for the filer's department, graded by the
customer's tier, progress during the month, a reminder a week before month end when short."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baifang.care import services
from baifang.care.models import FeedbackForm, FeedbackQuota
from baifang.core.models import Notification
from tests.factories import CustomerFactory

DAY = dt.date(2026, 11, 20)


def _file(user, customer, on=DAY, **fields):
    fields.setdefault("market", "竞品降价5%，客户观望")
    return services.file_feedback(by=user, customer=customer, filed_on=on, **fields)


def test_seed_quota_is_data(book):
    quota = FeedbackQuota.objects.get()
    assert (quota.total, quota.minimums, quota.remind_days, quota.scheme.code) == (
        5,
        {"A": 2, "B": 2, "C": 1},
        7,
        "importance",
    )


def test_a_form_counts_for_the_filers_department_under_the_customers_grade(org, book):
    form = _file(org.rep, book.cust_a)
    assert (form.department, form.grade, form.filed_by) == (org.sales1, "A", org.rep)
    assert _file(org.teammate, book.cust_c).grade == "C"


def test_an_empty_form_is_refused_and_saves_nothing(org, book):
    with pytest.raises(ValidationError) as caught:
        services.file_feedback(by=org.rep, customer=book.cust_a, filed_on=DAY)
    assert caught.value.error_dict["__all__"][0].code == "empty_feedback"
    assert FeedbackForm.objects.count() == 0


def test_a_customer_out_of_scope_is_refused(org, book):
    with pytest.raises(PermissionDenied):
        _file(org.outsider, book.cust_a)


def test_progress_during_the_month_shows_the_shortfall(org, book):
    """R-INFO-1: shortfall shown during the month: 3 A forms → 3 more needed (2 B, 1 C)."""
    for _ in range(3):
        _file(org.rep, book.cust_a)
    _file(org.outsider, book.other)  # department 2
    _file(org.rep, book.cust_b, on=dt.date(2026, 10, 31))  # last month: not counted
    rows = {p.department.code: p for p in services.quota_progress(services.field_departments(), DAY)}
    sales1 = rows["sales1"].progress
    assert (sales1.filed, sales1.still_needed, sales1.met) == (3, 3, False)
    assert [(g.grade, g.filed, g.minimum) for g in sales1.grades] == [("A", 3, 2), ("B", 0, 2), ("C", 0, 1)]
    assert rows["sales2"].progress.filed == 1
    assert rows["sales1"].days_left == 10
    for user, customer in ((org.rep, book.cust_b), (org.rep, book.cust_b), (org.teammate, book.cust_c)):
        _file(user, customer)
    assert services.quota_progress([org.sales1], DAY)[0].progress.met


def test_departments_each_person_watches(org, book):
    assert [d.code for d in services.departments_for(org.manager)] == ["sales1"]
    assert [d.code for d in services.departments_for(org.rep)] == ["sales1"]
    assert sorted(d.code for d in services.departments_for(org.leader)) == ["sales1", "sales2"]
    assert [p.department.code for p in services.quota_panel(org.manager2, DAY)] == ["sales2"]


def test_reminder_a_week_before_month_end_once(org, book):
    """R-INFO-1: from 7 days before the month's end, the short department's manager is told, once."""
    _file(org.rep, book.cust_a)
    assert services.quota_reminders(dt.date(2026, 11, 23)) == 0  # 7 days left: not yet
    assert services.quota_reminders(dt.date(2026, 11, 24)) == 2  # manager and manager2
    assert services.quota_reminders(dt.date(2026, 11, 25)) == 2  # offered again, deduplicated
    notes = Notification.objects.filter(kind="care_feedback_quota")
    assert sorted(n.user.username for n in notes) == ["manager", "manager2"]
    assert "4" in notes.get(user=org.manager).text  # 1 filed, 4 more needed


def test_no_reminder_for_a_department_that_met_its_quota(org, book):
    for customer in (book.cust_a, book.cust_a, book.cust_b, book.cust_b):
        _file(org.rep, customer)
    _file(org.teammate, book.cust_c)
    services.quota_reminders(dt.date(2026, 11, 28))
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["manager2"]


def test_quota_minimums_must_be_whole_numbers_within_the_total(book):
    quota = FeedbackQuota(name="x", total=3, minimums={"A": 2, "B": 2})
    with pytest.raises(ValidationError):
        quota.full_clean()
    with pytest.raises(ValidationError):
        FeedbackQuota(name="y", total=5, minimums={"A": "2"}).full_clean()


def test_only_the_market_department_marks_a_form_read(org, book):
    form = _file(org.rep, book.cust_a)
    with pytest.raises(PermissionDenied):
        services.mark_read(form, by=org.manager)
    services.mark_read(form, by=org.market)
    form.refresh_from_db()
    assert form.read_by == org.market


def test_an_ungraded_customer_counts_toward_the_total_only(org, book):
    plain = CustomerFactory(owner=org.rep)
    assert _file(org.rep, plain).grade == ""
    progress = services.quota_progress([org.sales1], DAY)[0].progress
    assert (progress.filed, progress.missing_total) == (1, 4)
