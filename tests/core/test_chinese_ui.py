"""R-UX-1 "Chinese all the way": the main pages, the error pages and the export, in zh-hans, as every
demo persona, show no English words and no raw choice codes.

The sweep loads the demo company (``bootstrap``, small), then renders each page as each persona and
reads its *visible* text (tags and attributes stripped; ``title``/``placeholder``/``aria-label``/
``alt`` and button values kept, ``<script>``, ``<style>`` and ``<code>`` left out: criteria and
identifiers are written in code). It fails on

* known English UI words (``ENGLISH_WORDS``): a msgid without a Chinese translation in the catalogue
  or a hard-coded English string;
* the stored value of any choice (every ``TextChoices`` in ``baifang/*/choices.py`` whose value is not
  also its label): a template printing ``{{ obj.status }}`` instead of ``get_status_display``.

Run it alone with ``.venv/bin/python -m pytest tests/core/test_chinese_ui.py -q -n 0``; the failure
lists persona, URL and the offending words. New pages: add them to ``_pages``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import pkgutil
import re
from html.parser import HTMLParser

import openpyxl
import pytest
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

import baifang
from baifang.customers.models import Customer
from baifang.org.models import User

pytestmark = pytest.mark.django_db

# Words a Chinese page never shows (whole words, case-sensitive). Short, common and unambiguous:
# each is a button, a label or a Python/Django value leaking into a page.
ENGLISH_WORDS = (
    "Permission",
    "permission",
    "denied",
    "Forbidden",
    "Province",
    "seed",
    "Save",
    "Cancel",
    "Submit",
    "Delete",
    "Edit",
    "Search",
    "Filter",
    "Export",
    "Previous",
    "Next",
    "None",
    "True",
    "False",
    "YYYY",
    "Not Found",
    "Page not found",
    "Server Error",
    "Customers",
    "Status",
    "Owner",
)

# Every kind of demo user (README "Demo logins"); admin is staff and sees the product pages too.
PERSONAS = (
    "rep",
    "rep2",
    "supervisor",
    "manager",
    "mgr02",
    "outsider",
    "market",
    "leader",
    "deputy",
    "cs",
    "finance",
    "admin",
)

_SKIPPED_TAGS = {"script", "style", "code", "template"}
_SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
_TOKEN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-./@:]*")


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
            return
        attributes = dict(attrs)
        self.parts.extend(attributes[name] for name in _SHOWN_ATTRIBUTES if attributes.get(name))
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.parts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in _SKIPPED_TAGS and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(part.strip() for part in parser.parts if part.strip())


def raw_choice_codes() -> set[str]:
    """Every stored choice value of the project that differs from its English label."""
    codes = set()
    for module_info in pkgutil.iter_modules(baifang.__path__):
        try:
            module = importlib.import_module(f"baifang.{module_info.name}.choices")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, models.TextChoices)
                and value is not models.TextChoices
            ):
                for code, label in value.choices:
                    with translation.override("zh-hans"):
                        shown = _TOKEN.findall(str(label))
                    if code and code != str(label) and code not in shown:  # "II 类……" names its own code
                        codes.add(code)
    return codes


def problems(text: str, codes: set[str]) -> list[str]:
    found = [
        word for word in ENGLISH_WORDS if re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text)
    ]
    found += sorted({token for token in _TOKEN.findall(text) if token in codes})
    return found


@pytest.fixture
def demo(db, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    call_command("bootstrap", customers=60, reps=12, stdout=io.StringIO())
    rep = User.objects.get(username="rep")
    customer = Customer.objects.visible_to(rep).order_by("pk").first()
    _a_flagged_visit(rep, customer)
    _follow_ups(rep, customer)
    return customer


def _a_flagged_visit(rep, customer):
    """A visit without location, checked out and recorded: detail pages with flags and a record."""
    from baifang.visits import services as visits

    touch = visits.check_in(
        rep, customer, location_error="permission denied", at=timezone.now() - dt.timedelta(hours=1)
    )
    visits.check_out(rep, touch)
    return touch


def _follow_ups(rep, customer):
    """An open question and an appointment (the follow-up pages)."""
    from baifang.followups import appointments
    from baifang.followups import services as followup

    touch = rep.touches.order_by("-pk").first()
    followup.record_question(rep, touch, text="下月是否有新品陈列支持？", asked_by_name="店长")
    start = timezone.localtime() + dt.timedelta(days=3)
    appointments.make_appointment(
        rep,
        customer,
        starts_at=start.replace(hour=10, minute=0),
        purpose="needs",
        place="门店",
        notes="季度回访",
    )


def _pages(user) -> list[str]:
    """The main pages for ``user`` (R-UX-1): those it may open and those it is refused."""
    from baifang.plans.models import Plan
    from baifang.tiers.models import ClassificationScheme, RatingBatch
    from baifang.visits.models import Touch

    urls = [
        reverse("home"),
        reverse("customers:list"),
        reverse("customers:access"),
        reverse("customers:handover"),
        reverse("customers:create"),
        reverse("maps:map"),
        reverse("rules:due"),
        reverse("rules:matrix"),
        reverse("rules:list"),
        reverse("tiers:list"),
        reverse("tiers:screenings"),
        reverse("visits:today"),
        reverse("visits:review_queue"),
        reverse("visits:flags"),
        reverse("followups:questions"),
        reverse("visits:locations"),
        reverse("plans:index"),
        reverse("plans:approvals"),
        reverse("plans:report"),
        reverse("commerce:orders"),
        reverse("commerce:deliveries"),
        reverse("commerce:products"),
        reverse("commerce:service_jobs"),
        reverse("commerce:service_job_create"),
        reverse("rules:return_rule_create"),
        reverse("care:tasks"),
        reverse("care:gifts"),
        reverse("care:gift_new"),
        reverse("care:templates"),
        reverse("care:template_new"),
        reverse("care:batches"),
        reverse("care:batch_new"),
        reverse("care:feedback"),
        reverse("care:feedback_new"),
        reverse("care:quota"),
        reverse("notifications"),
        reverse("complaints:list"),
        reverse("complaints:list") + "?state=closed",
        reverse("complaints:create"),
        reverse("complaints:report"),
        "/no-such-page/",
    ]
    visible = Customer.objects.visible_to(user).order_by("pk")
    customer = visible.first()
    if customer is not None:
        detail = reverse("customers:detail", args=[customer.pk])
        urls += [
            f"{detail}?tab={tab}"
            for tab in ("basic", "obligations", "contacts", "needs", "changes", "history")
        ]
        urls += [
            reverse("customers:edit", args=[customer.pk]),
            reverse("visits:log_touch", args=[customer.pk]),
        ]
    hidden = Customer.objects.exclude(pk__in=visible.values("pk")).order_by("pk").first()
    if hidden is not None:
        urls.append(reverse("customers:detail", args=[hidden.pk]))  # our 404 page
    scheme = ClassificationScheme.objects.order_by("pk").first()
    urls.append(reverse("tiers:scheme", args=[scheme.pk]))
    batch = RatingBatch.objects.order_by("pk").first()
    if batch is not None:
        urls.append(reverse("tiers:batch", args=[batch.pk]))
    for touch in Touch.objects.filter(customer__in=visible).order_by("-pk")[:2]:
        urls.append(reverse("visits:detail", args=[touch.pk]))
    from baifang.followups.models import Appointment, OpenQuestion

    for question in OpenQuestion.objects.order_by("pk")[:1]:
        urls.append(reverse("followups:question", args=[question.pk]))
    for appointment in Appointment.objects.order_by("pk")[:1]:
        urls.append(reverse("followups:appointment", args=[appointment.pk]))
    from baifang.followups.models import Opportunity

    urls += [reverse("followups:opportunities"), reverse("followups:lost_orders")]
    for opportunity in Opportunity.objects.order_by("stage", "pk")[:2]:  # visible or not: detail or our 404
        urls += [opportunity.get_absolute_url(), reverse("followups:opportunity_lose", args=[opportunity.pk])]
    if customer is not None:
        urls += [
            reverse("followups:opportunity_new", args=[customer.pk]),
            reverse("followups:lost_order_new", args=[customer.pk]),
        ]
    from baifang.complaints.models import Complaint

    for complaint in Complaint.objects.order_by("pk"):  # visible or not: detail or our 404 page
        urls.append(reverse("complaints:detail", args=[complaint.pk]))
    for plan in Plan.objects.order_by("pk"):
        urls.append(reverse("plans:detail", args=[plan.pk]))  # month and day plans; refused ones too
    from baifang.surveys.models import Recipient, SurveyCampaign, SurveyResponse, SurveyTemplate

    urls += [reverse("surveys:campaigns"), reverse("surveys:templates"), reverse("surveys:checks")]
    urls.append(reverse("surveys:campaign_create"))
    for campaign in SurveyCampaign.objects.order_by("pk")[:1]:
        urls += [
            reverse(name, args=[campaign.pk])
            for name in ("surveys:campaign", "surveys:stats", "surveys:letter")
        ]
        urls.append(reverse("surveys:campaign_edit", args=[campaign.pk]))
        urls.append(reverse("surveys:stats", args=[campaign.pk]) + "?by=tier")
        for recipient in Recipient.objects.filter(campaign=campaign, response__isnull=True).order_by("pk")[
            :1
        ]:
            urls.append(reverse("surveys:enter", args=[campaign.pk, recipient.pk]))
            urls.append(recipient.link_path())
    for template in SurveyTemplate.objects.order_by("pk")[:1]:
        urls.append(reverse("surveys:template", args=[template.pk]))
    for response in SurveyResponse.objects.order_by("pk")[:1]:
        urls.append(reverse("surveys:response", args=[response.pk]))
    if customer is not None:
        check = SurveyTemplate.objects.get(code="after-visit")
        urls.append(reverse("surveys:check_create", args=[customer.pk]) + f"?template={check.pk}")
    from baifang.ops.models import JobRun

    urls += [reverse("ops:jobs"), reverse("ops:personal"), f"{reverse('ops:jobs')}?show=all"]
    for run in JobRun.objects.order_by("-pk")[:1]:
        urls.append(reverse("ops:job", args=[run.pk]))
    if customer is not None and customer.contacts.exists():
        urls.append(reverse("ops:personal-contact", args=[customer.contacts.order_by("pk").first().pk]))
    from baifang.care.models import FeedbackForm, MessageBatch

    for batch in MessageBatch.objects.order_by("pk")[:1]:
        urls.append(reverse("care:batch", args=[batch.pk]))
    for form in FeedbackForm.objects.order_by("pk")[:1]:
        urls.append(reverse("care:feedback_detail", args=[form.pk]))
    return urls


def _day_plan():
    """rep's day plan refined from the submitted month plan (the plans "day" page)."""
    from baifang.plans import services
    from baifang.plans.choices import PlanKind
    from baifang.plans.models import Plan

    month = Plan.objects.get(owner__username="rep", kind=PlanKind.MONTH)
    day = month.items.order_by("day").first().day
    return services.refine(month.owner, PlanKind.DAY, day, by=month.owner)


def test_r_ux_1_every_main_page_is_chinese_for_every_persona(demo):
    """R-UX-1: no English UI word and no raw choice code on any main page, for any demo persona."""
    _day_plan()
    codes = raw_choice_codes()
    assert {"agent_l1", "retailer", "active"} <= codes  # the sweep knows the codes it looks for
    failures = []
    for username in PERSONAS:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        for url in _pages(user):
            response = client.get(url)
            if response.status_code in (301, 302):
                continue
            assert response.status_code in (200, 403, 404), (username, url, response.status_code)
            found = problems(visible_text(response.content.decode()), codes)
            if found:
                failures.append(f"{username} {url} [{response.status_code}]: {', '.join(found)}")
    assert not failures, "English or raw codes on Chinese pages:\n" + "\n".join(failures)  # noqa: ISC003


def test_r_ux_1_customer_export_has_chinese_headers_and_choice_labels(demo):
    """R-UX-1: the Excel export's headers are the fields' Chinese names, choices their labels."""
    client = Client()
    client.force_login(User.objects.get(username="market"))
    response = client.get(reverse("customers:export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert "省份" in header and "客户类型" in header and "状态" in header
    codes = raw_choice_codes()
    found = sorted(
        {
            str(v)
            for row in rows
            for v in row
            if v is not None and (str(v) in codes or problems(str(v), codes))
        }
    )
    assert not found, found
    from django.utils import translation

    from baifang.customers.choices import CustomerStatus

    with translation.override("zh-hans"):
        labels = {str(label) for _code, label in CustomerStatus.choices}
    status = header.index("状态")
    assert body and {row[status] for row in body} <= labels


def test_r_ux_1_refused_action_shows_the_product_403_page_with_its_reason(demo):
    """R-UX-1: a refused hand-over (PermissionDenied in a view) is our page with navigation, not "403 Forbidden"."""
    client = Client()
    client.force_login(User.objects.get(username="rep"))
    response = client.post(reverse("customers:handover"), {})
    assert response.status_code == 403
    html = response.content.decode()
    assert "403 Forbidden" not in html
    with translation.override("zh-hans"):
        reason = translation.gettext("Only managers and the market department hand customers over.")
    assert reason in html  # the refusal's own message
    assert reverse("customers:list") in html  # the navigation bar
    text = visible_text(html)
    assert not problems(text, raw_choice_codes())


@pytest.mark.parametrize("status", [400, 500])
def test_r_ux_1_plain_error_pages_render_without_request_or_database(status, django_assert_num_queries):
    """R-UX-1: 400 and 500 render from the template alone (no request, no database), in Chinese."""
    from django.template import loader

    with django_assert_num_queries(0):
        html = loader.get_template(f"{status}.html").render()
    assert 'href="/"' in html
    assert not problems(visible_text(html), set())


def test_r_ux_1_debug_mode_still_shows_our_404_to_non_staff(demo, settings):
    """R-UX-1 under ``make run`` (DEBUG on): non-staff get our 404 page, staff keep Django's technical page."""
    settings.DEBUG = True
    rep = Client()
    rep.force_login(User.objects.get(username="rep"))
    hidden = Customer.objects.exclude(
        pk__in=Customer.objects.visible_to(User.objects.get(username="rep"))
    ).first()
    for url in ("/no-such-page/", reverse("customers:detail", args=[hidden.pk])):
        response = rep.get(url)
        assert response.status_code == 404
        assert (
            "Django" not in response.content.decode()
            and reverse("customers:list") in response.content.decode()
        )
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    assert "Django" in admin.get("/no-such-page/").content.decode()
