"""Append-only audit log used by every package.

Rows are only ever inserted: the ORM refuses updates and deletes, and the migration adds
database triggers that refuse them too.
"""
from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The acting user, if signed in; the name is kept as typed for failed sign-ins too.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    actor_name: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60), index=True)
    # What was acted on, e.g. ("user", "12") or ("procedure", "1.004227").
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(60))
    ip: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict | None] = mapped_column(JSON)


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(_mapper, _connection, _target):
    raise AppendOnlyError("the audit log is append-only")


def record(session: Session, action: str, *, target_type: str | None = None,
           target_id: object = None, actor=None, actor_name: str | None = None,
           details: dict | None = None) -> AuditEntry:
    """Add one audit entry (flushed with the caller's work, committed with it).

    The actor defaults to the signed-in user; the IP to the request's remote address.
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    entry = AuditEntry(
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id)[:60],
        actor_id=actor.id if actor is not None else None,
        actor_name=(actor_name or (actor.username if actor is not None else None)),
        ip=request.remote_addr if has_request_context() else None,
        details=details,
    )
    session.add(entry)
    return entry
