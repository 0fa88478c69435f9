"""Disclosure content: the hotline page and the procedure catalogue (DOMAIN.md §2)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, utcnow

# Online-service levels (mức độ dịch vụ công trực tuyến).
LEVEL_FULL = "full"  # toàn trình
LEVEL_PARTIAL = "partial"  # một phần
LEVEL_NONE = "none"  # not online
LEVELS = (LEVEL_FULL, LEVEL_PARTIAL, LEVEL_NONE)


class HotlinePage(Base):
    """The published contact details and feedback rules (NĐ 20/2008 Điều 10, 13). One row."""

    __tablename__ = "hotline_page"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_name: Mapped[str] = mapped_column(String(200))
    org_name_en: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500))
    address_en: Mapped[str | None] = mapped_column(String(500))
    postal_address: Mapped[str | None] = mapped_column(String(500))
    postal_address_en: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(300))
    office_hours: Mapped[str | None] = mapped_column(Text)
    office_hours_en: Mapped[str | None] = mapped_column(Text)
    rules: Mapped[str] = mapped_column(Text)
    rules_en: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    numbers: Mapped[list[HotlineNumber]] = relationship(
        cascade="all, delete-orphan", order_by="HotlineNumber.position", lazy="selectin"
    )


class HotlineNumber(Base):
    __tablename__ = "hotline_number"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("hotline_page.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str | None] = mapped_column(String(100))
    number: Mapped[str] = mapped_column(String(40))


class ProcedureField(Base):
    """A field (lĩnh vực) such as Đất đai or Môi trường."""

    __tablename__ = "procedure_field"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    name_en: Mapped[str | None] = mapped_column(String(150))


class Procedure(Base):
    """An administrative procedure (thủ tục hành chính) as published (NĐ 63/2010 Điều 8 k2)."""

    __tablename__ = "procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)  # mã TTHC, e.g. 1.004227
    name: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str | None] = mapped_column(String(500))
    field_id: Mapped[int] = mapped_column(ForeignKey("procedure_field.id"), index=True)
    level: Mapped[str] = mapped_column(String(10), default=LEVEL_NONE, index=True)
    processing_body: Mapped[str] = mapped_column(String(300), index=True)
    steps: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(Text)
    postal_return: Mapped[bool] = mapped_column(default=False)
    postal_fee: Mapped[str | None] = mapped_column(Text)
    dossier: Mapped[str] = mapped_column(Text)
    dossier_quantity: Mapped[str] = mapped_column(String(200))
    time_limit: Mapped[str] = mapped_column(Text)
    time_limit_days: Mapped[int | None]  # the same in working days, when known
    subjects: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text)
    forms: Mapped[str | None] = mapped_column(Text)
    requirements: Mapped[str | None] = mapped_column(Text)
    fees: Mapped[str | None] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(Text)  # quyết định công bố
    # Lower-case, diacritics-free copy of code, names, field and body, for search ("dat dai").
    search_text: Mapped[str] = mapped_column(Text)
    # Retired procedures leave the public catalogue but keep their code and history.
    retired_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    field: Mapped[ProcedureField] = relationship(lazy="joined")
    process_steps: Mapped[list[ProcedureStep]] = relationship(
        cascade="all, delete-orphan", order_by="ProcedureStep.position", lazy="selectin"
    )


class ProcedureStep(Base):
    """One step of the internal process (quy trình nội bộ)."""

    __tablename__ = "procedure_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedure.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(500))
    unit: Mapped[str | None] = mapped_column(String(200))
    duration: Mapped[str | None] = mapped_column(String(200))
