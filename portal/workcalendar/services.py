"""Reading and changing the working-day exceptions; building the calendar deadlines use."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.workcalendar.models import CalendarException
from portal.workdays import Calendar, today_in_vietnam, vietnam_calendar


def working_calendar(session: Session, around: date | None = None) -> Calendar:
    """The calendar for the years around ``around`` (default today): holidays from the
    ``holidays`` package plus every stored exception. Deadlines reach at most a few weeks
    ahead, so the year before and the two after are enough."""
    year = (around or today_in_vietnam()).year
    exceptions = {row.day: row.kind for row in session.scalars(select(CalendarException))}
    return vietnam_calendar(range(year - 1, year + 3), exceptions)


def add_exception(session: Session, day: date, kind: str, reason: str, actor) -> CalendarException:
    """Store one exception (the caller checked that the day has none yet)."""
    row = CalendarException(day=day, kind=kind, reason=reason, created_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, "calendar.exception_added", target_type="calendar",
                 target_id=day.isoformat(), details={"kind": kind, "reason": reason})
    return row


def remove_exception(session: Session, row: CalendarException) -> None:
    audit.record(session, "calendar.exception_removed", target_type="calendar",
                 target_id=row.day.isoformat(), details={"kind": row.kind, "reason": row.reason})
    session.delete(row)
    session.flush()


def exception_on(session: Session, day: date) -> CalendarException | None:
    return session.scalar(select(CalendarException).where(CalendarException.day == day))
