"""Sign-in with throttling, and user and unit administration. Services flush, never commit."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from portal import audit
from portal.auth import two_factor
from portal.auth.models import Unit, User
from portal.db import utcnow
from portal.throttle import get_throttle

MIN_PASSWORD_LENGTH = 10
# Checked against when the username is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not a real password")


class Throttled(Exception):
    """Too many failed sign-ins for this username or address."""


@dataclass
class SignIn:
    user: User | None


CODE_FAILURES_PER_HOUR = "15/hour"


def _limit() -> str:
    return f"{current_app.config['LOGIN_FAILURES_PER_MINUTE']}/minute"


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def sign_in(session: Session, username: str, password: str, ip: str) -> SignIn:
    """Check a username and password; audit the outcome.

    :raise Throttled: when the username or the address has failed too often this minute
        (checked before the password, so a throttled guess learns nothing).
    """
    throttle, limit = get_throttle(), _limit()
    user_key, ip_key = ("login-user", username.lower()[:100]), ("login-ip", ip)
    # Each attempt takes its place before the password is checked, so simultaneous guesses
    # cannot all pass the check; a successful sign-in gives its places back.
    if not throttle.take_all((limit, user_key), (limit, ip_key)):
        audit.record(session, "auth.login_throttled", actor_name=username[:200])
        raise Throttled
    user = find_user(session, username)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        password_ok = False
    else:
        password_ok = user.check_password(password)
    if not (password_ok and user.active):
        audit.record(session, "auth.login_failed", actor_name=username[:200],
                     details={"reason": "inactive account" if password_ok
                              else "bad credentials"})
        return SignIn(None)
    throttle.give_back(limit, *user_key)
    throttle.give_back(limit, *ip_key)
    return SignIn(user)


def complete_sign_in(session: Session, user: User, second_factor: str | None = None) -> None:
    """The password (and the second factor, when the user has one) were right."""
    user.last_login_at = utcnow()
    audit.record(session, "auth.login", actor=user,
                 details={"second_factor": second_factor} if second_factor else None)


def check_second_factor(session: Session, user: User, code: str) -> str | None:
    """The code typed after the password: "totp" or "recovery" when accepted, else None.

    :raise Throttled: after too many wrong codes for this user this minute (each attempt takes
        its place before the check; a right code gives it back).
    """
    throttle, key = get_throttle(), ("login-code", str(user.id))
    # per minute like passwords, and per hour too: a six-digit code must not be guessed in a
    # month of patient tries by someone who has the password
    limits = ((_limit(), key), (CODE_FAILURES_PER_HOUR, key))
    if not throttle.take_all(*limits):
        audit.record(session, "auth.code_throttled", actor=user)
        raise Throttled
    factor = two_factor.check(session, user, code)
    if factor is None:
        audit.record(session, "auth.code_failed", actor=user)
        return None
    for limit, limit_key in limits:
        throttle.give_back(limit, *limit_key)
    return factor


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("A password needs at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
    if password.strip() != password:
        return _("A password may not start or end with a space.")
    return None


def create_user(session: Session, *, username: str, full_name: str, password: str,
                email: str | None = None, unit: Unit | None = None, roles=(),
                active: bool = True, actor: User | None = None) -> User:
    user = User(username=username, full_name=full_name, email=email or None, unit=unit,
                active=active)
    user.set_password(password)
    user.set_roles(roles)
    session.add(user)
    session.flush()
    audit.record(session, "user.create", target_type="user", target_id=user.id, actor=actor,
                 details={"username": username, "roles": sorted(roles),
                          "unit": unit.code if unit else None, "active": active})
    return user


def update_user(session: Session, user: User, *, full_name: str, email: str | None,
                unit: Unit | None, roles, active: bool, password: str | None = None) -> None:
    before = _user_state(user)
    user.full_name, user.email, user.unit, user.active = full_name, email or None, unit, active
    user.set_roles(roles)
    if password:
        user.set_password(password)
    session.flush()
    after = _user_state(user)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if password:
        changes["password"] = "changed"
    audit.record(session, "user.update", target_type="user", target_id=user.id,
                 details={"username": user.username, "changes": changes})


def _user_state(user: User) -> dict:
    return {"full_name": user.full_name, "email": user.email,
            "unit": user.unit.code if user.unit else None, "roles": sorted(user.roles),
            "active": user.active}


def username_taken(session: Session, username: str, except_id: int | None = None) -> bool:
    query = select(User.id).where(func.lower(User.username) == username.lower())
    if except_id is not None:
        query = query.where(User.id != except_id)
    return session.scalar(query) is not None


def save_unit(session: Session, unit: Unit | None, *, code: str, name: str,
              name_en: str | None, active: bool) -> Unit:
    creating = unit is None
    if creating:
        unit = Unit()
        session.add(unit)
    before = {"code": unit.code, "name": unit.name, "name_en": unit.name_en,
              "active": unit.active}
    unit.code, unit.name, unit.name_en, unit.active = code, name, name_en or None, active
    session.flush()
    after = {"code": code, "name": name, "name_en": unit.name_en, "active": active}
    audit.record(session, "unit.create" if creating else "unit.update", target_type="unit",
                 target_id=unit.id,
                 details={key: value for key, value in after.items()
                          if creating or before[key] != value})
    return unit


def unit_code_taken(session: Session, code: str, except_id: int | None = None) -> bool:
    query = select(Unit.id).where(func.lower(Unit.code) == code.lower())
    if except_id is not None:
        query = query.where(Unit.id != except_id)
    return session.scalar(query) is not None
