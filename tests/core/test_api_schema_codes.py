"""The API schema lists every error code our services raise (R-UX-1: the schema tells the truth)."""

import re
from pathlib import Path

from baifang.core.api.schema import SERVICE_CODES

BAIFANG = Path(__file__).resolve().parents[2] / "baifang"


def raised_codes() -> set[str]:
    """Every ``code="…"`` given to an error in baifang/ (migrations left out)."""
    found = set()
    for path in BAIFANG.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        found |= set(re.findall(r'\bcode="([a-z_]+)"', path.read_text(encoding="utf-8")))
    return found


def test_every_raised_code_is_documented_for_writes():
    missing = raised_codes() - SERVICE_CODES - {"invalid"}  # ``invalid`` is documented on every write
    assert not missing, f"add to baifang/core/api/schema.py SERVICE_CODES: {sorted(missing)}"


def test_documented_codes_are_still_raised():
    assert not SERVICE_CODES - raised_codes(), "SERVICE_CODES lists a code nothing raises any more"
