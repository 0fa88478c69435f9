"""The one-stop evaluation scheme: which indices are scored, by which rule, with which
thresholds, and how totals become ratings (DOMAIN.md §7). Pure: no Flask request, no session.

The 2018 texts (TT 01/2018/TT-VPCP) were replaced in 2025 by texts whose scoring the project
could not read, so the scheme is data, not code: an administrator publishes a scheme file (the
shape of ``survey/onestop/schemes/tt01-2018.json``) as a new version, and every score says
which version it used. A scheme chooses among the rules this module knows (:data:`RULES`) and
sets their thresholds; a new kind of rule needs code.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask_babel import lazy_gettext as _l

DOSSIER, UNIT = "dossier", "unit"
# rule name -> (level it is scored at, its numeric parameters with their allowed range)
RULES: dict[str, tuple[str, dict[str, tuple[float, float]]]] = {
    "time_vs_due": (DOSSIER, {}),
    "participant_times": (DOSSIER, {}),
    "returns": (DOSSIER, {}),
    "bodies": (DOSSIER, {}),
    "publication": (DOSSIER, {}),
    "conduct": (DOSSIER, {}),
    "one_stop_share": (UNIT, {"settled_share_full": (0, 100)}),
    "feedback_on_time": (UNIT, {"full": (0, 100), "partial": (0, 100)}),
    "online_services": (UNIT, {"level34_share": (0, 100), "online_share_full": (0, 100),
                               "online_share_partial": (0, 100)}),
}
# Rules whose points the citizen may give (TT 01 Điều 13: indices 1, 3, 4 and 7).
CITIZEN_RULES = frozenset({"time_vs_due", "returns", "bodies", "conduct"})
POINTS = (0, 1, 2)
VERSION = re.compile(r"^[A-Za-z0-9._-]{1,20}$")
CODE = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
TEXT_MAX = 1000
DEFAULT = Path(__file__).parent / "schemes" / "tt01-2018.json"


@dataclass(frozen=True)
class Option:
    points: int
    vi: str
    en: str


@dataclass(frozen=True)
class CitizenQuestion:
    vi: str
    en: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Index:
    number: int
    rule: str
    level: str
    vi: str
    en: str
    params: dict = field(default_factory=dict, hash=False)
    citizen: CitizenQuestion | None = None


@dataclass(frozen=True)
class Band:
    """A rating: every total from ``minimum`` up to the next band's minimum."""

    code: str
    minimum: Decimal
    vi: str
    en: str


@dataclass(frozen=True)
class Scheme:
    version: str
    title_vi: str
    title_en: str
    basis: str
    indices: tuple[Index, ...]
    unit_ratings: tuple[Band, ...]  # highest minimum first
    officer_indices: tuple[int, ...]
    officer_ratings: tuple[Band, ...]

    @property
    def max_total(self) -> int:
        return 2 * len(self.indices)

    def index(self, number: int) -> Index:
        return next(index for index in self.indices if index.number == number)

    def by_rule(self, rule: str) -> Index | None:
        return next((index for index in self.indices if index.rule == rule), None)

    @property
    def dossier_indices(self) -> tuple[Index, ...]:
        return tuple(index for index in self.indices if index.level == DOSSIER)

    @property
    def citizen_indices(self) -> tuple[Index, ...]:
        return tuple(index for index in self.indices if index.citizen is not None)


def rating(bands: tuple[Band, ...], total: Decimal | None) -> Band | None:
    """The band a total falls in (None for no total)."""
    if total is None:
        return None
    return next((band for band in bands if total >= band.minimum), None)


def check(data: bytes) -> tuple[Scheme | None, list]:
    """The scheme in a file and no problems, or None and every problem found."""
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, [_l("The file is not UTF-8 JSON.")]
    if not isinstance(raw, dict):
        return None, [_l("The file must hold one scheme object.")]
    problems: list = []
    version = raw.get("version")
    if not isinstance(version, str) or not VERSION.match(version):
        problems.append(_l("version must be 1-20 letters, digits, '.', '-' or '_'."))
    title = raw.get("title")
    if not _texts(title):
        problems.append(_l("title needs a Vietnamese and an English text (vi, en)."))
    basis = raw.get("basis")
    if not isinstance(basis, str) or not basis.strip() or len(basis) > TEXT_MAX:
        problems.append(_l("basis must name the legal texts the scheme follows."))
    indices = _indices(raw.get("indices"), problems)
    numbers = {index.number for index in indices}
    unit_ratings = _bands(raw.get("unit_ratings"), "unit_ratings", problems)
    officer_ratings = _bands(raw.get("officer_ratings"), "officer_ratings", problems)
    officer_indices = raw.get("officer_indices")
    if not isinstance(officer_indices, list) or not officer_indices or not all(
            isinstance(number, int) and number in numbers and _level(indices, number) == DOSSIER
            for number in officer_indices) or len(set(officer_indices)) != len(officer_indices):
        problems.append(_l("officer_indices must list different numbers of indices scored per "
                           "dossier."))
        officer_indices = []
    if indices and unit_ratings and unit_ratings[0].minimum > 2 * len(indices):
        problems.append(_l("unit_ratings: the highest band starts above the maximum total "
                           "(%(max)s).", max=2 * len(indices)))
    if problems:
        return None, problems
    return Scheme(version, title["vi"].strip(), title["en"].strip(), basis.strip(),
                  tuple(indices), unit_ratings, tuple(officer_indices), officer_ratings), []


def load_default() -> Scheme:
    """The scheme shipped with the portal (TT 01/2018)."""
    scheme, problems = check(DEFAULT.read_bytes())
    if scheme is None:  # pragma: no cover - the shipped file is tested
        raise ValueError(f"{DEFAULT} is not a valid scheme: {problems}")
    return scheme


def _level(indices: list[Index], number: int) -> str | None:
    return next((index.level for index in indices if index.number == number), None)


def _indices(raw, problems: list) -> list[Index]:
    if not isinstance(raw, list) or not raw:
        problems.append(_l("indices must be a non-empty list."))
        return []
    indices, rules = [], set()
    for position, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            problems.append(_l("Index %(n)s is not an object.", n=position))
            continue
        number = entry.get("number")
        if number != position:
            problems.append(_l("Index %(n)s: indices must be numbered 1, 2, 3… in order; "
                               "found %(found)s.", n=position, found=number))
            continue
        rule = entry.get("rule")
        if rule not in RULES:
            problems.append(_l("Index %(n)s: unknown rule %(rule)s (known: %(known)s).",
                               n=position, rule=rule, known=", ".join(RULES)))
            continue
        if rule in rules:
            problems.append(_l("Index %(n)s: the rule %(rule)s is used twice.",
                               n=position, rule=rule))
        rules.add(rule)
        level, allowed = RULES[rule]
        if entry.get("level") != level:
            problems.append(_l("Index %(n)s: the rule %(rule)s is scored per %(level)s.",
                               n=position, rule=rule, level=level))
        if not _texts(entry):
            problems.append(_l("Index %(n)s needs its name in Vietnamese and English (vi, en).",
                               n=position))
        params = _params(entry.get("params") or {}, allowed, position, problems)
        citizen = _citizen(entry.get("citizen"), rule, position, problems)
        indices.append(Index(number, rule, level, str(entry.get("vi", "")).strip(),
                             str(entry.get("en", "")).strip(), params, citizen))
    return indices


def _params(raw, allowed: dict, position: int, problems: list) -> dict:
    if not isinstance(raw, dict) or set(raw) != set(allowed):
        if allowed or raw:
            problems.append(_l("Index %(n)s: params must be exactly %(names)s.", n=position,
                               names=", ".join(allowed) or "{}"))
        return {}
    params = {}
    for name, (low, high) in allowed.items():
        value = raw[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not low <= value <= high:
            problems.append(_l("Index %(n)s: %(name)s must be a number from %(low)s to "
                               "%(high)s.", n=position, name=name, low=low, high=high))
            continue
        params[name] = Decimal(str(value))
    for lower, upper in (("partial", "full"), ("online_share_partial", "online_share_full")):
        if lower in params and upper in params and params[lower] > params[upper]:
            problems.append(_l("Index %(n)s: %(lower)s must not exceed %(upper)s.", n=position,
                               lower=lower, upper=upper))
    return params


def _citizen(raw, rule: str, position: int, problems: list) -> CitizenQuestion | None:
    if raw is None:
        return None
    if rule not in CITIZEN_RULES:
        problems.append(_l("Index %(n)s: citizens do not rate this index (TT 01 Điều 13 gives "
                           "them indices 1, 3, 4 and 7).", n=position))
        return None
    options = raw.get("options") if isinstance(raw, dict) else None
    if not _texts(raw) or not isinstance(options, list) or len(options) < 2 \
            or not all(isinstance(option, dict) and _texts(option)
                       and option.get("points") in POINTS
                       and not isinstance(option.get("points"), bool) for option in options) \
            or len({option["points"] for option in options}) != len(options):
        problems.append(_l("Index %(n)s: the citizen's question needs vi and en texts and at "
                           "least two options, each with its own points (0, 1 or 2) and vi "
                           "and en labels.", n=position))
        return None
    return CitizenQuestion(raw["vi"].strip(), raw["en"].strip(), tuple(
        Option(option["points"], option["vi"].strip(), option["en"].strip())
        for option in options))


def _bands(raw, name: str, problems: list) -> tuple[Band, ...]:
    """Rating bands, highest first: each from its minimum up to the band above; the lowest
    starts at 0, so that every total has exactly one rating."""
    if not isinstance(raw, list) or len(raw) < 2:
        problems.append(_l("%(name)s must list at least two ratings.", name=name))
        return ()
    bands, codes = [], set()
    for position, entry in enumerate(raw, start=1):
        minimum = _decimal(entry.get("min")) if isinstance(entry, dict) else None
        code = entry.get("code") if isinstance(entry, dict) else None
        if minimum is None or minimum < 0 or not isinstance(code, str) \
                or not CODE.match(code) or code in codes or not _texts(entry):
            problems.append(_l("%(name)s, rating %(n)s: needs its own code (lower case), a "
                               "minimum of 0 or more, and vi and en labels.", name=name,
                               n=position))
            continue
        codes.add(code)
        bands.append(Band(code, minimum, entry["vi"].strip(), entry["en"].strip()))
    if len(bands) == len(raw):
        minimums = [band.minimum for band in bands]
        if any(upper <= lower for upper, lower in zip(minimums, minimums[1:], strict=False)):
            problems.append(_l("%(name)s overlap: list them from the highest minimum down, "
                               "each minimum below the one before.", name=name))
        if minimums[-1] != 0:
            problems.append(_l("%(name)s leave totals below %(min)s without a rating: the "
                               "lowest must start at 0.", name=name, min=minimums[-1]))
    return tuple(bands)


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:  # pragma: no cover - a float always converts
        return None


def _texts(entry) -> bool:
    """An object with non-empty 'vi' and 'en' texts of reasonable length."""
    return isinstance(entry, dict) and all(
        isinstance(entry.get(lang), str) and entry[lang].strip()
        and len(entry[lang]) <= TEXT_MAX for lang in ("vi", "en"))
