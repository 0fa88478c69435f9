"""Dossier records imported from the provincial one-stop system (DOMAIN.md §7). The portal does
not handle dossiers: it keeps what the one-stop software exports, for the TT 01/2018 scoring,
the late-dossier list and the apology letters."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, SmallInteger, String, Text
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
    apology_reason: Mapped[str | None] = mapped_column(Text)
    new_due_on: Mapped[date | None] = mapped_column(Date)
    # personal data, as imported: shown only to the one-stop staff, printed on the apology
    citizen_name: Mapped[str | None] = mapped_column(String(200))
    citizen_email: Mapped[str | None] = mapped_column(String(254))
    citizen_phone: Mapped[str | None] = mapped_column(String(20))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

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
