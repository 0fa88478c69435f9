"""Dates in Vietnam's time zone. (The working-day calendar of the feedback issue grows here.)"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def today_in_vietnam(now: datetime | None = None) -> date:
    """The calendar day in Asia/Ho_Chi_Minh at ``now`` (default: this moment)."""
    return (now or datetime.now(timezone.utc)).astimezone(VIETNAM).date()
