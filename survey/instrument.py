"""Checking a questionnaire file (the shape of survey/instrument/sipas-2023.1.json) before it
is published as a new version. Pure: no Flask request, no session."""
from __future__ import annotations

import json
import re

from flask_babel import lazy_gettext as _l

CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,19}$")
VERSION = re.compile(r"^[A-Za-z0-9._-]{1,20}$")
TEXT_MAX = 1000


def check(data: bytes) -> tuple[dict | None, list]:
    """The instrument and no problems, or None and every problem found."""
    try:
        instrument = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, [_l("The file is not UTF-8 JSON.")]
    if not isinstance(instrument, dict):
        return None, [_l("The file must hold one questionnaire object.")]
    problems = []
    version = instrument.get("version")
    if not isinstance(version, str) or not VERSION.match(version):
        problems.append(_l("version must be 1-20 letters, digits, '.', '-' or '_'."))
    if not _text(instrument.get("title"), required=True):
        problems.append(_l("title needs a Vietnamese text (vi)."))
    if not _text(instrument.get("instruction"), required=False):
        problems.append(_l("instruction must have vi and en texts."))
    scale = instrument.get("scale")
    levels = scale.get("levels") if isinstance(scale, dict) else None
    if (not isinstance(levels, list) or [level.get("value") if isinstance(level, dict) else None
                                         for level in levels] != [1, 2, 3, 4, 5]
            or not all(_text(level, required=True) for level in levels)
            or not _text(scale.get("not_applicable"), required=True)):
        problems.append(_l("scale must list the levels 1 to 5 with their labels, and the "
                           "\"no answer\" label."))
    dimensions = instrument.get("dimensions")
    if not isinstance(dimensions, list) or not dimensions:
        problems.append(_l("dimensions must be a non-empty list."))
        return None, problems
    seen_dimensions, seen_items = set(), set()
    for position, dimension in enumerate(dimensions, start=1):
        if not isinstance(dimension, dict):
            problems.append(_l("Dimension %(n)s is not an object.", n=position))
            continue
        code = dimension.get("code")
        if not isinstance(code, str) or not CODE.match(code) or code in seen_dimensions:
            problems.append(_l("Dimension %(n)s needs a new code in capitals, e.g. CONG_CHUC.",
                               n=position))
        seen_dimensions.add(code)
        if not _text(dimension, required=True):
            problems.append(_l("Dimension %(n)s needs a Vietnamese name (vi).", n=position))
        items = dimension.get("items")
        if not isinstance(items, list) or not items:
            problems.append(_l("Dimension %(n)s has no statements.", n=position))
            continue
        for item in items:
            item_code = item.get("code") if isinstance(item, dict) else None
            if not isinstance(item_code, str) or not CODE.match(item_code) \
                    or item_code in seen_items:
                problems.append(_l("Dimension %(n)s: every statement needs its own code in "
                                   "capitals, e.g. CC1.", n=position))
            elif not _text(item, required=True):
                problems.append(_l("Statement %(code)s needs a Vietnamese text (vi).",
                                   code=item_code))
            seen_items.add(item_code)
    problems += _expectation_problems(instrument, seen_items)
    return (None, problems) if problems else (instrument, [])


def _expectation_problems(instrument: dict, statement_codes: set) -> list:
    """The optional expectation question: a question, a scale of whole values with labels,
    and items with codes of their own; ``ask_expectation`` (true/false) asks it."""
    if not isinstance(instrument.get("ask_expectation", False), bool):
        return [_l("ask_expectation must be true or false.")]
    expectation = instrument.get("expectation")
    if expectation is None:
        return [_l("ask_expectation needs an expectation question.")] \
            if instrument.get("ask_expectation") else []
    if not isinstance(expectation, dict) or not _text(expectation, required=True):
        return [_l("expectation needs the question in Vietnamese (vi).")]
    problems = []
    scale = expectation.get("scale")
    values = [level.get("value") if isinstance(level, dict) else None
              for level in scale] if isinstance(scale, list) else []
    if (len(values) < 2 or len(set(values)) != len(values)
            or not all(isinstance(value, int) and not isinstance(value, bool)
                       and 1 <= value <= 9 for value in values)
            or not all(_text(level, required=True) for level in scale)):
        problems.append(_l("expectation.scale must list at least two different whole values "
                           "from 1 to 9, each with its label."))
    items = expectation.get("items")
    if not isinstance(items, list) or not items:
        return problems + [_l("expectation.items must be a non-empty list.")]
    seen = set()
    for item in items:
        code = item.get("code") if isinstance(item, dict) else None
        if not isinstance(code, str) or not CODE.match(code) or code in seen \
                or code in statement_codes:
            problems.append(_l("Every expectation item needs its own code in capitals, not a "
                               "statement's code, e.g. KV1."))
        elif not _text(item, required=True):
            problems.append(_l("Expectation item %(code)s needs a Vietnamese text (vi).",
                               code=code))
        seen.add(code)
    return problems


def _text(entry, *, required: bool) -> bool:
    """An object with a 'vi' text (required or not) and optionally an 'en' text."""
    if entry is None:
        return not required
    if not isinstance(entry, dict):
        return False
    vi, en = entry.get("vi"), entry.get("en")
    if required and not (isinstance(vi, str) and vi.strip()):
        return False
    return all(value is None or (isinstance(value, str) and len(value) <= TEXT_MAX)
               for value in (vi, en))
