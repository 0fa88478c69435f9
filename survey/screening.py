"""Which submitted answers are left out of the counts, and what is noted about the others
(issue 9, point 1). Pure: no Flask, no session.

The first version left out anyone quick and uniform, and the 6th citizen behind one address:
exactly the satisfied people, so the published index was biased downward. Now every measured
fact is a *signal* stored with the response and shown to administrators, and an answer is
left out of the counts only on evidence that no honest citizen produces:

``honeypot``
    A field hidden from people (by CSS and aria-hidden, out of the tab order) was filled in.
    Only a program that fills every field does that.
``inhuman``
    Every answered statement at the same level, *and* the whole form sent faster than that
    many taps can physically be made (``seconds_per_tap`` each, 0.4 s by default: the fastest
    repeated tapping on a phone, scrolling between statements, is slower than that; the time
    also includes loading the page). A citizen tapping "4 Satisfied" 19 times in 11-15 s
    takes 0.6-0.8 s a tap and is counted. Either condition alone is only a signal.
``device``
    More than ``device_max_per_day`` answers from one browser (a long-lived random cookie)
    within 24 hours: one person rating one counter again and again. A citizen with several
    dossiers rates each through its own dossier link, which this rule does not apply to.
``address``
    More than ``address_max_per_hour`` answers for one counter from one network address
    within an hour. An office, a café's Wi-Fi or a carrier's shared address passes many honest
    citizens, but one counter serves about 10 an hour at its busiest, so a ceiling of 30 (the
    default) per counter and address leaves them all counted while it catches a flood from a
    script that discards its cookies (or from someone who copied a tablet's link). Counted per
    counter, so the whole one-stop section behind one address never reaches it.
``admin``
    An administrator looked at the answer and left it out (with a reason, audited).

Answers through a single-use dossier link are never left out for speed, uniformity, device or
address: the link itself proves a real dossier and can be used once. Answers on the counter's
tablet are not held to the device rule (the tablet *is* one device serving everyone), but to
the others; paper forms keyed in by staff to none. Every exclusion can be reviewed: an
administrator counts the answer or confirms its exclusion.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

HONEYPOT = "honeypot"
INHUMAN = "inhuman"
DEVICE = "device"
ADDRESS = "address"
ADMIN = "admin"

# The same channel names as survey.models (kept here so this module stays pure).
COUNTER, DOSSIER, TABLET, PAPER = "counter", "dossier", "tablet", "paper"
BROWSERS = (COUNTER, DOSSIER)  # a citizen's own browser, with its survey cookie

EXCLUSION_REASONS = {
    HONEYPOT: _l("a field hidden from people was filled in (a program)"),
    INHUMAN: _l("every answer the same, sent faster than the taps can be made"),
    DEVICE: _l("too many answers from one browser within a day"),
    ADDRESS: _l("too many answers for one counter from one network address within an hour"),
    ADMIN: _l("left out by an administrator"),
    # Codes of the first version's rules, which stored answers may still carry until
    # `flask --app wsgi survey-rescreen` is run.
    "too_fast": _l("answered quickly (a rule no longer used)"),
    "straight_line": _l("the same level for every statement, quickly (a rule no longer used)"),
    "burst": _l("several answers from one address (a rule no longer used)"),
    "unknown": _l("left out, reason not recorded"),
}
# Most decisive first: the reason a summary counts an answer under when it has several.
PRECEDENCE = (HONEYPOT, INHUMAN, DEVICE, ADDRESS, ADMIN)


@dataclass(frozen=True)
class ScreeningRules:
    """Thresholds (settings SURVEY_SECONDS_PER_TAP, SURVEY_UNIFORM_MIN_ANSWERS,
    SURVEY_DEVICE_MAX_PER_DAY, SURVEY_ADDRESS_MAX_PER_HOUR)."""

    seconds_per_tap: float = 0.4
    uniform_min_answers: int = 10  # fewer same answers than this is not "uniform"
    quick_seconds_per_answer: float = 2.0  # a signal only: faster than reading each statement
    device_max_per_day: int = 3
    address_max_per_hour: int = 30

    def __post_init__(self):
        if self.seconds_per_tap < 0 or self.quick_seconds_per_answer < 0:
            raise ValueError("seconds cannot be negative")
        if min(self.uniform_min_answers, self.device_max_per_day,
               self.address_max_per_hour) < 1:
            raise ValueError("counts must be at least 1")


def rules_from(config: Mapping) -> ScreeningRules:
    """The thresholds from the app's settings (README, "Configuration")."""
    return ScreeningRules(seconds_per_tap=config["SURVEY_SECONDS_PER_TAP"],
                          uniform_min_answers=config["SURVEY_UNIFORM_MIN_ANSWERS"],
                          device_max_per_day=config["SURVEY_DEVICE_MAX_PER_DAY"],
                          address_max_per_hour=config["SURVEY_ADDRESS_MAX_PER_HOUR"])


@dataclass(frozen=True)
class Evidence:
    """What is known about one response when it arrives."""

    answers: Mapping[str, int | None]
    seconds: int | None  # None: unknown (not held against anyone)
    channel: str
    honeypot_filled: bool = False
    device_earlier: int | None = None  # answers from this browser in 24 h; None: no cookie
    address_earlier: int = 0  # answers for this counter from this address in the last hour


@dataclass(frozen=True)
class Verdict:
    signals: dict
    exclusions: tuple[str, ...]

    @property
    def excluded(self) -> bool:
        return bool(self.exclusions)


def measure(evidence: Evidence, rules: ScreeningRules) -> dict:
    """The signals stored with a response (shown to administrators, never excluding alone)."""
    given = [value for value in evidence.answers.values() if value is not None]
    signals: dict = {"answered": len(given)}
    if len(given) >= rules.uniform_min_answers and len(set(given)) == 1:
        signals["uniform"] = given[0]
    if evidence.seconds is not None and given \
            and evidence.seconds < len(given) * rules.quick_seconds_per_answer:
        signals["quick"] = True
    if evidence.channel in BROWSERS:
        if evidence.device_earlier is None:
            signals["no_cookie"] = True
        elif evidence.device_earlier:
            signals["device_earlier"] = evidence.device_earlier
    if evidence.address_earlier:
        signals["address_earlier"] = evidence.address_earlier
    if evidence.honeypot_filled:
        signals["honeypot"] = True
    return signals


def screen(evidence: Evidence, rules: ScreeningRules = ScreeningRules()) -> Verdict:
    """The signals of one response and the reasons (if any) to leave it out of the counts."""
    signals = measure(evidence, rules)
    exclusions = []
    if evidence.channel == PAPER:
        return Verdict(signals=signals, exclusions=())
    if evidence.honeypot_filled:
        exclusions.append(HONEYPOT)
    if evidence.channel != DOSSIER and "uniform" in signals \
            and evidence.seconds is not None \
            and evidence.seconds < signals["answered"] * rules.seconds_per_tap:
        exclusions.append(INHUMAN)
    if evidence.channel == COUNTER \
            and (evidence.device_earlier or 0) + 1 > rules.device_max_per_day:
        exclusions.append(DEVICE)
    if evidence.channel in (COUNTER, TABLET) \
            and evidence.address_earlier + 1 > rules.address_max_per_hour:
        exclusions.append(ADDRESS)
    return Verdict(signals=signals, exclusions=tuple(exclusions))


def main_reason(reasons) -> str | None:
    """The one reason a summary counts an excluded answer under."""
    reasons = list(reasons or [])
    for reason in PRECEDENCE:
        if reason in reasons:
            return reason
    return reasons[0] if reasons else None


SIGNAL_LABELS = {
    "uniform": _l("every answer at level %(value)s"),
    "quick": _l("quicker than reading each statement"),
    "no_cookie": _l("the browser keeps no cookie"),
    "device_earlier": _l("%(value)s earlier answers from this browser within a day"),
    "address_earlier": _l("%(value)s earlier answers for this counter from this address within "
                          "an hour"),
    "honeypot": _l("the hidden field was filled in"),
}


def describe(signals: Mapping | None) -> list[str]:
    """The signals in words, for the review page (``answered`` is shown on its own)."""
    return [str(SIGNAL_LABELS[name]) % {"value": value}
            for name, value in (signals or {}).items() if name in SIGNAL_LABELS]
