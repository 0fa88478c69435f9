"""The survey's counts kept in advance (issue 13): which tallies exist, which one serves a
question, and how a period splits into whole months and days. Pure rules, no database.

Every response adds its answers to several *cuts*: counts per period (a Vietnam day, or a
month) and per a few keys (counter, channel, procedure field, officer), always with the
reason it is left out ('' while it counts) so that "include flagged" and the exclusion
summary are read from the same rows. A question (filters, grouping) is served by the
smallest cut holding every key it needs; its period reads whole months from the month cut
and the remaining days from the day cut, so the rows read stay about the same from 10,000
to 1,000,000 responses (the number of keys, not of answers, bounds them).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

DAY, MONTH = "day", "month"
KEYS = ("counter_id", "channel", "procedure_field_id", "officer_id")
# What a key holds in a cut that leaves it out (and procedure_field_id 0: none given).
ALL = {"counter_id": 0, "channel": "", "procedure_field_id": 0, "officer_id": 0}


@dataclass(frozen=True)
class Cut:
    number: int  # stored in survey_tally.cut: never renumber
    grain: str  # DAY or MONTH
    keys: frozenset[str]

    def serves(self, needed: set[str]) -> bool:
        """Whether the cut holds every key ``needed``: an officer's cut only for a question
        about officers (it counts only the answers credited to one)."""
        return needed <= self.keys and ("officer_id" in needed) == ("officer_id" in self.keys)


# Smallest first: a question takes the first cut of its grain that serves it. The officer
# cuts count only the responses credited to an officer: the first holds nothing else (with
# the counter too, officers standing in at other counters made the officer report read ten
# times more rows, measured); the next two an officer with their counters or their fields
# (read through the cut of every key, an officer at a counter read 2.3-2.5 times more rows at
# 1,000,000 responses than at 10,000: there every answer fills a row of its own channel and
# field, measured); the last holds every key, for an officer narrowed further, read through
# the officer's index. A counter's unit is looked up when asked (a counter can move to
# another unit), never kept here.
_BY_CHANNEL = frozenset({"channel"})
_BY_COUNTER = frozenset({"counter_id"})
_BY_OFFICER = frozenset({"officer_id"})
_BY_OFFICER_COUNTER = frozenset({"officer_id", "counter_id"})
_BY_OFFICER_FIELD = frozenset({"officer_id", "procedure_field_id"})
_BY_FIELD = frozenset({"counter_id", "channel", "procedure_field_id"})
_BY_EVERYTHING = frozenset(KEYS)
CUTS = (Cut(1, DAY, _BY_CHANNEL), Cut(2, MONTH, _BY_CHANNEL),
        Cut(3, DAY, _BY_COUNTER), Cut(4, MONTH, _BY_COUNTER),
        Cut(5, DAY, _BY_OFFICER), Cut(6, MONTH, _BY_OFFICER),
        Cut(11, DAY, _BY_OFFICER_COUNTER), Cut(12, MONTH, _BY_OFFICER_COUNTER),
        Cut(13, DAY, _BY_OFFICER_FIELD), Cut(14, MONTH, _BY_OFFICER_FIELD),
        Cut(7, DAY, _BY_FIELD), Cut(8, MONTH, _BY_FIELD),
        Cut(9, DAY, _BY_EVERYTHING), Cut(10, MONTH, _BY_EVERYTHING))
# The keys a cut is read by through an index of its own (cut, key, period).
INDEXED = ("counter_id", "officer_id", "procedure_field_id")


def cut_for(grain: str, needed: set[str]) -> Cut:
    """The smallest cut of ``grain`` with every key in ``needed``."""
    return next(cut for cut in CUTS if cut.grain == grain and cut.serves(needed))


@dataclass(frozen=True)
class Part:
    """Periods first..last (inclusive) of a grain, added (sign 1) or taken away (-1)."""

    grain: str
    first: date
    last: date
    sign: int = 1


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def parts(start: date, end: date) -> list[Part]:
    """``start``..``end`` (inclusive) as whole months and days. A month only partly inside
    is read as its days, or as the whole month less the days outside when those are fewer:
    never more than about half a month of days at either end."""
    if start > end:
        return []
    result: list[Part] = []
    first_whole = start if start.day == 1 else month_end(start) + timedelta(days=1)
    last_whole = month_start(end + timedelta(days=1)) - timedelta(days=1)  # a month's last day
    if first_whole <= last_whole:
        result.append(Part(MONTH, first_whole, month_start(last_whole)))
        edges = [(start, first_whole - timedelta(days=1)),
                 (last_whole + timedelta(days=1), end)]
    elif month_start(start) == month_start(end):
        edges = [(start, end)]
    else:  # two neighbouring months, neither whole
        edges = [(start, month_end(start)), (month_start(end), end)]
    for first, last in edges:
        if first <= last:
            result += _partial_month(first, last)
    return result


def _partial_month(first: date, last: date) -> list[Part]:
    """Days first..last of one month (not the whole of it)."""
    begin, finish = month_start(first), month_end(first)
    inside = (last - first).days + 1
    outside = (finish - begin).days + 1 - inside
    if inside <= outside:
        return [Part(DAY, first, last)]
    result = [Part(MONTH, begin, begin)]
    if first > begin:
        result.append(Part(DAY, begin, first - timedelta(days=1), -1))
    if last < finish:
        result.append(Part(DAY, last + timedelta(days=1), finish, -1))
    return result
