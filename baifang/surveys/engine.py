"""The survey arithmetic (R-SURV-3), plain Python: no Django, so it can be checked on its own.

Definitions (printed on every report):

- **returned**: the number of questionnaires that came back (a response with every item blank still
  counts as returned; it adds nothing to any rate);
- **item rate** = satisfied answers ÷ answered for that item, where *answered* excludes blanks;
- **overall rate** = all satisfied answers ÷ all answered answers, over every item (not the mean of the
  item rates: an item few people answered weighs less);
- a rate with nothing answered is ``None`` ("—"), never 0 %.

``summarise(responses, items, satisfied)`` works from the answers themselves; ``Summary.from_counts``
builds the same result from per-item counts a database has already added up, so the statistics page
can let SQL count and still share one definition with this module (the tests hold both to the same
numbers).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rate:
    """``satisfied`` of ``answered`` answers; ``rate`` in [0, 1], or None when nothing was answered."""

    satisfied: int = 0
    answered: int = 0

    def __post_init__(self):
        if self.satisfied < 0 or self.answered < 0 or self.satisfied > self.answered:
            raise ValueError(f"satisfied={self.satisfied} must lie within 0..answered={self.answered}")

    @property
    def rate(self) -> float | None:
        return self.satisfied / self.answered if self.answered else None

    @property
    def percent(self) -> int | None:
        """The rate as a whole percentage, rounded half up (96.5 % → 97 %), as a letter prints it."""
        if not self.answered:
            return None
        return (200 * self.satisfied + self.answered) // (2 * self.answered)

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.satisfied + other.satisfied, self.answered + other.answered)


@dataclass(frozen=True)
class Summary:
    """The result of a campaign: how many came back, the overall rate and one rate per item, in order."""

    returned: int
    overall: Rate
    items: Mapping[str, Rate] = field(default_factory=dict)

    @classmethod
    def from_counts(
        cls, returned: int, counts: Mapping[str, tuple[int, int]], items: Sequence[str]
    ) -> Summary:
        """From ``{item: (satisfied, answered)}`` as a database counted them; items missing count zero."""
        rates = {code: Rate(*counts.get(code, (0, 0))) for code in items}
        overall = sum(rates.values(), Rate())
        return cls(returned=returned, overall=overall, items=rates)


def summarise(
    responses: Iterable[Mapping[str, str | None]], items: Sequence[str], satisfied: Collection[str]
) -> Summary:
    """Count returned questionnaires and, per item, satisfied and answered answers (R-SURV-3).

    ``responses``: one dict per returned questionnaire, ``{item_code: answer or None}``; a missing key,
    ``None`` and ``""`` are blanks. Codes not in ``items`` are ignored. ``satisfied``: the answers that
    count as satisfied (e.g. {"satisfied", "basic"}, or {"4", "5"}).
    """
    satisfied = frozenset(satisfied)
    answered = dict.fromkeys(items, 0)
    pleased = dict.fromkeys(items, 0)
    returned = 0
    for response in responses:
        returned += 1
        for code in items:
            answer = response.get(code)
            if answer is None or answer == "":
                continue
            answered[code] += 1
            if answer in satisfied:
                pleased[code] += 1
    return Summary.from_counts(returned, {c: (pleased[c], answered[c]) for c in items}, items)


def rate_against(done: int, target: int) -> float | None:
    """A share of a target set (distribution rate, return rate, R-SURV-2): None for an empty set."""
    if target < 0 or done < 0:
        raise ValueError("counts are never negative")
    return done / target if target else None


def meets(rate: float | None, target_percent: int) -> bool:
    """Whether ``rate`` reaches ``target_percent`` (100 for distribution, 80 for return, R-SURV-2)."""
    return rate is not None and rate * 100 >= target_percent - 1e-9
