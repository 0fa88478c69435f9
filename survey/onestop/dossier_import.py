"""Reading and checking a dossier import file from the provincial one-stop system
(docs/dossier-import.md). Pure: no Flask request, no session: the codes the rows may name
(units, procedures, officers) are passed in.

``parse_import(data, filename, known, max_bytes=…)`` returns the clean rows and every problem
found, each with its line, so that nothing is written unless the whole file is right.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l

from portal.file_import import ParsedImport, Problem, check_rows, read_rows
from portal.text import clean_text, whole_number
from portal.workdays import VIETNAM
from survey.onestop.models import (
    CHANNEL_COUNTER,
    CHANNEL_ONLINE,
    CHANNEL_POST,
    IN_PROGRESS,
    REFUSED,
    RETURNED,
    WITHDRAWN,
)

REQUIRED = ("code", "procedure_code", "unit_code", "received_at", "due_at", "channel", "status")
OPTIONAL = ("returned_at", "supplements", "bodies_contacted", "cooperating", "apology_date",
            "apology_reason", "apology_new_due", "verified_complaint", "officer",
            "citizen_name", "citizen_email", "citizen_phone")
COLUMNS = REQUIRED + OPTIONAL
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,59}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
COUNT_MAX = 99
REASON_MAX = 1000

CHANNEL_WORDS = {
    "counter": CHANNEL_COUNTER, "trực tiếp": CHANNEL_COUNTER, "truc tiep": CHANNEL_COUNTER,
    "online": CHANNEL_ONLINE, "trực tuyến": CHANNEL_ONLINE, "truc tuyen": CHANNEL_ONLINE,
    "post": CHANNEL_POST, "bưu chính": CHANNEL_POST, "buu chinh": CHANNEL_POST,
}
STATUS_WORDS = {
    "returned": RETURNED, "đã trả kết quả": RETURNED, "da tra ket qua": RETURNED,
    "withdrawn": WITHDRAWN, "rút hồ sơ": WITHDRAWN, "rut ho so": WITHDRAWN,
    "refused": REFUSED, "từ chối": REFUSED, "tu choi": REFUSED,
    "in_progress": IN_PROGRESS, "đang giải quyết": IN_PROGRESS, "dang giai quyet": IN_PROGRESS,
}
YES = {"có", "co", "yes", "y", "1", "x", "true"}
NO = {"không", "khong", "no", "n", "0", "", "false"}
_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$")


@dataclass(frozen=True)
class Known:
    """What the rows may refer to: unit codes, procedure codes and officers' user names, each
    with its id."""

    units: dict[str, int]
    procedures: dict[str, int]
    officers: dict[str, int]
    retired: dict[int, datetime] = field(default_factory=dict)  # procedure id -> when


def parse_import(data: bytes, filename: str, known: Known, *, max_bytes: int) -> ParsedImport:
    """Decode, read and check a whole dossier file."""
    result = ParsedImport()
    raw_rows = read_rows(data, filename, result, max_bytes=max_bytes, required=REQUIRED,
                         columns=COLUMNS, nothing=_l("The file has no dossiers in it."),
                         not_a_list=_l("The JSON file must hold a list of dossiers."))
    check_rows(raw_rows, result, lambda raw, line, problems: _check_row(
        raw, line, known, problems), lambda **values: _l(
        "Dossier %(code)s appears twice in the file (first at %(first)s).", **values))
    return result


def parse_moment(value: str) -> datetime | None:
    """'dd/mm/yyyy[ HH:MM[:SS]]' or 'yyyy-mm-dd[THH:MM[:SS]]', Vietnam time; None if neither.
    A date without a time means the start of that day."""
    value = value.strip()
    match = _DAY_FIRST.match(value)
    if match:
        day, month, year, hour, minute, second = match.groups()
    else:
        match = _ISO.match(value)
        if not match:
            return None
        year, month, day, hour, minute, second = match.groups()
    try:
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                        int(second or 0), tzinfo=VIETNAM)
    except ValueError:
        return None


def parse_day(value: str) -> date | None:
    moment = parse_moment(value)
    return moment.date() if moment and moment.time() == time(0) else None


def _text(raw: dict, name: str) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, (int, float)):
        return str(value)
    return clean_text(value).strip() if isinstance(value, str) else "\x00"


def _check_row(raw: dict, line: int, known: Known, problems: list[Problem]) -> dict | None:
    errors: list = []
    text = {name: _text(raw, name) for name in COLUMNS if name != "cooperating"}
    for name, value in text.items():
        if value == "\x00":
            errors.append(_l("%(column)s must be text.", column=name))
        elif name in REQUIRED and not value:
            errors.append(_l("%(column)s is required.", column=name))
    if errors:
        problems.extend(Problem(line, message) for message in errors)
        return None
    row: dict = {"code": text["code"], "line": line}
    if not CODE.match(text["code"]):
        errors.append(_l("code must be 1-60 letters, digits, '.', '/', '-' or '_'."))
    row["procedure_id"] = known.procedures.get(text["procedure_code"])
    if row["procedure_id"] is None:
        errors.append(_l("procedure_code %(code)s is not in the procedure catalogue.",
                         code=text["procedure_code"]))
    row["unit_id"] = known.units.get(text["unit_code"].upper())
    if row["unit_id"] is None:
        errors.append(_l("unit_code %(code)s is not a unit of the department.",
                         code=text["unit_code"]))
    moments = {}
    for name in ("received_at", "due_at", "returned_at"):
        if text[name]:
            moments[name] = parse_moment(text[name])
            if moments[name] is None:
                errors.append(_l("%(column)s must be a date as dd/mm/yyyy or yyyy-mm-dd, "
                                 "with the time if known (dd/mm/yyyy hh:mm).", column=name))
    received, due = moments.get("received_at"), moments.get("due_at")
    returned = moments.get("returned_at")
    row.update(received_at=received, due_at=due, returned_at=returned)
    if received and due and due <= received:
        errors.append(_l("due_at must be after received_at."))
    if received and returned and returned < received:
        errors.append(_l("returned_at is before received_at."))
    row["channel"] = CHANNEL_WORDS.get(text["channel"].lower())
    if row["channel"] is None:
        errors.append(_l("channel must be 'trực tiếp', 'trực tuyến' or 'bưu chính' "
                         "(counter, online, post)."))
    row["status"] = status = STATUS_WORDS.get(text["status"].lower())
    if status is None:
        errors.append(_l("status must be 'đã trả kết quả', 'rút hồ sơ', 'từ chối' or 'đang "
                         "giải quyết' (returned, withdrawn, refused, in_progress)."))
    elif status in (RETURNED, REFUSED) and not text["returned_at"]:
        errors.append(_l("returned_at is required when the result was returned or the "
                         "dossier refused."))
    elif status == IN_PROGRESS and text["returned_at"]:
        errors.append(_l("A dossier in progress has no returned_at."))
    for name in ("supplements", "bodies_contacted"):
        number = whole_number(text[name] or "0", 2)
        if number is None or number > COUNT_MAX:
            errors.append(_l("%(column)s must be a whole number from 0 to %(max)s.",
                             column=name, max=COUNT_MAX))
        row[name] = number or 0
    complaint = text["verified_complaint"].lower()
    if complaint not in YES | NO:
        errors.append(_l("verified_complaint must be 'có' or 'không'."))
    row["verified_complaint"] = complaint in YES
    officer = text["officer"]
    row["officer_id"] = known.officers.get(officer) if officer else None
    if officer and row["officer_id"] is None:
        errors.append(_l("officer %(name)s is not a staff user name.", name=officer))
    row["participants"] = _participants(raw.get("cooperating"), known, received, errors)
    row.update(_apology(text, due, errors))
    row.update(_citizen(text, errors))
    problems.extend(Problem(line, message) for message in errors)
    return None if errors else row


def _participants(value, known: Known, received: datetime | None, errors: list) -> list[dict]:
    """Cooperating units: in CSV 'UNIT|due|done' entries separated by ';' (done may be empty);
    in JSON a list of {"unit", "due", "done"}."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        entries = [[part.strip() for part in entry.split("|")]
                   for entry in value.split(";") if entry.strip()]
    elif isinstance(value, list) and all(isinstance(entry, dict) for entry in value):
        entries = [[_text(entry, "unit"), _text(entry, "due"), _text(entry, "done")]
                   for entry in value]
    else:
        errors.append(_l("cooperating must list units as 'UNIT|due|done; …'."))
        return []
    participants = []
    for entry in entries:
        unit_code, due_text, done_text = (entry + ["", ""])[:3] if len(entry) <= 3 else ("",) * 3
        unit_id = known.units.get(unit_code.upper())
        due_on = parse_day(due_text) if due_text else None
        done_on = parse_day(done_text) if done_text else None
        if unit_id is None or due_on is None or (done_text and done_on is None):
            errors.append(_l("cooperating: '%(entry)s' must be a unit code, its promised day "
                             "and, if done, its done day (UNIT|dd/mm/yyyy|dd/mm/yyyy).",
                             entry="|".join(entry)))
            continue
        if received and (due_on < received.date() or (done_on and done_on < received.date())):
            errors.append(_l("cooperating: %(unit)s's days are before the dossier was "
                             "received.", unit=unit_code))
            continue
        participants.append({"unit_id": unit_id, "due_on": due_on, "done_on": done_on})
    return participants


def _apology(text: dict, due: datetime | None, errors: list) -> dict:
    given = [name for name in ("apology_date", "apology_reason", "apology_new_due")
             if text[name]]
    if not given:
        return {"apology_on": None, "apology_reason": None, "new_due_on": None}
    if len(given) < 3:
        errors.append(_l("An apology needs apology_date, apology_reason and apology_new_due "
                         "together."))
        return {}
    apology_on, new_due = parse_day(text["apology_date"]), parse_day(text["apology_new_due"])
    if apology_on is None or new_due is None:
        errors.append(_l("apology_date and apology_new_due must be dates (dd/mm/yyyy)."))
    elif due and new_due <= due.date():
        errors.append(_l("apology_new_due must be after the promised date."))
    if len(text["apology_reason"]) > REASON_MAX:
        errors.append(_l("apology_reason is longer than %(limit)s characters.",
                         limit=REASON_MAX))
    return {"apology_on": apology_on, "apology_reason": text["apology_reason"],
            "new_due_on": new_due}


def _citizen(text: dict, errors: list) -> dict:
    name, email = text["citizen_name"], text["citizen_email"]
    phone = re.sub(r"[\s.()-]", "", text["citizen_phone"])
    if len(name) > 200 or "\n" in name:
        errors.append(_l("citizen_name must be one line of at most 200 characters."))
    if email and (len(email) > 254 or not EMAIL.match(email)):
        errors.append(_l("citizen_email is not an email address."))
    if phone and not re.fullmatch(r"\+?\d{8,15}", phone):
        errors.append(_l("citizen_phone is not a phone number."))
    return {"citizen_name": name or None, "citizen_email": email or None,
            "citizen_phone": phone or None}
