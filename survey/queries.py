"""Reads that feed the survey dashboard and the published results. Aggregation is SQL
(counts per item and level); the index arithmetic is survey/sipas.py."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, exists, func, literal_column, or_, select
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.workdays import VIETNAM
from survey.models import (
    ALERT_CLOSED,
    Alert,
    AlertRule,
    Answer,
    Counter,
    OfficerRollup,
    PaperBatch,
    Questionnaire,
    Response,
    Rollup,
)
from survey.rollup import RESPONSES


@dataclass
class Filters:
    """What the dashboard is narrowed to; dates are Vietnam calendar days, end inclusive."""

    start: date
    end: date
    unit_id: int | None = None
    counter_id: int | None = None
    officer_id: int | None = None
    procedure_field_id: int | None = None
    channel: str | None = None
    include_flagged: bool = False


def _bounds(filters: Filters) -> tuple[datetime, datetime]:
    start = datetime.combine(filters.start, time.min, VIETNAM)
    end = datetime.combine(filters.end + timedelta(days=1), time.min, VIETNAM)
    return start, end


def _narrow(statement: Select, filters: Filters, table) -> Select:
    """The filters both tables share; ``table`` is Response or Rollup (same column names)."""
    if filters.counter_id is not None:
        statement = statement.where(table.counter_id == filters.counter_id)
    if filters.unit_id is not None:
        statement = statement.where(table.counter_id.in_(
            select(Counter.id).where(Counter.unit_id == filters.unit_id)))
    if filters.procedure_field_id is not None:
        statement = statement.where(table.procedure_field_id == filters.procedure_field_id)
    if filters.channel is not None:
        statement = statement.where(table.channel == filters.channel)
    return statement


def _where(statement: Select, filters: Filters) -> Select:
    start, end = _bounds(filters)
    statement = statement.where(Response.submitted_at >= start, Response.submitted_at < end)
    if not filters.include_flagged:
        statement = statement.where(Response.flagged.is_(False))
    if filters.officer_id is not None:
        statement = statement.where(Response.officer_id == filters.officer_id)
    return _narrow(statement, filters, Response)


def _rollup_where(statement: Select, filters: Filters) -> Select:
    statement = statement.where(Rollup.day >= filters.start, Rollup.day <= filters.end)
    return _narrow(statement, filters, Rollup)


def _month_of_day(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(Rollup.day, "YYYY-MM")
    return func.strftime("%Y-%m", Rollup.day)


def _key_columns(session: Session, keys: tuple[str, ...], rollup: bool) -> list:
    """Grouping columns by name: 'unit', 'officer', 'month'."""
    columns = {
        "counter": Rollup.counter_id if rollup else Response.counter_id,
        "unit": Counter.unit_id,
        "officer": Response.officer_id,
        "month": _month_of_day(session) if rollup else _month_of(session),
    }
    return [columns[key] for key in keys]


def answer_counts_by(session: Session, filters: Filters, *keys: str) -> dict[tuple, dict]:
    """(key values…) -> item code -> level (None = no answer) -> answers, in one grouped
    query; keys are 'counter', 'unit', 'officer' (None = nobody credited) and 'month'
    ('YYYY-MM').

    Unflagged answers come from the rollup table; asking for flagged ones, or for an
    officer's figures, reads the answers themselves (officers are not in the rollup).
    """
    rollup = _use_rollup(filters, keys)
    columns = _key_columns(session, keys, rollup)
    if rollup:
        statement = _rollup_where(
            select(*columns, Rollup.item_code, Rollup.value, func.sum(Rollup.answers))
            .join(Counter, Counter.id == Rollup.counter_id)
            .where(Rollup.item_code != RESPONSES), filters,
        ).group_by(*columns, Rollup.item_code, Rollup.value)
    else:
        statement = _where(
            select(*columns, Answer.item_code, Answer.value, func.count())
            .join(Response, Response.id == Answer.response_id)
            .join(Counter, Counter.id == Response.counter_id), filters,
        ).group_by(*columns, Answer.item_code, Answer.value)
    groups: dict[tuple, dict[str, dict]] = defaultdict(lambda: defaultdict(dict))
    for *key, code, value, number in session.execute(statement):
        if rollup:
            value = value or None
        groups[tuple(key)][code][value] = int(number)
    return groups


def _whole_months(filters: Filters) -> bool:
    return filters.start.day == 1 and (filters.end + timedelta(days=1)).day == 1


def officer_counts(session: Session, filters: Filters, monthly: bool) -> dict[tuple, dict]:
    """Like ``answer_counts_by(session, filters, "officer"[, "month"])``, from the officer
    rollup when the filters allow it (whole months, unflagged, nothing else narrowed), else
    from the answers. Keys: (officer_id,) or (officer_id, 'YYYY-MM'); no None officer."""
    narrowed = (filters.unit_id, filters.counter_id, filters.officer_id,
                filters.procedure_field_id, filters.channel)
    if filters.include_flagged or any(value is not None for value in narrowed) \
            or not _whole_months(filters):
        keys = ("officer", "month") if monthly else ("officer",)
        return {key: counts for key, counts in answer_counts_by(session, filters, *keys).items()
                if key[0] is not None}
    if session.get_bind().dialect.name == "postgresql":
        month = func.to_char(OfficerRollup.month, "YYYY-MM")
    else:
        month = func.strftime("%Y-%m", OfficerRollup.month)
    columns = [OfficerRollup.officer_id] + ([month] if monthly else [])
    statement = (select(*columns, OfficerRollup.item_code, OfficerRollup.value,
                        func.sum(OfficerRollup.answers))
                 .where(OfficerRollup.month >= filters.start, OfficerRollup.month <= filters.end)
                 .group_by(*columns, OfficerRollup.item_code, OfficerRollup.value))
    groups: dict[tuple, dict[str, dict]] = defaultdict(lambda: defaultdict(dict))
    for *key, code, value, number in session.execute(statement):
        groups[tuple(key)][code][value or None] = int(number)
    return groups


def answer_counts(session: Session, filters: Filters) -> dict[str, dict[int | None, int]]:
    """item code -> level (None = no answer) -> number of answers."""
    return answer_counts_by(session, filters).get((), {})


def monthly_counts(session: Session, filters: Filters) -> dict[str, dict[str, dict]]:
    """month 'YYYY-MM' -> item code -> level -> number of answers."""
    return {month: counts for (month,), counts in
            sorted(answer_counts_by(session, filters, "month").items())}


def responses_statement(filters: Filters) -> Select:
    return _where(select(Response), filters)


def _use_rollup(filters: Filters, keys=()) -> bool:
    return not filters.include_flagged and filters.officer_id is None and "officer" not in keys


def response_count(session: Session, filters: Filters) -> int:
    if not _use_rollup(filters):
        return session.scalar(_where(select(func.count(Response.id)), filters).where(or_(
            Response.comment.is_not(None),
            exists().where(Answer.response_id == Response.id, Answer.value.is_not(None))))) or 0
    return int(session.scalar(_rollup_where(
        select(func.sum(Rollup.answers)).where(Rollup.item_code == RESPONSES), filters)) or 0)


def exclusions(session: Session, filters: Filters) -> dict[str, int]:
    """The answers left out of the counts in the selection, by main reason (most first)."""
    flagged = Filters(**{**filters.__dict__, "include_flagged": True})
    rows = session.execute(_where(select(Response.exclusion, func.count(Response.id)), flagged)
                           .where(Response.flagged.is_(True)).group_by(Response.exclusion))
    counted = {reason or "unknown": int(number) for reason, number in rows}
    return dict(sorted(counted.items(), key=lambda entry: (-entry[1], entry[0])))


def review_list(shown: str) -> Select:
    """The answers for the review page: 'pending' (left out, not yet decided) or 'decided'
    (by an administrator), newest first."""
    if shown == "decided":
        return (select(Response).where(Response.review.is_not(None))
                .order_by(Response.reviewed_at.desc(), Response.id.desc()))
    return (select(Response).where(Response.flagged.is_(True), Response.review.is_(None))
            .order_by(Response.submitted_at.desc(), Response.id.desc()))


def _month_of(session: Session):
    """The Vietnam-time month of submitted_at as 'YYYY-MM' (no daylight saving: UTC+7)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(Response.submitted_at + literal_column("interval '7 hours'"),
                            "YYYY-MM")
    return func.strftime("%Y-%m", Response.submitted_at, "+7 hours")


def comments(session: Session, filters: Filters, search: str | None, limit: int = 50):
    """The newest comments (free text, staff only), optionally containing ``search``."""
    statement = _where(select(Response).where(Response.comment.is_not(None)), filters)
    if search:
        from portal.text import like_escape

        statement = statement.where(func.lower(Response.comment).like(
            f"%{like_escape(search.lower())}%", escape="\\"))
    return session.scalars(statement.order_by(Response.submitted_at.desc()).limit(limit)).all()


def structure(questionnaire: Questionnaire) -> dict[str, list[str]]:
    """dimension code -> item codes, in the questionnaire's order."""
    return {dimension.code: [item.code for item in dimension.items]
            for dimension in questionnaire.dimensions}


def officers_with_answers(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.id.in_(
        select(Response.officer_id).where(Response.officer_id.is_not(None)).distinct()))
        .order_by(User.full_name)))






def active_counters(session: Session) -> list[Counter]:
    return list(session.scalars(select(Counter).where(Counter.active.is_(True))
                                .order_by(Counter.code)))


def alerts_for(user, closed: bool) -> Select:
    """The alerts ``user`` sees, newest first: closed ones or the others. A leader of one
    unit sees that unit's; the secretariat, administrators and the department's leaders (no
    unit) see all."""
    statement = select(Alert).join(AlertRule, AlertRule.id == Alert.rule_id).where(
        (Alert.state == ALERT_CLOSED) if closed else (Alert.state != ALERT_CLOSED))
    unit_id = own_unit(user)
    if unit_id is not None:
        statement = statement.where((AlertRule.unit_id == unit_id) | AlertRule.counter_id.in_(
            select(Counter.id).where(Counter.unit_id == unit_id)))
    return statement.order_by(Alert.raised_at.desc(), Alert.id.desc())


def own_unit(user) -> int | None:
    """The unit whose alerts alone ``user`` deals with: a leader's own unit, unless they are
    also secretariat or administrator; None means every unit."""
    from portal.auth.roles import ADMIN, SECRETARIAT

    if user.has_role(ADMIN, SECRETARIAT):
        return None
    return user.unit_id


def alert_rules(session: Session) -> list[AlertRule]:
    return list(session.scalars(select(AlertRule).order_by(AlertRule.id)))


def paper_batches(session: Session, limit: int = 50) -> tuple[list[PaperBatch], dict]:
    """The newest batches, and how many forms of each were entered."""
    batches = list(session.scalars(select(PaperBatch).order_by(PaperBatch.id.desc())
                                   .limit(limit)))
    entered = dict(session.execute(
        select(Response.paper_batch_id, func.count()).where(
            Response.paper_batch_id.in_([batch.id for batch in batches]))
        .group_by(Response.paper_batch_id)).all())
    return batches, entered
