"""Field work without a network (R-UX-2): the service worker, the web app manifest, the day's pages.

The service worker is a small script of our own (``templates/visits/sw.js``), rendered so that its
list of the app shell names the static files as the storage serves them (hashed names under
ManifestStaticFilesStorage) and served from ``/sw.js`` so its scope covers the whole site. It keeps
the app shell and the pages of the rep's day; what the rep does offline is queued by
``static/baifang/offline.js`` in IndexedDB and sent through the visit API when the network returns.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache

from baifang.rules.services import due_list
from baifang.visits import extensions, services
from baifang.visits.choices import Channel

# Static files every field page needs, kept by the service worker at install (the app shell).
SHELL_STATIC = (
    "baifang/app.css",
    "baifang/app.js",
    "baifang/visits.css",
    "baifang/visits.js",
    "baifang/offline.js",
    "vendor/idb-keyval/idb-keyval.umd.js",
    "django_htmx/htmx-2.min.js",
    "baifang/icon.svg",
)


def shell_urls() -> list[str]:
    return [reverse("visits:offline"), *(static(name) for name in SHELL_STATIC)]


@never_cache
def service_worker(request):
    """``/sw.js``: the service worker, its cache named after its own content (a new deploy, a new cache)."""
    body = render_to_string(
        "visits/sw.js", {"shell_json": json.dumps(shell_urls()), "version": "__VERSION__"}
    )
    version = hashlib.sha256(body.encode()).hexdigest()[:12]
    response = HttpResponse(body.replace("__VERSION__", version), content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response


def manifest(request):
    """``/manifest.webmanifest``: installable on the phone's home screen, opening on today's visits."""
    return JsonResponse(
        {
            "name": gettext("Baifang visit management"),
            "short_name": gettext("Baifang"),
            "lang": get_language(),
            "start_url": reverse("visits:today"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#c8372d",
            "icons": [
                {"src": static("baifang/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("baifang/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {"src": static("baifang/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            ],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


def offline_page(request):
    """What the phone shows for a page it did not keep, when there is no network."""
    return render(request, "visits/offline.html")


def day_pages(user, day) -> list[str]:
    """The paths of the rep's day to keep on the phone: today, each customer due or visited today with
    its check-in and call pages, today's visits and their record forms, and what the apps above add."""
    urls = [reverse("visits:today"), reverse("visits:offline")]
    customers = {}
    for obligation in due_list(user, day, limit=50):
        customers.setdefault(obligation.customer_id, obligation.customer)
    for touch in services.todays_touches(user, day):
        customers.setdefault(touch.customer_id, touch.customer)
        if touch.user_id == user.pk and touch.channel == Channel.VISIT:
            urls.append(reverse("visits:detail", args=[touch.pk]))
            if touch.ended_at is not None and not _record_done(touch):
                urls.append(reverse("visits:record", args=[touch.pk]))
    for pk, customer in customers.items():
        urls += [
            customer.get_absolute_url(),
            reverse("visits:check_in", args=[pk]),
            reverse("visits:log_touch", args=[pk]),
        ]
    for pages in extensions.offline_pages:
        urls += [url for url in pages.urls(user, day) if url]
    return list(dict.fromkeys(urls))


def _record_done(touch) -> bool:
    record = getattr(touch, "record", None)
    return record is not None and not record.is_editable


@login_required
@never_cache
def offline_day(request):
    """The pages of the day the phone should keep (offline.js fetches each into the page cache)."""
    return JsonResponse(
        {"day": f"{timezone.localdate():%Y-%m-%d}", "pages": day_pages(request.user, timezone.localdate())}
    )
