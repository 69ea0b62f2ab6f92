"""Survey pages: templates, campaigns, recipients, answers, statistics, the reply letter (R-SURV-1..4)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from baifang.surveys import exports, services
from baifang.surveys.access import is_survey_staff, may_run_campaigns, survey_customers
from baifang.surveys.choices import ResponseSource
from baifang.surveys.filtersets import CampaignFilterSet, RecipientFilterSet
from baifang.surveys.forms import (
    AnswerForm,
    CampaignForm,
    CheckForm,
    DistributeForm,
    LetterForm,
    OpinionGroupForm,
    RectificationForm,
    TargetForm,
)
from baifang.surveys.models import (
    OpinionGroup,
    SurveyCampaign,
    SurveyResponse,
    SurveySettings,
    SurveyTemplate,
)

TRANSITIONS = ("start", "close", "reopen", "publish", "cancel")


def _campaign_for(user, pk) -> SurveyCampaign:
    """The campaign if ``user`` may see it; 404 otherwise (a stranger learns nothing)."""
    return get_object_or_404(services.visible_campaigns(user).select_related("template", "owner"), pk=pk)


def _messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def campaign_list(request):
    campaigns = services.visible_campaigns(request.user).select_related("template", "owner")
    filterset = CampaignFilterSet(request.GET, queryset=campaigns)
    rows = filterset.qs if filterset.is_valid() else campaigns.none()
    rows = rows.annotate(
        targets=Count("recipients", distinct=True),
        returned=Count("recipients__response", distinct=True),
    ).order_by("-starts_on", "-pk")
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    due = services.next_survey_due(timezone.localdate())
    context = {
        "page": page,
        "filterset": filterset,
        "may_create": may_run_campaigns(request.user),
        "next_due": due,
        "overdue": due is None or due <= timezone.localdate(),
        "settings_row": SurveySettings.current(),
    }
    return render(request, "surveys/campaign_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    if not may_run_campaigns(request.user):
        raise PermissionDenied
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.owner = request.user
        campaign = form.save()
        messages.success(request, _("Campaign created. Add its recipients, then start it."))
        return redirect(campaign)
    return render(request, "surveys/campaign_form.html", {"form": form})


@login_required
def campaign_detail(request, pk):
    campaign = _campaign_for(request.user, pk)
    visible = survey_customers(request.user).values("pk")
    recipients = campaign.recipients.filter(customer__in=visible).select_related(
        "customer", "distributed_by", "response"
    )
    filterset = RecipientFilterSet(request.GET, queryset=recipients)
    rows = filterset.qs if filterset.is_valid() else recipients.none()
    page = Paginator(rows.order_by("customer__name", "pk"), 50).get_page(request.GET.get("page"))
    may_edit = campaign.may_edit(request.user)
    context = {
        "campaign": campaign,
        "progress": services.progress(campaign, request.user),
        "page": page,
        "filterset": filterset,
        "may_edit": may_edit,
        "target_form": TargetForm() if may_edit else None,
        "distribute_form": DistributeForm() if may_edit else None,
        "transitions": [t for t in TRANSITIONS if campaign.workflow.can(campaign, t, request.user)],
        "history": campaign.status_changes.select_related("changed_by"),
        "show_links": may_edit and campaign.accepts_answers,
    }
    return render(request, "surveys/campaign_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk):
    campaign = _campaign_for(request.user, pk)
    if not campaign.may_edit(request.user):
        raise PermissionDenied
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect(campaign)
    return render(request, "surveys/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
@require_POST
def campaign_transition(request, pk, name):
    if name not in TRANSITIONS:
        raise Http404
    campaign = _campaign_for(request.user, pk)
    try:
        with transaction.atomic():
            locked = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
            if name == "cancel":
                locked.cancel(by=request.user, reason=request.POST.get("reason", ""))
            else:
                getattr(locked, name)(by=request.user)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("Campaign is now %(status)s.") % {"status": locked.get_status_display()})
    return redirect(campaign)


@login_required
@require_POST
def recipients_add(request, pk):
    campaign = _campaign_for(request.user, pk)
    form = TargetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please correct the target set."))
        return redirect(campaign)
    rule = form.rule()
    try:
        added = services.add_recipients(
            campaign, services.target_customers(rule, request.user), by=request.user, rule=rule
        )
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("%(count)s recipients added.") % {"count": added})
    return redirect(campaign)


def _selected_ids(request) -> list[int]:
    return [int(v) for v in request.POST.getlist("recipient") if v.isdigit() and len(v) < 19]


@login_required
@require_POST
def recipients_distribute(request, pk):
    campaign = _campaign_for(request.user, pk)
    form = DistributeForm(request.POST)
    ids = _selected_ids(request)
    if request.POST.get("all_undistributed"):
        ids = list(campaign.recipients.filter(distributed_at__isnull=True).values_list("pk", flat=True))
    if not form.is_valid() or not ids:
        messages.error(request, _("Choose the recipients and how the questionnaire reached them."))
        return redirect(campaign)
    try:
        if request.POST.get("action") == "remove":
            count = services.remove_recipients(campaign, ids, by=request.user)
            messages.success(request, _("%(count)s recipients removed.") % {"count": count})
        else:
            count = services.record_distribution(campaign, ids, form.cleaned_data["channel"], by=request.user)
            messages.success(
                request, _("%(count)s questionnaires recorded as distributed.") % {"count": count}
            )
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    return redirect(campaign)


@login_required
@require_POST
def campaign_remind(request, pk):
    campaign = _campaign_for(request.user, pk)
    try:
        sent = services.remind_non_respondents(campaign, by=request.user)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        if sent:
            messages.success(request, _("Reminder sent about the questionnaires not returned."))
        else:
            messages.info(
                request, _("Nothing to remind: today's reminder has gone out, or everything is back.")
            )
    return redirect(campaign)


@login_required
@require_http_methods(["GET", "POST"])
def recipient_enter(request, pk, recipient_pk):
    """Staff enter a paper or phone answer for one recipient (R-SURV-2)."""
    campaign = _campaign_for(request.user, pk)
    recipient = get_object_or_404(
        campaign.recipients.filter(customer__in=survey_customers(request.user).values("pk")).select_related(
            "customer"
        ),
        pk=recipient_pk,
    )
    if not services.may_enter_for(recipient, request.user):
        raise PermissionDenied
    template = campaign.template
    form = AnswerForm(
        request.POST or None, template=template, staff=True, initial={"source": ResponseSource.PAPER}
    )
    refusal = None
    try:
        services.check_link_open(recipient)
    except ValidationError as exc:
        refusal = _messages_of(exc)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            services.submit_response(
                recipient,
                form.answers(),
                opinion=form.cleaned_data.get("opinion", ""),
                respondent=form.cleaned_data["respondent"],
                source=form.cleaned_data["source"],
                answered_on=form.cleaned_data["answered_on"],
                by=request.user,
            )
        except ValidationError as exc:
            refusal = _messages_of(exc)
        else:
            messages.success(
                request, _("Answers recorded for %(customer)s.") % {"customer": recipient.customer.name}
            )
            return redirect(f"{campaign.get_absolute_url()}?state=outstanding")
    context = {
        "campaign": campaign,
        "recipient": recipient,
        "form": form,
        "refusal": refusal,
        "template": template,
    }
    return render(request, "surveys/enter.html", context)


@login_required
def response_detail(request, pk):
    response = get_object_or_404(
        SurveyResponse.objects.filter(
            customer__in=survey_customers(request.user).values("pk")
        ).select_related("customer", "campaign", "template", "entered_by", "opinion_group"),
        pk=pk,
    )
    answers = {a.item_id: a.value for a in response.answers.all()}
    rows = [
        (item, response.template.answer_label(answers[item.pk]) if item.pk in answers else None)
        for item in response.template.items.all()
    ]
    return render(request, "surveys/response_detail.html", {"response": response, "rows": rows})


def item_chart(item_rows) -> dict:
    """The per-item satisfaction rates for the page's bar chart (R-SURV-3): the same numbers as the
    table beside it; an item nobody answered has no bar. Colours follow the table's 90 % / 75 % bands."""
    return {
        "labels": [f"{n}. {item.label}" for n, (item, _rate) in enumerate(item_rows, start=1)],
        "values": [rate.percent for _item, rate in item_rows],
        "unit": "%",
        "max": 100,
        "horizontal": True,
        "thresholds": [{"value": 90, "colour": "#15803d"}, {"value": 75, "colour": "#b45309"}],
        "colour": "#c8372d",
    }


def _statistics_context(campaign, user):
    summary = services.campaign_summary(campaign, user)
    items = list(campaign.template.items.all())
    return {
        "summary": summary,
        "item_rows": [(item, summary.items[item.code]) for item in items],
        "satisfied_labels": [
            campaign.template.answer_label(v)
            for v in campaign.template.scale_values
            if v in campaign.template.satisfied_set
        ],
        "progress": services.progress(campaign, user),
        "rectifications": campaign.rectifications.select_related("item", "owner"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def campaign_stats(request, pk):
    """The statistics of R-SURV-3 with their definitions, common opinions, rectifications, breakdowns."""
    campaign = _campaign_for(request.user, pk)
    may_edit = campaign.may_edit_letter(request.user)
    group_form = OpinionGroupForm(campaign=campaign, prefix="group")
    rect_form = RectificationForm(campaign=campaign, prefix="rect")
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "group":
            group_form = OpinionGroupForm(request.POST, campaign=campaign, prefix="group")
            if group_form.is_valid():
                group_form.save()
                messages.success(request, _("Group added."))
                return redirect("surveys:stats", pk=campaign.pk)
        elif action == "rectification":
            rect_form = RectificationForm(request.POST, campaign=campaign, prefix="rect")
            if rect_form.is_valid():
                rect_form.save()
                messages.success(request, _("Rectification added."))
                return redirect("surveys:stats", pk=campaign.pk)
        elif action == "assign":
            response = get_object_or_404(
                services.responses_of(campaign, request.user), pk=request.POST.get("response", "0")[:18] or 0
            )
            group_pk = request.POST.get("group", "")
            group = (
                get_object_or_404(OpinionGroup, pk=group_pk, campaign=campaign)
                if group_pk.isdigit()
                else None
            )
            services.group_opinion(response, group, by=request.user)
            return redirect(f"{request.path}#opinions")
    breakdown_by = request.GET.get("by") if request.GET.get("by") in ("district", "tier") else "district"
    groups, ungrouped = services.opinion_summary(campaign, request.user)
    opinions = (
        services.responses_of(campaign, request.user)
        .exclude(opinion="")
        .select_related("customer", "opinion_group")
        .order_by("opinion_group__order", "pk")
    )
    stats = _statistics_context(campaign, request.user)
    context = {
        "campaign": campaign,
        **stats,
        "item_chart": item_chart(stats["item_rows"]),
        "breakdown": services.breakdown(campaign, request.user, breakdown_by),
        "breakdown_by": breakdown_by,
        "groups": groups,
        "ungrouped": ungrouped,
        "opinions": Paginator(opinions, 30).get_page(request.GET.get("page")),
        "group_choices": [g for g, _n in groups],
        "may_edit": may_edit,
        "group_form": group_form,
        "rect_form": rect_form,
    }
    return render(request, "surveys/campaign_stats.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_letter(request, pk):
    """The reply letter to all respondents (R-SURV-3; the seed's 客户意见调查回复函), printable."""
    campaign = _campaign_for(request.user, pk)
    may_edit = campaign.may_edit_letter(request.user)
    form = LetterForm(request.POST or None, instance=campaign) if may_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            form.save()
            messages.success(request, _("Saved."))
            return redirect("surveys:letter", pk=campaign.pk)
    groups, _ungrouped = services.opinion_summary(campaign, request.user)
    stats = _statistics_context(campaign, request.user)
    context = {
        "campaign": campaign,
        **stats,
        "item_chart": item_chart(stats["item_rows"]),
        "groups": [(g, n) for g, n in groups if n],
        "form": form,
    }
    return render(request, "surveys/letter.html", context)


@login_required
def campaign_letter_xlsx(request, pk):
    campaign = _campaign_for(request.user, pk)
    summary = services.campaign_summary(campaign, request.user)
    body = exports.letter_workbook(campaign, summary)
    from baifang.core import audit
    from baifang.core.choices import AuditAction

    audit.record(AuditAction.EXPORT, campaign, user=request.user, message="survey statistics xlsx")
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="survey-{campaign.pk}.xlsx"'
    return response


@login_required
def template_list(request):
    templates = SurveyTemplate.objects.annotate(item_count=Count("items")).order_by("purpose", "name")
    return render(
        request,
        "surveys/template_list.html",
        {"templates": templates, "is_staff": is_survey_staff(request.user)},
    )


@login_required
def template_detail(request, pk):
    template = get_object_or_404(SurveyTemplate.objects.prefetch_related("items"), pk=pk)
    labels = [template.answer_label(v) for v in template.scale_values if v in template.satisfied_set]
    return render(request, "surveys/template_detail.html", {"template": template, "satisfied_labels": labels})


@login_required
@require_http_methods(["GET", "POST"])
def check_create(request, customer_pk):
    """A satisfaction check after a visit, a repair or a complaint (R-SURV-4)."""
    customer = get_object_or_404(survey_customers(request.user), pk=customer_pk)
    chooser = CheckForm(request.GET or request.POST or None)
    template = chooser.cleaned_data["template"] if chooser.is_valid() else None
    form = AnswerForm(request.POST or None, template=template, staff=True) if template else None
    refusal = None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.record_check(
                customer,
                template,
                form.answers(),
                by=request.user,
                source=form.cleaned_data["source"],
                opinion=form.cleaned_data.get("opinion", ""),
                respondent=form.cleaned_data["respondent"],
                answered_on=form.cleaned_data["answered_on"],
            )
        except ValidationError as exc:
            refusal = _messages_of(exc)
        else:
            messages.success(request, _("Satisfaction check recorded."))
            return redirect("surveys:checks")
    return render(
        request,
        "surveys/check_form.html",
        {"customer": customer, "chooser": chooser, "form": form, "template": template, "refusal": refusal},
    )


@login_required
def check_list(request):
    """Checks after visits, repairs and complaints, with the same statistics as campaigns (R-SURV-4)."""
    responses = SurveyResponse.objects.filter(
        campaign__isnull=True, customer__in=survey_customers(request.user).values("pk")
    ).select_related("customer", "template", "entered_by")
    templates = list(
        SurveyTemplate.objects.filter(pk__in=responses.values("template_id")).prefetch_related("items")
    )
    summaries = [(t, services.summary_from_db(responses.filter(template=t), t)) for t in templates]
    page = Paginator(responses.order_by("-answered_on", "-pk"), 30).get_page(request.GET.get("page"))
    return render(request, "surveys/check_list.html", {"page": page, "summaries": summaries})


# --- the public page behind a link: no login -------------------------------------------------------


@require_http_methods(["GET", "POST"])
def answer(request, token):
    """A recipient answers on their phone through their link: no login, once, until the campaign ends."""
    try:
        recipient = services.resolve_link(token)
    except ValidationError as exc:
        return render(
            request,
            "surveys/answer_refused.html",
            {"message": _messages_of(exc)},
            status=410 if exc.code in ("link_used", "link_expired", "link_closed") else 404,
        )
    template = recipient.campaign.template
    form = AnswerForm(request.POST or None, template=template)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_response(recipient, form.answers(), opinion=form.cleaned_data.get("opinion", ""))
        except ValidationError as exc:
            return render(request, "surveys/answer_refused.html", {"message": _messages_of(exc)}, status=410)
        return render(request, "surveys/answer_thanks.html", {"campaign": recipient.campaign})
    return render(
        request,
        "surveys/answer.html",
        {"recipient": recipient, "campaign": recipient.campaign, "template": template, "form": form},
    )
