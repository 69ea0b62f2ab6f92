"""How a scheme's customers spread over its tiers against the share each tier expects — plain Python,
no Django (R-FREQ-10: "a tier may declare its expected share of customers (core ~5 %), and drift is
shown"). Seed 003 (tobacco) gives 核心客户 5 % of all customers, 潜力客户 15 %–35 %, 帮扶客户 5 %–10 %.

A tier's expected share is a band ``[low, high]`` in percent (``low == high`` for a single figure, either
side may be open). The drift is how far the actual share lies outside the band, in percentage points:
0 inside it, negative below, positive above; it is flagged when it is larger than ``tolerance`` points.

>>> [(s.code, s.percent, s.drift, s.flagged) for s in shares({"core": 12, "other": 88}, {"core": (5, 5)}, 1)]
[('core', Decimal('12.0'), Decimal('7.0'), True), ('other', Decimal('88.0'), None, False)]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

Band = tuple[Decimal | int | float | None, Decimal | int | float | None]
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Share:
    code: str
    count: int
    percent: Decimal | None  # of all rated customers, one decimal; None when nobody is rated
    low: Decimal | None
    high: Decimal | None
    drift: Decimal | None  # points outside the band (0 inside); None when the tier expects nothing
    flagged: bool

    @property
    def expects(self) -> bool:
        return self.low is not None or self.high is not None


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def drift(percent: Decimal, low: Decimal | None, high: Decimal | None) -> Decimal:
    """Points below ``low`` (negative) or above ``high`` (positive); 0 inside the band."""
    if low is not None and percent < low:
        return percent - low
    if high is not None and percent > high:
        return percent - high
    return Decimal("0.0")


def shares(counts: Mapping[str, int], expected: Mapping[str, Band], tolerance) -> list[Share]:
    """Each tier's share of the rated customers (``counts``: tier code → customers, in display order)
    against its band in ``expected``; drift beyond ``tolerance`` points is flagged."""
    total = sum(counts.values())
    tolerance = Decimal(str(tolerance))
    out = []
    for code, count in counts.items():
        low, high = (_dec(v) for v in expected.get(code, (None, None)))
        if low is not None and high is not None and low > high:
            raise ValueError(f"tier {code}: expected share {low}–{high} runs backwards")
        percent = (Decimal(100) * count / total).quantize(TENTH, ROUND_HALF_UP) if total else None
        off = (
            drift(percent, low, high)
            if percent is not None and (low is not None or high is not None)
            else None
        )
        out.append(Share(code, count, percent, low, high, off, off is not None and abs(off) > tolerance))
    return out
