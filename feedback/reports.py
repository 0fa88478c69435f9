"""Feedback statistics: counts by status, class, channel, field, unit and month; the on-time
rate and the TT 01/2018 index-8 points; the six-monthly report (NĐ 20/2008 Điều 22)."""
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
    points: int | None
    notices: tuple[int, int, int] = (0, 0, 0)  # told on time, told late, overdue untold
    ratings: RatingRow | None = None
    rating_sections: list[tuple[str, list[RatingRow]]] = field(default_factory=list)


def index_points(rate: float | None, full: float = 100, partial: float = 90) -> int | None:
    """TT 01/2018 index 8: 2 points if all feedback was handled on time, 1 if at least 90%,
    else 0 (thresholds configurable: the 2025 texts replaced this scoring)."""
    if rate is None:
        return None
    if rate >= full - 1e-9:
        return 2
    return 1 if rate >= partial else 0


def six_months(year: int, half: int) -> queries.Period:
    return queries.Period(date(year, 1, 1), date(year, 6, 30)) if half == 1 else \
        queries.Period(date(year, 7, 1), date(year, 12, 31))


def build(session: Session, period: queries.Period, full: float = 100,
          partial: float = 90, min_sample: int = 30) -> Report:
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
    return Report(period, total, sections, index_points(total.rate, full, partial),
                  queries.notice_counts(session, period), ratings, rating_sections)
