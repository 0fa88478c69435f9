"""The survey form's single-use nonce: signed, bound to the link, and carrying when the page
was shown (to measure how long the citizen took). Its uniqueness in the database makes a
double submit or a retry store one response."""
from __future__ import annotations

import hashlib
import hmac
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


def client_hash(address: str | None) -> str | None:
    """A keyed hash of the visitor's address: enough to spot a burst, useless to identify."""
    if not address:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]
