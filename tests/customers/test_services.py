"""Archive services: registration, duplicates, hand-over, access requests, merge (R-ARCH-*)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from baifang.core.models import AuditLog, Notification
from baifang.customers import services
from baifang.customers.exceptions import DuplicateCustomer
from baifang.customers.models import Customer, HandoverNotice, MajorChange
from baifang.customers.normalize import normalize_name
from tests.factories import ContactFactory, CustomerFactory, make_credit_code


def new_customer(name="西湖便利店", **fields):
    return Customer(name=name, customer_type="retailer", **fields)


class TestRegistration:
    def test_deadline_is_five_chinese_working_days_after_first_contact(self, org):
        """R-ARCH-5 + R-CAL-1: met 2025-09-30 → due 2025-10-14."""
        customer = services.create_customer(new_customer(first_contact_on=dt.date(2025, 9, 30)), by=org.rep)
        assert customer.registration_due == dt.date(2025, 10, 14)
        assert customer.owner == org.rep and customer.unit == org.team1
        assert customer.code.startswith("KH")

    def test_registration_after_the_deadline_is_flagged_late(self, org, time_machine):
        """R-ARCH-5: late registrations are flagged."""
        time_machine.move_to(dt.datetime(2025, 10, 15, 10, 0, tzinfo=dt.UTC))
        customer = services.create_customer(new_customer(first_contact_on=dt.date(2025, 9, 30)), by=org.rep)
        assert customer.registered_late is True

    def test_registration_on_the_due_day_is_on_time(self, org, time_machine):
        time_machine.move_to(dt.datetime(2025, 10, 14, 3, 0, tzinfo=dt.UTC))
        customer = services.create_customer(new_customer(first_contact_on=dt.date(2025, 9, 30)), by=org.rep)
        assert customer.registered_late is False

    def test_stub_waits_for_registration_and_is_reminded_once(self, org, time_machine):
        """R-ARCH-5: a first-contact stub is pending; the daily task notifies owner and supervisor once."""
        time_machine.move_to(dt.datetime(2025, 9, 30, 2, 0, tzinfo=dt.UTC))
        customer = services.create_customer(
            new_customer(first_contact_on=dt.date(2025, 9, 30)), by=org.rep, register=False
        )
        assert customer.registration_status == "pending"
        assert services.notify_overdue_registrations(dt.date(2025, 10, 14)) == 0
        assert services.notify_overdue_registrations(dt.date(2025, 10, 15)) == 2
        assert services.notify_overdue_registrations(dt.date(2025, 10, 16)) == 0  # idempotent
        assert set(Notification.objects.values_list("user__username", flat=True)) == {"rep", "manager"}
        time_machine.move_to(dt.datetime(2025, 10, 16, 2, 0, tzinfo=dt.UTC))
        services.complete_registration(customer, by=org.rep)
        assert customer.registration_status == "registered" and customer.registered_late

    def test_huey_task_runs_the_check(self, org, time_machine):
        """R-ARCH-5: the periodic task calls the service."""
        from baifang.customers.tasks import registration_deadline_check

        time_machine.move_to(dt.datetime(2025, 9, 30, 2, 0, tzinfo=dt.UTC))
        services.create_customer(
            new_customer(first_contact_on=dt.date(2025, 9, 30)), by=org.rep, register=False
        )
        time_machine.move_to(dt.datetime(2025, 10, 20, 2, 0, tzinfo=dt.UTC))
        assert registration_deadline_check.call_local() == 2


class TestDuplicates:
    def test_same_name_after_normalisation_is_refused(self, org):
        """R-ARCH-9: width, spaces, brackets and legal form do not make a new customer."""
        services.create_customer(new_customer("杭州华联超市有限公司"), by=org.rep)
        with pytest.raises(DuplicateCustomer) as info:
            services.create_customer(new_customer("杭州 华联超市（有限公司）"), by=org.outsider)
        assert "KH" in info.value.messages[0]
        assert Customer.objects.count() == 1

    def test_same_credit_code_is_refused(self, org):
        code = make_credit_code(7)
        services.create_customer(new_customer("甲公司", credit_code=code), by=org.rep)
        with pytest.raises(DuplicateCustomer):
            services.create_customer(new_customer("乙公司", credit_code=code.lower()), by=org.rep)

    def test_same_phone_is_refused(self, org):
        services.create_customer(new_customer("甲", phone="13912345678"), by=org.rep)
        with pytest.raises(DuplicateCustomer):
            services.create_customer(new_customer("乙", phone="+86 139 1234 5678"), by=org.rep)

    def test_database_refuses_a_duplicate_that_bypasses_the_service(self, org):
        """R-ARCH-9: the unique constraint is the last guard."""
        from django.db import IntegrityError, transaction

        CustomerFactory(name="联华超市", owner=org.rep)
        with pytest.raises(IntegrityError), transaction.atomic():
            CustomerFactory(name="联华超市有限公司", owner=org.rep)

    @pytest.mark.parametrize(
        ("a", "b", "same"),
        [
            ("杭州华联超市有限公司", "杭州华联超市", True),
            ("ＡＢＣ商行", "abc商行", True),
            ("苏果超市(中山路店)", "苏果超市", False),
            ("联华 超市", "联华超市", True),
        ],
    )
    def test_normalisation(self, a, b, same):
        assert (normalize_name(a) == normalize_name(b)) is same

    def test_merge_moves_everything_and_is_audited(self, org):
        """R-ARCH-9: a duplicate is merged, never silently kept."""
        survivor = CustomerFactory(name="甲超市", owner=org.rep)
        duplicate = CustomerFactory(name="甲超市连锁", owner=org.teammate)
        ContactFactory(customer=duplicate, name="钱经理")
        services.merge_customers(survivor=survivor, duplicate=duplicate, by=org.market)
        assert list(survivor.contacts.values_list("name", flat=True)) == ["钱经理"]
        assert org.teammate in survivor.co_owners.all()
        duplicate.refresh_from_db()
        assert duplicate.merged_into == survivor
        assert AuditLog.objects.filter(action="merge", object_id=str(survivor.pk)).exists()


class TestImportantCustomers:
    def test_important_customer_with_one_knower_is_flagged(self, org):
        """R-ARCH-6: key customers need at least two people who know them."""
        CustomerFactory(name="孤", owner=org.rep, is_key=True)
        paired = CustomerFactory(name="双", owner=org.rep, is_key=True)
        paired.co_owners.add(org.teammate)
        CustomerFactory(name="普通", owner=org.rep)
        flagged = set(Customer.objects.needing_second_knower().values_list("name", flat=True))
        assert flagged == {"孤"}
        assert len(paired.knowers()) == 2


class TestHandover:
    def test_all_customers_move_in_one_operation_with_notices(self, org):
        """R-ARCH-7: owned and co-owned customers go to the successor; each gets a notify task."""
        owned = [CustomerFactory(owner=org.rep) for _ in range(3)]
        co_owned = CustomerFactory(owner=org.outsider)
        co_owned.co_owners.add(org.rep)
        result = services.hand_over(
            leaver=org.rep, successor=org.teammate, by=org.manager, reason="离职", deactivate=True
        )
        assert result.customers == 4 and result.notices == 4
        assert not Customer.objects.filter(owner=org.rep).exists()
        assert not Customer.co_owners.through.objects.filter(user=org.rep).exists()
        assert set(HandoverNotice.objects.values_list("customer_id", flat=True)) == {
            c.pk for c in [*owned, co_owned]
        }
        assert set(HandoverNotice.objects.values_list("assignee__username", flat=True)) == {"teammate"}
        org.rep.refresh_from_db()
        assert org.rep.is_active is False
        assert AuditLog.objects.filter(action="handover").count() == 1
        assert Customer.objects.visible_to(org.rep).count() == 0

    def test_successor_who_was_co_owner_becomes_owner_only(self, org):
        customer = CustomerFactory(owner=org.rep)
        customer.co_owners.add(org.teammate)
        services.hand_over(leaver=org.rep, successor=org.teammate, by=org.manager, reason="调岗")
        customer.refresh_from_db()
        assert customer.owner == org.teammate
        assert not customer.co_owners.filter(pk=org.teammate.pk).exists()

    def test_handover_to_oneself_is_refused_and_changes_nothing(self, org):
        CustomerFactory(owner=org.rep)
        with pytest.raises(ValidationError):
            services.hand_over(leaver=org.rep, successor=org.rep, by=org.manager, reason="x")
        assert Customer.objects.filter(owner=org.rep).count() == 1
        assert not HandoverNotice.objects.exists()


class TestAccessRequests:
    def test_own_department_goes_to_the_department_manager(self, org):
        """R-ARCH-8: own department's archive → department manager."""
        other = CustomerFactory(owner=org.teammate)
        access = services.request_access(requester=org.rep, customer=other, reason="协同拜访")
        assert access.approver == org.manager

    def test_other_department_goes_to_a_company_leader(self, org):
        """R-ARCH-8: another department's archive → company leader."""
        other = CustomerFactory(owner=org.outsider)
        access = services.request_access(requester=org.rep, customer=other, reason="跨部门合作")
        assert access.approver == org.leader

    def test_approval_is_time_limited_logged_and_notified(self, org, time_machine):
        other = CustomerFactory(owner=org.outsider)
        access = services.request_access(requester=org.rep, customer=other, reason="跨部门合作", days=3)
        assert not Customer.objects.visible_to(org.rep).filter(pk=other.pk).exists()
        approved = services.approve_access(access, by=org.leader, note="同意")
        assert approved.valid_until - approved.decided_at == dt.timedelta(days=3)
        assert Customer.objects.visible_to(org.rep).filter(pk=other.pk).exists()
        assert AuditLog.objects.filter(action="approve", object_id=str(access.pk), user=org.leader).exists()
        assert Notification.objects.filter(user=org.rep, kind="access_decision").exists()
        time_machine.move_to(timezone.now() + dt.timedelta(days=4))
        assert not Customer.objects.visible_to(org.rep).filter(pk=other.pk).exists()

    def test_only_the_designated_approver_decides_and_only_once(self, org):
        other = CustomerFactory(owner=org.outsider)
        access = services.request_access(requester=org.rep, customer=other, reason="x")
        with pytest.raises(ValidationError):
            services.approve_access(access, by=org.manager)
        services.reject_access(access, by=org.leader, note="不必要")
        with pytest.raises(ValidationError):
            services.approve_access(access, by=org.leader)
        access.refresh_from_db()
        assert access.status == "rejected"

    def test_requesting_a_customer_already_visible_is_refused(self, org, customer):
        with pytest.raises(ValidationError):
            services.request_access(requester=org.rep, customer=customer, reason="x")


class TestMajorChanges:
    def test_change_reported_after_five_working_days_is_late(self, org, customer, time_machine):
        """R-ARCH-4/5: dated major changes, reported within 5 working days."""
        time_machine.move_to(dt.datetime(2025, 10, 20, 2, 0, tzinfo=dt.UTC))
        change = services.record_major_change(
            MajorChange(
                customer=customer,
                kind="management",
                occurred_on=dt.date(2025, 9, 30),
                description="总经理更换",
            ),
            by=org.rep,
        )
        assert change.report_due == dt.date(2025, 10, 14)
        assert change.reported_late is True

    def test_field_changes_are_kept_with_who_and_when(self, org, customer):
        """R-ARCH-4: every field change is kept in a history."""
        customer.annual_value = 2_500_000
        customer._history_user = org.rep
        services.update_customer(customer, by=org.rep)
        latest = customer.history.first()
        assert latest.annual_value == 2_500_000
        assert latest.history_user == org.rep
        from baifang.customers.history import history_entries

        entries = history_entries(customer)
        assert any(name for name, old, new in entries[0].changes if new == 2_500_000)


def test_export_is_audited_with_its_filter_and_personal_fields_need_the_permission(org, customer):
    """R-ARCH-7 / R-SEC-1 / PIPL: exports are logged with the user and the filter; a rep's export leaves
    out the personal columns (the customer's phone), a manager's or the market department's has them."""
    customer.phone = "13912345678"
    customer.save()
    columns, rows = services.export_rows(
        org.rep, Customer.objects.visible_to(org.rep), filters={"q": customer.name[:2], "status": ""}
    )
    assert [r[1] for r in rows] == [customer.name]
    assert "phone" not in columns and "13912345678" not in [v for r in rows for v in r]
    log = AuditLog.objects.get(action="export", user=org.rep)
    assert log.after == {"filter": {"q": customer.name[:2]}, "personal_fields": [], "rows": 1}
    assert customer.name[:2] in log.message

    for allowed in (org.market, org.manager):
        columns, rows = services.export_rows(allowed, Customer.objects.filter(pk=customer.pk))
        assert rows[0][columns.index("phone")] == "13912345678"
    assert AuditLog.objects.get(action="export", user=org.market).after["personal_fields"] == ["phone"]


def test_contacts_keep_key_people_with_lunar_birthdays_and_audience_class(org, customer):
    """R-ARCH-2 / R-CARE-3: key people with soft facts, audience class, solar or lunar birthday."""
    from baifang.customers.models import Contact

    gm = Contact.objects.create(
        customer=customer,
        name="王建国",
        title="总经理",
        decision_power="decider",
        audience_class="I",
        birthday_calendar="lunar",
        lunar_birth_month=8,
        lunar_birth_day=15,
        hobbies="钓鱼",
        family="已婚，一子",
    )
    buyer = Contact.objects.create(
        customer=customer, name="李采购", title="采购经理", audience_class="II", birthday=dt.date(1985, 2, 28)
    )
    assert gm.birthday_in(2026) == dt.date(2026, 9, 25)  # 中秋 2026: lunar 8/15
    assert buyer.birthday_in(2027) == dt.date(2027, 2, 28)
    assert set(customer.contacts.values_list("audience_class", flat=True)) == {"I", "II"}
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():  # a lunar birthday needs month and day
        Contact.objects.create(
            customer=customer, name="缺日期", birthday_calendar="lunar", lunar_birth_month=8
        )


def test_needs_and_competitors_are_kept_with_the_customer(org, customer):
    """R-ARCH-3: needs, decision process and competitors are part of the archive."""
    from tests.conftest import api_for

    client = api_for(org.rep)
    assert (
        client.patch(
            f"/api/v1/customers/{customer.pk}/",
            {"main_needs": "降低库存", "key_decision_makers": "王总"},
            format="json",
        ).status_code
        == 200
    )
    created = client.post(
        "/api/v1/competitors/",
        {
            "customer": customer.pk,
            "name": "竞品甲",
            "products": "同类货架",
            "customer_view": "价格低，服务差",
            "tactics": "压价",
        },
        format="json",
    )
    assert created.status_code == 201
    customer.refresh_from_db()
    assert customer.main_needs == "降低库存" and customer.competitors.get().tactics == "压价"
    assert api_for(org.outsider).get(f"/api/v1/competitors/{created.json()['id']}/").status_code == 404
