"""Alerts on ratings (issue 9, point 9): the kinds of rule, their parameters, and whether a
measurement trips one. Pure: no Flask, no session.

Each rule watches one counter or one unit, and only answers that count (not left out by the
screening). After an alert of a rule is closed, the rule looks only at answers that arrived
since: a new alert needs new answers, not the same week read again.

``dissatisfied_share``
    Of the statements answered in the last ``window_size`` responses, the share at levels 1-2
    ("very dissatisfied", "dissatisfied") reaches ``threshold`` percent. Judged only once that
    many responses exist.
``index_below``
    The index (share satisfied, computed as on the dashboard) over the last ``window_size``
    days is under ``threshold`` percent, with at least ``min_responses`` responses.
``one_with_comment``
    A response rates a statement 1 ("very dissatisfied") and says why in a comment.
``high_week`` (good news)
    The index over the last ``window_size`` days reaches ``threshold`` percent, with at least
    ``min_responses`` responses.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

DISSATISFIED_SHARE = "dissatisfied_share"
INDEX_BELOW = "index_below"
ONE_WITH_COMMENT = "one_with_comment"
HIGH_WEEK = "high_week"

DISSATISFIED_LEVELS = (1, 2)

KINDS = {
    DISSATISFIED_SHARE: _l("Share of dissatisfied answers over the last responses"),
    INDEX_BELOW: _l("Index under a threshold over the last days"),
    ONE_WITH_COMMENT: _l("A “very dissatisfied” with a comment"),
    HIGH_WEEK: _l("Good news: index at or over a threshold over the last days"),
}
POSITIVE = {HIGH_WEEK}

# (parameter, lowest, highest) each kind needs; the others stay empty.
PARAMETERS = {
    DISSATISFIED_SHARE: {"threshold": (1, 100), "window_size": (5, 500)},
    INDEX_BELOW: {"threshold": (1, 100), "window_size": (1, 90), "min_responses": (1, 1000)},
    ONE_WITH_COMMENT: {},
    HIGH_WEEK: {"threshold": (1, 100), "window_size": (1, 90), "min_responses": (1, 1000)},
}
DEFAULTS = {
    DISSATISFIED_SHARE: {"threshold": 30, "window_size": 20},
    INDEX_BELOW: {"threshold": 70, "window_size": 7, "min_responses": 10},
    ONE_WITH_COMMENT: {},
    HIGH_WEEK: {"threshold": 95, "window_size": 7, "min_responses": 20},
}


def problems(kind: str, values: dict) -> dict[str, str]:
    """Each parameter out of its range for this kind -> a message key ('missing', 'range').

    :raise KeyError: for an unknown kind.
    """
    found = {}
    for name, (lowest, highest) in PARAMETERS[kind].items():
        value = values.get(name)
        if value is None:
            found[name] = "missing"
        elif not lowest <= value <= highest:
            found[name] = "range"
    return found


@dataclass(frozen=True)
class Measure:
    """What the service measured for a rule over the answers it may look at."""

    responses: int = 0  # counted responses looked at
    answers: int = 0  # valid statement answers (levels 1-5) in them
    dissatisfied: int = 0  # of which at levels 1-2
    rate: float | None = None  # the index over them, percent
    flagged_responses: tuple = ()  # one_with_comment: the responses concerned


def tripped(kind: str, rule, measure: Measure) -> bool:
    """Whether ``measure`` trips a rule of ``kind`` (``rule`` carries threshold,
    window_size and min_responses)."""
    if kind == DISSATISFIED_SHARE:
        return (measure.responses >= rule.window_size and measure.answers > 0
                and 100 * measure.dissatisfied / measure.answers >= rule.threshold)
    if kind == INDEX_BELOW:
        return (measure.responses >= rule.min_responses and measure.rate is not None
                and measure.rate < rule.threshold)
    if kind == HIGH_WEEK:
        return (measure.responses >= rule.min_responses and measure.rate is not None
                and measure.rate >= rule.threshold)
    if kind == ONE_WITH_COMMENT:
        return bool(measure.flagged_responses)
    raise KeyError(kind)


def condition(rule) -> str:
    """The rule in words, e.g. "30% or more dissatisfied answers over the last 20 responses"."""
    values = {"threshold": rule.threshold, "window": rule.window_size,
              "min": rule.min_responses}
    texts = {
        DISSATISFIED_SHARE: _l("%(threshold)s%% or more dissatisfied answers (levels 1-2) "
                               "over the last %(window)s responses"),
        INDEX_BELOW: _l("index under %(threshold)s%% over the last %(window)s days (at least "
                        "%(min)s responses)"),
        ONE_WITH_COMMENT: _l("a statement rated 1 (very dissatisfied) with a comment"),
        HIGH_WEEK: _l("index at %(threshold)s%% or more over the last %(window)s days (at "
                      "least %(min)s responses)"),
    }
    return str(texts[rule.kind]) % values


def finding(kind: str, figures: dict) -> str:
    """What was measured when an alert was raised, in words."""
    if kind == DISSATISFIED_SHARE:
        share = 100 * figures["dissatisfied"] / figures["answers"] if figures["answers"] else 0
        return str(_l("%(share)s%% of %(answers)s answers were dissatisfied, in the last "
                      "%(responses)s responses.")) % {
            "share": round(share), "answers": figures["answers"],
            "responses": figures["responses"]}
    if kind == ONE_WITH_COMMENT:
        return str(_l("%(n)s responses rated a statement 1 and left a comment.")) % {
            "n": len(figures.get("response_ids") or [])}
    rate = figures.get("rate")
    return str(_l("Index %(rate)s%% from %(responses)s responses.")) % {
        "rate": format_decimal(rate, "0.0") if rate is not None else "—",
        "responses": figures["responses"]}
