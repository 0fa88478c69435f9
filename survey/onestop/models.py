"""Dossier records imported from the provincial one-stop system (DOMAIN.md §7). The portal does
not handle dossiers: it keeps what the one-stop software exports, for the TT 01/2018 scoring,
the late-dossier list and the apology letters."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Unit
from portal.db import Base, utcnow

CHANNEL_COUNTER, CHANNEL_ONLINE, CHANNEL_POST = "counter", "online", "post"
CHANNELS = (CHANNEL_COUNTER, CHANNEL_ONLINE, CHANNEL_POST)
CHANNEL_LABELS = {CHANNEL_COUNTER: _l("At the counter"), CHANNEL_ONLINE: _l("Online"),
                  CHANNEL_POST: _l("By post")}

RETURNED, WITHDRAWN, REFUSED, IN_PROGRESS = "returned", "withdrawn", "refused", "in_progress"
STATUSES = (RETURNED, WITHDRAWN, REFUSED, IN_PROGRESS)
STATUS_LABELS = {RETURNED: _l("Result returned"), WITHDRAWN: _l("Withdrawn"),
                 REFUSED: _l("Refused"), IN_PROGRESS: _l("In progress")}


class Dossier(Base):
    """One dossier (hồ sơ) as the one-stop system exported it, upserted by its code."""

    __tablename__ = "onestop_dossier"
    __table_args__ = (
        Index("ix_onestop_dossier_unit_due", "unit_id", "due_on"),
        Index("ix_onestop_dossier_unit_returned", "unit_id", "returned_on"),
        Index("ix_onestop_dossier_status_due", "status", "due_on"),
        Index("ix_onestop_dossier_unit_scored", "unit_id", "scored_on"),
        Index("ix_onestop_dossier_scored_month", "scored_month", "unit_id"),
        Index("ix_onestop_dossier_apology_month", "apology_month", "unit_id"),
        Index("ix_onestop_dossier_scheme_version", "scheme_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)  # mã hồ sơ
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))  # the handling unit
    received_at: Mapped[datetime]
    due_at: Mapped[datetime]  # the promised date and time of the result
    returned_at: Mapped[datetime | None]
    # the same three as Vietnam calendar days: what the scoring compares and periods select
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    returned_on: Mapped[date | None] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12))
    supplements: Mapped[int] = mapped_column(SmallInteger, default=0)
    bodies_contacted: Mapped[int] = mapped_column(SmallInteger, default=0)
    verified_complaint: Mapped[bool] = mapped_column(default=False)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    # the apology for a late dossier (Mẫu 04): one only, since the date may be re-set once
    apology_on: Mapped[date | None] = mapped_column(Date)
    apology_month: Mapped[date | None] = mapped_column(Date)  # its first day, for the counts
    apology_reason: Mapped[str | None] = mapped_column(Text)
    new_due_on: Mapped[date | None] = mapped_column(Date)
    # personal data, as imported: shown only to the one-stop staff, printed on the apology
    citizen_name: Mapped[str | None] = mapped_column(String(200))
    citizen_email: Mapped[str | None] = mapped_column(String(254))
    citizen_phone: Mapped[str | None] = mapped_column(String(20))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Its TT 01 points (survey/onestop/scoring.py), kept so that the scoreboard adds them up in
    # SQL: the day it is evaluated on (returned or refused: the return day; open: its promised
    # day once passed; withdrawn or open before its day: none) and its month; the points per
    # dossier-level rule (None: not scoreable yet); the catalogue's half of index 6 (the
    # unit's declaration gives the other); the officer's points; the rules the citizen rated.
    scored_on: Mapped[date | None] = mapped_column(Date)
    scored_month: Mapped[date | None] = mapped_column(Date)
    pt_time: Mapped[int | None] = mapped_column(SmallInteger)
    pt_participants: Mapped[int | None] = mapped_column(SmallInteger)
    pt_returns: Mapped[int | None] = mapped_column(SmallInteger)
    pt_bodies: Mapped[int | None] = mapped_column(SmallInteger)
    pt_catalogue: Mapped[int | None] = mapped_column(SmallInteger)
    pt_conduct: Mapped[int | None] = mapped_column(SmallInteger)
    pt_officer: Mapped[int | None] = mapped_column(SmallInteger)
    lost_points: Mapped[bool] = mapped_column(default=False)
    citizen_rules: Mapped[str | None] = mapped_column(String(100))
    scheme_version: Mapped[str | None] = mapped_column(String(20))

    unit: Mapped[Unit] = relationship(lazy="joined")
    participants: Mapped[list[DossierParticipant]] = relationship(
        cascade="all, delete-orphan", order_by="DossierParticipant.id", lazy="selectin")


class DossierParticipant(Base):
    """A cooperating unit taking part in a dossier, with its own promised and done days."""

    __tablename__ = "onestop_participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("onestop_dossier.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)

    unit: Mapped[Unit] = relationship(lazy="joined")


class UnitMonth(Base):
    """A unit's dossiers evaluated in a Vietnam month, added up per dossier-level rule (sum of
    points and number scored), with its online dossiers: what the scoreboard reads."""

    __tablename__ = "onestop_unit_month"
    __table_args__ = (UniqueConstraint("month", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    month: Mapped[date] = mapped_column(Date)
    dossiers: Mapped[int] = mapped_column(Integer)
    sum_time: Mapped[int] = mapped_column(Integer)
    n_time: Mapped[int] = mapped_column(Integer)
    sum_participants: Mapped[int] = mapped_column(Integer)
    n_participants: Mapped[int] = mapped_column(Integer)
    sum_returns: Mapped[int] = mapped_column(Integer)
    n_returns: Mapped[int] = mapped_column(Integer)
    sum_bodies: Mapped[int] = mapped_column(Integer)
    n_bodies: Mapped[int] = mapped_column(Integer)
    sum_catalogue: Mapped[int] = mapped_column(Integer)
    n_catalogue: Mapped[int] = mapped_column(Integer)
    sum_conduct: Mapped[int] = mapped_column(Integer)
    n_conduct: Mapped[int] = mapped_column(Integer)
    online: Mapped[int] = mapped_column(Integer)
    online_late: Mapped[int] = mapped_column(Integer)
    lost: Mapped[int] = mapped_column(Integer)  # dossiers that lost points


class OfficerMonth(Base):
    """An officer's dossiers (as receiving officer) evaluated in a Vietnam month: their points
    on the scheme's officer indices, added up."""

    __tablename__ = "onestop_officer_month"
    __table_args__ = (UniqueConstraint("month", "officer_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    month: Mapped[date] = mapped_column(Date)
    dossiers: Mapped[int] = mapped_column(Integer)
    scored: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)


class Declaration(Base):
    """What a unit declares for a quarter, for the indices the records cannot give: index 5
    (dossiers received and returned at the one-stop section; the share of its procedures the
    counter settles itself) and the posted half of index 6 (procedures posted at the office,
    accurate and up to date)."""

    __tablename__ = "onestop_declaration"
    __table_args__ = (UniqueConstraint("unit_id", "year", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    quarter: Mapped[int] = mapped_column(SmallInteger)
    all_through_counter: Mapped[bool]
    settled_share: Mapped[float] = mapped_column(Numeric(4, 1))
    procedures_posted: Mapped[bool]
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)


class SchemeVersion(Base):
    """A published evaluation scheme (survey/onestop/scheme.py): the file as checked, kept
    for ever so that every score can say which version it used. The current one scores; with
    none published, the shipped TT 01/2018 scheme does."""

    __tablename__ = "onestop_scheme"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(20), unique=True)
    content: Mapped[dict] = mapped_column(JSON)
    current: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))


class ApologyMonth(Base):
    """Apologies a unit recorded in a Vietnam month (by the day of the apology)."""

    __tablename__ = "onestop_apology_month"
    __table_args__ = (UniqueConstraint("month", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    month: Mapped[date] = mapped_column(Date)
    apologies: Mapped[int] = mapped_column(Integer)


class CitizenRating(Base):
    """A citizen's own points on an index the law gives them to rate (TT 01 Điều 13: 1, 3,
    4 and 7), answered on the dossier's single-use survey link; kept by the rule it rates, so
    a scheme that renumbers its indices still reads it."""

    __tablename__ = "onestop_citizen_rating"
    __table_args__ = (UniqueConstraint("dossier_code", "rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_code: Mapped[str] = mapped_column(String(60), index=True)
    rule: Mapped[str] = mapped_column(String(30))
    points: Mapped[int] = mapped_column(SmallInteger)
    response_id: Mapped[int | None] = mapped_column(ForeignKey("survey_response.id"))
    rated_at: Mapped[datetime] = mapped_column(default=utcnow)
