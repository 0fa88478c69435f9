"""Units and staff users."""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.db import Base, utcnow


class Unit(Base):
    """A unit (đơn vị, phòng) of the department, e.g. Văn phòng Sở."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="unit")

    @classmethod
    def ordered(cls):
        return select(cls).order_by(cls.name)


class UserRole(Base):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))


class User(UserMixin, Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Not deleted, only deactivated, so the audit log keeps pointing at a real person.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Raised by a sign-out: the id in every session cookie signed in before no longer matches,
    # so a copy of the cookie is refused afterwards (on every device of this user).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # The second factor (portal/auth/two_factor.py): the TOTP secret once enrolled, and the
    # last time step a code was accepted for (a code is never accepted twice).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None]

    unit: Mapped[Unit | None] = relationship(back_populates="users", lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def set_roles(self, roles) -> None:
        wanted = set(roles)
        self.role_rows = [row for row in self.role_rows if row.role in wanted] + [
            UserRole(role=role) for role in sorted(wanted - self.roles)
        ]

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def get_id(self) -> str:
        """The id kept in the session cookie: the user id and a fingerprint of the password
        hash and the session version, so that changing the password or signing out ends
        every session signed in before (checked on each request, portal/auth/__init__.py)."""
        fingerprint = hashlib.sha256(
            f"{self.password_hash}:{self.session_version or 0}".encode()).hexdigest()[:16]
        return f"{self.id}-{fingerprint}"

    def end_sessions(self) -> None:
        """End every session this user has signed in with, on every device."""
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active


class RecoveryCode(Base):
    """A single-use code that stands in for the second factor (a lost phone), kept hashed."""

    __tablename__ = "staff_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
