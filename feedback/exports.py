"""Open data of the published results (CSV and JSON, streamed) and the six-monthly report
(NĐ 20/2008 Điều 22) as CSV and XLSX. Nothing personal, nothing internal."""
from __future__ import annotations

import json
from collections.abc import Iterator

from flask import current_app

from feedback import queries
from feedback.models import Ticket
from portal.tabular import csv_stream as table_stream
from portal.workdays import VIETNAM

CHUNK = 1000
OPEN_DATA_COLUMNS = ("code", "kind", "field", "unit", "received_on", "answered_on",
                     "answer_due_on", "on_time", "published_at", "question", "answer")


def _day(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "astimezone"):
        value = value.astimezone(VIETNAM).date()
    return value.isoformat()


def published_rows() -> Iterator[dict]:
    """Every published result, oldest first, on a session of its own (keyset-paged)."""
    session = current_app.extensions["db"].sessionmaker()
    try:
        last_id = 0
        while True:
            chunk = session.scalars(
                queries.published_statement(queries.PublicFilters()).order_by(None)
                .where(Ticket.id > last_id).order_by(Ticket.id).limit(CHUNK)).all()
            if not chunk:
                return
            for ticket in chunk:
                yield {
                    "code": ticket.code, "kind": ticket.kind,
                    "field": ticket.procedure_field.name if ticket.procedure_field else "",
                    "unit": ticket.unit.name if ticket.unit else "",
                    "received_on": _day(ticket.received_at),
                    "answered_on": _day(ticket.answered_at),
                    "answer_due_on": _day(ticket.answer_due_on),
                    "on_time": ticket.on_time,
                    "published_at": _day(ticket.published_at),
                    # Without the sender's consent only the field, dates and outcome.
                    "question": ticket.public_question if ticket.consent_publish else "",
                    "answer": ticket.public_answer if ticket.consent_publish else "",
                }
            last_id = chunk[-1].id
            session.expunge_all()
    finally:
        session.close()


def csv_stream(rows: Iterator[dict]) -> Iterator[str]:
    def table():
        yield list(OPEN_DATA_COLUMNS)
        for row in rows:
            yield [{True: "yes", False: "no", None: ""}.get(row[column], row[column])
                   if column == "on_time" else row[column] for column in OPEN_DATA_COLUMNS]

    return table_stream(table())


def json_stream(rows: Iterator[dict]) -> Iterator[str]:
    """A JSON array written piece by piece."""
    yield "["
    for number, row in enumerate(rows):
        yield ("," if number else "") + json.dumps(row, ensure_ascii=False)
    yield "]\n"


def report_rows(report) -> Iterator[list]:
    """The six-monthly report as one table: a section column, then the figures."""
    yield ["section", "key", "received", "finished", "on_time", "overdue_open",
           "on_time_percent"]
    for section, rows in report.sections:
        for row in rows:
            yield [section, row.label, row.received, row.finished, row.on_time,
                   row.overdue_open, "" if row.rate is None else round(row.rate, 1)]
    received, on_time, late, prolonged = report.index8
    yield ["index_8", "counted", received, "", on_time, late, ""]
    yield ["index_8", "prolonged", prolonged, "", "", "", ""]
    told_on_time, told_late, untold = report.notices
    yield ["notice_10_days", "on_time", told_on_time, "", "", "", ""]
    yield ["notice_10_days", "late", told_late, "", "", "", ""]
    yield ["notice_10_days", "not_told_overdue", untold, "", "", "", ""]
    # the answers' ratings (SIPAS dimension 5, measured): rated, resolved, resolved percent
    for section, rows in [("answers_rated", [report.ratings])] + [
            (f"answers_rated_by_{name}", rows) for name, rows in report.rating_sections]:
        for row in rows:
            yield [section, row.label, row.rated, row.resolved, "", "",
                   "" if row.rate is None else round(row.rate, 1)]

