"""Obligation pages: my due list, the compliance matrix, rules (R-OBL-1..3)."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from baifang.customers.access import get_editable_customer
from baifang.customers.predicates import is_archive_admin
from baifang.org.models import User
from baifang.rules import compliance, services
from baifang.rules.forms import ComplianceFilterForm, ReturnVisitRuleForm, RuleRevisionForm, SpecialVisitForm
from baifang.rules.models import ReturnVisitRule, VisitRule


@login_required
def due_list(request):
    """The customers I owe a touch, soonest due first, with the rule that demands it (R-OBL-2)."""
    form = ComplianceFilterForm(request.GET or None)
    day = form.day()
    rows = services.due_list(request.user, day)
    specials = services.open_special_visits(responsible=request.user)[:50]
    return render(
        request, "rules/due_list.html", {"rows": rows, "specials": specials, "day": day, "form": form}
    )


@login_required
def matrix(request):
    """People × rules, coloured by compliance rate, within the viewer's scope (R-OBL-2)."""
    form = ComplianceFilterForm(request.GET or None)
    day = form.day()
    unit = form.cleaned_data.get("unit") if form.is_valid() else None
    scope = compliance.Scope(user=request.user, unit_path=unit.path if unit else None)
    cells = compliance.compliance(day, scope=scope, group_by="responsible")
    rules = sorted(
        {c.rule for c in cells}, key=lambda r: (r.scheme.name, r.tier.rank, r.responsible, r.channel)
    )
    grid: dict[int | None, dict[int, compliance.ComplianceCell]] = defaultdict(dict)
    for cell in cells:
        grid[cell.key][cell.rule.pk] = cell
    people = User.objects.in_bulk([k for k in grid if k is not None])
    totals = {rule.pk: _total(rule, [c for c in cells if c.rule.pk == rule.pk]) for rule in rules}
    rows = [
        {"person": people.get(key), "cells": [grid[key].get(rule.pk) for rule in rules]}
        for key in sorted(grid, key=lambda k: str(people.get(k) or ""))
    ]
    context = {
        "form": form,
        "day": day,
        "rules": rules,
        "rows": rows,
        "totals": [totals[r.pk] for r in rules],
        **_special_matrix(request.user, day, unit),
    }
    return render(request, "rules/matrix.html", context)


def _special_matrix(user, day, unit) -> dict:
    """People × kinds of special and return visits due in the month of ``day`` (R-OBL-3, R-FREQ-9)."""
    from baifang.rules.choices import SpecialTrigger

    cells = services.special_compliance(day, user=user, unit_path=unit.path if unit else None)
    kinds = sorted(
        {(c.return_rule_id, c.trigger) for c in cells}, key=lambda k: (k[0] is None, k[0] or 0, k[1])
    )
    names = ReturnVisitRule.objects.in_bulk([k[0] for k in kinds if k[0]])
    columns = [
        names[rule_id].name if rule_id in names else SpecialTrigger(trigger).label
        for rule_id, trigger in kinds
    ]
    grid: dict[int, dict] = defaultdict(dict)
    for cell in cells:
        grid[cell.responsible_id][(cell.return_rule_id, cell.trigger)] = cell
    people = User.objects.in_bulk(list(grid))
    rows = [
        {"person": people.get(key), "cells": [grid[key].get(kind) for kind in kinds]}
        for key in sorted(grid, key=lambda k: str(people.get(k) or ""))
    ]
    return {
        "special_columns": columns,
        "special_rows": rows,
        "special_window": cells[0].window if cells else None,
    }


def _total(rule, cells):
    total = compliance.ComplianceCell(rule, cells[0].window if cells else None, None)
    for cell in cells:
        total.due += cell.due
        total.met += cell.met
        total.pending += cell.pending
        total.overdue += cell.overdue
    return total


@login_required
def rule_list(request):
    day = timezone.localdate()
    rules = (
        VisitRule.objects.visible_to(request.user)
        .select_related("scheme", "tier", "season")
        .order_by("scheme__name", "tier__rank", "code", "-valid_from")
    )
    return_rules = (
        ReturnVisitRule.objects.visible_to(request.user).select_related("tier").order_by("event", "code")
    )
    return render(
        request,
        "rules/rule_list.html",
        {
            "rules": rules,
            "return_rules": return_rules,
            "day": day,
            "can_edit": is_archive_admin(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_rule_edit(request, pk=None):
    """Create or change an event-driven return-visit rule (R-FREQ-9): the market department and admins."""
    if not is_archive_admin(request.user):
        raise PermissionDenied
    rule = get_object_or_404(ReturnVisitRule, pk=pk) if pk else None
    form = ReturnVisitRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The return-visit rule was saved."))
        return redirect("rules:list")
    return render(request, "rules/return_rule_form.html", {"form": form, "rule": rule})


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk):
    """Revise a rule from a date on; earlier periods keep the old version (R-FREQ-1)."""
    if not is_archive_admin(request.user):
        raise PermissionDenied
    rule = get_object_or_404(VisitRule, pk=pk)
    form = RuleRevisionForm(request.POST or None, instance=VisitRule.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.revise_rule(rule, changes, by=request.user, effective=form.cleaned_data["effective"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The rule was revised."))
            return redirect("rules:list")
    return render(request, "rules/rule_form.html", {"form": form, "rule": rule})


@login_required
@require_http_methods(["GET", "POST"])
def raise_special(request, customer_pk):
    """Raise a special visit for a customer (R-OBL-3)."""
    customer = get_editable_customer(request.user, customer_pk)
    form = SpecialVisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.raise_special_visit(
            customer,
            trigger=form.cleaned_data["trigger"],
            by=request.user,
            note=form.cleaned_data["note"],
            workdays=form.cleaned_data["workdays"],
        )
        messages.success(request, _("Special visit raised."))
        return redirect(customer.get_absolute_url() + "?tab=obligations")
    return render(request, "rules/special_form.html", {"form": form, "customer": customer})


@login_required
@require_POST
def cancel_special(request, pk):
    from baifang.rules.models import SpecialVisit

    visit = get_object_or_404(SpecialVisit.objects.visible_to(request.user), pk=pk)
    services.cancel_special_visit(visit, by=request.user)
    return redirect(visit.customer.get_absolute_url() + "?tab=obligations")
