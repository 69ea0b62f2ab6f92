"""Where the last stock counts come from: the visits app above registers its reader here (R-FU-3).

Commerce sits below visits, so it never imports the counts; ``VisitsConfig.ready`` registers a
function ``(customer_ids, today) -> {customer_id: {product_id: (quantity, day counted)}}``.
Without one (commerce alone), no reminder of stock running out is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

LatestCounts = Callable[[list[int], dt.date], dict[int, dict[int, tuple[Decimal, dt.date]]]]

_source: LatestCounts | None = None


def register(reader: LatestCounts) -> None:
    global _source
    _source = reader


def latest_counts(customer_ids: list[int], today: dt.date) -> dict[int, dict[int, tuple[Decimal, dt.date]]]:
    return _source(customer_ids, today) if _source is not None else {}
