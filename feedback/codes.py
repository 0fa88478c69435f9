"""Tracking codes: ``PA-2026-000123K``. Pure.

The prefix, the year of receipt, a six-digit number counted per year (seven digits if a year
ever passes 999,999) and a check letter. The check letter is a weighted sum of the digits
modulo 23 (a prime), read from 23 letters without I, O and Q (they look like 1 and 0), so a
single mistyped digit or two neighbouring digits swapped while reading it out on the phone
always give another letter: such a code is refused instead of finding someone else's ticket.
"""
from __future__ import annotations

import re
import secrets

PREFIX = "PA"
FIRST_YEAR = 2000  # no ticket is older than the portal's law (NĐ 20/2008)
CHECK_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # 23 letters: no I, O, Q

_PATTERN = re.compile(r"^PA-?(\d{4})-?(\d{6,7})-?([A-Z])$")


class BadCode(ValueError):
    """Not a tracking code, or its check letter does not match."""


def check_letter(year: int, number: int) -> str:
    digits = f"{year:04d}{number:06d}"
    total = sum(int(digit) * weight for weight, digit in enumerate(digits, start=1))
    return CHECK_LETTERS[total % len(CHECK_LETTERS)]


def make_code(year: int, number: int) -> str:
    if not (1 <= number <= 9_999_999 and 1000 <= year <= 9999):
        raise ValueError("year or number out of range")
    return f"{PREFIX}-{year:04d}-{number:06d}{check_letter(year, number)}"


def normalise_code(raw: str) -> str:
    """The canonical form of a code typed by a person (any case, spaces or dots, dashes
    optional).

    :raise BadCode: when it is not a code or the check letter is wrong.
    """
    compact = re.sub(r"[\s.]", "", raw or "").upper()
    match = _PATTERN.match(compact)
    if not match:
        raise BadCode("not a tracking code")
    year, number, letter = int(match.group(1)), int(match.group(2)), match.group(3)
    if not FIRST_YEAR <= year <= 2999 or number == 0 or check_letter(year, number) != letter:
        raise BadCode("wrong check letter")
    return make_code(year, number)


# The look-up PIN: six characters a person can read out and type on a phone keypad's letters
# without confusion (no 0/O, 1/I/L, 5/S, 2/Z, 8/B): 25 symbols, about 244 million PINs, and a
# failed look-up is throttled per address.
PIN_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
PIN_LENGTH = 6


def make_pin() -> str:
    return "".join(secrets.choice(PIN_ALPHABET) for _ in range(PIN_LENGTH))


def normalise_pin(raw: str) -> str | None:
    """The PIN as stored, from what a person typed (any case, spaces or dashes), or None when
    it cannot be a PIN."""
    compact = re.sub(r"[\s-]", "", raw or "").upper()
    if len(compact) == PIN_LENGTH and all(char in PIN_ALPHABET for char in compact):
        return compact
    return None
