"""Domain actions on feedback tickets. Services flush, never commit (one commit per request).

Every change goes through here so that it is written to the ticket's append-only history,
its deadlines are recomputed, and the citizen's emails are queued in the same transaction.
"""
from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from feedback import access, duplicates, notify, queries
from feedback import workflow as wf
from feedback.attachments import CheckedFile
from feedback.codes import BadCode, make_code, make_pin, normalise_code, normalise_pin
from feedback.models import (
    CHANNEL_SURVEY,
    REVIEW_CONFIRMED,
    REVIEW_OPEN,
    REVIEW_RETURNED,
    AnswerRating,
    Attachment,
    ReplyTemplate,
    Ticket,
    TicketEvent,
    TicketSequence,
)
from portal import audit, redact
from portal.auth.models import Unit, User
from portal.db import utcnow
from portal.text import fold
from portal.workcalendar.services import working_calendar
from portal.workdays import VIETNAM, Calendar, today_in_vietnam


@dataclass(frozen=True)
class DeadlineRules:
    classify: int = 2
    forward: int = 5
    notify: int = 10
    answer: int = 15
    due_soon: int = 2
    citizen_reply: int = 15  # for the citizen to send information asked for
    review: int = 5  # for a leader to review an answer the citizen said did not resolve it

    @classmethod
    def from_config(cls, config) -> DeadlineRules:
        return cls(config["FEEDBACK_DAYS_CLASSIFY"], config["FEEDBACK_DAYS_FORWARD"],
                   config["FEEDBACK_DAYS_NOTIFY"], config["FEEDBACK_DAYS_ANSWER"],
                   config["FEEDBACK_DUE_SOON_DAYS"], config["FEEDBACK_DAYS_CITIZEN_REPLY"],
                   config["FEEDBACK_DAYS_REVIEW"])


def deadline_rules() -> DeadlineRules:
    return DeadlineRules.from_config(current_app.config)


@dataclass
class Intake:
    """What a citizen sent, or what an officer transcribed from another channel."""

    kind: str
    content: str
    name: str
    address: str
    channel: str
    phone: str | None = None
    email: str | None = None
    reply_by_post: bool = False
    proposed_solution: str | None = None
    procedure_field_id: int | None = None
    procedure_id: int | None = None
    consent_publish: bool = False
    language: str = "vi"
    files: list[CheckedFile] = field(default_factory=list)
    received_at: datetime | None = None  # staff intake: when the call or letter came in
    received_by: User | None = None
    survey_response_id: int | None = None


class Conflict(Exception):
    """Someone else changed the ticket since the form was shown."""


class NotYourUnit(Exception):
    """A handler acting on a ticket of another unit."""


def phone_digits(phone: str | None) -> str | None:
    """The digits of a Vietnamese phone number in national form (+84 905… → 0905…)."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0084"):
        digits = digits[2:]
    if digits.startswith("84") and len(digits) >= 11:
        digits = digits[2:]
        if not digits.startswith("0"):  # "+84 905…", but also "+84 0905…" as people write
            digits = "0" + digits
    return digits or None


def next_number(session: Session, year: int) -> int:
    """The next ticket number of ``year``, atomically (two intakes at once never share one)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(TicketSequence).values(year=year, last_number=1)
    statement = statement.on_conflict_do_update(
        index_elements=[TicketSequence.year],
        set_={"last_number": TicketSequence.last_number + 1},
    ).returning(TicketSequence.last_number)
    return session.execute(statement).scalar_one()


RESTORE_NUMBER_GAP = 10_000


def skip_numbers_after_restore(session: Session) -> None:
    """After a restore, tracking codes given between the backup and the restore are not in the
    database, but citizens hold them: the numbers of this year and every year with tickets
    jump by RESTORE_NUMBER_GAP (far more than a department receives between two nightly
    backups), so no code is ever given twice (issue 12, point 5)."""
    year = today_in_vietnam().year
    for sequence in session.scalars(select(TicketSequence)):
        sequence.last_number += RESTORE_NUMBER_GAP
    if session.get(TicketSequence, year) is None:
        session.add(TicketSequence(year=year, last_number=RESTORE_NUMBER_GAP))
    session.flush()


def _event(session: Session, ticket: Ticket, action: str, actor: User | None = None, *,
           from_state: str | None = None, to_state: str | None = None,
           note: str | None = None, details: dict | None = None) -> TicketEvent:
    entry = TicketEvent(ticket_id=ticket.id, action=action, actor_id=actor.id if actor else None,
                        from_state=from_state, to_state=to_state, note=note, details=details)
    session.add(entry)
    return entry


def receive(session: Session, intake: Intake, calendar: Calendar | None = None,
            rules: DeadlineRules | None = None) -> Ticket:
    """Log a new feedback (vào sổ): a tracking code, the stage deadlines, its files, the
    history's first line, and the receipt email when an email was given."""
    rules = rules or deadline_rules()
    received_at = intake.received_at or utcnow()
    calendar = calendar or working_calendar(session, today_in_vietnam(received_at))
    year = today_in_vietnam(received_at).year
    number = next_number(session, year)
    classify_due = calendar.deadline(received_at, rules.classify)
    ticket = Ticket(
        code=make_code(year, number), year=year, number=number, kind=intake.kind,
        channel=intake.channel, state=wf.RECEIVED, content=intake.content,
        proposed_solution=intake.proposed_solution or None,
        procedure_field_id=intake.procedure_field_id, procedure_id=intake.procedure_id,
        name=intake.name, address=intake.address, phone=intake.phone or None,
        email=(intake.email or "").strip().lower() or None, reply_by_post=intake.reply_by_post,
        phone_digits=phone_digits(intake.phone), consent_publish=intake.consent_publish,
        pin=make_pin(),
        language=intake.language, received_at=received_at,
        received_by_id=intake.received_by.id if intake.received_by else None,
        survey_response_id=intake.survey_response_id,
        classify_due_on=classify_due,
        forward_due_on=calendar.deadline(received_at, rules.forward),
        notify_due_on=calendar.deadline(received_at, rules.notify),
        due_on=classify_due,
    )
    ticket.search_text = fold(f"{ticket.code} {intake.content}")
    session.add(ticket)
    for checked in intake.files:
        ticket.attachments.append(_attachment(checked, intake.received_by))
    session.flush()
    _event(session, ticket, "received", intake.received_by, to_state=wf.RECEIVED,
           details={"channel": intake.channel, "attachments": len(intake.files)})
    similar = queries.duplicate_candidates(session, ticket)
    if similar:
        ticket.suggested_duplicate_id = similar[0][0].id
    notify_citizen(session, ticket, "received")
    return ticket


def notify_citizen(session: Session, ticket: Ticket, notice: str,
                   details: dict | None = None) -> None:
    """Tell the citizen on every channel they gave: an email, and a text message when they
    gave a phone and SMS are configured. (A citizen with neither gets a printed letter: the
    ticket page offers it.)"""
    if ticket.email:
        notify.queue_template(session, ticket.email, notice, ticket.language,
                              ticket_id=ticket.id, notice=notice, ticket=ticket,
                              details=details or {})
    if ticket.phone_digits and notify.sms_enabled(current_app.config):
        notify.queue_sms(session, ticket.phone_digits, notice, ticket.language,
                         ticket_id=ticket.id, notice=notice, ticket=ticket,
                         details=details or {})


def _attachment(checked: CheckedFile, actor: User | None) -> Attachment:
    return Attachment(filename=checked.filename, content_type=checked.content_type,
                      size=checked.size, sha256=checked.sha256, data=checked.data,
                      uploaded_by_id=actor.id if actor else None)


def add_attachments(session: Session, ticket: Ticket, files: list[CheckedFile],
                    actor: User) -> None:
    """Staff add scanned pages or documents to a ticket (e.g. the letter it came from)."""
    for checked in files:
        ticket.attachments.append(_attachment(checked, actor))
    _touch(ticket)
    session.flush()
    _event(session, ticket, "attachment", actor,
           details={"files": [checked.filename for checked in files]})


def _touch(ticket: Ticket) -> None:
    """Make the flush write the ticket row (bumping its version) even if no column changed,
    so a note or a file added concurrently with another action still conflicts."""
    flag_modified(ticket, "state")


def check_version(ticket: Ticket, shown_version: int | None) -> None:
    """:raise Conflict: when the form was shown for an older version of the ticket."""
    if shown_version is not None and shown_version != ticket.version:
        raise Conflict()


@dataclass
class Step:
    """One action being taken: what an effect reads, and the target state it may move on."""

    session: Session
    ticket: Ticket
    actor: User | None  # None: the citizen or the portal itself
    details: dict
    now: datetime
    calendar: Calendar
    rules: DeadlineRules
    target: str


EFFECTS: dict[str, Callable[[Step], dict | None]] = {}


def effect(name: str):
    """Register what the actions declaring ``effect=name`` do besides changing the state;
    the function returns the details to record in the history."""
    def register(function):
        EFFECTS[name] = function
        return function
    return register


def act(session: Session, ticket: Ticket, action: str, actor: User | None, details: dict,
        *, shown_version: int | None, calendar: Calendar | None = None,
        rules: DeadlineRules | None = None, party: str = wf.CITIZEN) -> Ticket:
    """Take a workflow action on the ticket: the table's look-up (feedback/workflow.py), its
    effect, the history line and the citizen's notice, in one transaction. Without an
    ``actor``, the action is taken by ``party``: the citizen, or the portal itself.

    :raise Conflict: the ticket changed since the form was shown.
    :raise NotYourUnit: a handler acting on another unit's ticket.
    :raise feedback.workflow.WorkflowError: the table forbids it or details are missing.
    """
    check_version(ticket, shown_version)
    rule = wf.TRANSITIONS.get(action)
    roles = actor.roles if actor is not None else {party}
    if rule is not None and actor is not None and rule.roles & roles \
            and not access.may_take(ticket, actor, rule):
        raise NotYourUnit()
    source = ticket.state
    target = wf.transition(source, action, roles, details)
    step = Step(session, ticket, actor, details, utcnow(), calendar or working_calendar(session),
                rules or deadline_rules(), target)
    recorded = EFFECTS[rule.effect](step) if rule.effect else None
    ticket.state = step.target
    ticket.due_on = _current_deadline(ticket)
    _touch(ticket)
    session.flush()
    _event(session, ticket, action, actor, from_state=source, to_state=step.target,
           note=details.get("reason") or details.get("note") or None, details=recorded or None)
    if rule.notice:
        notify_citizen(session, ticket, rule.notice, details)
    return ticket


@effect("refuse")
def _refuse(step: Step) -> dict:
    ticket = step.ticket
    ticket.ticket_class = wf.CLASS_NOT_ACCEPTED
    ticket.refusal_reason = step.details["refusal_reason"]
    ticket.classified_at = step.now
    _finish(ticket, step.now, ticket.notify_due_on)
    return {"refusal_reason": ticket.refusal_reason}


@effect("forward")
def _forward(step: Step) -> dict:
    ticket, details = step.ticket, step.details
    ticket.ticket_class = wf.CLASS_FORWARDED
    ticket.forward_agency = details["agency"]
    ticket.forward_dispatch_number = details["dispatch_number"]
    ticket.forward_dispatch_date = details["dispatch_date"]
    ticket.classified_at = step.now
    _finish(ticket, step.now, ticket.forward_due_on)
    return {"agency": ticket.forward_agency, "dispatch_number": ticket.forward_dispatch_number,
            "dispatch_date": ticket.forward_dispatch_date.isoformat()}


@effect("accept")
def _accept(step: Step) -> dict:
    ticket, details = step.ticket, step.details
    if details["ticket_class"] not in (wf.CLASS_CONDUCT, wf.CLASS_COMPETENCE):
        raise wf.MissingDetails(("ticket_class",))
    ticket.ticket_class = details["ticket_class"]
    ticket.classified_at = step.now
    ticket.answer_due_on = step.calendar.deadline(step.now, step.rules.answer)
    recorded = {"ticket_class": ticket.ticket_class,
                "answer_due_on": ticket.answer_due_on.isoformat()}
    if details.get("unit_id"):  # accept and assign in one step
        step.target = wf.transition(step.target, wf.ASSIGN, step.actor.roles, details)
        recorded.update(_assign(step))
    return recorded


@effect("assign")
def _assign(step: Step) -> dict:
    session, ticket, details = step.session, step.ticket, step.details
    unit = session.get(Unit, int(details["unit_id"]))
    if unit is None or not unit.active:
        raise wf.MissingDetails(("unit_id",))
    officer_id = details.get("officer_id") or None
    if officer_id:
        officer = session.get(User, int(officer_id))
        if officer is None or not officer.active or officer.unit_id != unit.id:
            raise wf.MissingDetails(("officer_id",))
    ticket.unit_id = unit.id
    ticket.officer_id = int(officer_id) if officer_id else None
    return {"unit": unit.code, "officer_id": ticket.officer_id}


@effect("start")
def _start(step: Step) -> None:
    if step.ticket.officer_id is None:
        step.ticket.officer_id = step.actor.id


@effect("draft")
def _draft(step: Step) -> None:
    step.ticket.answer = step.details["answer"]


@effect("send")
def _send(step: Step) -> dict:
    ticket = step.ticket
    ticket.answered_at = step.now
    ticket.answer_round += 1
    if ticket.answer_round == 1:  # the time limit is the first answer's; a rework is extra
        _finish(ticket, step.now, ticket.answer_due_on)
    copied = []
    for duplicate in step.session.scalars(select(Ticket).where(
            Ticket.duplicate_of_id == ticket.id).order_by(Ticket.id)):
        if wf.ANSWER_WITH_MASTER in {rule.action for rule in wf.available_actions(
                duplicate.state, {wf.SYSTEM})}:
            duplicate.answer = ticket.answer
            act(step.session, duplicate, wf.ANSWER_WITH_MASTER, None, {}, shown_version=None,
                party=wf.SYSTEM, calendar=step.calendar, rules=step.rules)
            copied.append(duplicate.code)
    return {"answer_round": ticket.answer_round, **({"duplicates": copied} if copied else {})}


@effect("answer_with_master")
def _answer_with_master(step: Step) -> dict:
    ticket = step.ticket
    ticket.answered_at = step.now
    ticket.answer_round += 1
    ticket.waiting_since = ticket.reply_due_on = None
    _finish(ticket, step.now, ticket.answer_due_on or ticket.classify_due_on)
    return {"master": ticket.duplicate_of.code if ticket.duplicate_of else None}


@effect("request_info")
def _request_info(step: Step) -> dict:
    """The answer clock stops until the citizen replies (or the reply time runs out)."""
    ticket = step.ticket
    ticket.waiting_since = step.now
    ticket.reply_due_on = step.calendar.deadline(step.now, step.rules.citizen_reply)
    return {"question": step.details["question"],
            "reply_due_on": ticket.reply_due_on.isoformat()}


@effect("resume")
def _resume(step: Step) -> dict:
    """The citizen replied: the answer deadline moves by the working days the clock stood."""
    ticket = step.ticket
    paused = step.calendar.working_days_between(today_in_vietnam(ticket.waiting_since),
                                                today_in_vietnam(step.now))
    ticket.paused_days += paused
    if ticket.answer_due_on is not None and paused:
        ticket.answer_due_on = step.calendar.add_working_days(ticket.answer_due_on, paused)
    ticket.waiting_since = ticket.reply_due_on = None
    return {"reply": step.details["reply"], "paused_days": paused,
            "answer_due_on": ticket.answer_due_on.isoformat() if ticket.answer_due_on else None}


@effect("no_reply")
def _no_reply(step: Step) -> dict:
    ticket = step.ticket
    ticket.finished_at = step.now
    ticket.on_time = None  # not answered: the citizen did not send what was needed
    return {"reply_due_on": ticket.reply_due_on.isoformat() if ticket.reply_due_on else None}


def open_review(session: Session, ticket: Ticket) -> AnswerRating | None:
    """The citizen's "not resolved" on the current answer, waiting for a leader's review."""
    return session.scalar(select(AnswerRating).where(
        AnswerRating.ticket_id == ticket.id, AnswerRating.answer_round == ticket.answer_round,
        AnswerRating.review_state == REVIEW_OPEN))


def _close_review(step: Step, outcome: str) -> AnswerRating:
    review = open_review(step.session, step.ticket)
    if review is None:
        raise wf.IllegalTransition("no answer is waiting for a review")
    review.review_state = outcome
    review.reviewed_by_id = step.actor.id if step.actor else None
    review.reviewed_at = step.now
    review.review_note = step.details["reason"]
    return review


@effect("confirm_answer")
def _confirm_answer(step: Step) -> dict:
    return {"answer_round": _close_review(step, REVIEW_CONFIRMED).answer_round}


@effect("rework")
def _rework(step: Step) -> dict:
    review = _close_review(step, REVIEW_RETURNED)
    ticket = step.ticket
    ticket.published_at = None  # the answer being reworked is no longer the public one
    ticket.answer_due_on = step.calendar.deadline(step.now, step.rules.answer)
    return {"answer_round": review.answer_round,
            "answer_due_on": ticket.answer_due_on.isoformat()}


class NothingToRate(Exception):
    """No answer has been sent on this ticket (or it is being reworked)."""


class AlreadyRated(Exception):
    """This answer was already rated: one rating per answer."""


def rate_answer(session: Session, ticket: Ticket, resolved: bool, comment: str | None, *,
                calendar: Calendar | None = None,
                rules: DeadlineRules | None = None) -> AnswerRating:
    """The citizen says whether the answer they have resolved the issue. "Not resolved"
    opens a review by a leader (its deadline: ``rules.review`` working days), and the unit's
    leaders (or the department's) are told.

    :raise NothingToRate, AlreadyRated:
    """
    if ticket.answer_round == 0 or ticket.state not in wf.ANSWERED_STATES:
        raise NothingToRate()
    now = utcnow()
    rating = AnswerRating(ticket_id=ticket.id, answer_round=ticket.answer_round,
                          resolved=resolved, comment=comment or None, rated_at=now,
                          unit_id=ticket.unit_id, procedure_field_id=ticket.procedure_field_id)
    if not resolved:
        rating.review_state = REVIEW_OPEN
        rating.review_due_on = (calendar or working_calendar(session)).deadline(
            now, (rules or deadline_rules()).review)
    try:
        with session.begin_nested():  # two sends of the same form: the second is refused
            session.add(rating)
            session.flush()
    except IntegrityError:
        raise AlreadyRated() from None
    _touch(ticket)
    session.flush()
    _event(session, ticket, "rated", None, details={"resolved": resolved,
                                                    "answer_round": ticket.answer_round})
    if not resolved:
        for recipient in access.review_recipients(session, ticket):
            notify.queue_template(session, recipient, "review_needed", "vi",
                                  ticket_id=ticket.id, ticket=ticket, rating=rating)
    return rating


def citizen_reply(session: Session, ticket: Ticket, reply: str) -> Ticket:
    """The citizen sends the information asked for, from the look-up page."""
    return act(session, ticket, wf.CITIZEN_REPLY, None, {"reply": reply}, shown_version=None)


def close_unanswered(session: Session, today: date) -> list[Ticket]:
    """Close the tickets whose citizen did not send the information asked for in time."""
    expired = session.scalars(select(Ticket).where(
        Ticket.state == wf.WAITING, Ticket.reply_due_on < today).order_by(Ticket.id)).all()
    for ticket in expired:
        act(session, ticket, wf.CLOSE_NO_REPLY, None, {}, shown_version=None, party=wf.SYSTEM)
    return list(expired)


class LooksPersonal(Exception):
    """The public texts, as edited, still hold what the de-identification pass would mask."""

    def __init__(self, found: tuple[str, ...]):
        super().__init__(", ".join(found))
        self.found = found


@effect("publish")
def _publish(step: Step) -> None:
    ticket, details = step.ticket, step.details
    if ticket.consent_publish:
        missing = tuple(name for name in ("public_question", "public_answer")
                        if not details.get(name))
        if missing:
            raise wf.MissingDetails(missing)
        # A second look after the person's edits: what still looks personal is published only
        # when they confirm it is not (a street's number in a legal text, say).
        found = tuple(dict.fromkeys(
            mask.original for name in ("public_question", "public_answer")
            for mask in redact.find(details[name], [ticket.name], [ticket.address])))
        if found and not details.get("checked_as_is"):
            raise LooksPersonal(found)
        ticket.public_question = details["public_question"]
        ticket.public_answer = details["public_answer"]
    else:  # without consent only the field, dates and outcome are published
        ticket.public_question = ticket.public_answer = None
    ticket.public_search = fold(f"{ticket.code} {ticket.public_question or ''} "
                                f"{ticket.public_answer or ''}")
    ticket.published_at = step.now


@effect("unpublish")
def _unpublish(step: Step) -> None:
    step.ticket.published_at = None


def _finish(ticket: Ticket, now: datetime, due_on: date | None) -> None:
    ticket.finished_at = now
    ticket.on_time = due_on is None or today_in_vietnam(now) <= due_on


def _current_deadline(ticket: Ticket) -> date | None:
    if ticket.duplicate_of_id is not None:
        return None  # its master's deadline runs for it
    if ticket.state == wf.RECEIVED:
        return ticket.classify_due_on
    if ticket.state in wf.OPEN_STATES:
        return ticket.answer_due_on
    return None


EDITABLE = ("kind", "procedure_field_id", "procedure_id", "content", "proposed_solution",
            "name", "address", "phone", "email", "reply_by_post")
PERSONAL_FIELDS = ("name", "address", "phone", "email", "reply_by_post")


def edit(session: Session, ticket: Ticket, actor: User, values: dict, *,
         shown_version: int | None, reason: str) -> list[str]:
    """Correct a ticket (a transcription, the field, the sender's details given later).
    The history keeps what changed and why; old and new values for everything but the
    personal details, of which it names the fields only.

    :raise Conflict: the ticket changed since the form was shown.
    :return: the names of the fields that changed (nothing is written when none did).
    """
    check_version(ticket, shown_version)
    changes: dict = {}
    for name in EDITABLE:
        if name not in values:
            continue
        new = values[name] if values[name] not in ("",) else None
        if name in ("name", "address"):
            new = new or ""
        old = getattr(ticket, name)
        if new != old:
            changes[name] = None if name in PERSONAL_FIELDS else {"from": old, "to": new}
            setattr(ticket, name, new)
    if not changes:
        return []
    if "phone" in changes:
        ticket.phone_digits = phone_digits(ticket.phone)
    if "email" in changes:
        ticket.email = (ticket.email or "").strip().lower() or None
    ticket.search_text = fold(f"{ticket.code} {ticket.content}")
    _touch(ticket)
    session.flush()
    _event(session, ticket, "edit", actor, note=reason, details={"changed": changes})
    return list(changes)


def add_note(session: Session, ticket: Ticket, actor: User, note: str) -> None:
    """An internal note: in the history, never shown to the citizen or published."""
    _touch(ticket)
    session.flush()
    _event(session, ticket, "note", actor, note=note)


def record_personal_data_view(session: Session, ticket: Ticket, actor: User) -> None:
    _event(session, ticket, "personal_data_viewed", actor)
    session.flush()


def find_by_code(session: Session, raw_code: str) -> Ticket | None:
    try:
        code = normalise_code(raw_code)
    except BadCode:
        return None
    return session.scalar(select(Ticket).where(Ticket.code == code))


def lookup(session: Session, raw_code: str, contact: str) -> Ticket | None:
    """The ticket with this code whose phone, email or look-up PIN is ``contact``; None for
    any mismatch (an unknown code and a wrong contact look the same)."""
    ticket = find_by_code(session, raw_code)
    if ticket is None:
        return None
    contact = (contact or "").strip()
    pin = normalise_pin(contact)
    if pin is not None:
        return ticket if ticket.pin and hmac.compare_digest(ticket.pin, pin) else None
    if "@" in contact:
        return ticket if ticket.email and ticket.email == contact.lower() else None
    digits = phone_digits(contact)
    return ticket if digits and len(digits) >= 9 and ticket.phone_digits == digits else None


def create_from_survey(session: Session, response, intake: Intake) -> Ticket:
    """A low survey rating sent on as a ticket, with the citizen's consent and contact
    details (the survey itself never asks for them). Called by the feedback form when it is
    opened from the survey's thank-you page; the ticket's channel is "survey"."""
    intake.channel = CHANNEL_SURVEY
    intake.survey_response_id = response.id
    ticket = receive(session, intake)
    ticket.procedure_field_id = ticket.procedure_field_id or response.procedure_field_id
    return ticket


def reply_values(session: Session, ticket: Ticket, language: str) -> dict[str, str]:
    """What a reply template's placeholders say for ``ticket`` (feedback/replies.py): its
    dates and unit, and the department's name, address and hotline from the hotline page."""
    from portal.pages.queries import hotline_page

    english = language == "en"
    contact = hotline_page(session)

    def day(value) -> str:
        return value.strftime("%d/%m/%Y") if value else ""

    def named(vi: str | None, en: str | None) -> str:
        return (en or vi or "") if english else (vi or "")

    return {
        "code": ticket.code,
        "received": day(today_in_vietnam(ticket.received_at)),
        "answer_due": day(ticket.answer_due_on), "today": day(today_in_vietnam()),
        "unit": named(ticket.unit.name, ticket.unit.name_en) if ticket.unit else "",
        "field": named(ticket.procedure_field.name, ticket.procedure_field.name_en)
        if ticket.procedure_field else "",
        "department": named(contact.org_name, contact.org_name_en) if contact else "",
        "department_address": named(contact.address, contact.address_en) if contact else "",
        "hotline": contact.numbers[0].number if contact and contact.numbers else "",
    }


def save_reply_template(session: Session, template: ReplyTemplate | None, values: dict,
                        actor: User, *, shown_version: int | None = None) -> ReplyTemplate:
    """Create or change a reply template (its placeholders checked by the form); audited.

    :raise Conflict: someone else saved it since the form was shown.
    """
    if template is not None and shown_version is not None \
            and shown_version != template.version:
        raise Conflict()
    created = template is None
    template = template or ReplyTemplate()
    for name in ("outcome", "procedure_field_id", "language", "title", "body", "active"):
        setattr(template, name, values[name])
    template.updated_by_id = actor.id
    session.add(template)
    session.flush()
    audit.record(session, "reply_template.create" if created else "reply_template.update",
                 target_type="reply_template", target_id=template.id, actor=actor,
                 details={"outcome": template.outcome, "language": template.language,
                          "active": template.active})
    return template


def letter_notices(ticket: Ticket) -> list[str]:
    """The notices this ticket's citizen can be sent as a printed letter, in order (none
    once the sender's name and address were erased)."""
    if ticket.personal_data_erased_at is not None:
        return []
    notices = ["received"]
    if ticket.duplicate_of_id is not None:
        notices.append("linked")
    if ticket.ticket_class in (wf.CLASS_CONDUCT, wf.CLASS_COMPETENCE):
        notices.append("accepted")
    elif ticket.ticket_class == wf.CLASS_NOT_ACCEPTED:
        notices.append("not_accepted")
    elif ticket.ticket_class == wf.CLASS_FORWARDED:
        notices.append("forwarded")
    if any(event.action == wf.REQUEST_INFO for event in ticket.events):
        notices.append("info_requested")
    if ticket.answer_round > 0:
        notices.append("answered")
    if ticket.state == wf.NO_REPLY:
        notices.append("no_reply")
    return notices


class BadPostingDate(ValueError):
    """A letter cannot be posted before the ticket was received, nor in the future."""


def record_letter(session: Session, ticket: Ticket, notice: str, posted_on: date,
                  actor: User) -> None:
    """A printed letter was sent by post: in the history; a classification notice posted is
    the citizen's first notice when none was delivered before (the day it was posted).

    :raise BadPostingDate:
    """
    if not today_in_vietnam(ticket.received_at) <= posted_on <= today_in_vietnam():
        raise BadPostingDate()
    if notice in notify.CLASSIFICATION_NOTICES:
        posted_at = datetime.combine(posted_on, time(12), VIETNAM)
        if ticket.first_notice_at is None or posted_at < ticket.first_notice_at:
            ticket.first_notice_at = posted_at
    _touch(ticket)
    session.flush()
    _event(session, ticket, "letter_posted", actor,
           details={"notice": notice, "posted_on": posted_on.isoformat()})


class CannotLink(Exception):
    """Linking these two tickets is not possible; ``reason`` says why (for the message)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def link_duplicate(session: Session, ticket: Ticket, master: Ticket, actor: User, *,
                   shown_version: int | None) -> None:
    """Link ``ticket`` to ``master``: it keeps its code, and its citizen gets the master's
    answer when it is sent; the published list shows the master only.

    :raise CannotLink: itself, a loop, an answered ticket, or a ticket others are linked to.
    :raise Conflict: the ticket changed since the page was shown.
    """
    check_version(ticket, shown_version)
    if master.id == ticket.id:
        raise CannotLink("itself")
    if duplicates.would_loop(ticket.id, master.id, lambda ticket_id: session.scalar(
            select(Ticket.duplicate_of_id).where(Ticket.id == ticket_id))):
        raise CannotLink("loop")
    if ticket.answer_round > 0 or ticket.state not in wf.OPEN_STATES | {wf.RECEIVED,
                                                                         wf.WAITING}:
        raise CannotLink("finished")
    if session.scalar(select(Ticket.id).where(Ticket.duplicate_of_id == ticket.id).limit(1)):
        raise CannotLink("master")
    ticket.duplicate_of_id = master.id
    ticket.due_on = None  # handled, and answered, with its master
    _touch(ticket)
    session.flush()
    _event(session, ticket, "duplicate_linked", actor, details={"master": master.code})
    _event(session, master, "duplicate_linked", actor, details={"duplicate": ticket.code})
    notify_citizen(session, ticket, "linked", {"master": master.code})


def unlink_duplicate(session: Session, ticket: Ticket, actor: User, *,
                     shown_version: int | None) -> None:
    check_version(ticket, shown_version)
    master = ticket.duplicate_of
    if master is None:
        return
    ticket.duplicate_of_id = None
    ticket.due_on = _current_deadline(ticket)
    _touch(ticket)
    session.flush()
    _event(session, ticket, "duplicate_unlinked", actor, details={"master": master.code})
    _event(session, master, "duplicate_unlinked", actor, details={"duplicate": ticket.code})

