"""Settings from environment variables, with safe defaults for development.

Every setting can be given as an environment variable of the same name. ``create_app(config)``
applies a mapping on top (tests use that). See the configuration table in README.md.
"""
from __future__ import annotations

import os
from pathlib import Path

# Values that must never be accepted as a production secret.
WEAK_SECRET_KEYS = {"", "dev", "secret", "changeme", "change-me", "development", "test"}
MIN_SECRET_KEY_LENGTH = 32


class SettingsError(RuntimeError):
    """A setting the app cannot run without is missing or wrong: one line saying which and
    how to set it (wsgi.py prints it instead of a traceback)."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise SettingsError(f"{name} must be a whole number, got {value!r}") from error


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = float(value)
    except ValueError as error:
        raise SettingsError(f"{name} must be a number like 0.4, got {value!r}") from error
    if not number >= 0:  # also refuses NaN
        raise SettingsError(f"{name} cannot be negative, got {value!r}")
    return number


def _days(name: str, default: int) -> int:
    days = _int(name, default)
    if days < 0:
        raise SettingsError(f"{name} must be 0 (keep) or a number of days, got {days}")
    return days


def _choice(name: str, allowed: tuple[str, ...]) -> str:
    value = (os.environ.get(name) or allowed[0]).strip().lower()
    if value not in allowed:
        raise SettingsError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def _levels(value: str) -> tuple[int, ...]:
    try:
        levels = tuple(sorted({int(part) for part in value.split(",") if part.strip()}))
    except ValueError as error:
        raise SettingsError(f"SIPAS_SATISFIED_LEVELS must be levels like 4,5; got {value!r}") \
            from error
    if not levels or not set(levels) <= {1, 2, 3, 4, 5}:
        raise SettingsError(f"SIPAS_SATISFIED_LEVELS must be levels 1-5; got {value!r}")
    return levels


def from_environment(instance_path: str) -> dict:
    """Read every setting the app knows from the process environment."""
    env = os.environ.get
    default_db = "sqlite:///" + str(Path(instance_path) / "portal.sqlite3")
    return {
        "SECRET_KEY": env("SECRET_KEY", ""),
        "DATABASE_URL": env("DATABASE_URL") or default_db,
        "REDIS_URL": env("REDIS_URL", ""),
        # Where the limits count (portal/throttle.py): redis://…, sqlite:///path or memory://.
        # Empty: REDIS_URL if set, else instance/throttle.sqlite3 (this machine's workers).
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI", ""),
        # Where the public site is reachable, used in QR codes and printed URLs. Empty: the
        # address the request came in on.
        "PUBLIC_BASE_URL": env("PUBLIC_BASE_URL", "").rstrip("/"),
        "SESSION_COOKIE_SECURE": _bool(env("SESSION_COOKIE_SECURE"), True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool(env("SESSION_COOKIE_SECURE"), True),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": _int("SESSION_LIFETIME_MINUTES", 480) * 60,
        # Retention (DOMAIN.md §8; Law 91/2025, NĐ 13/2023: kept only as long as needed; the
        # periods are to confirm with the department). Survey comments are replaced by their
        # de-identified text this many days after they were written (0: kept as written).
        "RETENTION_SURVEY_COMMENT_DAYS": _days("RETENTION_SURVEY_COMMENT_DAYS", 365),
        # A finished ticket's sender details, attachments and own words are erased (the
        # de-identified texts and the figures stay) this many days after it was finished;
        # its files may go sooner; messages' recipients and texts this long after sending.
        # 0 keeps them. To confirm with the department (DOMAIN.md §8).
        "RETENTION_TICKET_DAYS": _days("RETENTION_TICKET_DAYS", 730),
        "RETENTION_ATTACHMENT_DAYS": _days("RETENTION_ATTACHMENT_DAYS", 730),
        "RETENTION_MESSAGE_DAYS": _days("RETENTION_MESSAGE_DAYS", 90),
        # A one-stop dossier's citizen (name, email, phone) this long after its return.
        "RETENTION_DOSSIER_DAYS": _days("RETENTION_DOSSIER_DAYS", 365),
        # A staff member is signed out after this long without a request.
        "STAFF_IDLE_MINUTES": _int("STAFF_IDLE_MINUTES", 30),
        # Who must sign in with a second factor (an authenticator app's code): "admin" (the
        # default) or "all". "off" is for development and tests only (refused in production).
        "TWO_FACTOR_REQUIRED": _choice("TWO_FACTOR_REQUIRED", ("admin", "all", "off")),
        # The largest request body; single uploads have their own, smaller limits.
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 60 * 1024 * 1024),
        "IMPORT_MAX_BYTES": _int("IMPORT_MAX_BYTES", 10 * 1024 * 1024),
        "LOGIN_FAILURES_PER_MINUTE": _int("LOGIN_FAILURES_PER_MINUTE", 5),
        "PROCEDURES_PER_PAGE": _int("PROCEDURES_PER_PAGE", 20),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "WTF_CSRF_TIME_LIMIT": _int("CSRF_TIME_LIMIT_SECONDS", 8 * 3600),
        "LOG_LEVEL": _choice("LOG_LEVEL", ("info", "debug", "warning", "error",
                                           "critical")).upper(),
        # Survey (issue 3): how long a survey page stays valid, and the rate limits that stop
        # floods without blocking many citizens behind one office's NAT.
        "SURVEY_FORM_MAX_AGE": _int("SURVEY_FORM_MAX_AGE", 2 * 3600),
        "SURVEY_LIMIT_PER_LINK": env("SURVEY_LIMIT_PER_LINK", "30/minute"),
        "SURVEY_LIMIT_PER_ADDRESS": env("SURVEY_LIMIT_PER_ADDRESS", "120/hour"),
        "SURVEY_ASK_DEMOGRAPHICS": _bool(env("SURVEY_ASK_DEMOGRAPHICS"), False),
        # Screening (survey/screening.py explains each rule): an answer is left out only when
        # every statement has the same answer and the form came faster than this many
        # seconds per answer; or a browser sent more than the day's maximum; or an address
        # more than the hour's (a ceiling high enough for an office behind one address).
        "SURVEY_SECONDS_PER_TAP": _float("SURVEY_SECONDS_PER_TAP", 0.4),
        "SURVEY_UNIFORM_MIN_ANSWERS": _int("SURVEY_UNIFORM_MIN_ANSWERS", 10),
        "SURVEY_DEVICE_MAX_PER_DAY": _int("SURVEY_DEVICE_MAX_PER_DAY", 3),
        "SURVEY_ADDRESS_MAX_PER_HOUR": _int("SURVEY_ADDRESS_MAX_PER_HOUR", 30),
        # The counter's rating tablet: an abandoned form is cleared after this many seconds
        # without a touch; the thank-you stays this long before the next citizen's start.
        "SURVEY_TABLET_IDLE_SECONDS": _int("SURVEY_TABLET_IDLE_SECONDS", 60),
        "SURVEY_TABLET_THANKS_SECONDS": _int("SURVEY_TABLET_THANKS_SECONDS", 6),
        # The index formula's configurable parts (the official SIPAS formula is unconfirmed).
        "SIPAS_SATISFIED_LEVELS": _levels(env("SIPAS_SATISFIED_LEVELS", "4,5")),
        "SIPAS_MIN_SAMPLE": _int("SIPAS_MIN_SAMPLE", 30),
        # "volume": every answer counts the same; "equal": every counter counts the same.
        "SIPAS_WEIGHTING": _choice("SIPAS_WEIGHTING", ("volume", "equal")),
        # Feedback (issue 4): deadlines in working days (DOMAIN.md §4.4), counted from receipt,
        # except the answer, counted from acceptance.
        "FEEDBACK_DAYS_CLASSIFY": _int("FEEDBACK_DAYS_CLASSIFY", 2),
        "FEEDBACK_DAYS_FORWARD": _int("FEEDBACK_DAYS_FORWARD", 5),
        "FEEDBACK_DAYS_NOTIFY": _int("FEEDBACK_DAYS_NOTIFY", 10),
        "FEEDBACK_DAYS_ANSWER": _int("FEEDBACK_DAYS_ANSWER", 15),
        # For the citizen to send information asked for (then the ticket closes), and for a
        # leader to review an answer the citizen said did not resolve the issue. DOMAIN.md
        # and NĐ 20/2008 are silent: to confirm with the department.
        "FEEDBACK_DAYS_CITIZEN_REPLY": _int("FEEDBACK_DAYS_CITIZEN_REPLY", 15),
        "FEEDBACK_DAYS_REVIEW": _int("FEEDBACK_DAYS_REVIEW", 5),
        # A deadline this many working days away or nearer is "due soon".
        "FEEDBACK_DUE_SOON_DAYS": _int("FEEDBACK_DUE_SOON_DAYS", 2),
        "FEEDBACK_PER_PAGE": _int("FEEDBACK_PER_PAGE", 25),
        "FEEDBACK_LIMIT_PER_ADDRESS": env("FEEDBACK_LIMIT_PER_ADDRESS", "20/hour"),
        "FEEDBACK_LOOKUP_FAILURES": env("FEEDBACK_LOOKUP_FAILURES", "10/hour"),
        # Outgoing email. Without SMTP_HOST, emails are written to the log (development).
        "SMTP_HOST": env("SMTP_HOST", ""),
        "SMTP_PORT": _int("SMTP_PORT", 587),
        "SMTP_USERNAME": env("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool(env("SMTP_STARTTLS"), True),
        "MAIL_FROM": env("MAIL_FROM", "no-reply@localhost"),
        "MAIL_FROM_NAME": env("MAIL_FROM_NAME", ""),
        # Text messages to citizens who gave a phone: off, to the log, or through a generic
        # HTTP SMS gateway (SMS_URL, with SMS_TOKEN as a bearer token).
        "SMS_TRANSPORT": _choice("SMS_TRANSPORT", ("off", "log", "http")),
        "SMS_URL": env("SMS_URL", ""),
        "SMS_TOKEN": env("SMS_TOKEN", ""),
        "SMS_SENDER": env("SMS_SENDER", ""),
        # How many reverse proxies (nginx, a load balancer) stand in front of the app. Their
        # X-Forwarded-For/-Proto/-Host are trusted that many hops deep, so throttling and the
        # audit log see the visitor's address, not the proxy's. 0: no proxy, trust nothing.
        "TRUSTED_PROXY_COUNT": _int("TRUSTED_PROXY_COUNT", 0),
    }


def check_production_settings(config: dict, debug: bool) -> None:
    """Refuse to run outside debug and tests with a missing or weak SECRET_KEY, or without
    PUBLIC_BASE_URL (printed links and QR codes must never come from a request's Host header).

    :raise SettingsError: with a message that says how to set it right.
    """
    if debug or config.get("TESTING"):
        return
    base_url = config.get("PUBLIC_BASE_URL") or ""
    if not base_url.startswith(("https://", "http://")):
        raise SettingsError(
            "PUBLIC_BASE_URL is missing: set it to the address citizens use (it goes into QR "
            "codes and printed links), e.g. export PUBLIC_BASE_URL=https://gopy.example.gov.vn "
            "(make run writes one for this machine into .env)")
    key = config.get("SECRET_KEY") or ""
    if key in WEAK_SECRET_KEYS or len(key) < MIN_SECRET_KEY_LENGTH:
        raise SettingsError(
            f"SECRET_KEY is missing or too weak: set it to at least {MIN_SECRET_KEY_LENGTH} "
            "random characters, e.g. export SECRET_KEY=$(python3 -c 'import secrets; "
            "print(secrets.token_hex(32))') (make run writes one for this machine into .env)")
    if config.get("TWO_FACTOR_REQUIRED") == "off":
        raise SettingsError(
            "TWO_FACTOR_REQUIRED=off is for development only: use admin (the default) or all")
