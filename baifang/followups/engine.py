"""Follow-up rules as plain Python (no Django): the lead time an appointment needs (R-VISIT-6) and the
showroom's fair rotation of walk-ins (R-FU-4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass


def required_lead_hours(default_hours: int, rule_hours: Iterable[int | None]) -> int:
    """The lead time an appointment needs: the default, or a rule's when stricter (longer)."""
    return max([default_hours, *(h for h in rule_hours if h is not None)])


def earliest_start(made_at: dt.datetime, lead_hours: int) -> dt.datetime:
    """The earliest start of an appointment made at ``made_at`` with ``lead_hours`` notice."""
    return made_at + dt.timedelta(hours=lead_hours)


def lead_time_ok(made_at: dt.datetime, starts_at: dt.datetime, lead_hours: int) -> bool:
    """Whether an appointment starting at ``starts_at`` was made early enough (R-VISIT-6)."""
    return starts_at >= earliest_start(made_at, lead_hours)


# -- the showroom's fair rotation (R-FU-4; seed 002: 房地产 客户接待制度, 4S 轮班) -------------------------


@dataclass(frozen=True)
class Reception:
    """Who receives one arrival, who it counts for, and where the duty order stands afterwards.

    ``receiver`` is None when no one on duty is free (the customer waits). ``credited_to`` is the rep
    whose customer it is (a stand-in receives, the first receiver keeps the credit). ``new_reception``
    is True only for a first-time customer (a repeat visit is never a new reception, rule 9);
    ``in_turn`` only when the duty order chose the receiver. ``skipped`` are the reps whose turn
    passed because they were busy. ``position`` is the index in the duty order of whoever is next.
    """

    receiver: Hashable | None
    credited_to: Hashable | None
    new_reception: bool
    in_turn: bool
    position: int
    skipped: tuple = ()
    waiting: bool = False


def _free_from(order: Sequence, position: int, busy) -> tuple[int | None, tuple]:
    """The first free rep from ``position`` on (wrapping round), and the busy ones passed over."""
    skipped = []
    n = len(order)
    for step in range(n):
        index = (position + step) % n
        rep = order[index]
        if rep in busy:
            skipped.append(rep)
            continue
        return index, tuple(skipped)
    return None, tuple(skipped)


def next_receiver(
    duty_order: Sequence,
    position: int = 0,
    busy: Collection = (),
    *,
    returning_rep: Hashable | None = None,
    named_rep: Hashable | None = None,
    acquainted_rep: Hashable | None = None,
) -> Reception:
    """Who receives the next arrival in a showroom or sales office (R-FU-4).

    ``duty_order`` is the day's order set by the manager (案场经理的排岗顺序), ``position`` the index of
    whoever is next (0 at the start of the day), ``busy`` the reps receiving a customer right now.

    - A first-time customer goes to the next rep in the duty order; a rep who is receiving is skipped
      (轮到的人员正在接待客户则跳过) and the order moves on past whoever received.
    - A returning customer (``returning_rep``: their first receiver, from the register) goes to that
      rep, outside the order; when that rep is busy or off duty, the next free rep stands in, the credit
      stays with the first receiver, and the order does not move (rules 9 and 10).
    - A first-time customer who names a rep on arrival (``named_rep``) is that rep's customer, outside
      the order; if the rep is busy the customer waits for them (rule 8).
    - ``acquainted_rep``, a rep who merely knows a first-time customer, changes nothing (rule 8).
    """
    del acquainted_rep  # knowing the customer gives no claim: the duty order decides (rule 8)
    order = list(duty_order)
    n = len(order)
    position = position % n if n else 0
    busy = set(busy)
    if returning_rep is not None:
        if returning_rep in order and returning_rep not in busy:
            return Reception(returning_rep, returning_rep, False, False, position)
        index, _passed = _free_from(order, position, busy)
        stand_in = order[index] if index is not None else None
        return Reception(stand_in, returning_rep, False, False, position, waiting=stand_in is None)
    if named_rep is not None:
        return Reception(named_rep, named_rep, True, False, position, waiting=named_rep in busy)
    if not n:
        return Reception(None, None, True, False, 0, waiting=True)
    index, skipped = _free_from(order, position, busy)
    if index is None:
        return Reception(None, None, True, False, position, skipped=(), waiting=True)
    rep = order[index]
    return Reception(rep, rep, True, True, (index + 1) % n, skipped=skipped)


def position_after(duty_order: Sequence, last_in_turn: Hashable | None) -> int:
    """Where the order stands after the day's last in-turn reception (0 when there was none)."""
    order = list(duty_order)
    if last_in_turn is None or last_in_turn not in order:
        return 0
    return (order.index(last_in_turn) + 1) % len(order)
