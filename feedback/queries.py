"""Reads that feed the feedback pages: statements and plain rows, aggregation in SQL."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, case, extract, func, literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, defer, raiseload
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType

from feedback import duplicates, words
from feedback import workflow as wf
from feedback.codes import BadCode, normalise_code
from feedback.models import CHANNELS, REVIEW_OPEN, AnswerRating, ReplyTemplate, Ticket, TicketEvent
from portal.pagination import Page, paginate
from portal.text import query_text, whole_number
from portal.workdays import VIETNAM, Calendar

# What the public pages may read of a ticket: never the sender, the content as sent, the
# internal answer draft or the history.
_PRIVATE_COLUMNS = (Ticket.name, Ticket.address, Ticket.phone, Ticket.email,
                    Ticket.phone_digits, Ticket.content, Ticket.proposed_solution,
                    Ticket.search_text, Ticket.answer)


def _public(statement: Select) -> Select:
    return statement.options(*(defer(column, raiseload=True) for column in _PRIVATE_COLUMNS),
                             raiseload(Ticket.attachments), raiseload(Ticket.officer),
                             raiseload(Ticket.events))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, VIETNAM)


@dataclass
class PublicFilters:
    q: str = ""
    field_id: int | None = None
    year: int | None = None
    month: int | None = None

    @classmethod
    def from_args(cls, args) -> PublicFilters:
        def number(name, low, high):
            raw = args.get(name, "")
            value = whole_number(raw)
            return value if value is not None and low <= value <= high else None

        return cls(q=query_text(args.get("q"), 200), field_id=number("field", 1, 10**9),
                   year=number("year", 2000, 2100), month=number("month", 1, 12))


def published_statement(filters: PublicFilters, session: Session | None = None) -> Select:
    """The published tickets, newest publication first (a period's: newest answer first; a
    duplicate's master shown once: duplicates are left out). With ``session``, a search
    is narrowed through the word index (feedback.words)."""
    statement = _public(select(Ticket)).where(Ticket.published_at.is_not(None),
                                              Ticket.duplicate_of_id.is_(None))
    statement = words.holding(session, statement, Ticket.id, Ticket.public_search, filters.q)
    if filters.field_id:
        statement = statement.where(Ticket.procedure_field_id == filters.field_id)
    if filters.year:
        first = date(filters.year, filters.month or 1, 1)
        if filters.month:
            last = date(filters.year + (filters.month == 12), filters.month % 12 + 1, 1)
        else:
            last = date(filters.year + 1, 1, 1)
        # a year's or a month's answers, newest answer first: read in that order from an
        # index, instead of sorting every answer of the period
        return statement.where(Ticket.answered_at >= _start_of(first),
                               Ticket.answered_at < _start_of(last)) \
            .order_by(Ticket.answered_at.desc(), Ticket.id.desc())
    return statement.order_by(Ticket.published_at.desc(), Ticket.id.desc())


# Lists count their matching tickets up to this many past the page: "more than 1,000".
COUNT_UP_TO = 1000


def published_page(session: Session, filters: PublicFilters, page: int, per_page: int) -> Page:
    return paginate(session, published_statement(filters, session), page, per_page,
                    count_up_to=COUNT_UP_TO)


def published_years(session: Session) -> list[int]:
    """The years of the published tickets, newest first: one index look-up per year (a
    DISTINCT read every published ticket, most of the list's time at 100,000 tickets)."""
    years: list[int] = []
    while True:
        statement = select(func.max(Ticket.year)).where(Ticket.published_at.is_not(None))
        if years:
            statement = statement.where(Ticket.year < years[-1])
        year = session.scalar(statement)
        if year is None:
            return years
        years.append(year)


def published_ticket(session: Session, raw_code: str) -> Ticket | None:
    try:
        code = normalise_code(raw_code)
    except BadCode:
        return None
    return session.scalar(_public(select(Ticket)).where(Ticket.code == code,
                                                        Ticket.published_at.is_not(None)))


def latest_published(session: Session, limit: int) -> list[Ticket]:
    return list(session.scalars(published_statement(PublicFilters()).limit(limit)))


def public_history(ticket: Ticket) -> list[tuple[datetime, str]]:
    """What the citizen sees of the handling: receipt, classification, answer (no names,
    no internal notes, no internal stages)."""
    shown = {"received": wf.PUBLIC_STATE_LABELS[wf.RECEIVED],
             wf.CLASSIFY_NOT_ACCEPTED: wf.PUBLIC_STATE_LABELS[wf.NOT_ACCEPTED],
             wf.FORWARD: wf.PUBLIC_STATE_LABELS[wf.FORWARDED],
             wf.ACCEPT: wf.PUBLIC_STATE_LABELS[wf.ACCEPTED],
             wf.REQUEST_INFO: wf.PUBLIC_EVENT_LABELS[wf.REQUEST_INFO],
             wf.CITIZEN_REPLY: wf.PUBLIC_EVENT_LABELS[wf.CITIZEN_REPLY],
             wf.RECORD_REPLY: wf.PUBLIC_EVENT_LABELS[wf.CITIZEN_REPLY],
             wf.CLOSE_NO_REPLY: wf.PUBLIC_STATE_LABELS[wf.NO_REPLY],
             wf.SEND: wf.PUBLIC_STATE_LABELS[wf.ANSWERED],
             "rated": wf.PUBLIC_EVENT_LABELS["rated"],
             wf.CONFIRM_ANSWER: wf.PUBLIC_EVENT_LABELS[wf.CONFIRM_ANSWER],
             wf.REWORK: wf.PUBLIC_EVENT_LABELS[wf.REWORK]}
    return [(event.at, shown[event.action]) for event in ticket.events
            if event.action in shown]


def information_request(ticket: Ticket) -> str | None:
    """What the citizen was last asked for, while the ticket waits for it."""
    if ticket.state != wf.WAITING:
        return None
    asked = [event for event in ticket.events if event.action == wf.REQUEST_INFO]
    return asked[-1].details["question"] if asked else None


def rating_of(session: Session, ticket: Ticket) -> AnswerRating | None:
    """The citizen's rating of the answer they have now, if given."""
    if ticket.answer_round == 0:
        return None
    return session.scalar(select(AnswerRating).where(
        AnswerRating.ticket_id == ticket.id, AnswerRating.answer_round == ticket.answer_round))


# Staff queue -------------------------------------------------------------------------------


class by_order(FunctionElement):
    """A column the staff queue filters on while it reads tickets in its own order (the index
    ix_ticket_queue_order, or the unit's, officer's or field's). SQLite would rather use the
    column's own index and then sort every ticket it matched (a state, a class or a channel
    matches thousands: 0.1-0.2 s at 100,000 tickets) even with its statistics; the unary +
    it renders there is SQLite's documented way to keep a term off the indexes. Elsewhere it
    is the column: PostgreSQL's planner weighs the LIMIT itself."""

    inherit_cache = True

    def __init__(self, column):
        super().__init__(column)
        self.type = column.type


@compiles(by_order)
def _by_order(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(by_order, "sqlite")
def _by_order_sqlite(element, compiler, **kw):
    return "+" + compiler.process(element.clauses, **kw)


class _has_due_date(FunctionElement):
    """due_on IS NOT NULL; on SQLite written as the queue order index's first column,
    ``(due_on IS NULL) = 0``, so that a range of due dates is read from that index."""

    inherit_cache = True
    type = NullType()  # written as it is: a Boolean would get "= 1" added on SQLite


@compiles(_has_due_date)
def _has_due_date_default(element, compiler, **kw):
    return f"{compiler.process(Ticket.due_on, **kw)} IS NOT NULL"


@compiles(_has_due_date, "sqlite")
def _has_due_date_sqlite(element, compiler, **kw):
    return f"({compiler.process(Ticket.due_on, **kw)} IS NULL) = 0"


DUE_SOON, OVERDUE, NOTICE_OVERDUE = "soon", "overdue", "notice"


@dataclass
class QueueFilters:
    state: str = ""
    ticket_class: str = ""
    unit_id: int | None = None
    officer_id: int | None = None
    channel: str = ""
    field_id: int | None = None
    due: str = ""  # "", "soon", "overdue"
    q: str = ""
    open_only: bool = True

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        def number(name):
            raw = args.get(name, "")
            return whole_number(raw)

        def choice(name, allowed):
            raw = args.get(name, "")
            return raw if raw in allowed else ""

        return cls(state=choice("state", wf.STATES), ticket_class=choice("class", wf.CLASSES),
                   unit_id=number("unit"), officer_id=number("officer"),
                   channel=choice("channel", CHANNELS), field_id=number("field"),
                   due=choice("due", (DUE_SOON, OVERDUE, NOTICE_OVERDUE)),
                   q=query_text(args.get("q"), 200),
                   open_only=args.get("all") != "1")


def queue_statement(filters: QueueFilters, today: date, soon: SoonUntil,
                    session: Session | None = None) -> Select:
    """Tickets for the staff queue, nearest deadline first (no deadline last). With
    ``session``, a search is narrowed through the word index (feedback.words)."""
    statement = select(Ticket).options(defer(Ticket.search_text))
    state = by_order(Ticket.state)
    if filters.state:
        statement = statement.where(state == filters.state)
    elif filters.open_only and filters.due != NOTICE_OVERDUE:
        statement = statement.where(state.in_(sorted(wf.OPEN_STATES)))
    if filters.ticket_class:
        statement = statement.where(by_order(Ticket.ticket_class) == filters.ticket_class)
    if filters.unit_id:
        statement = statement.where(Ticket.unit_id == filters.unit_id)
    if filters.officer_id:
        statement = statement.where(Ticket.officer_id == filters.officer_id)
    if filters.channel:
        statement = statement.where(by_order(Ticket.channel) == filters.channel)
    if filters.field_id:
        statement = statement.where(Ticket.procedure_field_id == filters.field_id)
    if filters.due == OVERDUE:
        statement = statement.where(Ticket.due_on < today)
    elif filters.due == DUE_SOON:
        statement = statement.where(_has_due_date(), Ticket.due_on >= today,
                                    Ticket.due_on <= soon.column())
    elif filters.due == NOTICE_OVERDUE:  # classified, the citizen not told, past the limit
        statement = statement.where(Ticket.classified_at.is_not(None),
                                    Ticket.first_notice_at.is_(None),
                                    Ticket.notify_due_on < today)
    if filters.q:
        try:
            statement = statement.where(Ticket.code == normalise_code(filters.q))
        except BadCode:
            statement = words.holding(session, statement, Ticket.id, Ticket.search_text,
                                      filters.q)
    return statement.order_by(Ticket.due_on.is_(None), Ticket.due_on, Ticket.received_at,
                              Ticket.id)


def due_flag(ticket: Ticket, today: date, soon: SoonUntil) -> str:
    """"overdue", "soon" or "" for a ticket's running deadline."""
    if ticket.due_on is None:
        return ""
    if ticket.due_on < today:
        return OVERDUE
    if ticket.due_on <= soon.of(ticket.state):
        return DUE_SOON
    return ""


@dataclass(frozen=True)
class SoonUntil:
    """The last deadline that is "due soon" today: one for classification, one for the
    answer (their stages differ in length)."""

    classify: date
    answer: date

    def of(self, state: str) -> date:
        return self.classify if state == wf.RECEIVED else self.answer

    def column(self):
        return case((Ticket.state == wf.RECEIVED, self.classify), else_=self.answer)


def soon_until(calendar: Calendar, today: date, rules) -> SoonUntil:
    """A deadline is "due soon" from ``rules.due_soon`` working days before it, but never for
    a whole stage: at most the stage's length less one day, so that a ticket that has just
    arrived is not already "due soon" (with the defaults, classification, 2 working days, is
    due soon from the day before its deadline; the answer, 15, from 2 working days before)."""
    def until(stage_days: int) -> date:
        return calendar.add_working_days(today, max(0, min(rules.due_soon, stage_days - 1)))
    return SoonUntil(until(rules.classify), until(rules.answer))


def history(session: Session, ticket: Ticket) -> list[TicketEvent]:
    return list(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                .order_by(TicketEvent.id)))


# Reports -----------------------------------------------------------------------------------

@dataclass
class Period:
    start: date
    end: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return _start_of(self.start), _start_of(self.end + timedelta(days=1))


def counts_by(session: Session, period: Period, column) -> list[tuple]:
    """(value, received, finished, on time, open overdue) per value of ``column`` for
    tickets received in the period."""
    start, end = period.bounds
    today = datetime.now(VIETNAM).date()
    statement = (
        select(column, func.count(Ticket.id),
               func.count(Ticket.finished_at),
               func.sum(case((Ticket.on_time.is_(True), 1), else_=0)),
               func.sum(case((Ticket.due_on < today, 1), else_=0)))
        .where(Ticket.received_at >= start, Ticket.received_at < end)
        .group_by(column).order_by(column))
    return [tuple(row) for row in session.execute(statement)]


def rating_counts(session: Session, period: Period, column) -> list[tuple]:
    """(value, rated, resolved) per value of ``column`` (an AnswerRating column) for the
    answers rated in the period."""
    start, end = period.bounds
    statement = (
        select(column, func.count(AnswerRating.id),
               func.sum(case((AnswerRating.resolved.is_(True), 1), else_=0)))
        .where(AnswerRating.rated_at >= start, AnswerRating.rated_at < end)
        .group_by(column).order_by(column))
    return [(value, rated, resolved or 0) for value, rated, resolved in session.execute(statement)]


def notice_counts(session: Session, period: Period) -> tuple[int, int, int]:
    """For the tickets received in the period and classified: (told within the 10 working
    days, told late, not told and past the limit) — Luật Tiếp công dân 2013 Điều 28 k1."""
    start, end = period.bounds
    today = datetime.now(VIETNAM).date()
    if session.get_bind().dialect.name == "postgresql":
        told_on = func.date(Ticket.first_notice_at + literal_column("interval '7 hours'"))
    else:
        told_on = func.date(Ticket.first_notice_at, "+7 hours")
    statement = select(
        func.sum(case((told_on <= Ticket.notify_due_on, 1), else_=0)),
        func.sum(case((told_on > Ticket.notify_due_on, 1), else_=0)),
        func.sum(case(((Ticket.first_notice_at.is_(None)) & (Ticket.notify_due_on < today), 1),
                      else_=0)),
    ).where(Ticket.received_at >= start, Ticket.received_at < end,
            Ticket.classified_at.is_not(None))
    on_time, late, overdue = session.execute(statement).one()
    return on_time or 0, late or 0, overdue or 0


def index8_counts(session: Session, period: Period) -> list[tuple]:
    """(unit id, received, on time, late) for the tickets received in the period, without
    linked duplicates and tickets closed for want of the citizen's reply; late: answered
    after the deadline, or still open with its deadline passed."""
    start, end = period.bounds
    today = datetime.now(VIETNAM).date()
    late = (Ticket.on_time.is_(False)) | (Ticket.finished_at.is_(None) & (Ticket.due_on < today))
    statement = (
        select(Ticket.unit_id, func.count(Ticket.id),
               func.sum(case((Ticket.on_time.is_(True), 1), else_=0)),
               func.sum(case((late, 1), else_=0)))
        .where(Ticket.received_at >= start, Ticket.received_at < end,
               Ticket.duplicate_of_id.is_(None),
               ~(Ticket.finished_at.is_not(None) & Ticket.on_time.is_(None)))
        .group_by(Ticket.unit_id))
    return [(unit, received, on_time or 0, late_count or 0)
            for unit, received, on_time, late_count in session.execute(statement)]


def monthly_counts(session: Session, period: Period) -> list[tuple]:
    start, end = period.bounds
    # received_at is stored in UTC; Vietnam is UTC+7 all year (no daylight saving).
    if session.get_bind().dialect.name == "postgresql":
        shifted = Ticket.received_at + literal_column("interval '7 hours'")
    else:
        shifted = func.datetime(Ticket.received_at, "+7 hours")
    year, month = extract("year", shifted), extract("month", shifted)
    statement = (select(year, month, func.count(Ticket.id),
                        func.sum(case((Ticket.on_time.is_(True), 1), else_=0)),
                        func.count(Ticket.finished_at))
                 .where(Ticket.received_at >= start, Ticket.received_at < end)
                 .group_by(year, month).order_by(year, month))
    return [(int(y), int(m), received, on_time or 0, finished)
            for y, m, received, on_time, finished in session.execute(statement)]


def open_reviews(session: Session, unit_id: int | None) -> list[AnswerRating]:
    """Answers citizens said did not resolve their issue, waiting for a leader (of
    ``unit_id``, or all), the nearest deadline first."""
    statement = select(AnswerRating).where(AnswerRating.review_state == REVIEW_OPEN)
    if unit_id is not None:
        statement = statement.where(AnswerRating.unit_id == unit_id)
    return list(session.scalars(statement.order_by(AnswerRating.review_due_on,
                                                   AnswerRating.id)))


def reply_templates(session: Session, field_id: int | None) -> list[ReplyTemplate]:
    """The active templates a ticket's answer can start from: for its field or every field,
    Vietnamese first, by outcome and title."""
    statement = select(ReplyTemplate).where(
        ReplyTemplate.active.is_(True), ReplyTemplate.procedure_field_id.is_(None) | (
            ReplyTemplate.procedure_field_id == field_id))
    return list(session.scalars(statement.order_by(
        ReplyTemplate.language.desc(), ReplyTemplate.outcome, ReplyTemplate.title)))


def all_reply_templates(session: Session) -> list[ReplyTemplate]:
    return list(session.scalars(select(ReplyTemplate).order_by(
        ReplyTemplate.active.desc(), ReplyTemplate.language.desc(), ReplyTemplate.outcome,
        ReplyTemplate.title)))


def duplicate_candidates(session: Session, ticket: Ticket) -> list[tuple[Ticket, float]]:
    """Recent tickets that look like ``ticket`` (feedback/duplicates.py), with their score:
    tickets others are not already linked to, received in the last RECENT_DAYS."""
    since = ticket.received_at - timedelta(days=duplicates.RECENT_DAYS)
    rows = session.execute(
        select(Ticket.id, Ticket.content, Ticket.procedure_field_id, Ticket.procedure_id)
        .where(Ticket.id != ticket.id, Ticket.duplicate_of_id.is_(None),
               Ticket.received_at >= since)
        .order_by(Ticket.received_at.desc()).limit(500)).all()
    found = duplicates.suggest(ticket.content, ticket.procedure_field_id, ticket.procedure_id,
                               rows)
    tickets = {row.id: row for row in session.scalars(
        select(Ticket).where(Ticket.id.in_([candidate.ticket_id for candidate in found])))}
    return [(tickets[candidate.ticket_id], candidate.score) for candidate in found]


def duplicates_of(session: Session, ticket: Ticket) -> list[Ticket]:
    return list(session.scalars(select(Ticket).where(Ticket.duplicate_of_id == ticket.id)
                                .order_by(Ticket.id)))

