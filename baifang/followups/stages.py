"""Stage moves as plain Python (no Django): who may move a follower-moved stage, when a reason is
needed, and where the lifecycle moves by itself (R-FU-2).

A stage scheme is an ordered list of stages (the tiers of a classification scheme, in rank order).
Rank 1 is the stage *closest to the deal* for sales schemes (准客户 / A 一个月内成交 / H 7天内), so
moving *forwards* means moving to a lower rank and *backwards* to a higher one. Lifecycle schemes
are ordered the other way in the presets (目标 → 新签 → 长期); each scheme says which way is forward.
"""

from __future__ import annotations

from dataclasses import dataclass

# Error codes of a refused move; the API documents them and the pages show their messages.
SAME_STAGE = "same_stage"
REASON_REQUIRED = "reason_required"
NOT_FOLLOWER = "not_follower"
NOT_FOLLOWER_MOVED = "not_follower_moved"

# Lifecycle stage codes the data may move the customer to (seed 002; b2b-sales preset).
LIFECYCLE_NEW = "new"
LIFECYCLE_LONG_TERM = "long-term"
LIFECYCLE_TARGET = "target"


@dataclass(frozen=True)
class Move:
    """A requested move between two stages given by their rank (None: no stage yet)."""

    from_rank: int | None
    to_rank: int
    reason: str = ""
    forward_is_lower: bool = True


def is_backward(move: Move) -> bool:
    """Whether the move goes away from the deal (or backwards in the lifecycle)."""
    if move.from_rank is None:
        return False
    if move.forward_is_lower:
        return move.to_rank > move.from_rank
    return move.to_rank < move.from_rank


def refusal(
    move: Move, *, is_follower: bool, follower_moved: bool, is_market_staff: bool = False
) -> str | None:
    """Why the move is refused (an error code), or None when it may happen.

    - moving to the stage one is in is no move;
    - only the follower (the customer's owner) moves a follower-moved scheme; market staff may
      always override (their existing right over every tier, R-TIER-3);
    - a backwards move needs a reason; market staff always give one (an override needs a reason).
    """
    if move.from_rank == move.to_rank:
        return SAME_STAGE
    if not is_market_staff:
        if not follower_moved:
            return NOT_FOLLOWER_MOVED
        if not is_follower:
            return NOT_FOLLOWER
    needs_reason = is_backward(move) or is_market_staff
    if needs_reason and not move.reason.strip():
        return REASON_REQUIRED
    return None


def lifecycle_target(current: str | None, *, orders: int, long_term_contract: bool) -> str | None:
    """The lifecycle stage the data puts the customer in, or None to leave it as it is.

    A long-term contract makes a customer 长期; the first order makes a target customer 新签. The
    data never moves a customer backwards: a 长期 customer with no contract on file stays 长期, and
    a 新签 customer without orders (an order deleted) is left for a person to decide.
    """
    if long_term_contract:
        return None if current == LIFECYCLE_LONG_TERM else LIFECYCLE_LONG_TERM
    if orders > 0 and current in (None, LIFECYCLE_TARGET):
        return LIFECYCLE_NEW
    return None


def reminder_due(days_since_touch: int | None, threshold_days: int | None) -> str | None:
    """Which touch reminder a customer is due (R-FU-3): ``never`` touched, ``stale`` (not touched for
    at least ``threshold_days``), or None. No threshold for the customer's tier: no reminder."""
    if threshold_days is None:
        return None
    if days_since_touch is None:
        return "never"
    if days_since_touch >= threshold_days:
        return "stale"
    return None
