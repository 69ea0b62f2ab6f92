"""Classification pages: schemes, tier criteria, batch re-rating, manual override (R-TIER-1..3)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from baifang.customers.access import get_customer_for_user, get_editable_customer
from baifang.customers.models import Customer
from baifang.customers.predicates import is_archive_admin
from baifang.tiers import services
from baifang.tiers.forms import OverrideForm, TierForm
from baifang.tiers.models import ClassificationScheme, RatingBatch, Tier


def _require_admin(user):
    if not is_archive_admin(user):
        raise PermissionDenied


@login_required
def scheme_list(request):
    schemes = ClassificationScheme.objects.prefetch_related("tiers").order_by("name")
    return render(
        request, "tiers/scheme_list.html", {"schemes": schemes, "can_edit": is_archive_admin(request.user)}
    )


@login_required
def scheme_detail(request, pk):
    scheme = get_object_or_404(ClassificationScheme, pk=pk)
    batches = scheme.batches.select_related("created_by", "decided_by")[:10]
    context = {
        "scheme": scheme,
        "tiers": scheme.tiers.order_by("rank"),
        "batches": batches,
        "can_edit": is_archive_admin(request.user),
        "rules": scheme.visit_rules.in_force_on(timezone.localdate()),
        "shares": services.tier_shares(scheme, request.user),  # R-FREQ-10: drift from the expected share
    }
    return render(request, "tiers/scheme_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def tier_edit(request, pk):
    _require_admin(request.user)
    tier = get_object_or_404(Tier, pk=pk)
    form = TierForm(request.POST or None, instance=tier)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved. Run a re-rating to apply the new criteria."))
        return redirect("tiers:scheme", pk=tier.scheme_id)
    return render(request, "tiers/tier_form.html", {"form": form, "tier": tier})


@login_required
@require_POST
def batch_create(request, pk):
    """Rate every customer of the scheme and propose the changes (R-TIER-3)."""
    _require_admin(request.user)
    scheme = get_object_or_404(ClassificationScheme, pk=pk)
    try:
        batch = services.propose_rerating(scheme, Customer.objects.visible_to(request.user), by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("tiers:scheme", pk=pk)
    return redirect("tiers:batch", pk=batch.pk)


@login_required
@require_http_methods(["GET", "POST"])
def batch_detail(request, pk):
    """Proposed changes side by side; unticked rows are rejected when the batch is applied."""
    batch = get_object_or_404(RatingBatch.objects.select_related("scheme", "created_by"), pk=pk)
    if request.method == "POST":
        _require_admin(request.user)
        try:
            if request.POST.get("action") == "discard":
                services.discard_batch(batch, by=request.user)
                messages.info(request, _("Batch discarded."))
            else:
                shown = {int(v) for v in request.POST.getlist("shown")}
                accepted = {int(v) for v in request.POST.getlist("accept")}
                rejected = shown - accepted
                applied = services.apply_batch(batch, by=request.user, rejected_ids=rejected)
                messages.success(request, _("%(n)d tier changes applied.") % {"n": applied})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("tiers:batch", pk=pk)
    visible = Customer.objects.visible_to(request.user).values("pk")
    proposals = batch.proposals.filter(customer__in=visible).select_related(
        "customer", "current_tier", "proposed_tier"
    )
    page = Paginator(proposals, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "tiers/batch_detail.html",
        {"batch": batch, "page": page, "can_edit": is_archive_admin(request.user)},
    )


@login_required
@require_POST
def override(request, customer_pk, scheme_pk):
    """Set a customer's tier by hand with a reason (R-TIER-3)."""
    _require_admin(request.user)
    customer = get_customer_for_user(request.user, customer_pk)
    scheme = get_object_or_404(ClassificationScheme, pk=scheme_pk)
    form = OverrideForm(request.POST, scheme=scheme)
    if form.is_valid():
        try:
            services.override_tier(
                customer, form.cleaned_data["tier"], by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Tier changed."))
    else:
        messages.error(request, _("Choose a tier and give a reason."))
    return redirect(customer.get_absolute_url() + "?tab=obligations")


# --- screening (R-TIER-4) ---------------------------------------------------------------------


def _visible_screenings(user):
    from baifang.tiers.screening import visible_screenings

    return visible_screenings(user).select_related("customer", "checklist", "submitted_by")


@login_required
def screening_list(request):
    from baifang.tiers.screening import may_decide

    screenings = list(_visible_screenings(request.user).order_by("-created_at")[:200])
    # The regional stage asks each submitter's supervisor: resolve it once per submitter.
    supervisors = {}
    for s in screenings:
        if s.submitted_by_id not in supervisors:
            supervisors[s.submitted_by_id] = s.submitted_by.supervisor
        s.submitted_by.__dict__["supervisor"] = supervisors[s.submitted_by_id]  # fills the cached_property
    to_decide = [s for s in screenings if may_decide(request.user, s)]
    return render(request, "tiers/screening_list.html", {"to_decide": to_decide, "screenings": screenings})


@login_required
@require_http_methods(["GET", "POST"])
def screening_create(request, customer_pk):
    from baifang.tiers import screening as screening_service
    from baifang.tiers.models import ScreeningChecklist

    customer = get_editable_customer(request.user, customer_pk)
    checklists = ScreeningChecklist.objects.filter(is_active=True)
    if request.method == "POST":
        checklist = get_object_or_404(checklists, pk=request.POST.get("checklist"))
        screening = screening_service.start(customer, checklist, by=request.user)
        return redirect("tiers:screening", pk=screening.pk)
    return render(request, "tiers/screening_create.html", {"customer": customer, "checklists": checklists})


@login_required
@require_http_methods(["GET", "POST"])
def screening_detail(request, pk):
    from baifang.tiers import screening as screening_service

    screening = get_object_or_404(_visible_screenings(request.user), pk=pk)
    answers = {a.item_code: a for a in screening.answers.all()}
    editable = screening.can_answer(request.user)
    if request.method == "POST":
        try:
            if request.POST.get("action") in ("save", "submit") and editable:
                with transaction.atomic():
                    screening_service.save_answers(
                        screening, _posted_answers(request, answers), by=request.user
                    )
                    if request.POST["action"] == "submit":
                        screening_service.submit(screening, by=request.user)
                messages.success(request, _("Saved."))
            elif request.POST.get("action") in ("approve", "reject"):
                screening_service.decide(
                    screening,
                    by=request.user,
                    approved=request.POST["action"] == "approve",
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("Decision recorded."))
            else:
                raise PermissionDenied
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("tiers:screening", pk=pk)
    items = [{"item": item, "answer": answers.get(item["code"])} for item in screening.checklist.items]
    context = {
        "screening": screening,
        "items": items,
        "decisions": screening.decisions.select_related("decided_by"),
    }
    return render(request, "tiers/screening_detail.html", context)


def _posted_answers(request, answers) -> dict[str, dict]:
    """The answer form's fields as {item_code: {passed, note, evidence}}; uploads are checked here."""
    from baifang.core.uploads import validate_upload

    posted = {}
    for code in answers:
        upload = request.FILES.get(f"evidence_{code}")
        if upload is not None:
            validate_upload(upload)
        posted[code] = {
            "passed": request.POST.get(f"passed_{code}") == "on",
            "note": request.POST.get(f"note_{code}", ""),
            "evidence": upload,
        }
    return posted


@login_required
def screening_evidence(request, pk, code):
    """Evidence of one checklist item, only for users who may read the screening."""
    screening = get_object_or_404(_visible_screenings(request.user), pk=pk)
    answer = get_object_or_404(screening.answers.exclude(evidence=""), item_code=code)
    return FileResponse(
        answer.evidence.open("rb"), as_attachment=True, filename=answer.evidence.name.rsplit("/", 1)[-1]
    )
