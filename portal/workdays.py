"""Dates in Vietnam's time zone and the working-day calendar (DOMAIN.md §5). Pure: no Flask,
no session; the administrator's exceptions are passed in.

- State agencies work Monday to Friday (QĐ 188/1999/QĐ-TTg), in Asia/Ho_Chi_Minh.
- Public holidays come from the ``holidays`` package (Bộ luật Lao động 2019 Điều 112, with the
  compensating day off of Điều 111 k3 and the Prime Minister's swaps it knows about).
- The Prime Minister moves days every year, so an administrator adds exceptions: an extra day
  off, or a make-up working day (làm bù, usually a Saturday). An exception always wins.
- Counting (Bộ luật Dân sự 2015 Điều 147-148): the day of the event is not counted; counting
  starts the next day; a deadline that would end on a day off ends on the next working day;
  a day ends at 24:00. So "N working days from an event on day D" is the N-th working day
  after D, and the deadline passes when that day is over.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holiday_tables

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

DAY_OFF = "off"
WORKING_DAY = "working"


def today_in_vietnam(now: datetime | None = None) -> date:
    """The calendar day in Asia/Ho_Chi_Minh at ``now`` (default: this moment)."""
    return (now or datetime.now(timezone.utc)).astimezone(VIETNAM).date()


def end_of_day(day: date) -> datetime:
    """The moment ``day`` ends in Vietnam (24:00, i.e. the next day's 00:00), timezone-aware."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), VIETNAM)


@dataclass(frozen=True)
class Calendar:
    """Which days are working days.

    ``days_off``: weekdays that are not worked (holidays, compensating days, extra days off).
    ``working_weekend_days``: Saturdays or Sundays that are worked (make-up days).
    """

    days_off: frozenset[date] = field(default_factory=frozenset)
    working_weekend_days: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.working_weekend_days:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself is not counted).

        With ``count`` 0: ``start`` if it is a working day, else the next working day.
        """
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        if count == 0:
            while not self.is_working_day(day):
                day += timedelta(days=1)
            return day
        while count:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
        days = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            days += self.is_working_day(day)
        return days

    def deadline(self, event: datetime, working_days: int) -> date:
        """The last day of a time limit of ``working_days`` counted from ``event`` (a moment,
        taken in Vietnam's time zone)."""
        return self.add_working_days(today_in_vietnam(event), working_days)


@lru_cache(maxsize=32)
def _package_days(years: tuple[int, ...]) -> tuple[frozenset[date], frozenset[date]]:
    """The ``holidays`` package's weekdays off and worked weekend days for ``years``.
    Building its table takes milliseconds (lunar dates) and deadlines are computed on every
    intake and action, so each set of years is built once per process."""
    table = holiday_tables.Vietnam(years=years)
    return (frozenset(day for day in table if day.weekday() < 5),
            frozenset(day for day in table.weekend_workdays if day.year in table.years))


def vietnam_calendar(years, exceptions: dict[date, str] | None = None) -> Calendar:
    """Vietnam's calendar for ``years`` (an iterable of years): the public holidays of the
    ``holidays`` package and its known make-up days, then ``exceptions`` (date → ``DAY_OFF``
    or ``WORKING_DAY``) on top."""
    package_off, package_working = _package_days(tuple(sorted(set(years))))
    days_off, working = set(package_off), set(package_working)
    for day, kind in (exceptions or {}).items():
        if kind == DAY_OFF:
            days_off.add(day)
            working.discard(day)
        elif kind == WORKING_DAY:
            days_off.discard(day)
            if day.weekday() >= 5:
                working.add(day)
        else:
            raise ValueError(f"unknown exception kind {kind!r}")
    return Calendar(frozenset(days_off), frozenset(working))
