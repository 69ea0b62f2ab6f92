"""Plan pages: my plans, a month calendar / week / day, editing, approval with the diff, plan vs. actual."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from baifang.core.calendar import calendar_for
from baifang.core.validators import validate_sane_date
from baifang.maps.adapters import display_point, rep_base
from baifang.plans import actuals, periods, services, workload
from baifang.plans.choices import PlanKind
from baifang.plans.filtersets import PlanFilterSet
from baifang.plans.forms import DecisionForm, LockForm, MoveForm, PlanItemForm, SummaryForm
from baifang.plans.models import Plan, PlanItem, makes_plans
from baifang.receivables.services import flag_collection_items


def _visible_plan(request, pk: int) -> Plan:
    return get_object_or_404(
        Plan.objects.visible_to(request.user).select_related("owner", "approved_by"), pk=pk
    )


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(f"{' '.join(v)}" for v in exc.message_dict.values())
    return "；".join(exc.messages)


def _posted(request, plan: Plan, form_class, action, success: str = ""):
    """Validate the posted form, call a service with its data, and report a refusal (stale,
    invalid, forbidden) as a message without losing anything; then back to the plan."""
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete; reload the page."))
        return redirect(plan)
    try:
        action(form.cleaned_data)
    except ValidationError as exc:  # StaleVersion and InvalidTransition included
        messages.error(request, _error_text(exc))
    except PermissionDenied:
        messages.error(request, _("You may not change this plan now."))
    else:
        if success:
            messages.success(request, success)
    return redirect(request.POST.get("next") or plan.get_absolute_url())


@login_required
def index(request):
    """My plans, shortcuts to the current and next periods, and (for managers) the approval queue."""
    today = timezone.localdate()
    mine = Plan.objects.filter(owner=request.user).for_lists().order_by("-period_start", "kind")
    page = Paginator(mine, 20).get_page(request.GET.get("page"))
    shortcuts = [
        (PlanKind.MONTH, today, _("This month")),
        (PlanKind.MONTH, periods.next_month(today), _("Next month")),
        (PlanKind.WEEK, today, _("This week")),
        (PlanKind.WEEK, today + dt.timedelta(days=7), _("Next week")),
        (PlanKind.DAY, today, _("Today")),
        (PlanKind.DAY, today + dt.timedelta(days=1), _("Tomorrow")),
    ]
    return render(
        request,
        "plans/index.html",
        {"page": page, "shortcuts": shortcuts, "queue_count": services.approval_queue(request.user).count()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def open_period(request, kind: str, day: str):
    """My plan of ``kind`` for the period containing ``day``; a GET never creates one.

    When there is none yet, the page says so and offers a button that creates it (a POST), to the
    people who keep plans only.
    """
    if kind not in PlanKind.values:
        raise Http404
    try:
        date = dt.date.fromisoformat(day)
        validate_sane_date(date)  # the calendar's ends (9999-12-31) have no month after them
    except (ValueError, ValidationError) as exc:
        raise Http404 from exc
    start, end = periods.bounds(kind, date)
    plan = Plan.objects.filter(owner=request.user, kind=kind, period_start=start).first()
    if plan is not None:
        return redirect(plan)
    if request.method == "POST":
        try:
            plan = services.open_own_plan(request.user, kind, date)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("You may not change this plan now."))
        else:
            return redirect(plan)
    return render(
        request,
        "plans/open.html",
        {
            "kind": kind,
            "kind_label": PlanKind(kind).label,
            "start": start,
            "end": end,
            "may_create": makes_plans(request.user),
        },
    )


def _month_grid(plan: Plan, items: list, outcomes: dict) -> list[list[dict]]:
    """Weeks × 7 days of the month, each day with its items, working/visit status and load."""
    cal = calendar_for(plan.period_start, plan.period_end)
    by_day = defaultdict(list)
    for item in items:
        by_day[item.day].append(item)
    start = periods.week_start(plan.period_start)
    weeks, day = [], start
    while day <= plan.period_end:
        week = []
        for _i in range(7):
            inside = plan.period_start <= day <= plan.period_end
            week.append(
                {
                    "day": day,
                    "inside": inside,
                    "working": inside and cal.is_workday(day),
                    "items": [(i, outcomes.get(i.pk)) for i in by_day.get(day, [])],
                    "visits": sum(1 for i in by_day.get(day, []) if i.is_visit),
                }
            )
            day += dt.timedelta(days=1)
        weeks.append(week)
    return weeks


def _day_map(plan: Plan, items: list) -> dict | None:
    """Points for the day page's map, in the display datum."""
    base, label = rep_base(plan.owner, [i.customer for i in items])
    stops = []
    for item in items:
        point = item.customer.point
        if point is not None and item.is_visit:
            lat, lng = display_point(point)
            stops.append(
                {
                    "lat": lat,
                    "lng": lng,
                    "seq": item.sequence,
                    "name": item.customer.name,
                    "time": item.start_time.strftime("%H:%M") if item.start_time else "",
                }
            )
    if not stops:
        return None
    data = {
        "stops": stops,
        "base": None,
        "base_label": label,
        "tiles": settings.BAIFANG["MAP_TILES"].as_json(),
    }
    if base is not None:
        lat, lng = display_point(base)
        data["base"] = {"lat": lat, "lng": lng}
    return data


@login_required
def detail(request, pk: int):
    """One plan: calendar (month), days (week) or the ordered route (day), with its status and actions."""
    plan = _visible_plan(request, pk)
    result = actuals.plan_actuals(plan)
    outcomes = {o.item.pk: o for o in result.outcomes}
    items = flag_collection_items(o.item for o in result.outcomes)  # 收款: limit exceeded? (R-AR-1)
    actions = plan.actions_for(request.user)
    context = {
        "plan": plan,
        "items": items,
        "outcomes": outcomes,
        "actuals": result,
        "actions": actions,
        "can_edit": actions.edit,
        "history": plan.status_changes.select_related("changed_by"),
        "unplanned": plan.unplanned.select_related("customer"),
        "late_count": sum(1 for item in items if item.missed_deadline),
        "decision_form": DecisionForm(initial={"version": plan.version}) if actions.approve else None,
        "diff": services.diff(plan) if plan.version else None,
        "show_diff": plan.version and (actions.approve or plan.owner_id == request.user.pk),
        "today": timezone.localdate(),
        "children": plan.children.order_by("period_start"),
        "summary_form": SummaryForm(initial={"summary": plan.summary}) if actions.summary else None,
    }
    if plan.kind == PlanKind.MONTH:
        context["weeks"] = _month_grid(plan, items, outcomes)
        context["weekday_names"] = [WEEKDAYS_ABBR[i] for i in range(7)]
        context["workload"] = workload.workload(plan)
    else:
        by_day = defaultdict(list)
        for item in items:
            by_day[item.day].append((item, outcomes.get(item.pk)))
        context["days"] = [(d, by_day.get(d, [])) for d in plan.days()]
    if plan.kind == PlanKind.DAY:
        context["map_data"] = _day_map(plan, items)
    return render(request, "plans/detail.html", context)


@login_required
@require_POST
def generate(request, pk: int):
    plan = _visible_plan(request, pk)

    def act(data):
        result = services.generate_month(plan, by=request.user, lock_version=data["lock_version"])
        kept = sum(1 for item in result.items if item.fixed)
        messages.info(
            request,
            _(
                "%(n)d items planned, %(kept)d of them kept as you added, moved or changed them; "
                "%(late)d first visits planned after their deadline (marked late); "
                "%(m)d obligations could not fit (listed below with the reason)."
            )
            % {"n": len(result.items), "kept": kept, "late": len(result.late), "m": len(result.cannot_fit)},
        )

    return _posted(request, plan, LockForm, act)


@login_required
@require_POST
def submit(request, pk: int):
    plan = _visible_plan(request, pk)
    return _posted(
        request,
        plan,
        LockForm,
        lambda data: services.submit(
            plan, by=request.user, lock_version=data["lock_version"], comment=data["comment"]
        ),
        _("Submitted to your supervisor for approval."),
    )


@login_required
@require_POST
def reopen(request, pk: int):
    plan = _visible_plan(request, pk)
    return _posted(
        request,
        plan,
        LockForm,
        lambda data: services.reopen(plan, by=request.user, lock_version=data["lock_version"]),
        _("The plan is a draft again; submit it once you have changed it."),
    )


@login_required
@require_POST
def summary(request, pk: int):
    """The rep's summary and analysis of the period (R-PLAN-5)."""
    plan = _visible_plan(request, pk)
    return _posted(
        request,
        plan,
        SummaryForm,
        lambda data: services.write_summary(plan, by=request.user, text=data["summary"]),
        _("Summary saved."),
    )


@login_required
@require_POST
def decide(request, pk: int, decision: str):
    """The supervisor approves or returns the submitted version (R-PLAN-2)."""
    plan = _visible_plan(request, pk)
    if decision == "approve":
        return _posted(
            request,
            plan,
            DecisionForm,
            lambda d: services.approve(plan, by=request.user, version=d["version"], comment=d["comment"]),
            _("Plan approved."),
        )
    if decision == "return":
        return _posted(
            request,
            plan,
            DecisionForm,
            lambda d: services.return_plan(plan, by=request.user, version=d["version"], reason=d["comment"]),
            _("Plan returned to the rep with your comments."),
        )
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def item_form(request, pk: int, item_pk: int | None = None):
    """Add an item to a plan, or edit one (R-PLAN-1)."""
    plan = _visible_plan(request, pk)
    item = get_object_or_404(PlanItem, pk=item_pk, plan=plan) if item_pk else None
    if not plan.can_edit(request.user):
        raise PermissionDenied
    initial = {"lock_version": plan.lock_version}
    if item is None and request.GET.get("day"):
        initial["day"] = request.GET["day"]
    form = PlanItemForm(request.POST or None, instance=item, owner=plan.owner, initial=initial)
    if request.method == "POST" and form.is_valid():
        values, lock = form.item_values(), form.cleaned_data["lock_version"]
        try:
            if item is None:
                services.add_item(plan, by=request.user, lock_version=lock, **values)
            else:
                services.update_item(item, by=request.user, lock_version=lock, **values)
        except ValidationError as exc:  # a stale page (StaleVersion) becomes a form-wide error
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("Item saved."))
            return redirect(plan)
    if item is not None:
        flag_collection_items([item])  # 收款 on a customer over its credit limit (R-AR-1)
    return render(request, "plans/item_form.html", {"plan": plan, "item": item, "form": form})


@login_required
@require_POST
def item_move(request, pk: int, item_pk: int):
    """Move an item to another day (drag and drop on the calendar, or the 'move to' menu)."""
    plan = _visible_plan(request, pk)
    item = get_object_or_404(PlanItem, pk=item_pk, plan=plan)

    def act(data):
        moved = services.move_item(item, data["day"], by=request.user, lock_version=data["lock_version"])
        messages.success(
            request,
            _("Moved %(customer)s to %(day)s.") % {"customer": item.customer.name, "day": data["day"]},
        )
        if services.leaves_its_window(moved):
            messages.warning(
                request,
                _(
                    "%(customer)s was planned between %(a)s and %(b)s for “%(rule)s”; on the new day that "
                    "obligation is no longer planned."
                )
                % {
                    "customer": moved.customer.name,
                    "a": moved.earliest,
                    "b": moved.latest,
                    "rule": moved.reason,
                },
            )

    return _posted(request, plan, MoveForm, act)


@login_required
@require_POST
def item_remove(request, pk: int, item_pk: int):
    plan = _visible_plan(request, pk)
    item = get_object_or_404(PlanItem, pk=item_pk, plan=plan)
    return _posted(
        request,
        plan,
        LockForm,
        lambda data: services.remove_item(item, by=request.user, lock_version=data["lock_version"]),
        _("Removed %(customer)s from the plan.") % {"customer": item.customer.name},
    )


@login_required
def approvals(request):
    """Submitted plans waiting for my decision, oldest first (R-PLAN-2)."""
    queue = services.approval_queue(request.user)
    page = Paginator(queue, 30).get_page(request.GET.get("page"))
    _with_channel_width(page.object_list, request.user)
    return render(request, "plans/approvals.html", {"page": page})


def _with_channel_width(plans, viewer) -> None:
    """Each plan of a list gets ``channel_width``: its rep's cap and whether it is exceeded (R-ROUTE-4)."""
    widths = workload.channel_widths(plans, viewer)
    for plan in plans:
        plan.channel_width = widths[plan.pk]


@login_required
def report(request):
    """Plan vs. actual per plan of a month, filtered like the API list (R-PLAN-3, R-KPI-1 plan completion)."""
    params = request.GET.copy()
    params.setdefault("month", f"{timezone.localdate():%Y-%m}")
    params.setdefault("kind", PlanKind.MONTH)
    # Stray empty plans of people who make no plans (an admin's, a leader's) are not plan vs. actual.
    filterset = PlanFilterSet(
        params, queryset=Plan.objects.visible_to(request.user).of_plan_makers(), request=request
    )
    plans = filterset.qs if filterset.is_valid() else Plan.objects.none()
    page = Paginator(
        plans.order_by("owner__unit__path", "owner__username", "period_start", "pk"), 50
    ).get_page(request.GET.get("page"))
    rows = actuals.report(Plan.objects.filter(pk__in=[p.pk for p in page.object_list]))
    order = {p.pk: k for k, p in enumerate(page.object_list)}
    rows.sort(key=lambda r: order[r.plan.pk])
    return render(request, "plans/report.html", {"rows": rows, "page": page, "filterset": filterset})
