"""Reason codes for stops that could not be planned, with their Chinese explanations."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["REASON_TEXT", "Reason", "Unassigned"]


class Reason(StrEnum):
    """Why a stop/visit is not in a plan. The value is the stable machine-readable code."""

    NO_LOCATION = "no_location"
    INVALID_LOCATION = "invalid_location"
    INVALID_BASE = "invalid_base"
    WINDOW_OUTSIDE_DAY = "window_outside_day"
    WINDOW_UNREACHABLE = "window_unreachable"
    DAY_TOO_SHORT = "day_too_short"
    DAY_FULL = "day_full"
    WINDOW_CONFLICT = "window_conflict"
    MAX_VISITS = "max_visits"
    NO_WORKING_DAY = "no_working_day"
    CAPACITY = "capacity"


#: Human-readable explanation (zh-CN) for each reason code.
REASON_TEXT: dict[Reason, str] = {
    Reason.NO_LOCATION: "客户没有地理位置,无法排入路线",
    Reason.INVALID_LOCATION: "客户坐标无效(超出范围、为空或为 0,0),无法排入路线",
    Reason.INVALID_BASE: "出发地或返回地坐标无效,无法规划路线",
    Reason.WINDOW_OUTSIDE_DAY: "客户可拜访时间不在当天工作时间内",
    Reason.WINDOW_UNREACHABLE: "从出发地出发无法在客户可拜访时间内到达",
    Reason.DAY_TOO_SHORT: "即使当天只拜访该客户,往返加拜访时长也超出当天工作时间",
    Reason.DAY_FULL: "当天工作时间已排满,无法再安排该拜访",
    Reason.WINDOW_CONFLICT: "与其他拜访的时间窗冲突,当天无法同时安排",
    Reason.MAX_VISITS: "已达到当天最多拜访数",
    Reason.NO_WORKING_DAY: "计划期内没有可用于该拜访的工作日",
    Reason.CAPACITY: "计划期内的工作日容量不足,无法安排该拜访",
}


@dataclass(frozen=True)
class Unassigned:
    """A stop (or one visit of a customer) that is not in the plan, and why."""

    stop_id: str
    reason: Reason
    message: str = ""
    visit_index: int = 0

    @classmethod
    def of(cls, stop_id: str, reason: Reason | str, visit_index: int = 0) -> Unassigned:
        """Build an entry with the standard Chinese message for ``reason``."""
        code = Reason(reason)
        return cls(stop_id, code, REASON_TEXT[code], visit_index)
