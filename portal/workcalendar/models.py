"""Working-day exceptions decided by the Prime Minister each year."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, utcnow


class CalendarException(Base):
    """One day whose status differs from the ordinary calendar: ``off`` (an extra day off)
    or ``working`` (a make-up working day, làm bù)."""

    __tablename__ = "calendar_exception"
    __table_args__ = (CheckConstraint("kind IN ('off', 'working')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    # Why, e.g. "Quyết định số …/QĐ-TTg: nghỉ bù Tết Dương lịch".
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
