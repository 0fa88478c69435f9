"""The survey form's single-use nonce: signed, bound to the link, and carrying when the page
was shown (to measure how long the citizen took). Its uniqueness in the database makes a
double submit or a retry store one response."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "survey-form-nonce"


class BadNonce(Exception):
    """Missing, forged, for another link, or too old."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def issue(token: str) -> str:
    return _serializer().dumps({"t": token, "r": secrets.token_urlsafe(12),
                                "at": int(time.time())})


def check(nonce: str, token: str) -> int:
    """Verify a nonce for this link and return the seconds since the form was shown.

    :raise BadNonce: when it is not one we issued for this link within the allowed age.
    """
    max_age = current_app.config["SURVEY_FORM_MAX_AGE"]
    try:
        data = _serializer().loads(nonce, max_age=max_age)
    except (BadSignature, SignatureExpired) as error:
        raise BadNonce from error
    if not isinstance(data, dict) or data.get("t") != token or not isinstance(data.get("at"), int):
        raise BadNonce
    seconds = int(time.time()) - data["at"]
    if not 0 <= seconds <= max_age:
        raise BadNonce
    return seconds


def _keyed_hash(kind: str, value: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def client_hash(address: str | None) -> str | None:
    """A keyed hash of the visitor's address: enough to count repeats, useless to identify."""
    if not address:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]


# A random value the survey page leaves in the browser for two years, to count repeated
# answers from one browser (survey/screening.py). It identifies no one: it is random, and
# only its keyed hash is stored with a response.
DEVICE_COOKIE = "survey_device"
DEVICE_COOKIE_MAX_AGE = 2 * 365 * 24 * 3600
_DEVICE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22}$")


def new_device_id() -> str:
    return secrets.token_urlsafe(16)


def valid_device_id(value: str | None) -> str | None:
    return value if value and _DEVICE_PATTERN.match(value) else None


def device_hash(device_id: str | None) -> str | None:
    device_id = valid_device_id(device_id)
    return _keyed_hash("device", device_id) if device_id else None
