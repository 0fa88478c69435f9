"""Erasure of a feedback sender's personal data (DOMAIN.md §8; Law 91/2025/QH15, NĐ 13/2023):
at the end of the retention period (the daily ``retention`` command) or at the citizen's
request (a secretary or an administrator, with a reason).

What goes: the sender's name, address, phone, email and look-up PIN, the attachments, the
recipients and texts of the messages sent about the ticket. What stays, de-identified
(:func:`portal.redact.erase`: names, numbers and house addresses masked, and every one of the
sender's details wherever it was written): the citizen's words, the answer, the replies and
questions in the history, the notes, the rating's comment, the linked survey comment. The
figures (dates, deadlines, states, outcome) are untouched, so reports do not change.

The history stays append-only: an event's note and details are rewritten once, to their
de-identified version, and marked ``erased_at`` (the database allows nothing else, migration
0021). The erasure itself is a new event saying when, why and how much, without the values.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from feedback import words
from feedback import workflow as wf
from feedback.models import AnswerRating, Attachment, OutboxMessage, Ticket, TicketEvent
from portal.auth.models import User
from portal.redact import Known, erase
from portal.text import fold

BY_RETENTION, BY_REQUEST = "retention", "request"
EVENT = "personal_data_erased"
ATTACHMENTS_EVENT = "attachments_erased"

# The history's free texts (fully de-identified); any other text in an event's details (a
# code, a date, a unit) only loses the sender's own details; file names (often the person's
# name run together: "NguyenVanA_CCCD.pdf") keep their extension only, the files being gone.
_FREE_TEXT_KEYS = frozenset({"question", "reply", "changed"})
_FILE_NAMES_KEY = "files"
FILE_LABEL = "[tệp]"


class CannotErase(Exception):
    """The ticket's personal data cannot be erased now: ``reason`` is "open" (still being
    handled: its sender must get the answer), "review" (a citizen's "not resolved" waits for
    a leader) or "erased" (done already)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Erased:
    events: int = 0
    attachments: int = 0
    messages: int = 0


def refusal(session: Session, ticket: Ticket) -> str | None:
    """Why this ticket's personal data cannot be erased now (see :class:`CannotErase`)."""
    if ticket.personal_data_erased_at is not None:
        return "erased"
    if ticket.finished_at is None or ticket.state in wf.OPEN_STATES or ticket.state == wf.WAITING:
        return "open"
    if session.scalar(select(AnswerRating.id).where(
            AnswerRating.ticket_id == ticket.id,
            AnswerRating.review_state == "open").limit(1)) is not None:
        return "review"
    return None


def known(ticket: Ticket) -> Known:
    return Known(names=tuple(filter(None, [ticket.name])),
                 addresses=tuple(filter(None, [ticket.address])),
                 phones=tuple(filter(None, [ticket.phone, ticket.phone_digits])),
                 emails=tuple(filter(None, [ticket.email])))


def erase_ticket(session: Session, ticket: Ticket, now: datetime, *, by: str,
                 actor: User | None = None, reason: str | None = None,
                 purge: bool = True) -> Erased:
    """Erase the ticket's personal data (see the module's docstring); ``purge`` False: the
    caller erases more and calls feedback.words.purge once at the end.

    :raise CannotErase: the ticket is open, under review or erased already; nothing changed.
    """
    why = refusal(session, ticket)
    if why:
        raise CannotErase(why)
    person = known(ticket)
    done = Erased()
    done.events = _erase_history(session, ticket, person, now)
    done.attachments = session.execute(
        delete(Attachment).where(Attachment.ticket_id == ticket.id)
        .execution_options(synchronize_session=False)).rowcount or 0
    done.messages = _erase_messages(session, OutboxMessage.ticket_id == ticket.id, now, person)
    for rating in session.scalars(select(AnswerRating).where(
            AnswerRating.ticket_id == ticket.id)):
        rating.comment = erase(rating.comment, person)
        rating.review_note = erase(rating.review_note, person)
    # A duplicate's citizen was sent this ticket's answer: the copy loses this sender too.
    for duplicate in session.scalars(select(Ticket).where(Ticket.duplicate_of_id == ticket.id)):
        duplicate.answer = erase(duplicate.answer, person, heuristics=False)
        for message in session.scalars(select(OutboxMessage).where(
                OutboxMessage.ticket_id == duplicate.id, OutboxMessage.erased_at.is_(None))):
            message.body = erase(message.body, person, heuristics=False)
    if ticket.survey_response_id is not None:
        from survey import rollup
        from survey.models import Response

        response = session.get(Response, ticket.survey_response_id)
        if response is not None and response.comment:
            rollup.set_comment(session, response, erase(response.comment, person) or None)
            response.comment_deidentified_at = response.comment_deidentified_at or now
    ticket.name = ticket.address = ""
    ticket.phone = ticket.email = ticket.phone_digits = ticket.pin = None
    ticket.content = erase(ticket.content, person) or ""
    ticket.proposed_solution = erase(ticket.proposed_solution, person)
    ticket.answer = erase(ticket.answer, person)
    ticket.search_text = fold(f"{ticket.code} {ticket.content}")
    # The published texts were de-identified and checked by a person: only a detail of the
    # sender's still in them goes.
    ticket.public_question = erase(ticket.public_question, person, heuristics=False)
    ticket.public_answer = erase(ticket.public_answer, person, heuristics=False)
    if ticket.public_search is not None:
        ticket.public_search = fold(f"{ticket.code} {ticket.public_question or ''} "
                                    f"{ticket.public_answer or ''}")
    ticket.personal_data_erased_at = now  # a change: an officer's open form is refused
    session.add(TicketEvent(
        ticket_id=ticket.id, at=now, actor_id=actor.id if actor else None, action=EVENT,
        note=erase(reason, person) if reason else None,
        details={"by": by, "events": done.events, "attachments": done.attachments,
                 "messages": done.messages}))
    session.flush()
    if purge:
        words.purge(session)
    session.expire(ticket, ["attachments", "events"])
    return done


def _erase_history(session: Session, ticket: Ticket, person: Known, now: datetime) -> int:
    """Rewrite, once, the events whose note or details hold the sender's words or details."""
    rewritten = 0
    for event in session.scalars(select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.erased_at.is_(None))
            .order_by(TicketEvent.id)).all():
        note = erase(event.note, person)
        details = _erase_details(event.details, person)
        if note == event.note and details == event.details:
            continue
        # Core, not the ORM: the mapper refuses every change to the history.
        session.execute(update(TicketEvent).where(TicketEvent.id == event.id)
                        .values(note=note, details=details, erased_at=now)
                        .execution_options(synchronize_session=False))
        session.expire(event)
        rewritten += 1
    return rewritten


def _erase_details(value, person: Known, free: bool = False):
    if isinstance(value, dict):
        return {key: [_file_label(name) for name in item] if key == _FILE_NAMES_KEY
                and isinstance(item, list) else
                _erase_details(item, person, free or key in _FREE_TEXT_KEYS)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_erase_details(item, person, free) for item in value]
    if isinstance(value, str):
        return erase(value, person, heuristics=free)
    return value


def _file_label(name) -> str:
    extension = os.path.splitext(str(name))[1].lower()
    return FILE_LABEL + (extension if re.fullmatch(r"\.[a-z0-9]{1,5}", extension) else "")


def _erase_messages(session: Session, which, now: datetime, person: Known | None) -> int:
    """Blank the recipient, text and last error of the messages ``which`` selects (the
    subject, which names the ticket's code only, stays); one not sent yet is given up, and
    cannot be sent again."""
    count = 0
    for message in session.scalars(select(OutboxMessage).where(
            which, OutboxMessage.erased_at.is_(None))).all():
        message.recipient = ""
        message.body = ""
        if person is not None:  # subjects name the ticket's code only; to be sure
            message.subject = erase(message.subject, person, heuristics=False)
        message.last_error = None
        if message.sent_at is None:
            message.failed = True
        message.erased_at = now
        count += 1
    session.flush()
    return count


# The daily retention steps (portal/retention.py) ------------------------------------------

def _expired(days: int, now: datetime):
    """The tickets finished more than ``days`` ago and not answered or rated since (a
    reworked answer, a citizen's rating, a leader's review restart the time), with no answer
    waiting for a leader's review and no message still to send."""
    cutoff = now - timedelta(days=days)
    return (Ticket.personal_data_erased_at.is_(None), Ticket.finished_at.is_not(None),
            Ticket.finished_at < cutoff, Ticket.state.not_in(wf.OPEN_STATES | {wf.WAITING}),
            Ticket.answered_at.is_(None) | (Ticket.answered_at < cutoff),
            ~select(AnswerRating.id).where(
                AnswerRating.ticket_id == Ticket.id,
                (AnswerRating.review_state == "open") | (AnswerRating.rated_at >= cutoff)
                | (AnswerRating.reviewed_at >= cutoff)).exists(),
            ~select(OutboxMessage.id).where(
                OutboxMessage.ticket_id == Ticket.id, OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed.is_(False)).exists())


def erase_expired_contacts(session: Session, now: datetime, dry_run: bool) -> int:
    """Erase the personal data of the tickets finished (and untouched since) more than
    RETENTION_TICKET_DAYS ago (a ticket whose answer a leader is reviewing waits for the
    review; one with a message still to send waits for it)."""
    days = current_app.config["RETENTION_TICKET_DAYS"]
    if not days:
        return 0
    count = 0
    for ticket in session.scalars(select(Ticket).where(*_expired(days, now))
                                  .order_by(Ticket.id)).all():
        if not dry_run:
            erase_ticket(session, ticket, now, by=BY_RETENTION, purge=False)
        count += 1
    if count and not dry_run:
        words.purge(session)
    return count


def erase_expired_attachments(session: Session, now: datetime, dry_run: bool) -> int:
    """Delete the files of the tickets finished more than RETENTION_ATTACHMENT_DAYS ago
    (when that is shorter than the contact details' period); returns how many files."""
    days = current_app.config["RETENTION_ATTACHMENT_DAYS"]
    if not days:
        return 0
    ticket_ids = select(Ticket.id).where(*_expired(days, now))
    counts = dict(session.execute(
        select(Attachment.ticket_id, func.count()).where(Attachment.ticket_id.in_(ticket_ids))
        .group_by(Attachment.ticket_id)).all())
    if dry_run or not counts:
        return sum(counts.values())
    session.execute(delete(Attachment).where(Attachment.ticket_id.in_(list(counts)))
                    .execution_options(synchronize_session=False))
    for ticket_id, files in counts.items():
        session.add(TicketEvent(ticket_id=ticket_id, at=now, action=ATTACHMENTS_EVENT,
                                details={"by": BY_RETENTION, "attachments": files}))
    session.flush()
    return sum(counts.values())


def erase_old_messages(session: Session, now: datetime, dry_run: bool) -> int:
    """Blank the recipients and texts of the messages sent or given up more than
    RETENTION_MESSAGE_DAYS ago: the ticket's history keeps that they were sent."""
    days = current_app.config["RETENTION_MESSAGE_DAYS"]
    if not days:
        return 0
    cutoff = now - timedelta(days=days)
    which = (OutboxMessage.created_at < cutoff) & (
        OutboxMessage.sent_at.is_not(None) | OutboxMessage.failed.is_(True))
    if dry_run:
        return session.scalar(select(func.count()).select_from(OutboxMessage).where(
            which, OutboxMessage.erased_at.is_(None))) or 0
    return _erase_messages(session, which, now, None)
