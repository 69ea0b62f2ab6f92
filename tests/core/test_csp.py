"""Pages forbid inline script (R-SEC-2): the policy header, and no template that would need it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import client_for

TEMPLATE_ROOT = Path(settings.BASE_DIR)
# A <script> without src= runs inline; json_script blocks are type="application/json" and never run.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


@pytest.mark.parametrize("path", ["/", "/customers/", "/map/", "/plans/", "/accounts/login/"])
def test_r_sec_2_pages_send_a_policy_without_inline_script(org, path):
    policy = _policy(client_for(org.rep).get(path))
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert all(source.startswith(("'self'", "data:")) for source in policy["img-src"])  # no tiles set


def test_r_sec_2_api_docs_page_carries_no_inline_script(org):
    page = client_for(org.admin).get("/api/docs/")
    assert page.status_code == 200
    assert not INLINE_SCRIPT.search(page.content.decode())


@pytest.mark.parametrize("template", sorted(TEMPLATE_ROOT.rglob("templates/**/*.html")), ids=lambda p: p.name)
def test_r_sec_2_templates_have_no_inline_script_or_handlers(template):
    text = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), f"inline <script> in {template}: move it to a static file"
    assert not EVENT_HANDLER.search(text), f"inline event handler in {template}: use a static file"
