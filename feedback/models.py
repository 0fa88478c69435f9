"""Feedback tickets (phản ánh, kiến nghị), their history, attachments, and the email outbox."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.audit import AppendOnlyError
from portal.auth.models import Unit, User
from portal.db import Base, utcnow
from portal.pages.models import Procedure, ProcedureField
from portal.workdays import today_in_vietnam

# The published list's rows: published, and not a duplicate (its master is listed).
PUBLIC_LIST = text("published_at IS NOT NULL AND duplicate_of_id IS NULL")
# The staff queue's order as index columns: nearest deadline first, none last; then the state,
# so that counting the open tickets of a filter reads the index alone.
QUEUE_ORDER = (text("(due_on IS NULL)"), "due_on", "received_at", "id", "state")

KIND_REPORT = "report"  # phản ánh
KIND_PROPOSAL = "proposal"  # kiến nghị
KINDS = (KIND_REPORT, KIND_PROPOSAL)
KIND_LABELS = {KIND_REPORT: _l("Feedback (phản ánh)"), KIND_PROPOSAL: _l("Petition (kiến nghị)")}

CHANNEL_WEB = "web"
CHANNEL_HOTLINE = "hotline"
CHANNEL_COUNTER = "counter"
CHANNEL_LETTER = "letter"
CHANNEL_EMAIL = "email"
CHANNEL_SURVEY = "survey"
CHANNELS = (CHANNEL_WEB, CHANNEL_HOTLINE, CHANNEL_COUNTER, CHANNEL_LETTER, CHANNEL_EMAIL,
            CHANNEL_SURVEY)
# The channels an officer transcribes (NĐ 20/2008 Điều 7 k2).
STAFF_CHANNELS = (CHANNEL_HOTLINE, CHANNEL_COUNTER, CHANNEL_LETTER, CHANNEL_EMAIL)
CHANNEL_LABELS = {
    CHANNEL_WEB: _l("Website"),
    CHANNEL_HOTLINE: _l("Hotline call"),
    CHANNEL_COUNTER: _l("In person at the counter"),
    CHANNEL_LETTER: _l("Letter"),
    CHANNEL_EMAIL: _l("Email"),
    CHANNEL_SURVEY: _l("Satisfaction survey"),
}


class Ticket(Base):
    """One feedback or petition, from receipt to archive.

    Personal data (name, address, phone, email, attachments) is shown only to the roles in
    ``feedback.access`` and never published; the public version is the
    reviewed ``public_question``/``public_answer``.
    """

    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("year", "number"),
        CheckConstraint("kind IN ('report', 'proposal')", name="kind"),
        Index("ix_ticket_state_due_on", "state", "due_on"),
        Index("ix_ticket_unit_state", "unit_id", "state"),
        Index("ix_ticket_published", "published_at", "id"),
        Index("ix_ticket_published_field", "procedure_field_id", "published_at", "id",
              sqlite_where=PUBLIC_LIST, postgresql_where=PUBLIC_LIST),
        Index("ix_ticket_published_answered", "answered_at", "id",
              sqlite_where=PUBLIC_LIST, postgresql_where=PUBLIC_LIST),
        Index("ix_ticket_published_year", "year",
              sqlite_where=text("published_at IS NOT NULL"),
              postgresql_where=text("published_at IS NOT NULL")),
        # The staff queue's order, nearest deadline first (issue 13: its first page read
        # without sorting every open ticket), a due-date range, and the tickets whose
        # citizen was not told in time.
        Index("ix_ticket_queue_order", *QUEUE_ORDER),
        Index("ix_ticket_queue_unit", "unit_id", *QUEUE_ORDER),
        Index("ix_ticket_queue_officer", "officer_id", *QUEUE_ORDER),
        Index("ix_ticket_queue_field", "procedure_field_id", *QUEUE_ORDER),
        Index("ix_ticket_due_on", "due_on"),
        Index("ix_ticket_notice_due", "notify_due_on",
              sqlite_where=text("first_notice_at IS NULL"),
              postgresql_where=text("first_notice_at IS NULL")),
        # Only duplicates: "not a duplicate" (nearly every ticket) is never looked up by it,
        # and an index on it drew SQLite away from the published list's own order.
        Index("ix_ticket_duplicate_of_id", "duplicate_of_id",
              sqlite_where=text("duplicate_of_id IS NOT NULL"),
              postgresql_where=text("duplicate_of_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # PA-2026-000123K
    year: Mapped[int]
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10), index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    ticket_class: Mapped[str | None] = mapped_column(String(20), index=True)
    procedure_field_id: Mapped[int | None] = mapped_column(ForeignKey("procedure_field.id"))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedure.id"))
    content: Mapped[str] = mapped_column(Text)
    proposed_solution: Mapped[str | None] = mapped_column(Text)
    # Lower-case, accent-free code + content, for staff search (portal.text.fold).
    search_text: Mapped[str] = mapped_column(Text)

    # The sender (personal data)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    reply_by_post: Mapped[bool] = mapped_column(default=False)
    # Digits of the phone and lower-case email, to match the tracking page's "contact".
    phone_digits: Mapped[str | None] = mapped_column(String(20))
    consent_publish: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(5), default="vi")
    # The look-up PIN printed on the receipt and every letter: code + PIN works like code +
    # phone, for citizens who gave neither a phone nor an email (feedback.codes.make_pin).
    pin: Mapped[str | None] = mapped_column(String(8))
    # When the sender's details, attachments and own words were erased (feedback/erasure.py:
    # at the end of the retention period, or at the citizen's request); the de-identified
    # texts and the figures stay.
    personal_data_erased_at: Mapped[datetime | None]

    received_at: Mapped[datetime] = mapped_column(index=True)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    survey_response_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_response.id"), unique=True)

    # Deadlines (last day, Vietnam's calendar): per stage, and the one that runs now.
    classify_due_on: Mapped[date] = mapped_column(Date)
    forward_due_on: Mapped[date] = mapped_column(Date)
    notify_due_on: Mapped[date] = mapped_column(Date)
    answer_due_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    # Waiting for the citizen's reply to a request for information: the answer clock is
    # paused from waiting_since; the working days paused are added to the answer deadline.
    waiting_since: Mapped[datetime | None]
    reply_due_on: Mapped[date | None] = mapped_column(Date)
    paused_days: Mapped[int] = mapped_column(default=0)
    # When the citizen was first told whether it was accepted, refused or forwarded, on any
    # channel (an email or SMS delivered, a letter posted): the 10-working-day notice
    # (Luật Tiếp công dân 2013 Điều 28) is measured on it against notify_due_on.
    first_notice_at: Mapped[datetime | None]
    # A duplicate is linked to the ticket handled for it (its master): it keeps its own code,
    # and its citizen gets the master's answer (feedback/duplicates.py).
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    # The most similar recent ticket found when it arrived, if any: flagged in the queue.
    suggested_duplicate_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    # Which answer the citizen has now (1 for the first sent; a reworked answer is the next).
    answer_round: Mapped[int] = mapped_column(default=0)
    # Set when handling ends (refused and told, forwarded, or answered): within its deadline?
    finished_at: Mapped[datetime | None] = mapped_column(index=True)
    on_time: Mapped[bool | None]

    classified_at: Mapped[datetime | None]
    refusal_reason: Mapped[str | None] = mapped_column(String(30))
    forward_agency: Mapped[str | None] = mapped_column(String(300))
    forward_dispatch_number: Mapped[str | None] = mapped_column(String(100))
    forward_dispatch_date: Mapped[date | None] = mapped_column(Date)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    # The answer to the citizen: drafted, reviewed, then sent (answered_at).
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    # The de-identified public version, prepared and approved by the secretariat.
    public_question: Mapped[str | None] = mapped_column(Text)
    public_answer: Mapped[str | None] = mapped_column(Text)
    public_search: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]

    # Optimistic locking: every change bumps it; a form carries the version it was shown.
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    @property
    def notified_on_time(self) -> bool | None:
        """Whether the citizen was told the classification within its time limit (None: not
        told yet)."""
        if self.first_notice_at is None:
            return None
        return today_in_vietnam(self.first_notice_at) <= self.notify_due_on

    unit: Mapped[Unit | None] = relationship(lazy="joined", foreign_keys=[unit_id])
    duplicate_of: Mapped[Ticket | None] = relationship(remote_side=[id],
                                                       foreign_keys=[duplicate_of_id])
    suggested_duplicate: Mapped[Ticket | None] = relationship(
        remote_side=[id], foreign_keys=[suggested_duplicate_id])
    officer: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[officer_id])
    procedure_field: Mapped[ProcedureField | None] = relationship(lazy="joined")
    procedure: Mapped[Procedure | None] = relationship(lazy="joined")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="ticket", order_by="Attachment.id", cascade="all, delete-orphan")
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", viewonly=True)


REVIEW_OPEN, REVIEW_CONFIRMED, REVIEW_RETURNED = "open", "confirmed", "returned"


class AnswerRating(Base):
    """The citizen's word on one answer: did it resolve the issue? (SIPAS dimension 5,
    measured on real cases.) "No" opens a review by a leader, with its own deadline, who
    confirms the answer or returns it for rework. One rating per answer."""

    __tablename__ = "answer_rating"
    __table_args__ = (UniqueConstraint("ticket_id", "answer_round"),
                      Index("ix_answer_rating_review", "review_state", "review_due_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    answer_round: Mapped[int]
    resolved: Mapped[bool]
    comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Where the answer came from, as it was then (for the reports per unit and field).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    procedure_field_id: Mapped[int | None] = mapped_column(ForeignKey("procedure_field.id"))
    # The leader's review of a "not resolved": open, confirmed or returned.
    review_state: Mapped[str | None] = mapped_column(String(10))
    review_due_on: Mapped[date | None] = mapped_column(Date)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(Text)

    ticket: Mapped[Ticket] = relationship(lazy="joined")
    reviewed_by: Mapped[User | None] = relationship(lazy="joined")


class ReplyTemplate(Base):
    """A reply template (feedback/replies.py): the usual wording for an outcome, for one field
    or every field (no field), in one language, with placeholders."""

    __tablename__ = "reply_template"
    __table_args__ = (Index("ix_reply_template_pick", "active", "language", "outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome: Mapped[str] = mapped_column(String(20))
    procedure_field_id: Mapped[int | None] = mapped_column(ForeignKey("procedure_field.id"))
    language: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    # Optimistic locking: two editors at once cannot overwrite each other unseen.
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    procedure_field: Mapped[ProcedureField | None] = relationship(lazy="joined")


class TicketSequence(Base):
    """The last ticket number given in a year (numbers restart each year)."""

    __tablename__ = "ticket_sequence"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class TicketEvent(Base):
    """The append-only history of a ticket: who did what, when, and why (NĐ 20/2008 Điều 9:
    everything is logged). Database triggers refuse updates and deletes, with one exception:
    the erasure of personal data (feedback/erasure.py) may rewrite an event's ``note`` and
    ``details`` once, to their de-identified version, setting ``erased_at``; who, when, what
    and the states stay as they were (migration 0021)."""

    __tablename__ = "ticket_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    # "received", a workflow action, "note", "edit", "personal_data_viewed", "attachment"…
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    # Why (a reason, an internal note). Internal: never shown to the citizen.
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON)
    erased_at: Mapped[datetime | None]

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")


@event.listens_for(TicketEvent, "before_update")
@event.listens_for(TicketEvent, "before_delete")
def _refuse_change(_mapper, _connection, _target):
    raise AppendOnlyError("the ticket history is append-only")


class Attachment(Base):
    """A file sent with a ticket (checked by content; images re-encoded without metadata).
    Stored in the database so that a ticket and its files are saved, backed up and restored
    together, whatever machine serves the request."""

    __tablename__ = "ticket_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"),
                                           index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    ticket: Mapped[Ticket] = relationship(back_populates="attachments")


class OutboxMessage(Base):
    """An email waiting to be sent (written in the same transaction as the change it reports;
    ``flask --app wsgi send-outbox`` sends it, retrying with backoff)."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), default="email")  # "email" or "sms"
    # Which notice to the citizen it carries (feedback/workflow.py NOTICES), if any.
    notice: Mapped[str | None] = mapped_column(String(30))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # Given up after too many failures (an administrator can retry).
    failed: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    # When its recipient and text were erased (retention, or the ticket's erasure).
    erased_at: Mapped[datetime | None]
