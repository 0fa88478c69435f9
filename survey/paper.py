"""Paper questionnaires (NĐ 61/2018 Điều 29 k1 a; issue 9, point 7): form numbers and the
rows a clerk types from the returned forms. Pure: no Flask, no session.

A form number is a serial and a check digit (Luhn, as on payment cards: it catches every
mistyped digit and most swapped neighbours), printed as ``000123-7``; the clerk may type it
with or without the dash and leading zeros. A row of answers is one digit per statement in
the printed order: 1-5, or 0 for "no answer".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

SERIAL_DIGITS = 6
NO_ANSWER = 0


def check_digit(serial: int) -> int:
    """The Luhn check digit of a serial."""
    total = 0
    for position, digit in enumerate(reversed(str(serial))):
        if position % 2 == 0:
            digit = int(digit) * 2
            total += digit - 9 if digit > 9 else digit
        else:
            total += int(digit)
    return (10 - total % 10) % 10


def form_number(serial: int) -> str:
    """The printed number: ``000123-7``."""
    return f"{serial:0{SERIAL_DIGITS}d}-{check_digit(serial)}"


class BadNumber(ValueError):
    """Not a form number at all ("shape"), or one whose check digit does not match
    ("check": a typo)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_number(typed: str) -> int:
    """The serial of a typed form number ("000123-7", "0001237", "123 7", "1237").

    :raise BadNumber: for anything else, or a check digit that does not match.
    """
    digits = re.sub(r"[\s-]", "", typed or "")
    if not digits.isdigit() or not 2 <= len(digits) <= SERIAL_DIGITS + 1 \
            or not digits.isascii():
        raise BadNumber("shape")
    serial, check = int(digits[:-1]), int(digits[-1])
    if serial < 1:
        raise BadNumber("shape")
    if check_digit(serial) != check:
        raise BadNumber("check")
    return serial


@dataclass(frozen=True)
class DigitProblem:
    """What is wrong with a typed row of digits: ``count`` (how many were typed against how
    many are needed) or ``digit`` (the 1-based position and the digit out of range)."""

    kind: str
    position: int = 0
    digit: str = ""
    typed: int = 0


def parse_digits(typed: str, codes: list[str], highest: int) -> dict[str, int | None]:
    """``typed`` digits (spaces ignored) for ``codes`` in order: 0 = no answer (None),
    1..``highest`` the level.

    :raise ValueError: carrying a :class:`DigitProblem`.
    """
    digits = re.sub(r"\s", "", typed or "")
    if len(digits) != len(codes):
        raise ValueError(DigitProblem("count", typed=len(digits)))
    return dict(zip(codes, parse_choices(typed, [highest] * len(codes)), strict=True))


def parse_choices(typed: str, counts: list[int]) -> list[int | None]:
    """``typed`` digits (spaces ignored), one per question offering ``counts[i]`` boxes:
    0 = no answer (None), else the box ticked, 1-based.

    :raise ValueError: carrying a :class:`DigitProblem`.
    """
    digits = re.sub(r"\s", "", typed or "")
    if len(digits) != len(counts):
        raise ValueError(DigitProblem("count", typed=len(digits)))
    values = []
    for position, (count, digit) in enumerate(zip(counts, digits, strict=True), start=1):
        if not digit.isdigit() or not digit.isascii() or int(digit) > count:
            raise ValueError(DigitProblem("digit", position=position, digit=digit))
        values.append(int(digit) or None)
    return values
