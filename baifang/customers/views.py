"""Archive pages: list, detail with tabs, create/edit, related records, hand-over, access requests."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_tables2 import RequestConfig

from baifang.core import keyset
from baifang.customers import services
from baifang.customers.access import get_customer_for_user, get_editable_customer
from baifang.customers.exceptions import NearDuplicateCustomer
from baifang.customers.exports import customers_xlsx
from baifang.customers.filtersets import CustomerFilterSet
from baifang.customers.forms import (
    AccessRequestForm,
    CompetitorForm,
    ContactForm,
    CorrespondenceForm,
    CustomerForm,
    DecisionForm,
    HandoverForm,
    MajorChangeForm,
    ReassignForm,
)
from baifang.customers.history import history_entries
from baifang.customers.models import AccessRequest, Contact, Customer, Handover
from baifang.customers.predicates import may_hand_over
from baifang.customers.signals import detail_tab_context
from baifang.customers.tables import CustomerTable
from baifang.org.models import OrgUnit

PAGE_SIZE = 25
TABS = ("basic", "obligations", "contacts", "needs", "changes", "history")


def _form_errors_to(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


def tab_context_from_above(user, customer, tab: str) -> dict:
    """What the apps above customers add to a tab (tiers and obligations: rules and tiers' receivers).

    A receiver may name templates under ``panels``: they are collected from every receiver and shown
    at the end of the tab (commerce's purchase history on the basic tab).
    """
    context: dict = {}
    panels: list[str] = []
    for _receiver, extra in detail_tab_context.send(sender=Customer, user=user, customer=customer, tab=tab):
        panels.extend(extra.get("panels", ()))
        context.update(extra)
    context["panels"] = panels
    return context


class _KnownCount(Paginator):
    """A paginator told the count it would otherwise ask the database for a second time."""

    def __init__(self, object_list, per_page, *, known_count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = known_count


@login_required
def customer_list(request):
    """Visible customers with filters, search, sort and pagination (R-ORG-4).

    Up to ``LIST_COUNT_CAP`` customers the list is paged by number with the exact count. A larger
    set, sorted by a non-null column (the default newest first, code, name), is walked by keyset
    (issue 17): "load more" appends the next rows found through the index, whatever the depth, and
    the count is shown as approximate ("约 20 万"). Other sorts of a large set keep page numbers.
    """
    base = Customer.objects.visible_to(request.user).with_list_data()
    filterset = CustomerFilterSet(request.GET, queryset=base, request=request)
    qs = filterset.qs
    counted = keyset.capped_count(qs, settings.BAIFANG["LIST_COUNT_CAP"])
    sort = request.GET.get("sort") or "-id"
    ordering = None
    if "cursor" in request.GET or (not counted.exact and "page" not in request.GET):  # ?page= links stay
        ordering = keyset.keyset_ordering(Customer, CustomerTable.ordering_for(sort))
    context = {"filter": filterset, "count": counted, "count_label": keyset.about(counted)}
    if ordering is None:
        if not counted.exact:
            counted = keyset.Count(qs.count(), True)  # a sort keyset cannot walk: numbered pages
            context.update(count=counted, count_label=keyset.about(counted))
        table = CustomerTable(qs)
        RequestConfig(
            request,
            paginate={"per_page": PAGE_SIZE, "paginator_class": _KnownCount, "known_count": counted.value},
        ).configure(table)
    else:
        try:
            page = keyset.page(qs, ordering, request.GET.get("cursor") or None, PAGE_SIZE)
        except keyset.BadCursor:  # a sort header kept an old cursor, or a hand-edited one: start over
            page = keyset.page(qs, ordering, None, PAGE_SIZE)
        table = CustomerTable(page.rows)
        table.show_ordered(sort)
        more = request.GET.copy()
        more["cursor"] = page.next_cursor or ""
        first = request.GET.copy()
        first.pop("cursor", None)
        context.update(
            table=table,
            next_query=more.urlencode() if page.next_cursor else None,
            first_query=first.urlencode(),
            walked=bool(request.GET.get("cursor")),
        )
        if request.htmx and request.htmx.target == CustomerTable.tbody_id:
            return render(request, "customers/_more_rows.html", context)
    context["table"] = table
    template = "customers/_list_results.html" if request.htmx else "customers/list.html"
    return render(request, template, context)


@login_required
def customer_export(request):
    """The filtered, visible list as Excel; every export is audited (R-ARCH-7, R-SEC-1)."""
    base = Customer.objects.visible_to(request.user)
    filterset = CustomerFilterSet(request.GET, queryset=base, request=request)
    filters = {name: request.GET.getlist(name) for name in filterset.form.fields if name in request.GET}
    filters = {name: values[0] if len(values) == 1 else values for name, values in filters.items()}
    columns, rows = services.export_rows(request.user, filterset.qs.order_by("code"), filters=filters)
    response = HttpResponse(
        customers_xlsx(rows, columns),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.xlsx"'
    return response


@login_required
def customer_detail(request, pk):
    customer = get_customer_for_user(request.user, pk)
    tab = request.GET.get("tab", "basic")
    if tab not in TABS:
        tab = "basic"
    context = {
        "customer": customer,
        "tab": tab,
        "tabs": TABS,
        "can_edit": Customer.objects.editable_by(request.user).filter(pk=customer.pk).exists(),
        "can_reassign": may_hand_over(request.user, customer.owner),
        "knowers": customer.knowers(),
    }
    if tab == "contacts":
        year = timezone.localdate().year
        contacts = list(customer.contacts.prefetch_related("anniversaries"))
        for contact in contacts:
            contact.birthday_this_year = contact.birthday_in(year)
        context["contacts"] = contacts
        context.update(tab_context_from_above(request.user, customer, tab))  # ops logs the read (PIPL)
    elif tab == "needs":
        context["competitors"] = customer.competitors.all()
    elif tab == "changes":
        context["changes"] = customer.changes.select_related("recorded_by")
        context["correspondence"] = customer.correspondence.select_related("recorded_by")
    elif tab == "history":
        context["history"] = history_entries(customer)
    if tab in ("basic", "obligations"):
        context.update(tab_context_from_above(request.user, customer, tab))
    template = f"customers/tabs/{tab}.html" if request.htmx else "customers/detail.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request):
    form = CustomerForm(
        request.POST or None, user=request.user, initial={"first_contact_on": timezone.localdate()}
    )
    near_duplicate = None
    if request.method == "POST" and form.is_valid():
        customer = form.save(commit=False)
        try:
            with transaction.atomic():
                services.create_customer(
                    customer,
                    by=request.user,
                    co_owners=form.cleaned_data.get("co_owners") or (),
                    register=request.POST.get("stub") != "1",
                    confirm_near_duplicate=request.POST.get("confirm_near_duplicate") == "1",
                )
                form.save_m2m()
        except NearDuplicateCustomer as exc:
            _form_errors_to(form, exc)
            near_duplicate = exc.existing
        except ValidationError as exc:
            _form_errors_to(form, exc)
        else:
            if customer.registered_late:
                messages.warning(
                    request,
                    _("Registered after the deadline of %(due)s.") % {"due": customer.registration_due},
                )
            messages.success(request, _("Customer %(name)s was registered.") % {"name": customer.name})
            return redirect(customer)
    return render(
        request,
        "customers/form.html",
        {"form": form, "title": _("New customer"), "near_duplicate": near_duplicate},
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request, pk):
    customer = get_editable_customer(request.user, pk)
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.update_customer(form.save(commit=False), by=request.user)
                form.save_m2m()
        except ValidationError as exc:
            _form_errors_to(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(customer)
    return render(
        request,
        "customers/form.html",
        {"form": form, "customer": customer, "title": _("Edit %(name)s") % {"name": customer.name}},
    )


@login_required
@require_POST
def customer_register(request, pk):
    customer = get_editable_customer(request.user, pk)
    services.complete_registration(customer, by=request.user)
    messages.success(request, _("Registration completed."))
    return redirect(customer)


def _related_form(request, pk, form_class, tab, save, instance=None, title=""):
    customer = get_editable_customer(request.user, pk)
    form = form_class(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj.customer = customer
        try:
            with transaction.atomic():
                save(obj)
        except ValidationError as exc:
            _form_errors_to(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{customer.get_absolute_url()}?tab={tab}")
    return render(
        request,
        "customers/related_form.html",
        {"form": form, "customer": customer, "title": title, "tab": tab},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request, pk):
    return _related_form(request, pk, ContactForm, "contacts", lambda o: o.save(), title=_("New contact"))


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk, contact_pk):
    contact = get_object_or_404(Contact.objects.visible_to(request.user), pk=contact_pk, customer_id=pk)
    return _related_form(
        request, pk, ContactForm, "contacts", lambda o: o.save(), instance=contact, title=_("Edit contact")
    )


@login_required
@require_http_methods(["GET", "POST"])
def competitor_create(request, pk):
    return _related_form(request, pk, CompetitorForm, "needs", lambda o: o.save(), title=_("New competitor"))


@login_required
@require_http_methods(["GET", "POST"])
def change_create(request, pk):
    return _related_form(
        request,
        pk,
        MajorChangeForm,
        "changes",
        lambda o: services.record_major_change(o, by=request.user),
        title=_("Record a major change"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def correspondence_create(request, pk):
    def save(obj):
        obj.recorded_by = request.user
        obj.save()

    return _related_form(request, pk, CorrespondenceForm, "changes", save, title=_("Add correspondence"))


def preview_rows(plan: services.HandoverPlan) -> list[dict]:
    """The preview table: each customer's owner, unit and co-owners before and after, by name."""
    people = plan.people()
    units = OrgUnit.objects.in_bulk({u for m in plan.moves for u in (m.before.unit_id, m.after.unit_id) if u})

    def names(ids):
        return "、".join(str(people[i]) for i in ids if i in people) or "—"

    return [
        {
            "customer": m.customer,
            "owner": (people.get(m.before.owner_id), people.get(m.after.owner_id)),
            "unit": (units.get(m.before.unit_id), units.get(m.after.unit_id)),
            "co_owners": (names(m.before.co_owner_ids), names(m.after.co_owner_ids)),
        }
        for m in plan.moves
    ]


def _preview_or_confirm(request, form, make_plan, confirm):
    """Show what would move; apply it only on an explicit confirmation of that same preview (R-ARCH-7)."""
    plan = None
    try:
        plan = make_plan()
        if request.POST.get("confirm"):
            return plan, confirm(plan, request.POST.get("digest", ""))
    except ValidationError as exc:
        _form_errors_to(form, exc)
    return plan, None


@login_required
@require_http_methods(["GET", "POST"])
def handover(request):
    """Reassign all of a leaver's customers in one operation, after a preview (R-ARCH-7)."""
    if not request.user.has_perm("customers.perform_handover"):
        raise PermissionDenied(_("Only managers and the market department hand customers over."))
    form = HandoverForm(request.POST or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not may_hand_over(request.user, data["leaver"]):
            raise PermissionDenied(_("You may hand over only the customers of people in your own unit."))
        plan, result = _preview_or_confirm(
            request,
            form,
            lambda: services.plan_hand_over(
                leaver=data["leaver"], successor=data["successor"], deactivate=data["deactivate"]
            ),
            lambda plan, digest: services.confirm_hand_over(
                plan, by=request.user, reason=data["reason"], digest=digest
            ),
        )
        if result is not None:
            messages.success(
                request,
                _("%(count)d customers handed over; %(notices)d customer notices created.")
                % {"count": result.customers, "notices": result.notices},
            )
            return redirect("customers:handover")
    recent = Handover.objects.visible_to(request.user).select_related(
        "from_user__unit", "to_user", "performed_by", "customer", "undone_by"
    )[:20]
    return render(
        request,
        "customers/handover.html",
        {
            "form": form,
            "plan": plan,
            "rows": preview_rows(plan) if plan else [],
            "recent": [(h, may_hand_over(request.user, h.from_user)) for h in recent],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def handover_undo(request, pk):
    """Put back what a hand-over moved, after showing what that is (R-ARCH-7); audited."""
    handover = get_object_or_404(Handover.objects.visible_to(request.user), pk=pk)
    services.check_may_hand_over(request.user, handover)
    if request.method == "POST":
        try:
            result = services.undo_hand_over(handover, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Hand-over undone: %(count)d customers put back.") % {"count": result.customers}
            )
        return redirect("customers:handover")
    customers = Customer.objects.in_bulk([int(pk) for pk in handover.moves.get("customers", {})])
    return render(
        request,
        "customers/handover_undo.html",
        {"handover": handover, "customers": [customers[k] for k in sorted(customers)]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_reassign(request, pk):
    """Change one customer's owner and co-owners as a previewed, audited hand-over (R-ARCH-6, R-ARCH-7)."""
    customer = get_customer_for_user(request.user, pk)
    if not may_hand_over(request.user, customer.owner):
        raise PermissionDenied
    form = ReassignForm(request.POST or None, customer=customer)
    plan = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan, result = _preview_or_confirm(
            request,
            form,
            lambda: services.plan_reassignment(customer, owner=data["owner"], co_owners=data["co_owners"]),
            lambda plan, digest: services.confirm_hand_over(
                plan, by=request.user, reason=data["reason"], digest=digest
            ),
        )
        if result is not None:
            messages.success(request, _("Ownership changed; the hand-over can be undone."))
            return redirect(customer)
    return render(
        request,
        "customers/reassign.html",
        {"form": form, "customer": customer, "plan": plan, "rows": preview_rows(plan) if plan else []},
    )


@login_required
def access_list(request):
    """My requests and the requests waiting for my decision (R-ARCH-8)."""
    requests_qs = AccessRequest.objects.visible_to(request.user).select_related(
        "requester", "customer", "unit", "approver", "decided_by"
    )
    return render(
        request,
        "customers/access_list.html",
        {
            "to_decide": requests_qs.pending_for(request.user),
            "mine": requests_qs.filter(requester=request.user)[:50],
            "unit_form": AccessRequestForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def access_request_create(request, pk=None):
    """Ask to read one customer (by its code) or a unit's archive."""
    customer = None
    if pk is not None:
        customer = get_object_or_404(Customer.objects.filter(merged_into__isnull=True), pk=pk)
    form = AccessRequestForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_access(
                requester=request.user,
                customer=customer,
                unit=None if customer else form.cleaned_data["unit"],
                reason=form.cleaned_data["reason"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as exc:
            _form_errors_to(form, exc)
        else:
            messages.success(request, _("Your request was sent for approval."))
            return redirect("customers:access")
    return render(request, "customers/access_form.html", {"form": form, "customer": customer})


@login_required
@require_POST
def access_decide(request, pk, decision):
    if decision not in ("approve", "reject"):
        raise Http404
    access = get_object_or_404(AccessRequest.objects.visible_to(request.user), pk=pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    action = services.approve_access if decision == "approve" else services.reject_access
    try:
        action(access, by=request.user, note=form.cleaned_data.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("customers:access")


@login_required
def customer_lookup(request):
    """Find a customer by exact code to request access to it (reveals only code and name)."""
    code = request.GET.get("code", "").strip()
    found = Customer.objects.filter(code__iexact=code, merged_into__isnull=True).first() if code else None
    visible = found is not None and Customer.objects.visible_to(request.user).filter(pk=found.pk).exists()
    return render(request, "customers/lookup.html", {"code": code, "found": found, "visible": visible})


@login_required
def correspondence_file(request, pk, item_pk):
    """An attachment, only for users who may read the customer (media is never served publicly)."""
    customer = get_customer_for_user(request.user, pk)
    item = get_object_or_404(customer.correspondence.exclude(attachment=""), pk=item_pk)
    return FileResponse(
        item.attachment.open("rb"), as_attachment=True, filename=item.attachment.name.rsplit("/", 1)[-1]
    )


# --- import (R-ARCH-10) ----------------------------------------------------------------------


def _check_may_import(user) -> None:
    if not user.has_perm("customers.import_customers"):
        raise PermissionDenied


def _import_batches(user):
    from baifang.core.models import ImportBatch
    from baifang.customers.intake import KIND

    return ImportBatch.objects.visible_to(user).filter(kind=KIND)


@login_required
@require_http_methods(["GET", "POST"])
def customer_import(request):
    """Upload → check (a dry run in the background) → preview with the per-row errors → import."""
    from baifang.core import imports
    from baifang.customers.forms import ColumnMappingForm, ImportForm
    from baifang.customers.intake import KIND
    from baifang.customers.models import ColumnMapping

    _check_may_import(request.user)
    form = ImportForm(user=request.user)
    mapping_form = ColumnMappingForm()
    if request.method == "POST" and "save_mapping" in request.POST:
        mapping_form = ColumnMappingForm(request.POST)
        if mapping_form.is_valid():
            ColumnMapping.objects.update_or_create(
                name=mapping_form.cleaned_data["name"],
                defaults={"headers": mapping_form.cleaned_data["lines"], "created_by": request.user},
            )
            messages.success(request, _("The column mapping was saved."))
            return redirect("customers:import")
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    batch = imports.start(
                        KIND,
                        by=request.user,
                        upload=form.cleaned_data["upload"],
                        dry_run=True,
                        options=form.options(),
                    )
            except ValidationError as exc:
                form.add_error("upload", exc.messages)
            else:
                return redirect("customers:import_batch", batch.pk)
    context = {
        "form": form,
        "mapping_form": mapping_form,
        "mappings": ColumnMapping.objects.all(),
        "batches": _import_batches(request.user).select_related("created_by")[:20],
    }
    return render(request, "customers/import.html", context)


@login_required
def customer_import_batch(request, pk):
    """One import's progress, preview (what would be written) and error report; polled while it runs."""
    _check_may_import(request.user)
    batch = get_object_or_404(_import_batches(request.user), pk=pk)
    template = "customers/_import_status.html" if request.htmx else "customers/import_batch.html"
    return render(request, template, {"batch": batch})


@login_required
@require_POST
def customer_import_confirm(request, pk):
    """Import the file of a check that passed; a second click goes to the same import."""
    from baifang.core import imports
    from baifang.core.models import ImportBatch

    _check_may_import(request.user)
    with transaction.atomic():
        checked = get_object_or_404(_import_batches(request.user).select_for_update(), pk=pk)
        if checked.options.get("confirmed_as"):
            return redirect("customers:import_batch", checked.options["confirmed_as"])
        if not checked.can_confirm:
            raise Http404
        from django.core.files.base import ContentFile

        with checked.upload.open("rb") as fileobj:
            upload = ContentFile(fileobj.read(), name=checked.source_name or "import.xlsx")
        batch = imports.start(
            checked.kind,
            by=request.user,
            upload=upload,
            source_name=checked.source_name,
            options={k: v for k, v in checked.options.items() if k != "confirmed_as"},
        )
        ImportBatch.objects.filter(pk=checked.pk).update(
            options={**checked.options, "confirmed_as": batch.pk}
        )
    messages.success(request, _("The import was queued."))
    return redirect("customers:import_batch", batch.pk)


@login_required
def customer_import_errors(request, pk):
    """The batch's per-row error report as Excel."""
    from baifang.core import intake

    _check_may_import(request.user)
    batch = get_object_or_404(_import_batches(request.user), pk=pk)
    response = HttpResponse(
        intake.errors_xlsx(batch),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.xlsx"'
    return response
