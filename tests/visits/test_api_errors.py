"""Visit API answers that tell the truth about a missing record (R-VISIT-3, R-UX-1)."""

from __future__ import annotations

from tests.conftest import api_for
from tests.visits.conftest import WEST_LAKE


def test_reading_a_record_not_written_yet_is_a_404_not_an_empty_object(org, shop, clock):
    """GET /visits/{id}/record/ answered {} against the VisitRecord schema; now 404 not_found."""
    api = api_for(org.rep)
    body = {
        "customer": shop.pk,
        "latitude": WEST_LAKE[0],
        "longitude": WEST_LAKE[1],
        "coordinate_system": "WGS84",
    }
    touch_id = api.post("/api/v1/visits/check-in/", body, format="json").json()["id"]
    response = api.get(f"/api/v1/visits/{touch_id}/record/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"
