"""Credit limit and term (R-AR-1, seed 002): proposed by market + finance, approved by a vice-president.

Every step from each state by the right and the wrong person, history and audit on every step.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from baifang.core.exceptions import InvalidTransition
from baifang.core.models import AuditLog
from baifang.receivables import services
from baifang.receivables.choices import CreditStatus
from baifang.receivables.models import CreditTerms
from tests.conftest import api_for, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(org, shops):
    return services.propose_terms(
        shops["a"], credit_limit=Decimal("50000"), term_days=30, reason="老客户", by=org.market
    )


def test_market_proposes_finance_countersigns_a_vice_president_approves_R_AR_1(
    org, shops, finance, deputy, proposal
):
    assert proposal.status == CreditStatus.PROPOSED
    services.act_on_terms(proposal.pk, "countersign", by=finance, comment="账期可行")
    terms = services.act_on_terms(proposal.pk, "approve", by=deputy)
    assert terms.status == CreditStatus.APPROVED and terms.decided_by == deputy and terms.decided_at
    steps = list(terms.status_changes.values_list("transition", "old_status", "new_status", "changed_by"))
    assert steps == [
        ("propose", "draft", "proposed", org.market.pk),
        ("countersign", "proposed", "agreed", finance.pk),
        ("approve", "agreed", "approved", deputy.pk),
    ]
    assert (
        AuditLog.objects.filter(object_type="receivables.creditterms", object_id=str(terms.pk)).count() == 3
    )
    shops["a"].refresh_from_db()
    assert (shops["a"].credit_limit, shops["a"].credit_term_days) == (Decimal("50000"), 30)
    assert services.current_terms(shops["a"]) == terms


def test_only_market_or_finance_staff_propose_R_AR_1(org, shops):
    for user in (org.rep, org.manager, org.leader):
        with pytest.raises(PermissionDenied):
            services.propose_terms(shops["a"], credit_limit=Decimal(1), term_days=1, reason="", by=user)
    assert not CreditTerms.objects.exists()


def test_the_countersign_is_the_other_side_never_the_proposer_R_AR_1(org, finance, deputy, proposal):
    other_market = type(org.market).objects.create(username="market2", unit=org.market_dept)
    from baifang.org.models import PositionAssignment

    PositionAssignment.objects.create(
        user=other_market, position=org.market.assignments.get().position, unit=org.market_dept
    )
    for user in (org.market, other_market, org.rep, deputy):
        with pytest.raises(PermissionDenied):
            services.act_on_terms(proposal.pk, "countersign", by=user)
    services.act_on_terms(proposal.pk, "countersign", by=finance)


def test_only_a_vice_president_approves_and_not_before_the_countersign_R_AR_1(org, finance, deputy, proposal):
    with pytest.raises(InvalidTransition):
        services.act_on_terms(proposal.pk, "approve", by=deputy)
    services.act_on_terms(proposal.pk, "countersign", by=finance)
    for user in (org.market, finance, org.manager, org.rep):
        with pytest.raises(PermissionDenied):
            services.act_on_terms(proposal.pk, "approve", by=user)
    assert CreditTerms.objects.get(pk=proposal.pk).status == CreditStatus.AGREED


def test_rejection_by_finance_at_the_countersign_or_by_the_vice_president_R_AR_1(
    org, shops, finance, deputy, proposal
):
    with pytest.raises(PermissionDenied):
        services.act_on_terms(proposal.pk, "reject", by=org.rep)
    services.act_on_terms(proposal.pk, "reject", by=finance, comment="欠款过多")
    assert CreditTerms.objects.get(pk=proposal.pk).status == CreditStatus.REJECTED
    with pytest.raises(InvalidTransition):
        services.act_on_terms(proposal.pk, "approve", by=deputy)
    second = services.propose_terms(shops["a"], credit_limit=Decimal(10), term_days=10, reason="", by=finance)
    services.act_on_terms(second.pk, "countersign", by=org.market)
    services.act_on_terms(second.pk, "reject", by=deputy)
    assert CreditTerms.objects.get(pk=second.pk).status == CreditStatus.REJECTED
    shops["a"].refresh_from_db()
    assert shops["a"].credit_limit is None  # nothing approved: the archive is untouched


def test_a_second_open_proposal_for_the_same_customer_is_refused(org, shops, finance, proposal):
    with pytest.raises(InvalidTransition):
        services.propose_terms(shops["a"], credit_limit=Decimal(1), term_days=1, reason="", by=finance)
    assert CreditTerms.objects.count() == 1


def test_the_api_runs_the_chain_and_answers_403_and_400(org, shops, finance, deputy):
    body = {"customer": shops["a"].pk, "credit_limit": "8000.00", "term_days": 20, "reason": "新开户"}
    assert api_for(org.rep).post("/api/v1/credit-terms/", body, format="json").status_code == 403
    created = api_for(org.market).post("/api/v1/credit-terms/", body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert api_for(org.market).post("/api/v1/credit-terms/", body, format="json").status_code == 400
    assert api_for(deputy).post(f"/api/v1/credit-terms/{pk}/approve/", {}, format="json").status_code == 400
    assert (
        api_for(finance).post(f"/api/v1/credit-terms/{pk}/countersign/", {}, format="json").status_code == 200
    )
    assert api_for(finance).post(f"/api/v1/credit-terms/{pk}/approve/", {}, format="json").status_code == 403
    done = api_for(deputy).post(f"/api/v1/credit-terms/{pk}/approve/", {"comment": "同意"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert [h["transition"] for h in done.json()["history"]] == ["propose", "countersign", "approve"]


def test_outsiders_see_no_credit_terms(org, shops, proposal):
    assert api_for(org.outsider).get(f"/api/v1/credit-terms/{proposal.pk}/").status_code == 404
    assert (
        api_for(org.outsider)
        .post(f"/api/v1/credit-terms/{proposal.pk}/reject/", {}, format="json")
        .status_code
        == 404
    )
    assert api_for(org.outsider).get("/api/v1/credit-terms/").json()["results"] == []
    assert client_for(org.outsider).get(f"/receivables/credit/{proposal.pk}/").status_code == 404
    assert (
        client_for(org.outsider)
        .post(f"/receivables/credit/{proposal.pk}/act/", {"transition": "reject"})
        .status_code
        == 404
    )
    body = {"customer": shops["a"].pk, "credit_limit": "1", "term_days": 1}
    assert api_for(org.outsider).post("/api/v1/credit-terms/", body, format="json").status_code in (403, 404)
    assert client_for(org.outsider).get(f"/receivables/credit/new/{shops['a'].pk}/").status_code in (403, 404)


def test_the_pages_propose_and_decide(org, shops, finance, deputy):
    page = client_for(org.market).post(
        f"/receivables/credit/new/{shops['a'].pk}/", {"credit_limit": "3000", "term_days": "15", "reason": ""}
    )
    terms = CreditTerms.objects.get()
    assert page.status_code == 302 and page.url == terms.get_absolute_url()
    detail = client_for(finance).get(terms.get_absolute_url()).content.decode()
    assert 'value="countersign"' in detail and 'value="approve"' not in detail
    client_for(finance).post(f"/receivables/credit/{terms.pk}/act/", {"transition": "countersign"})
    client_for(deputy).post(
        f"/receivables/credit/{terms.pk}/act/", {"transition": "approve", "comment": "可"}
    )
    terms.refresh_from_db()
    assert terms.status == CreditStatus.APPROVED
    # A wrong step on the page is a message, not a change.
    client_for(deputy).post(f"/receivables/credit/{terms.pk}/act/", {"transition": "reject"})
    terms.refresh_from_db()
    assert terms.status == CreditStatus.APPROVED


def test_a_proposal_racing_past_the_check_is_refused_by_the_constraint(org, shops, finance):
    """The unique open proposal per customer holds in the database, not only in the service."""
    from django.db import IntegrityError, transaction

    CreditTerms.objects.create(customer=shops["b"], credit_limit=1, term_days=1, proposed_by=org.market)
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditTerms.objects.create(customer=shops["b"], credit_limit=2, term_days=2, proposed_by=finance)
