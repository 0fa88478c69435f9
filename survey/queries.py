"""Reads that feed the survey dashboard and the published results. Aggregation is SQL
(counts per item and level); the index arithmetic is survey/sipas.py."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, and_, case, exists, false, func, or_, select
from sqlalchemy.orm import Session, lazyload

from portal.auth.models import User
from portal.workdays import VIETNAM
from survey import rollup, tally
from survey.models import (
    ALERT_CLOSED,
    Alert,
    AlertRule,
    Counter,
    PaperBatch,
    Questionnaire,
    Response,
    Tally,
)


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


def _narrowing(filters: Filters, table) -> list:
    """The filters both tables share; ``table`` is Response or Tally (same column names)."""
    conditions = []
    if filters.counter_id is not None:
        conditions.append(table.counter_id == filters.counter_id)
    if filters.unit_id is not None:
        conditions.append(table.counter_id.in_(
            select(Counter.id).where(Counter.unit_id == filters.unit_id)))
    if filters.procedure_field_id is not None:
        conditions.append(table.procedure_field_id == filters.procedure_field_id)
    if filters.channel is not None:
        conditions.append(table.channel == filters.channel)
    if filters.officer_id is not None:
        conditions.append(table.officer_id == filters.officer_id)
    return conditions


def _where(statement: Select, filters: Filters) -> Select:
    start, end = _bounds(filters)
    statement = statement.where(Response.submitted_at >= start, Response.submitted_at < end)
    if not filters.include_flagged:
        statement = statement.where(Response.flagged.is_(False))
    return statement.where(*_narrowing(filters, Response))


def _needed(filters: Filters, keys) -> set[str]:
    """The tally keys a question needs: those it filters on or groups by."""
    needed = set()
    if {"counter", "unit"} & set(keys) or filters.counter_id is not None \
            or filters.unit_id is not None:
        needed.add("counter_id")
    if filters.channel is not None:
        needed.add("channel")
    if filters.procedure_field_id is not None:
        needed.add("procedure_field_id")
    if "officer" in keys or filters.officer_id is not None:
        needed.add("officer_id")
    return needed


def _tally(session: Session, filters: Filters, keys, items) -> Select:
    """(key values…, item code, answers at each level) from survey_tally, for the item codes
    ``items`` picks, read from the smallest cut holding every key needed (survey/tally.py):
    its months, and the days of a month partly inside (or the month less those outside)."""
    needed = _needed(filters, keys)
    common = [items, *_narrowing(filters, Tally)]
    # an equality (or two) on left_out, so that the indexes reach the period range
    common.append(Tally.left_out.in_([False, True]) if filters.include_flagged
                  else Tally.left_out.is_(False))
    spans = {part: and_(Tally.cut == tally.cut_for(part.grain, needed).number,
                        Tally.period.between(part.first, part.last), *common)
             for part in tally.parts(filters.start, filters.end)}
    taken = [span for part, span in spans.items() if part.sign < 0]
    amounts = []
    for name in rollup.COUNTS:
        count = getattr(Tally, name)
        amounts.append(func.sum(case((or_(*taken), -count), else_=count) if taken else count)
                       .label(name))
    columns = [{"counter": Tally.counter_id, "unit": Counter.unit_id,
                "officer": Tally.officer_id, "month": _month_of_period(session)}[key]
               for key in keys]
    statement = select(*columns, Tally.item_code, *amounts) \
        .where(or_(false(), *spans.values())).group_by(*columns, Tally.item_code)
    if "unit" in keys:
        statement = statement.join(Counter, Counter.id == Tally.counter_id)
    return statement


def _month_of_period(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(Tally.period, "YYYY-MM")
    return func.strftime("%Y-%m", Tally.period)


def answer_counts_by(session: Session, filters: Filters, *keys: str) -> dict[tuple, dict]:
    """(key values…) -> item code -> level (None = no answer) -> answers, in one grouped
    query; keys are 'counter', 'unit', 'officer' and 'month' ('YYYY-MM'). Only answers
    credited to an officer are grouped by officer."""
    statement = _tally(session, filters, keys,
                       and_(Tally.item_code != rollup.RESPONSES,
                            Tally.item_code.not_like(f"{rollup.LEFT_OUT}%")))
    groups: dict[tuple, dict[str, dict]] = defaultdict(lambda: defaultdict(dict))
    width = len(rollup.COUNTS)
    for row in session.execute(statement):
        key, code, numbers = tuple(row[:-width - 1]), row[-width - 1], row[-width:]
        for level, number in enumerate(numbers):
            if number:  # a month less its days outside the period can leave nothing
                groups[key][code][level or None] = int(number)
    return groups


def officer_counts(session: Session, filters: Filters, monthly: bool) -> dict[tuple, dict]:
    """``answer_counts_by(session, filters, "officer"[, "month"])``: keys (officer_id,) or
    (officer_id, 'YYYY-MM')."""
    return answer_counts_by(session, filters, *(("officer", "month") if monthly
                                                else ("officer",)))


def answer_counts(session: Session, filters: Filters) -> dict[str, dict[int | None, int]]:
    """item code -> level (None = no answer) -> number of answers."""
    return answer_counts_by(session, filters).get((), {})


def monthly_counts(session: Session, filters: Filters) -> dict[str, dict[str, dict]]:
    """month 'YYYY-MM' -> item code -> level -> number of answers."""
    return {month: counts for (month,), counts in
            sorted(answer_counts_by(session, filters, "month").items())}


def responses_statement(filters: Filters) -> Select:
    return _where(select(Response), filters)


def response_count(session: Session, filters: Filters) -> int:
    """The responses that said something (an answer or a comment)."""
    statement = _tally(session, filters, (), Tally.item_code == rollup.RESPONSES)
    return sum(int(row.n0 or 0) for row in session.execute(statement))


def exclusions(session: Session, filters: Filters) -> dict[str, int]:
    """The answers left out of the counts in the selection, by main reason (most first)."""
    flagged = Filters(**{**filters.__dict__, "include_flagged": True})
    statement = _tally(session, flagged, (), Tally.item_code.like(f"{rollup.LEFT_OUT}%"))
    counted = {row.item_code[len(rollup.LEFT_OUT):]: int(row.n0)
               for row in session.execute(statement) if row.n0}
    return dict(sorted(counted.items(), key=lambda entry: (-entry[1], entry[0])))


def review_list(shown: str) -> Select:
    """The answers for the review page: 'pending' (left out, not yet decided) or 'decided'
    (by an administrator), newest first."""
    if shown == "decided":
        return (select(Response).where(Response.review.is_not(None))
                .order_by(Response.reviewed_at.desc(), Response.id.desc()))
    return (select(Response).where(Response.flagged.is_(True), Response.review.is_(None))
            .order_by(Response.submitted_at.desc(), Response.id.desc()))


def comments(session: Session, filters: Filters, search: str | None, limit: int = 50):
    """The newest comments (free text, staff only), optionally containing ``search``."""
    statement = _where(select(Response).where(Response.comment.is_not(None)), filters) \
        .options(lazyload(Response.answers))  # the list shows none of them
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
    """Everyone credited with an answer: one look-up in the answers' officer index per
    person, whatever the number of answers."""
    return list(session.scalars(select(User).where(
        exists().where(Response.officer_id == User.id)).order_by(User.full_name)))


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
