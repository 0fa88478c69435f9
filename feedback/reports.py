"""Feedback statistics: counts by status, class, channel, field, unit and month; the on-time
rate; the six-monthly report (NĐ 20/2008 Điều 22); and the figures of TT 01/2018 index 8,
which the one-stop evaluation (survey.onestop) reads through :func:`index8_counts` and scores
with its versioned scheme."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback import queries
from feedback import workflow as wf
from feedback.models import CHANNEL_LABELS, AnswerRating, Ticket
from portal.auth.models import Unit
from portal.i18n import pick
from portal.pages.models import ProcedureField


@dataclass
class Row:
    label: str
    received: int
    finished: int
    on_time: int
    overdue_open: int

    @property
    def rate(self) -> float | None:
        """On-time percentage: finished on time over everything whose deadline has been
        decided (finished, or still open past its deadline)."""
        judged = self.finished + self.overdue_open
        return 100 * self.on_time / judged if judged else None


@dataclass
class RatingRow:
    """How citizens rated the answers they received: the SIPAS "results" dimension (5)
    measured on real cases. A share is given only from ``min_sample`` ratings on."""

    label: str
    rated: int
    resolved: int
    min_sample: int

    @property
    def rate(self) -> float | None:
        return 100 * self.resolved / self.rated if self.rated >= self.min_sample else None


@dataclass
class Report:
    period: queries.Period
    total: Row
    sections: list[tuple[str, list[Row]]]
    index8: tuple[int, int, int, int]  # received, on time, late, prolonged (all units)
    notices: tuple[int, int, int] = (0, 0, 0)  # told on time, told late, overdue untold
    ratings: RatingRow | None = None
    rating_sections: list[tuple[str, list[RatingRow]]] = field(default_factory=list)


def index8_counts(session: Session, period: queries.Period) -> dict[int | None, tuple]:
    """For TT 01/2018 index 8, per unit (None: not yet given to a unit), the feedback received
    in the period: (received, handled on time, late, prolonged). Late counts a ticket answered
    after its deadline and one still open past it. Not counted: a duplicate linked to its
    master (the master is handled for it) and a ticket closed because the citizen never sent
    what was asked (no deadline was missed). Prolonged is always 0: the portal has no
    extension of the deadline (NĐ 20/2008 and DOMAIN.md provide none)."""
    return {unit: (received, on_time, late, 0)
            for unit, received, on_time, late in queries.index8_counts(session, period)}


def six_months(year: int, half: int) -> queries.Period:
    return queries.Period(date(year, 1, 1), date(year, 6, 30)) if half == 1 else \
        queries.Period(date(year, 7, 1), date(year, 12, 31))


def build(session: Session, period: queries.Period, min_sample: int = 30) -> Report:
    units = {unit.id: pick(unit.name, unit.name_en) for unit in session.scalars(select(Unit))}
    fields = {field.id: pick(field.name, field.name_en)
              for field in session.scalars(select(ProcedureField))}
    none = "—"

    def rows(column, label) -> list[Row]:
        return [Row(label(value), received, finished, on_time or 0, overdue or 0)
                for value, received, finished, on_time, overdue
                in queries.counts_by(session, period, column)]

    sections = [
        ("status", rows(Ticket.state, lambda value: str(wf.STATE_LABELS.get(value, value)))),
        ("class", rows(Ticket.ticket_class, lambda value: str(
            wf.CLASS_LABELS.get(value, none)) if value else none)),
        ("channel", rows(Ticket.channel, lambda value: str(CHANNEL_LABELS.get(value, value)))),
        ("field", rows(Ticket.procedure_field_id, lambda value: fields.get(value, none))),
        ("unit", rows(Ticket.unit_id, lambda value: units.get(value, none))),
    ]
    months = [Row(f"{month:02d}/{year}", received, finished, on_time, 0)
              for year, month, received, on_time, finished
              in queries.monthly_counts(session, period)]
    sections.append(("month", months))
    status_rows = sections[0][1]
    total = Row("total", sum(r.received for r in status_rows),
                sum(r.finished for r in status_rows), sum(r.on_time for r in status_rows),
                sum(r.overdue_open for r in status_rows))
    rating_sections = [
        (name, [RatingRow(label(value), rated, resolved, min_sample)
                for value, rated, resolved in queries.rating_counts(session, period, column)])
        for name, column, label in (
            ("unit", AnswerRating.unit_id, lambda value: units.get(value, none)),
            ("field", AnswerRating.procedure_field_id, lambda value: fields.get(value, none)))]
    unit_rows = rating_sections[0][1]
    ratings = RatingRow("total", sum(r.rated for r in unit_rows),
                        sum(r.resolved for r in unit_rows), min_sample)
    index8 = [sum(column) for column in zip(*index8_counts(session, period).values(),
                                              strict=False)] or [0, 0, 0, 0]
    return Report(period, total, sections, tuple(index8),
                  queries.notice_counts(session, period), ratings, rating_sections)
