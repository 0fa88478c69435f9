"""Reading and checking a procedure import file (docs/procedure-import.md).

Pure: no Flask request, no session. ``parse_import(data, filename)`` returns the clean rows and
every problem found, each with its line number, so that nothing is written unless all is well.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from portal.file_import import ParsedImport, Problem, check_rows, read_rows
from portal.pages.models import LEVEL_FULL, LEVEL_NONE, LEVEL_PARTIAL
from portal.text import clean_text, whole_number

REQUIRED = ("code", "name", "field", "processing_body", "steps", "method", "dossier",
            "dossier_quantity", "time_limit", "subjects", "result", "legal_basis")
OPTIONAL = ("name_en", "field_en", "level", "postal_return", "postal_fee", "time_limit_days",
            "forms", "requirements", "fees", "decision", "internal_process")
COLUMNS = REQUIRED + OPTIONAL

# Longest text per column; any other text column takes TEXT_MAX.
MAX_LENGTHS = {"code": 30, "name": 500, "name_en": 500, "field": 150, "field_en": 150,
               "processing_body": 300,
               "dossier_quantity": 200}
TEXT_MAX = 20_000
STEP_MAX, STEP_PART_MAX = 500, 200
CODE_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,30}$")

LEVEL_WORDS = {
    "toàn trình": LEVEL_FULL, "toan trinh": LEVEL_FULL, "full": LEVEL_FULL, "4": LEVEL_FULL,
    "một phần": LEVEL_PARTIAL, "mot phan": LEVEL_PARTIAL, "partial": LEVEL_PARTIAL,
    "3": LEVEL_PARTIAL,
    "": LEVEL_NONE, "none": LEVEL_NONE, "không": LEVEL_NONE, "khong": LEVEL_NONE,
}
YES_WORDS = {"có", "co", "yes", "y", "1", "x", "true"}
NO_WORDS = {"không", "khong", "no", "n", "0", "", "false"}


def parse_import(data: bytes, filename: str, *, max_bytes: int) -> ParsedImport:
    """Decode, read and check a whole import file."""
    result = ParsedImport()
    raw_rows = read_rows(data, filename, result, max_bytes=max_bytes, required=REQUIRED,
                         columns=COLUMNS, nothing=_l("The file has no procedures in it."),
                         not_a_list=_l("The JSON file must hold a list of procedures."))
    check_rows(raw_rows, result, _check_row, lambda **values: _l(
        "Code %(code)s appears twice in the file (first at %(first)s).", **values))
    return result


def _as_text(value) -> str | None:
    """A JSON or CSV value as text; a list of strings becomes lines. None if not text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return clean_text("\n".join(value))
    return None


def _check_row(raw: dict, line: int, problems: list[Problem]) -> dict | None:
    row: dict = {}
    errors: list = []
    if isinstance(raw.get("postal_return"), bool):  # JSON true/false
        raw = {**raw, "postal_return": "có" if raw["postal_return"] else "không"}
    for name in COLUMNS:
        if name == "internal_process":
            continue
        value = _as_text(raw.get(name))
        if value is None:
            errors.append(_l("%(column)s must be text.", column=name))
            continue
        if name in REQUIRED and not value:
            errors.append(_l("%(column)s is required.", column=name))
        limit = MAX_LENGTHS.get(name, TEXT_MAX)
        if len(value) > limit:
            errors.append(_l("%(column)s is longer than %(limit)s characters.",
                             column=name, limit=limit))
        row[name] = value
    if row.get("code") and not CODE_PATTERN.match(row["code"]):
        errors.append(_l("code may hold only letters, digits, '.', '-' and '_'."))
    if "name" in row and "\n" in row["name"]:
        errors.append(_l("name must be on one line."))
    level = (row.get("level") or "").lower()
    if level in LEVEL_WORDS:
        row["level"] = LEVEL_WORDS[level]
    else:
        errors.append(_l("level must be 'toàn trình', 'một phần' or empty."))
    postal = (row.get("postal_return") or "").lower()
    if postal in YES_WORDS or postal in NO_WORDS:
        row["postal_return"] = postal in YES_WORDS
    else:
        errors.append(_l("postal_return must be 'có' or 'không'."))
    days = row.get("time_limit_days") or ""
    if days == "":
        row["time_limit_days"] = None
    elif (number := whole_number(days, 3)) is not None and number <= 365:
        row["time_limit_days"] = number
    else:
        errors.append(_l("time_limit_days must be a whole number from 0 to 365."))
    row["internal_process"] = _check_process(raw.get("internal_process"), errors)
    for message in errors:
        problems.append(Problem(line, message))
    return None if errors else row


def parse_process_text(text: str) -> tuple[list[dict], object]:
    """Steps written one a line as 'description | unit | duration' (CSV cells, the staff form).

    :return: the steps and None, or no steps and a message saying what is wrong.
    """
    steps = []
    for line in clean_text(text).split("\n"):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > 3:
            return [], _l("internal_process: write each step as "
                          "'description | unit | duration'.")
        parts += [""] * (3 - len(parts))
        steps.append({"step": parts[0], "unit": parts[1], "duration": parts[2]})
    return steps, _check_steps(steps)


def _check_steps(steps: list[dict]):
    for step in steps:
        if not step["step"]:
            return _l("internal_process: every step needs a description.")
        if any("|" in part or "\n" in part for part in step.values()):
            # '|' separates the parts when a step is written on one line (CSV, staff form).
            return _l("internal_process: a step may not contain '|' or a line break.")
        if (len(step["step"]) > STEP_MAX or len(step["unit"]) > STEP_PART_MAX
                or len(step["duration"]) > STEP_PART_MAX):
            return _l("internal_process: a step is too long.")
    return None


def _check_process(value, errors: list) -> list[dict]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        steps, problem = parse_process_text(value)
    elif isinstance(value, list) and all(isinstance(step, dict) for step in value):
        steps, problem = [], None
        for step in value:
            texts = {key: _as_text(step.get(key)) for key in ("step", "unit", "duration")}
            if None in texts.values() or set(step) - {"step", "unit", "duration"}:
                problem = _l("internal_process: each step needs only text keys "
                             "step, unit and duration.")
                break
            steps.append(texts)
        problem = problem or _check_steps(steps)
    else:
        steps, problem = [], _l("internal_process must be a list of steps.")
    if problem:
        errors.append(problem)
        return []
    return steps
