"""Survey link tokens. Pure: no Flask, no session.

A token is 12 characters from an alphabet without look-alikes (no 0/o, 1/l/i), lower case so
that a citizen can type the short URL printed under the QR code: about 59 bits, unguessable,
and short enough that the full URL fits a version-4 QR code at error correction M.
"""
from __future__ import annotations

import re
import secrets

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
TOKEN_LENGTH = 12
TOKEN_PATTERN = re.compile(rf"^[{ALPHABET}]{{{TOKEN_LENGTH}}}$")


def new_token() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(TOKEN_LENGTH))


def normalise_token(raw: str) -> str | None:
    """A typed or scanned token as stored, or None if it cannot be one (so no lookup)."""
    token = raw.strip().lower()
    return token if TOKEN_PATTERN.match(token) else None
