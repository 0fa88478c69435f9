"""Keeping survey_rollup in step with the responses: every unflagged response stored through
any path (the citizen's form, a factory, an import) adds its counts in the same flush."""
from __future__ import annotations

from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from portal.workdays import today_in_vietnam
from survey.models import OfficerRollup, Response, Rollup

RESPONSES = ""  # the item code under which responses themselves are counted
# A response counts as one when it says something to the survey: an answer or a comment (not
# one that only rated a dossier under TT 01/2018; those are counted by the evaluation).
SAYS_SOMETHING = ("(r.comment IS NOT NULL OR EXISTS (SELECT 1 FROM survey_answer s "
                  "WHERE s.response_id = r.id AND s.value IS NOT NULL))")


def says_something(response: Response) -> bool:
    return response.comment is not None or any(
        answer.value is not None for answer in response.answers)


def rows_of(response: Response) -> list[dict]:
    key = {"day": today_in_vietnam(response.submitted_at), "counter_id": response.counter_id,
           "channel": response.channel,
           "procedure_field_id": response.procedure_field_id or 0}
    rows = [{**key, "item_code": RESPONSES, "value": 0, "answers": 1}] \
        if says_something(response) else []
    counted: dict[tuple, int] = {}
    for answer in response.answers:
        counted[(answer.item_code, answer.value or 0)] = counted.get(
            (answer.item_code, answer.value or 0), 0) + 1
    rows += [{**key, "item_code": code, "value": value, "answers": number}
             for (code, value), number in counted.items()]
    return rows


@event.listens_for(Session, "after_flush")
def _count_new_responses(session: Session, _flush_context) -> None:
    new = [obj for obj in session.new if isinstance(obj, Response) and not obj.flagged]
    if new:
        add(session, new)


_UPSERTS: dict[str, tuple] = {}


def _upserts(dialect: str) -> tuple:
    """The two upserts, built once per dialect and run with one parameter set per row
    (executemany): SQLAlchemy compiles them once, instead of a multi-row VALUES statement
    built anew for each response (measured: most of the rollup's cost per citizen)."""
    if dialect not in _UPSERTS:
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        rollup = insert(Rollup)
        rollup = rollup.on_conflict_do_update(
            index_elements=["day", "counter_id", "channel", "procedure_field_id", "item_code",
                            "value"],
            set_={"answers": Rollup.answers + rollup.excluded.answers})
        officer = insert(OfficerRollup)
        officer = officer.on_conflict_do_update(
            index_elements=["month", "officer_id", "item_code", "value"],
            set_={"answers": OfficerRollup.answers + officer.excluded.answers})
        _UPSERTS[dialect] = (rollup, officer)
    return _UPSERTS[dialect]


def add(session: Session, responses, sign: int = 1) -> None:
    """Add the responses' answers to both rollup tables (``sign`` -1: take them away, when
    an administrator leaves a counted answer out)."""
    connection = session.connection()
    rollup_upsert, officer_upsert = _upserts(connection.dialect.name)
    merged: dict[tuple, dict] = {}  # one row per key: ON CONFLICT may touch a row only once
    for response in responses:
        for row in rows_of(response):
            key = tuple(value for name, value in row.items() if name != "answers")
            if key in merged:
                merged[key]["answers"] += sign * row["answers"]
            else:
                merged[key] = {**row, "answers": sign * row["answers"]}
    if merged:  # nothing, for an answer that only rated a dossier under TT 01/2018
        connection.execute(rollup_upsert, list(merged.values()))
    officer_rows: dict[tuple, int] = {}
    for response in responses:
        if response.officer_id is None:
            continue
        month = today_in_vietnam(response.submitted_at).replace(day=1)
        for answer in response.answers:
            key = (month, response.officer_id, answer.item_code, answer.value or 0)
            officer_rows[key] = officer_rows.get(key, 0) + sign
    if officer_rows:
        connection.execute(officer_upsert, [
            {"month": month, "officer_id": officer, "item_code": code, "value": value,
             "answers": number} for (month, officer, code, value), number in officer_rows.items()])


def rebuild(connection) -> None:
    """Recount both tables from the stored answers (after a bulk load that bypassed the
    ORM, or to repair it). The same counting as migrations 0003 and 0005."""
    if connection.dialect.name == "postgresql":
        day = "CAST(r.submitted_at + INTERVAL '7 hours' AS DATE)"
    else:
        day = "date(r.submitted_at, '+7 hours')"
    keys = f"{day}, r.counter_id, r.channel, COALESCE(r.procedure_field_id, 0)"
    columns = "day, counter_id, channel, procedure_field_id, item_code, value, answers"
    connection.execute(text("DELETE FROM survey_rollup"))
    connection.execute(text(f"""
        INSERT INTO survey_rollup ({columns})
        SELECT {keys}, a.item_code, COALESCE(a.value, 0), count(*)
        FROM survey_answer a JOIN survey_response r ON r.id = a.response_id
        WHERE r.flagged = false
        GROUP BY {keys}, a.item_code, COALESCE(a.value, 0)"""))
    connection.execute(text(f"""
        INSERT INTO survey_rollup ({columns})
        SELECT {keys}, '', 0, count(*) FROM survey_response r
        WHERE r.flagged = false AND {SAYS_SOMETHING} GROUP BY {keys}"""))
    rebuild_officers(connection)


def rebuild_officers(connection) -> None:
    if connection.dialect.name == "postgresql":
        month = "CAST(date_trunc('month', r.submitted_at + INTERVAL '7 hours') AS DATE)"
    else:
        month = "date(r.submitted_at, '+7 hours', 'start of month')"
    connection.execute(text("DELETE FROM survey_officer_rollup"))
    connection.execute(text(f"""
        INSERT INTO survey_officer_rollup (month, officer_id, item_code, value, answers)
        SELECT {month}, r.officer_id, a.item_code, COALESCE(a.value, 0), count(*)
        FROM survey_answer a JOIN survey_response r ON r.id = a.response_id
        WHERE r.flagged = false AND r.officer_id IS NOT NULL
        GROUP BY {month}, r.officer_id, a.item_code, COALESCE(a.value, 0)"""))
