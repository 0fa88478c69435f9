"""The staff's second factor: a TOTP code (RFC 6238, pyotp) from an authenticator app,
enrolled by scanning a QR code, or one of ten single-use recovery codes kept hashed.

A code is accepted for its 30-second step and the one either side (clocks drift), and never
twice: the last step accepted is kept with the user, so a code seen over a shoulder or replayed
is refused. Services flush, never commit.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from portal import audit
from portal.auth.models import RecoveryCode, User
from portal.db import utcnow

STEP = 30  # seconds (RFC 6238's default, what every authenticator app uses)
DRIFT = 1  # steps accepted either side of now
RECOVERY_CODES = 10
ISSUER = "Cong gop y"  # shown in the app beside the username (ASCII: some apps drop accents)


def required_for(user: User, setting: str) -> bool:
    """Whether ``user`` must sign in with a second factor under TWO_FACTOR_REQUIRED."""
    if setting == "all":
        return True
    return setting == "admin" and user.has_role("admin")


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// address the QR code carries."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def _digits(code: str) -> str:
    return re.sub(r"\s", "", code or "")


def matching_step(secret: str, code: str, after: int | None, now: float | None = None
                  ) -> int | None:
    """The time step ``code`` belongs to, if it is right for now (give or take a step) and
    later than ``after`` (the last one accepted); else None."""
    code = _digits(code)
    if not re.fullmatch(r"[0-9]{6}", code):  # ASCII digits only (not "１２３４５６")
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // STEP)
    for step in range(current - DRIFT, current + DRIFT + 1):
        if (after is None or step > after) and hmac.compare_digest(
                totp.at(step * STEP), code):
            return step
    return None


def _hash(code: str) -> str:
    return hashlib.sha256(re.sub(r"[\s-]", "", code).lower().encode()).hexdigest()


def _recovery_code() -> str:
    """16 characters of base32 (80 bits), in groups of four: xxxx-xxxx-xxxx-xxxx."""
    raw = "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(16))
    return "-".join(raw[start:start + 4] for start in range(0, 16, 4))


def enrol(session: Session, user: User, secret: str, code: str, actor: User) -> list[str] | None:
    """Keep ``secret`` as the user's second factor if ``code`` proves their app has it; return
    the new recovery codes (shown once), or None for a wrong code."""
    step = matching_step(secret, code, None)
    if step is None:
        return None
    user.totp_secret, user.totp_last_step = secret, step
    codes = _new_recovery_codes(session, user)
    audit.record(session, "user.two_factor_on", target_type="user", target_id=user.id,
                 actor=actor)
    return codes


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all([RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes])
    session.flush()
    return codes


def renew_recovery_codes(session: Session, user: User) -> list[str]:
    codes = _new_recovery_codes(session, user)
    audit.record(session, "user.recovery_codes_renewed", target_type="user",
                 target_id=user.id, actor=user)
    return codes


def recovery_codes_left(session: Session, user: User) -> int:
    return len(session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def check(session: Session, user: User, code: str) -> str | None:
    """The second factor given at sign-in: "totp" or "recovery" when accepted (a recovery
    code is used up, a TOTP step cannot be used again), else None. Each is taken by a
    conditional UPDATE, so two sign-ins racing with the same code cannot both pass."""
    if user.totp_secret is None:
        return None
    step = matching_step(user.totp_secret, code, user.totp_last_step)
    if step is not None:
        taken = session.execute(
            update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None),
                                                       User.totp_last_step < step))
            .values(totp_last_step=step).execution_options(synchronize_session=False))
        session.refresh(user, ["totp_last_step"])
        return "totp" if taken.rowcount == 1 else None
    recovery_id = session.scalar(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code or ""),
        RecoveryCode.used_at.is_(None)))
    if recovery_id is not None:
        taken = session.execute(
            update(RecoveryCode).where(RecoveryCode.id == recovery_id,
                                       RecoveryCode.used_at.is_(None))
            .values(used_at=utcnow()).execution_options(synchronize_session=False))
        return "recovery" if taken.rowcount == 1 else None
    return None


def reset(session: Session, user: User, actor: User) -> None:
    """An administrator removes a user's second factor (a lost phone): they enrol again at
    their next sign-in if it is required; every session of theirs ends."""
    user.totp_secret = user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.end_sessions()
    session.flush()
    audit.record(session, "user.two_factor_reset", target_type="user", target_id=user.id,
                 actor=actor, details={"username": user.username})
