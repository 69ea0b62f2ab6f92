"""The route map: a rep's customers coloured by tier and today's suggested route with ETAs (R-ROUTE-1, R-ROUTE-2)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.core.queries import BoundedDateField, IdField, clean_query
from baifang.customers.filtersets import people_in_scope
from baifang.customers.models import Customer
from baifang.maps.adapters import display_point, suggested_day
from baifang.org.models import User
from baifang.tiers.models import ClassificationScheme, CustomerTier

PALETTE = ("#c8372d", "#e0861a", "#1f6feb", "#1a7f37", "#7c3aed", "#6b7280", "#0e7490", "#be185d")
MAX_MARKERS = 3000


class MapQuery(forms.Form):
    """The map's query parameters: whose map, which day, which scheme colours the markers."""

    rep = IdField()
    date = BoundedDateField(required=False)
    scheme = IdField()
    format = forms.CharField(required=False, max_length=10)


def _query(request) -> dict:
    return clean_query(MapQuery, request)


def _rep_for(request) -> User:
    """The rep whose map is asked for: oneself, or someone whose customers the viewer may see."""
    rep_id = _query(request)["rep"]
    if rep_id is None or rep_id == request.user.pk:
        return request.user
    try:
        return people_in_scope(request.user).get(pk=rep_id)
    except User.DoesNotExist as exc:
        raise Http404 from exc


def _day(request) -> dt.date:
    return _query(request)["date"] or timezone.localdate()


def _hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def map_data(request, rep: User, day: dt.date) -> dict:
    """Everything the map draws, with coordinates in the display datum."""
    customers = Customer.objects.visible_to(request.user).filter(owner=rep).exclude(latitude=None)
    scheme = ClassificationScheme.objects.filter(pk=_query(request)["scheme"]).first() or (
        ClassificationScheme.objects.filter(is_active=True).order_by("name").first()
    )
    tiers, legend = {}, []
    if scheme is not None:
        tier_list = list(scheme.tiers.order_by("rank"))
        colours = {t.pk: PALETTE[i % len(PALETTE)] for i, t in enumerate(tier_list)}
        legend = [{"name": t.name, "colour": colours[t.pk]} for t in tier_list]
        tiers = {
            ct.customer_id: colours[ct.tier_id]
            for ct in CustomerTier.objects.filter(scheme=scheme, customer__in=customers.values("pk")).only(
                "customer_id", "tier_id"
            )
        }
    points = []
    for c in customers.only("id", "name", "latitude", "longitude", "coordinate_system")[:MAX_MARKERS]:
        lat, lng = display_point(c.point)
        points.append(
            {
                "id": c.pk,
                "name": c.name,
                "lat": lat,
                "lng": lng,
                "colour": tiers.get(c.pk, "#94a3b8"),
                "url": c.get_absolute_url(),
            }
        )
    plan = suggested_day(rep, day, viewer=request.user)
    route = None
    if plan.route is not None:
        base_lat, base_lng = display_point(plan.base)
        visits = []
        for v in plan.route.visits:
            customer = plan.customers[v.stop_id]
            lat, lng = display_point(customer.point)
            visits.append(
                {
                    "seq": v.sequence,
                    "id": customer.pk,
                    "name": customer.name,
                    "lat": lat,
                    "lng": lng,
                    "arrival": _hhmm(v.arrival),
                    "start": _hhmm(v.start),
                    "departure": _hhmm(v.departure),
                    "travel_min": round(v.travel_s / 60),
                    "distance_km": round(v.distance_m / 1000, 1),
                    "url": customer.get_absolute_url(),
                }
            )
        route = {
            "base": {"lat": base_lat, "lng": base_lng, "label": plan.base_label},
            "visits": visits,
            "unassigned": [
                {
                    "name": plan.customers[u.stop_id].name,
                    "reason": u.message or str(u.reason),
                    "code": str(u.reason),
                }
                for u in plan.route.unassigned
                if u.stop_id in plan.customers
            ],
            "depart": _hhmm(plan.route.depart),
            "return": _hhmm(plan.route.return_time),
            "travel_min": round(plan.route.travel_s / 60),
            "distance_km": round(plan.route.distance_m / 1000, 1),
            "travel_note": plan.route.travel_note,  # the road server failed: times are estimates
        }
    return {
        "rep": {"id": rep.pk, "name": str(rep)},
        "date": day.isoformat(),
        "customers": points,
        "legend": legend,
        "scheme": scheme.name if scheme else "",
        "route": route,
        "tiles": settings.BAIFANG["MAP_TILES"].as_json(),
        "message": "" if route else _("No route: the rep has no located customers due, or no start point."),
    }


@login_required
def route_map(request):
    rep = _rep_for(request)
    day = _day(request)
    data = map_data(request, rep, day)
    if request.GET.get("format") == "json":
        return JsonResponse(data)
    reps = people_in_scope(request.user)[:500]
    return render(request, "maps/map.html", {"data": data, "rep": rep, "day": day, "reps": reps})
