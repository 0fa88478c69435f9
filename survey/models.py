"""Counters, the versioned questionnaire, survey links and responses (DOMAIN.md §3)."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Unit, User
from portal.db import Base, utcnow
from survey.tally import INDEXED

CHANNEL_COUNTER = "counter"  # the QR code posted at a counter
CHANNEL_DOSSIER = "dossier"  # the single-use QR code printed on a dossier receipt
CHANNEL_TABLET = "tablet"  # the rating tablet facing the citizen at the counter
CHANNEL_PAPER = "paper"  # a printed form, keyed in by staff
CHANNELS = (CHANNEL_COUNTER, CHANNEL_DOSSIER, CHANNEL_TABLET, CHANNEL_PAPER)
CHANNEL_LABELS = {
    CHANNEL_COUNTER: _l("Counter QR code"),
    CHANNEL_DOSSIER: _l("Dossier QR code"),
    CHANNEL_TABLET: _l("Counter tablet"),
    CHANNEL_PAPER: _l("Paper form"),
}

# Whether a questionnaire version asks the TT 01/2018 questions (Questionnaire.one_stop_mode).
ONE_STOP_OFF, ONE_STOP_BESIDES, ONE_STOP_INSTEAD = "off", "besides", "instead"
ONE_STOP_MODES = (ONE_STOP_OFF, ONE_STOP_BESIDES, ONE_STOP_INSTEAD)

# An administrator's decision on a response (Response.review).
REVIEW_COUNTED = "counted"
REVIEW_EXCLUDED = "excluded"


class Counter(Base):
    """A desk at the one-stop section, belonging to a unit, where officers serve citizens."""

    __tablename__ = "counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)  # printed on the desk, e.g. Q01
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # The survey link is /q/<token>: random, short (the QR stays small), unguessable. Rotating
    # replaces it (old posters stop working); revoking clears it.
    token: Mapped[str | None] = mapped_column(String(16), unique=True)
    token_issued_at: Mapped[datetime | None]
    # The counter's rating tablet opens /tablet/<tablet_token> (issue 9, point 6): never
    # printed, set up by staff on the device; rotated and revoked like the survey link.
    tablet_token: Mapped[str | None] = mapped_column(String(16), unique=True)
    tablet_token_issued_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")


class CounterDuty(Base):
    """An officer on duty at a counter on a day: answers of that day are attributed to them."""

    __tablename__ = "counter_duty"
    __table_args__ = (UniqueConstraint("counter_id", "day", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    day: Mapped[date] = mapped_column(Date)

    user: Mapped[User] = relationship(lazy="joined")


class Questionnaire(Base):
    """One published version of the survey. Responses keep the version they answered."""

    __tablename__ = "questionnaire"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    instruction: Mapped[str | None] = mapped_column(Text)
    instruction_en: Mapped[str | None] = mapped_column(Text)
    # {"levels": [{"value": 1, "vi": …, "en": …}, …], "not_applicable": {"vi": …, "en": …}}
    scale: Mapped[dict] = mapped_column(JSON)
    # The SIPAS expectation question, "what should the agency improve first" (the
    # instrument's ``expectation``: {"vi", "en", "scale": [{"value", "vi", "en"}, …],
    # "items": [{"code", "vi", "en"}, …]}), asked after the statements when
    # ``ask_expectation`` is on. Its answers are stored as answers under its item codes.
    expectation: Mapped[dict | None] = mapped_column(JSON)
    ask_expectation: Mapped[bool] = mapped_column(default=False)
    # Whether a dossier's single-use link, and the paper forms and tablets of this version, ask
    # the TT 01/2018 questions the citizen rates (indices 1, 3, 4 and 7 of the current
    # evaluation scheme), stored against the dossier: ONE_STOP_OFF, ONE_STOP_BESIDES (after
    # the statements) or ONE_STOP_INSTEAD (a dossier's link asks them in place of the
    # statements and the expectation question).
    one_stop_mode: Mapped[str] = mapped_column(String(10), default="off", server_default="off")
    # The one version new responses answer; older ones stay for their responses.
    current: Mapped[bool] = mapped_column(default=False, index=True)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)

    dimensions: Mapped[list[Dimension]] = relationship(
        order_by="Dimension.position", lazy="selectin", cascade="all, delete-orphan")

    @property
    def asks_one_stop(self) -> bool:
        return self.one_stop_mode != ONE_STOP_OFF

    @property
    def expectation_items(self) -> list[dict]:
        """The expectation question's items when it is asked, else none."""
        return list((self.expectation or {}).get("items", [])) if self.ask_expectation else []

    @property
    def statement_codes(self) -> list[str]:
        return [item.code for dimension in self.dimensions for item in dimension.items]


class Dimension(Base):
    __tablename__ = "survey_dimension"
    __table_args__ = (UniqueConstraint("questionnaire_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))  # stable forever, e.g. CONG_CHUC
    position: Mapped[int]
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    short_name: Mapped[str | None] = mapped_column(String(100))
    short_name_en: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    note_en: Mapped[str | None] = mapped_column(Text)

    items: Mapped[list[Item]] = relationship(
        order_by="Item.position", lazy="selectin", cascade="all, delete-orphan")


class Item(Base):
    """A statement rated on the 1-5 scale."""

    __tablename__ = "survey_item"
    __table_args__ = (UniqueConstraint("questionnaire_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire.id", ondelete="CASCADE"))
    dimension_id: Mapped[int] = mapped_column(
        ForeignKey("survey_dimension.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))  # stable forever, e.g. CC1: exports key on it
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)

    questionnaire: Mapped[Questionnaire] = relationship()


class DossierLink(Base):
    """A single-use survey link for one dossier, printed on its receipt."""

    __tablename__ = "dossier_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(16), unique=True)
    dossier_code: Mapped[str] = mapped_column(String(60), unique=True)  # mã hồ sơ
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    counter: Mapped[Counter] = relationship(lazy="joined")


class PaperBatch(Base):
    """A batch of numbered paper questionnaires printed for a counter (issue 9, point 7).
    Its forms carry the serials first_serial … first_serial + count - 1 (printed with a check
    digit, survey/paper.py) and the statements of the version current when it was printed."""

    __tablename__ = "survey_paper_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), index=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    first_serial: Mapped[int] = mapped_column(unique=True)
    count: Mapped[int]
    paper_size: Mapped[str] = mapped_column(String(2))  # "A4" or "A5"
    # Whether the forms print the expectation question (as the version asked it then).
    with_expectation: Mapped[bool] = mapped_column(default=False)
    # The TT 01/2018 questions the forms print after the statements, with a box for the
    # dossier code, when the version asked them then (onestop.services.printed_questions:
    # kept as printed, so a later scheme does not change how their boxes are read).
    one_stop: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    counter: Mapped[Counter] = relationship(lazy="joined")
    questionnaire: Mapped[Questionnaire] = relationship()

    @property
    def last_serial(self) -> int:
        return self.first_serial + self.count - 1


class Response(Base):
    """One citizen's answers. Nothing in it identifies the citizen (NĐ 61/2018 Điều 27 k3)."""

    __tablename__ = "survey_response"
    __table_args__ = (
        Index("ix_survey_response_counter_submitted", "counter_id", "submitted_at"),
        Index("ix_survey_response_officer_submitted", "officer_id", "submitted_at"),
        Index("ix_survey_response_flagged_submitted", "flagged", "submitted_at"),
        Index("ix_survey_response_device_submitted", "device_hash", "submitted_at"),
        Index("ix_survey_response_client_counter_submitted", "client_hash", "counter_id",
              "submitted_at"),
        # the newest comments, alone or of one counter, officer or field: read among the
        # responses with a comment only (one in twelve), newest first
        *(Index(f"ix_survey_response_comment_{name}", *columns, "submitted_at",
                sqlite_where=text("comment IS NOT NULL"),
                postgresql_where=text("comment IS NOT NULL"))
          for name, columns in (("submitted", ()), ("counter", ("counter_id",)),
                                ("officer", ("officer_id",)),
                                ("field", ("procedure_field_id",)))),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"), index=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    channel: Mapped[str] = mapped_column(String(10))
    # Unique: one answer per dossier, even when two submits race.
    dossier_link_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_link.id"),
                                                        unique=True)
    # A paper form's serial (survey/paper.py): unique, so a form is entered once.
    paper_serial: Mapped[int | None] = mapped_column(unique=True)
    paper_batch_id: Mapped[int | None] = mapped_column(ForeignKey("survey_paper_batch.id"),
                                                       index=True)
    # SHA-256 of the form's single-use nonce: a replayed submit finds its response instead of
    # making a new one.
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    seconds_to_answer: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    # When the comment was replaced by its de-identified text (portal/retention.py).
    comment_deidentified_at: Mapped[datetime | None]
    procedure_field_id: Mapped[int | None] = mapped_column(ForeignKey("procedure_field.id"))
    gender: Mapped[str | None] = mapped_column(String(10))
    age_group: Mapped[str | None] = mapped_column(String(10))
    # Left out of the counts (survey/screening.py says on what evidence): kept, shown to
    # administrators, who may count it. ``flag_reasons`` lists the rules that left it out;
    # ``exclusion`` is the main one (for the summaries), None while it counts.
    flagged: Mapped[bool] = mapped_column(default=False, index=True)
    flag_reasons: Mapped[list | None] = mapped_column(JSON)
    exclusion: Mapped[str | None] = mapped_column(String(20))
    # What was measured (speed, uniform answers, repeats per browser and address): signals
    # for the review page, never a reason on their own.
    signals: Mapped[dict | None] = mapped_column(JSON)
    # Keyed hashes of the address and of the browser's random cookie, only to count repeats;
    # never shown, never reversible.
    client_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    device_hash: Mapped[str | None] = mapped_column(String(32))
    # An administrator's decision (REVIEW_COUNTED / REVIEW_EXCLUDED), with its reason; the
    # re-screening command leaves decided answers as they are. review_version changes with
    # every decision, so a decision made on a stale page is refused.
    review: Mapped[str | None] = mapped_column(String(10))
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    reviewed_at: Mapped[datetime | None]
    review_version: Mapped[int] = mapped_column(default=0)

    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan",
                                                 lazy="selectin")
    counter: Mapped[Counter] = relationship(lazy="joined")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    questionnaire: Mapped[Questionnaire] = relationship(lazy="select")

    @property
    def rated_low(self) -> bool:
        """A statement at level 1 or 2 ("very dissatisfied", "dissatisfied"): the
        expectation question's answers use a scale of their own and do not count."""
        statements = set(self.questionnaire.statement_codes)
        return any(answer.value is not None and answer.value <= 2
                   and answer.item_code in statements for answer in self.answers)


class Answer(Base):
    """A response's level (1-5) for one item code; None = "no answer / not applicable".
    The expectation question's answers are stored the same way under its own codes, with
    the values of its scale (3 "very much" … 1 "a little")."""

    __tablename__ = "survey_answer"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), primary_key=True)
    item_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int | None] = mapped_column(SmallInteger)


class Tally(Base):
    """Answers counted in advance (survey/tally.py says which cuts exist and why), kept up to
    date as responses arrive and as their exclusion changes, so that the dashboard, the
    officer report and /results add up a few thousand rows whatever the number of answers.
    A key a cut leaves out holds survey.tally.ALL; ``left_out`` keeps the answers of the
    responses left out apart. item_code "" counts the responses that said something, "*" and
    its main reason ("*inhuman") each response left out (the summary of exclusions), in n0."""

    __tablename__ = "survey_tally"
    __table_args__ = (
        UniqueConstraint("cut", "period", "counter_id", "channel", "procedure_field_id",
                         "officer_id", "left_out", "item_code"),
        # a cut filtered by a counter, an officer or a field reads that one's rows only
        *(Index(f"ix_survey_tally_{key}", "cut", key, "left_out", "period")
          for key in INDEXED),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cut: Mapped[int] = mapped_column(SmallInteger)
    period: Mapped[date] = mapped_column(Date)  # a Vietnam day, or a month's first day
    counter_id: Mapped[int]
    channel: Mapped[str] = mapped_column(String(10))
    procedure_field_id: Mapped[int]
    officer_id: Mapped[int]
    left_out: Mapped[bool]
    item_code: Mapped[str] = mapped_column(String(20))
    # the answers at each level: n0 "no answer", n1-n5 (one row per item, not per level:
    # a fifth of the rows to read)
    n0: Mapped[int]
    n1: Mapped[int]
    n2: Mapped[int]
    n3: Mapped[int]
    n4: Mapped[int]
    n5: Mapped[int]


class AlertRule(Base):
    """When to tell a unit's leader that a counter's or a unit's ratings turned (issue 9,
    point 9). survey/alert_rules.py defines the kinds and what each threshold means."""

    __tablename__ = "survey_alert_rule"
    __table_args__ = (
        CheckConstraint("(counter_id IS NULL) <> (unit_id IS NULL)", name="one_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    threshold: Mapped[int | None]  # a percentage, for the kinds that compare one
    window_size: Mapped[int | None]  # the last N answers, or N days, as the kind says
    min_responses: Mapped[int | None]  # fewer responses than this: not judged
    # The rule judges only responses after this one (by id, not by time: paper forms and
    # queued tablet answers arrive later than the moment they record). Moved on when an alert
    # of the rule is closed (a new alert needs new answers), and for "a very dissatisfied with
    # a comment" by each check (every such answer is reported once).
    after_response_id: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    counter: Mapped[Counter | None] = relationship(lazy="joined")
    unit: Mapped[Unit | None] = relationship(lazy="joined")


ALERT_OPEN = "open"
ALERT_ACKNOWLEDGED = "acknowledged"
ALERT_CLOSED = "closed"


class Alert(Base):
    """A rule's condition held: staff acknowledge, comment and close it. While it is not
    closed the same rule raises no second alert (``open_key`` is unique and set only then)."""

    __tablename__ = "survey_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("survey_alert_rule.id"), index=True)
    open_key: Mapped[str | None] = mapped_column(String(20), unique=True)
    positive: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(15), default=ALERT_OPEN, index=True)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # What was measured when it was raised (n, rate, share, the responses concerned…).
    figures: Mapped[dict] = mapped_column(JSON)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    acknowledged_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=0)  # a stale page's action is refused

    rule: Mapped[AlertRule] = relationship(lazy="joined")
    notes: Mapped[list[AlertNote]] = relationship(order_by="AlertNote.id", lazy="selectin")
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])


class AlertNote(Base):
    """A staff comment on an alert (what was found, what was done)."""

    __tablename__ = "survey_alert_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("survey_alert.id", ondelete="CASCADE"),
                                          index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(15))  # "comment", "acknowledge", "close"
    text: Mapped[str | None] = mapped_column(Text)

    author: Mapped[User | None] = relationship(lazy="joined")
