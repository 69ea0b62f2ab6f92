"""Access sweep on the archive, persona × endpoint (R-SEC-1, R-ORG-4, R-ARCH-7).

Ownership, co-ownership and the responsible unit change only through the hand-over: previewed,
confirmed, audited and reversible by whoever may hand over. Hand-over lists are scoped.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from baifang.core.models import AuditLog
from baifang.customers import services
from baifang.customers.models import AccessRequest, Customer, Handover, HandoverNotice
from baifang.rules.services import raise_special_visit
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory


def _state(customer) -> tuple:
    customer.refresh_from_db()
    return customer.owner_id, customer.unit_id, sorted(customer.co_owners.values_list("pk", flat=True))


@pytest.mark.parametrize("persona", ["rep", "manager", "market"])
@pytest.mark.parametrize("field", ["owner", "co_owners"])
def test_r_arch_7_ownership_cannot_be_patched(org, customer, persona, field):
    """R-ARCH-7, R-SEC-1: PATCH owner/co_owners is a field error for everyone; nothing moves, nothing hides."""
    before = _state(customer)
    value = org.outsider.pk if field == "owner" else [org.outsider.pk]
    response = api_for(getattr(org, persona)).patch(
        f"/api/v1/customers/{customer.pk}/", {field: value}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == field
    assert _state(customer) == before
    assert not Customer.objects.visible_to(org.outsider).filter(pk=customer.pk).exists()


def test_r_arch_7_sending_the_current_owner_back_is_fine(org, customer):
    """A full PUT echoing the stored owner and co-owners is not a change."""
    customer.co_owners.add(org.teammate)
    api = api_for(org.rep)
    body = api.get(f"/api/v1/customers/{customer.pk}/").json()
    body["notes"] = "更新备注"
    body = {k: v for k, v in body.items() if v is not None}
    response = api.patch(
        f"/api/v1/customers/{customer.pk}/",
        {"owner": body["owner"], "co_owners": body["co_owners"], "notes": "更新备注"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["notes"] == "更新备注"


def test_r_arch_7_the_edit_form_ignores_owner_and_co_owners(org, customer):
    """The edit page shows owner and co-owners read-only; a crafted POST changes neither."""
    client = client_for(org.rep)
    form = client.get(reverse("customers:edit", args=[customer.pk])).context["form"]
    assert form.fields["owner"].disabled and form.fields["co_owners"].disabled
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("owner", "co_owners")
    }
    data.update(owner=org.outsider.pk, co_owners=[org.outsider.pk], notes="x")
    for name in ("opens_at", "closes_at", "first_contact_on", "cooperation_since"):
        if data.get(name) is not None:
            data[name] = str(data[name])[:10] if name.endswith(("_on", "since")) else data[name]
    client.post(reverse("customers:edit", args=[customer.pk]), data)
    assert _state(customer)[0] == org.rep.pk and _state(customer)[2] == []


def test_r_arch_7_reassign_previews_then_moves_owner_unit_and_co_owners_audited(org, customer):
    """R-ARCH-7: preview changes nothing; confirm moves owner, unit (follows owner) and co-owners; audit row."""
    api = api_for(org.manager)
    url = f"/api/v1/customers/{customer.pk}/reassign/"
    body = {"owner": org.teammate.pk, "co_owners": [org.rep.pk], "reason": "调整片区"}
    preview = api.post(url, body, format="json")
    assert preview.status_code == 200
    move = preview.json()["customers"][0]
    assert move["before"] == {"owner": org.rep.pk, "unit": org.team1.pk, "co_owners": []}
    assert move["after"] == {"owner": org.teammate.pk, "unit": org.team1.pk, "co_owners": [org.rep.pk]}
    assert _state(customer) == (org.rep.pk, org.team1.pk, [])
    done = api.post(url, {**body, "confirm": True, "digest": preview.json()["digest"]}, format="json")
    assert done.status_code == 201
    assert _state(customer) == (org.teammate.pk, org.team1.pk, [org.rep.pk])
    handover = Handover.objects.get(pk=done.json()["handover"])
    assert handover.customer == customer and handover.performed_by == org.manager
    assert AuditLog.objects.filter(action="handover", object_id=str(handover.pk)).exists()
    assert HandoverNotice.objects.filter(handover=handover, assignee=org.teammate).count() == 1


def test_r_arch_7_reassign_to_another_department_moves_the_unit(org, customer):
    """R-ORG-4: the responsible unit follows the new owner, so their manager sees the customer."""
    services.reassign_customer(customer, owner=org.outsider, co_owners=[], by=org.market, reason="调整")
    assert _state(customer)[:2] == (org.outsider.pk, org.sales2.pk)
    assert Customer.objects.visible_to(org.manager2).filter(pk=customer.pk).exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("rep", 403), ("leader", 403), ("manager2", 404), ("outsider", 404)]
)
def test_r_sec_1_only_who_may_hand_over_reassigns(org, customer, persona, status):
    """R-SEC-1: a rep or the leader reads but cannot reassign (403); other departments do not see it (404)."""
    body = {"owner": org.teammate.pk, "reason": "x", "confirm": True}
    response = api_for(getattr(org, persona)).post(
        f"/api/v1/customers/{customer.pk}/reassign/", body, format="json"
    )
    assert response.status_code == status
    assert _state(customer)[0] == org.rep.pk
    page = client_for(getattr(org, persona)).get(reverse("customers:reassign", args=[customer.pk]))
    assert page.status_code == status


def test_r_arch_7_reassign_page_previews_then_confirms(org, customer):
    client = client_for(org.manager)
    url = reverse("customers:reassign", args=[customer.pk])
    body = {"owner": org.teammate.pk, "co_owners": [org.rep.pk], "reason": "调整"}
    preview = client.post(url, body)
    assert preview.status_code == 200 and "handover-preview" in preview.content.decode()
    assert _state(customer)[0] == org.rep.pk
    confirmed = client.post(url, {**body, "confirm": "1", "digest": preview.context["plan"].digest})
    assert confirmed.status_code == 302 and _state(customer)[0] == org.teammate.pk


def test_r_arch_7_hand_over_preview_lists_what_moves(org, customer):
    """R-ARCH-7: co-owned customers, open special visits, approvals and draft screenings are in the preview."""
    co_owned = CustomerFactory(owner=org.teammate)
    co_owned.co_owners.add(org.rep)
    special = raise_special_visit(customer, trigger="customer_request", by=org.rep)
    body = {"leaver": org.rep.pk, "successor": org.teammate.pk, "reason": "离职"}
    preview = api_for(org.manager).post("/api/v1/handovers/", body, format="json").json()
    moved = {c["id"]: c["after"] for c in preview["customers"]}
    assert moved[customer.pk]["owner"] == org.teammate.pk
    assert moved[co_owned.pk] == {"owner": org.teammate.pk, "unit": co_owned.unit_id, "co_owners": []}
    assert preview["special_visits"] == [special.pk]
    assert not Handover.objects.exists() and _state(customer)[0] == org.rep.pk


def test_r_arch_7_a_stale_preview_is_not_applied(org, customer):
    """A confirmation names the preview it confirms; if the customers changed since, nothing is applied."""
    api = api_for(org.manager)
    body = {"leaver": org.rep.pk, "successor": org.teammate.pk, "reason": "离职"}
    digest = api.post("/api/v1/handovers/", body, format="json").json()["digest"]
    CustomerFactory(owner=org.rep)  # a customer registered after the preview was shown
    stale = api.post("/api/v1/handovers/", {**body, "confirm": True, "digest": digest}, format="json")
    assert stale.status_code == 400 and not Handover.objects.exists()


def test_r_arch_7_undo_puts_everything_back(org, customer):
    """R-ARCH-7: whoever may hand over undoes it: owner, unit, co-owners, open work, leaver's account."""
    co_owned = CustomerFactory(owner=org.teammate)
    co_owned.co_owners.add(org.rep)
    special = raise_special_visit(customer, trigger="customer_request", by=org.rep)
    before = (_state(customer), _state(co_owned))
    result = services.hand_over(
        leaver=org.rep, successor=org.outsider, by=org.market, reason="离职", deactivate=True
    )
    assert _state(customer)[:2] == (org.outsider.pk, org.sales2.pk)
    assert api_for(org.rep).post(f"/api/v1/handovers/{result.handover.pk}/undo/").status_code in (
        401,
        403,
        404,
    )
    response = api_for(org.market).post(f"/api/v1/handovers/{result.handover.pk}/undo/")
    assert response.status_code == 200 and response.json()["customers"] == 2
    assert (_state(customer), _state(co_owned)) == before
    special.refresh_from_db()
    org.rep.refresh_from_db()
    assert special.responsible == org.rep and org.rep.is_active
    assert not HandoverNotice.objects.filter(handover=result.handover).exists()
    assert AuditLog.objects.filter(action="handover", object_id=str(result.handover.pk)).count() == 2
    again = api_for(org.market).post(f"/api/v1/handovers/{result.handover.pk}/undo/")
    assert again.status_code == 400


def test_r_arch_7_undo_leaves_customers_changed_since(org, customer):
    """A customer moved again after the hand-over keeps its newer owner."""
    result = services.hand_over(leaver=org.rep, successor=org.teammate, by=org.manager, reason="调岗")
    services.reassign_customer(customer, owner=org.manager, co_owners=[], by=org.manager, reason="再调")
    undone = services.undo_hand_over(result.handover, by=org.manager)
    assert undone.customers == 0 and _state(customer)[0] == org.manager.pk


def test_r_arch_7_undo_page_shows_then_undoes(org, customer):
    result = services.hand_over(leaver=org.rep, successor=org.teammate, by=org.manager, reason="调岗")
    client = client_for(org.manager)
    url = reverse("customers:handover_undo", args=[result.handover.pk])
    page = client.get(url)
    assert page.status_code == 200 and customer.code in page.content.decode()
    assert _state(customer)[0] == org.teammate.pk
    assert client.post(url).status_code == 302 and _state(customer)[0] == org.rep.pk
    assert client_for(org.manager2).get(url).status_code == 404


@pytest.fixture
def two_handovers(org):
    """One hand-over inside each sales department."""
    CustomerFactory(owner=org.rep)
    CustomerFactory(owner=org.outsider)
    first = services.hand_over(leaver=org.rep, successor=org.teammate, by=org.manager, reason="一部")
    second = services.hand_over(leaver=org.outsider, successor=org.manager2, by=org.market, reason="二部")
    return first.handover, second.handover


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("manager", {"一部"}),
        ("manager2", {"二部"}),
        ("market", {"一部", "二部"}),
        ("leader", {"一部", "二部"}),
    ],
)
def test_r_org_4_hand_over_lists_are_scoped(org, two_handovers, persona, sees):
    """R-ORG-4: a manager sees the hand-overs of their own units' people, on the page and in the API."""
    user = getattr(org, persona)
    listed = {h["reason"] for h in api_for(user).get("/api/v1/handovers/").json()["results"]}
    assert listed == sees
    if user.has_perm("customers.perform_handover"):
        html = client_for(user).get(reverse("customers:handover")).content.decode()
        assert {reason for reason in ("一部", "二部") if f"<td>{reason}</td>" in html} == sees


def test_r_sec_1_other_departments_hand_over_is_404(org, two_handovers):
    first, _second = two_handovers
    api = api_for(org.manager2)
    assert api.get(f"/api/v1/handovers/{first.pk}/").status_code == 404
    assert api.post(f"/api/v1/handovers/{first.pk}/undo/").status_code == 404
    assert Handover.objects.get(pk=first.pk).undone_at is None


def test_r_arch_8_pending_approvals_move_and_come_back(org):
    """R-ARCH-7: a leaving manager's pending approvals go to the successor, and back on undo."""
    pending = AccessRequest.objects.create(
        requester=org.teammate, customer=CustomerFactory(owner=org.outsider), reason="r", approver=org.manager
    )
    result = services.hand_over(leaver=org.manager, successor=org.teammate, by=org.market, reason="调岗")
    pending.refresh_from_db()
    assert pending.approver == org.teammate
    services.undo_hand_over(result.handover, by=org.market)
    pending.refresh_from_db()
    assert pending.approver == org.manager


@pytest.mark.parametrize(
    ("persona", "shown"), [("manager", True), ("market", True), ("rep", False), ("leader", False)]
)
def test_r_arch_7_the_detail_page_offers_reassign_only_to_who_may_hand_over(org, customer, persona, shown):
    html = client_for(getattr(org, persona)).get(customer.get_absolute_url()).content.decode()
    assert (reverse("customers:reassign", args=[customer.pk]) in html) is shown


@pytest.mark.parametrize("field", ["owner", "co_owners"])
def test_r_sec_1_a_rep_registers_customers_for_themself_only(org, field):
    """R-SEC-1, R-ARCH-7: naming another department's rep as owner or co-owner of a new customer is a
    field error (it would move the customer, or show it, outside the creator's scope)."""
    value = org.outsider.pk if field == "owner" else [org.outsider.pk]
    response = api_for(org.rep).post(
        "/api/v1/customers/",
        {"name": "越权登记商行", "customer_type": "retailer", field: value},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == field
    assert not Customer.objects.filter(name="越权登记商行").exists()


def test_r_sec_1_a_manager_assigns_new_customers_within_their_units(org):
    """R-ARCH-7: a manager may name a rep of their own unit, not one of another department."""
    api = api_for(org.manager)
    ok = api.post(
        "/api/v1/customers/",
        {"name": "本部门商行", "customer_type": "retailer", "owner": org.rep.pk},
        format="json",
    )
    assert ok.status_code == 201 and Customer.objects.get(name="本部门商行").owner == org.rep
    refused = api.post(
        "/api/v1/customers/",
        {"name": "外部门商行", "customer_type": "retailer", "owner": org.outsider.pk},
        format="json",
    )
    assert refused.status_code == 400 and not Customer.objects.filter(name="外部门商行").exists()


def test_r_sec_1_the_new_customer_page_offers_only_assignable_people(org):
    """R-SEC-1: the rep's create form lists only the rep; a forged choice is refused."""
    client = client_for(org.rep)
    page = client.get(reverse("customers:create"))
    assert list(page.context["form"].fields["owner"].queryset) == [org.rep]
    response = client.post(
        reverse("customers:create"),
        {"name": "伪造归属商行", "customer_type": "retailer", "owner": org.outsider.pk},
    )
    assert response.status_code == 200 and "owner" in response.context["form"].errors
    assert not Customer.objects.filter(name="伪造归属商行").exists()


@pytest.mark.parametrize("field", ["owner", "co_owners"])
def test_r_sec_1_the_service_refuses_unassignable_people_for_page_api_and_import(org, field):
    """R-SEC-1, R-ARCH-7: the check lives in services.create_customer, so every path (page, API, an
    import) shares it: the same field, message and code, and nothing is saved."""
    from django.core.exceptions import ValidationError
    from django.utils import translation

    customer = Customer(name="服务层越权商行", customer_type="retailer", first_contact_on=dt.date(2026, 3, 2))
    if field == "owner":
        customer.owner = org.outsider
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.create_customer(
            customer, by=org.rep, co_owners=[org.outsider] if field == "co_owners" else ()
        )
    errors = caught.value.error_dict[field]
    assert [e.code for e in errors] == ["invalid"]
    with translation.override("zh-hans"):
        assert errors[0].message == translation.gettext(
            "You may name only yourself or people of your own units here."
        )
    assert not Customer.objects.filter(name="服务层越权商行").exists()
    # The API answers with that very message and code.
    value = org.outsider.pk if field == "owner" else [org.outsider.pk]
    body = (
        api_for(org.rep)
        .post(
            "/api/v1/customers/",
            {"name": "服务层越权商行", "customer_type": "retailer", field: value},
            format="json",
        )
        .json()
    )
    assert [(e["attr"], e["code"], e["detail"]) for e in body["errors"]] == [
        (field, "invalid", errors[0].message)
    ]


def test_r_sec_1_the_service_lets_a_manager_name_people_of_their_units(org):
    """R-ARCH-7: the manager's own rep as owner and a teammate as co-owner are fine; both are kept."""
    customer = Customer(
        name="本部门服务商行", customer_type="retailer", first_contact_on=dt.date(2026, 3, 2), owner=org.rep
    )
    services.create_customer(customer, by=org.manager, co_owners=[org.teammate])
    customer.refresh_from_db()
    assert customer.owner == org.rep and list(customer.co_owners.all()) == [org.teammate]
