"""Which submitted answers look automated (issue 3, point 5). Pure: no Flask, no session.

Flagged responses are stored, shown to admins, and left out of the indices by default; they
are never deleted, because a real citizen may simply be quick.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

HONEYPOT = "honeypot"  # a field hidden from people was filled in
TOO_FAST = "too_fast"  # answered faster than anyone can read the statements
STRAIGHT_LINE = "straight_line"  # every statement the same level, and quickly
BURST = "burst"  # many responses from one address in a short time

FLAG_REASONS = {
    HONEYPOT: _l("a field hidden from people was filled in"),
    TOO_FAST: _l("answered faster than the statements can be read"),
    STRAIGHT_LINE: _l("the same level for every statement, quickly"),
    BURST: _l("many answers from one address within minutes"),
}


@dataclass(frozen=True)
class ScreeningRules:
    min_seconds: int = 8  # for the whole form; reading 19 statements takes longer
    straight_line_seconds: int = 30  # identical answers this fast look like a script
    straight_line_min_items: int = 10
    burst_count: int = 5  # responses from one address within burst_minutes …
    burst_minutes: int = 10


def flags(answers: Mapping[str, int | None], *, seconds: int | None, honeypot_filled: bool,
          recent_from_same_client: int, rules: ScreeningRules = ScreeningRules()) -> list[str]:
    """The reasons to flag one response; an empty list means it counts.

    ``recent_from_same_client`` is how many responses the same address sent within the burst
    window before this one.
    """
    reasons = []
    if honeypot_filled:
        reasons.append(HONEYPOT)
    if seconds is not None and seconds < rules.min_seconds:
        reasons.append(TOO_FAST)
    given = [value for value in answers.values() if value is not None]
    if (len(given) >= rules.straight_line_min_items and len(set(given)) == 1
            and seconds is not None and seconds < rules.straight_line_seconds):
        reasons.append(STRAIGHT_LINE)
    if recent_from_same_client + 1 > rules.burst_count:
        reasons.append(BURST)
    return reasons
