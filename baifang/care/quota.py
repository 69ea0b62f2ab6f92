"""The information-feedback quota arithmetic (客户信息反馈表, R-INFO-1) — plain Python.

A field department owes, each month, at least ``total`` forms, of which at least ``minimums[g]`` are
about customers of grade ``g`` (seed 001: 5 in all, 2 about A, 2 about B, 1 about C). A form counts
once toward the total and once toward its own grade; a form about an ungraded customer counts toward
the total only. What is still needed is the larger of the two shortfalls, because every grade form
that is still missing also adds to the total::

    filed A=3, B=0, C=0 (3 forms), quota 5 / A 2 / B 2 / C 1
    short of total: 5 − 3 = 2; short per grade: B 2, C 1 → 3; still needed: max(2, 3) = 3
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class GradeProgress:
    grade: str
    filed: int
    minimum: int

    @property
    def missing(self) -> int:
        return max(0, self.minimum - self.filed)

    @property
    def met(self) -> bool:
        return self.missing == 0


@dataclass(frozen=True)
class QuotaProgress:
    filed: int
    total: int
    grades: tuple[GradeProgress, ...]

    @property
    def missing_total(self) -> int:
        return max(0, self.total - self.filed)

    @property
    def still_needed(self) -> int:
        """The fewest further forms that would meet the quota."""
        return max(self.missing_total, sum(g.missing for g in self.grades))

    @property
    def met(self) -> bool:
        return self.still_needed == 0

    @property
    def percent(self) -> int:
        """How far along, 0–100: forms that count toward the quota over the forms it needs."""
        needed = self.filed + self.still_needed
        return 100 if needed == 0 else round(100 * (needed - self.still_needed) / needed)


def progress(counts: Mapping[str, int], total: int, minimums: Mapping[str, int]) -> QuotaProgress:
    """``counts``: forms filed per grade (``""`` for ungraded customers); ``minimums``: grade → minimum."""
    if total < 0 or any(v < 0 for v in minimums.values()) or any(v < 0 for v in counts.values()):
        raise ValueError("quota numbers and counts cannot be negative")
    grades = tuple(GradeProgress(g, int(counts.get(g, 0)), int(m)) for g, m in minimums.items())
    return QuotaProgress(filed=sum(int(v) for v in counts.values()), total=int(total), grades=grades)
