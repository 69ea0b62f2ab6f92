"""The survey templates shipped as data (R-SURV-1): ``data/templates.json``, each traceable to its seed.

``load_templates`` is idempotent and keeps existing data: a template whose code exists is left as it
is (an administrator may have edited it). The first migration data step and the industry presets call it.
"""

from __future__ import annotations

import json
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "templates.json"


def template_data() -> list[dict]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def load_templates(template_model=None, item_model=None, codes=None) -> int:
    """Create the shipped templates that are missing; returns how many were created.

    The models may be passed in (a data migration passes its historical models)."""
    if template_model is None:
        from baifang.surveys.models import SurveyItem, SurveyTemplate

        template_model, item_model = SurveyTemplate, SurveyItem
    created = 0
    for row in template_data():
        if codes is not None and row["code"] not in codes:
            continue
        if template_model.objects.filter(code=row["code"]).exists():
            continue
        fields = {k: v for k, v in row.items() if k not in ("code", "items")}
        template = template_model.objects.create(code=row["code"], **fields)
        item_model.objects.bulk_create(
            [
                item_model(template=template, code=code, label=label, order=i)
                for i, (code, label) in enumerate(row["items"], 1)
            ]
        )
        created += 1
    return created
