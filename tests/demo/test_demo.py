"""`baifang demo`: realistic, deterministic demo data (R-ORG-1, R-ORG-2, R-ORG-4, R-ARCH-1..6, R-ARCH-9)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO
from itertools import islice

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from baifang.core.validators import is_valid_credit_code, is_valid_phone
from baifang.customers.models import Contact, Customer
from baifang.customers.normalize import normalize_name
from baifang.demo.generator import DEMO_PASSWORD, chinese_number, iter_customers, plan_org
from baifang.demo.names import HANGZHOU_BBOX
from baifang.org.models import OrgUnit, PositionAssignment, User

TODAY = dt.date(2025, 6, 16)


def _in_hangzhou(lat, lng) -> bool:
    return (
        HANGZHOU_BBOX["lat_min"] <= float(lat) <= HANGZHOU_BBOX["lat_max"]
        and HANGZHOU_BBOX["lng_min"] <= float(lng) <= HANGZHOU_BBOX["lng_max"]
    )


def _run(customers=60, reps=6, seed=3) -> str:
    out = StringIO()
    call_command("demo", customers=customers, reps=reps, seed=seed, today=TODAY, stdout=out)
    return out.getvalue()


# --- pure generation ---------------------------------------------------------------------------


def test_same_seed_same_data_other_seed_other_data():
    """Deterministic per seed: names, coordinates, owners and contacts repeat exactly."""

    def sample(seed):
        org = plan_org(6, seed)
        return [
            (r.fields["name"], r.fields["latitude"], r.fields["longitude"], r.owner, r.contacts)
            for r in iter_customers(org, 200, seed=seed, today=TODAY)
        ]

    assert sample(1) == sample(1)
    assert [row[0] for row in sample(1)] != [row[0] for row in sample(2)]
    assert plan_org(40, 5) == plan_org(40, 5)


def test_org_plan_r_org_1_r_org_2_tree_and_personas():
    org = plan_org(120, 1)
    units = {u.code: u for u in org.units}
    kinds = Counter(u.kind for u in org.units)
    assert kinds["company"] == 1 and kinds["leadership"] == kinds["market"] == 1
    assert kinds["customer_service"] == kinds["finance"] == 1
    users = {u.username: u for u in org.users}
    assert len(org.reps) == 120
    rep, rep2, outsider = users["rep"], users["rep2"], users["outsider"]
    assert rep.unit == rep2.unit != outsider.unit  # teammates; outsider elsewhere
    assert units[rep.unit].parent == "sales-01" and units[outsider.unit].parent == "sales-02"
    assert users["manager"].unit == "sales-01" and users["manager"].position == "dept_manager"
    # every team has a supervisor, every sales department a manager
    bosses = {(u.unit, u.position) for u in org.users}
    for unit in org.units:
        if unit.kind == "field_sales":
            expected = "supervisor" if unit.parent != "hq" else "dept_manager"
            assert (unit.code, expected) in bosses, unit
    assert len({u.phone for u in org.users}) == len(org.users)
    assert len({u.display_name for u in org.users}) == len(org.users)


def test_org_plan_scales_to_thousands_of_reps_r_org_1():
    org = plan_org(2500, 1)
    assert len(org.reps) == 2500
    assert len({u.code for u in org.units}) == len(org.units)
    assert len({u.username for u in org.users}) == len(org.users)
    teams = [(u.parent, u.name) for u in org.units if u.parent and u.parent.startswith("sales-")]
    assert len(set(teams)) == len(teams)  # 西湖一组 … 西湖二十五组, no repeats within a department
    assert chinese_number(1) == "一" and chinese_number(12) == "十二" and chinese_number(25) == "二十五"


def test_generated_customers_are_valid_and_unique_r_arch_1_r_arch_9():
    org = plan_org(30, 7)
    records = list(iter_customers(org, 3000, seed=7, today=TODAY))
    names = [normalize_name(r.fields["name"]) for r in records]
    assert len(set(names)) == len(names)
    assert all(r.fields["normalized_name"] == normalize_name(r.fields["name"]) for r in records)
    phones = [r.fields["phone"] for r in records]
    assert len(set(phones)) == len(phones) and all(is_valid_phone(p) for p in phones)
    codes = [r.fields["credit_code"] for r in records if r.fields["credit_code"]]
    assert len(set(codes)) == len(codes) > 1000
    assert all(is_valid_credit_code(c) for c in codes)
    assert all(_in_hangzhou(r.fields["latitude"], r.fields["longitude"]) for r in records)
    assert {r.fields["coordinate_system"] for r in records} == {"GCJ02"}
    # fair shares: 3000 customers over 30 reps
    assert set(Counter(r.owner for r in records).values()) == {100}
    types = Counter(r.fields["customer_type"] for r in records)
    assert types.most_common(1)[0][0] == "retailer" and len(types) >= 6
    grades = [r.fields["retail_grade"] for r in records if r.fields["customer_type"] == "retailer"]
    assert min(grades) >= 1 and max(grades) <= 30


def test_registration_mix_r_arch_5():
    org = plan_org(30, 2)
    records = list(iter_customers(org, 3000, seed=2, today=TODAY))
    late = [r for r in records if r.fields["registered_late"]]
    pending = [r for r in records if r.fields["registration_status"] == "pending"]
    assert 0.02 < len(late) / len(records) < 0.08
    assert 0 < len(pending) / len(records) < 0.03
    for r in records:
        f = r.fields
        assert f["first_contact_on"] <= TODAY
        assert f["registration_due"] > f["first_contact_on"]
        if f["registration_status"] == "registered":
            assert f["registered_late"] == (f["registered_at"].date() > f["registration_due"])
        else:
            assert f["registered_at"] is None


def test_important_customers_with_and_without_second_knower_r_arch_6():
    org = plan_org(30, 4)
    records = list(iter_customers(org, 2000, seed=4, today=TODAY))
    important = [r for r in records if r.fields["is_key"] or r.fields["is_potential_key"]]
    assert any(r.co_owners for r in important) and any(not r.co_owners for r in important)
    assert all(r.owner not in r.co_owners for r in records)


def test_contacts_r_arch_2_lunar_birthdays():
    org = plan_org(10, 1)
    contacts = [c for r in iter_customers(org, 1000, seed=1, today=TODAY) for c in r.contacts]
    lunar = [c for c in contacts if c["birthday_calendar"] == "lunar"]
    assert 0.08 < len(lunar) / len(contacts) < 0.25
    assert all(1 <= c["lunar_birth_month"] <= 12 and 1 <= c["lunar_birth_day"] <= 30 for c in lunar)
    assert all(c.get("birthday") for c in contacts if c["birthday_calendar"] == "solar")


def test_scale_mode_fewer_contacts():
    org = plan_org(10, 1)
    small = list(islice(iter_customers(org, 1000, seed=1, today=TODAY), 300))
    large = list(islice(iter_customers(org, 100_000, seed=1, today=TODAY), 300))
    assert max(len(r.contacts) for r in small) == 3
    assert max(len(r.contacts) for r in large) == 2


# --- the command -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_command_personas_and_scope_r_org_2_r_org_4():
    output = _run()
    assert "rep" in output and DEMO_PASSWORD in output

    def positions(username):
        return set(
            PositionAssignment.objects.filter(user__username=username).values_list(
                "position__kind", flat=True
            )
        )

    users = {u.username: u for u in User.objects.select_related("unit")}
    admin = users["admin"]
    assert admin.is_superuser and admin.is_staff and positions("admin") == {"admin"}
    assert positions("leader") == {"leader"} and users["leader"].unit.kind == "leadership"
    assert positions("market") == {"market_staff"} and users["market"].unit.name == "市场部"
    assert positions("manager") == {"dept_manager"} and users["manager"].unit.name == "营销一部"
    assert positions("rep") == {"field_rep"} and positions("outsider") == {"field_rep"}
    assert users["rep"].unit == users["rep2"].unit
    assert users["rep"].unit.path.startswith(OrgUnit.objects.get(name="营销一部").path)
    assert users["outsider"].unit.path.startswith(OrgUnit.objects.get(name="营销二部").path)
    assert users["rep"].check_password(DEMO_PASSWORD)
    assert users["rep003"].password == users["rep"].password  # one shared hash

    scopes = {name: users[name].data_scope for name in ("rep", "manager", "market", "leader", "admin")}
    assert scopes == {"rep": "own", "manager": "units", "market": "all", "leader": "all", "admin": "all"}

    rep, rep2, manager, outsider = users["rep"], users["rep2"], users["manager"], users["outsider"]
    own = Customer.objects.filter(owner=rep).count()
    assert own == 10  # 60 customers over 6 reps
    assert Customer.objects.visible_to(rep).count() >= own
    assert Customer.objects.visible_to(users["market"]).count() == 60
    dept = set(Customer.objects.visible_to(manager).values_list("pk", flat=True))
    assert set(Customer.objects.filter(owner__in=[rep, rep2]).values_list("pk", flat=True)) <= dept
    assert not set(Customer.objects.filter(owner=outsider).values_list("pk", flat=True)) & dept
    assert Customer.objects.visible_to(outsider).filter(owner=rep).count() == 0


@pytest.mark.django_db
def test_demo_command_customers_r_arch_1():
    _run()
    customers = list(Customer.objects.select_related("owner", "unit"))
    assert len(customers) == 60
    assert all(c.owner.unit_id == c.unit_id for c in customers)
    assert all(c.owner.has_position("field_rep") for c in customers)
    assert len({c.name for c in customers}) == 60 and len({c.normalized_name for c in customers}) == 60
    assert len({c.code for c in customers}) == 60
    assert all(c.code == f"KH{c.pk:07d}" for c in customers)  # same scheme as Customer.save()
    assert all(c.normalized_name == normalize_name(c.name) for c in customers)
    assert all(_in_hangzhou(c.latitude, c.longitude) for c in customers)
    assert all(c.city == "杭州市" and c.district.endswith("区") for c in customers)
    assert Contact.objects.count() >= 60
    assert Contact.objects.filter(is_primary=True).count() == 60
    # materialised paths as OrgUnit.save() computes them
    for unit in OrgUnit.objects.select_related("parent"):
        assert unit.path == f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
    # a customer created the normal way afterwards gets the next code, no collision
    rep = User.objects.get(username="rep")
    extra = Customer.objects.create(
        name="测试新客户便利店", customer_type="retailer", owner=rep, unit=rep.unit
    )
    assert extra.code == f"KH{extra.pk:07d}" and extra.pk > max(c.pk for c in customers)


@pytest.mark.django_db
def test_demo_data_matches_pure_generation():
    _run(seed=9)
    expected = [r.fields["name"] for r in iter_customers(plan_org(6, 9), 60, seed=9, today=TODAY)]
    assert list(Customer.objects.order_by("pk").values_list("name", flat=True)) == expected


@pytest.mark.django_db
def test_demo_command_is_idempotent():
    _run()
    counts = (
        OrgUnit.objects.count(),
        User.objects.count(),
        Customer.objects.count(),
        Contact.objects.count(),
    )
    output = _run()
    assert "already exist" in output
    assert counts == (
        OrgUnit.objects.count(),
        User.objects.count(),
        Customer.objects.count(),
        Contact.objects.count(),
    )


@pytest.mark.django_db
def test_demo_command_refuses_too_few_reps():
    with pytest.raises(CommandError):
        call_command("demo", customers=10, reps=2, stdout=StringIO())
    assert not OrgUnit.objects.exists()
