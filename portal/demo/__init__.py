"""Demo data: the department's units, the hotline page, procedures, one user per role.

Loading is idempotent: units and procedures are upserted by code, the hotline page is written
only when there is none (an administrator's edits are kept), and the demo users' passwords are
reset to the given one.
"""
from __future__ import annotations

import json
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import Unit
from portal.auth.roles import ADMIN, HANDLER, LEADER, RECEPTION, ROLES, SECRETARIAT
from portal.auth.services import create_user, find_user, update_user
from portal.pages import queries, services
from portal.pages.models import Procedure
from portal.pages.procedure_import import parse_import

DEMO_DIR = Path(__file__).resolve().parent

UNITS = [
    ("VP", "Văn phòng Sở", "Department Office (Secretariat)"),
    ("CCQLDD", "Chi cục Quản lý đất đai", "Sub-department of Land Management"),
    ("VPDKDD", "Văn phòng Đăng ký đất đai", "Land Registration Office"),
    ("TTS", "Thanh tra Sở", "Department Inspectorate"),
    ("PTNN", "Phòng Tài nguyên nước", "Water Resources Division"),
    ("PMT", "Phòng Môi trường", "Environment Division"),
    ("PKS", "Phòng Khoáng sản", "Minerals Division"),
    ("PDDBD", "Phòng Đo đạc, bản đồ và viễn thám",
     "Surveying, Mapping and Remote Sensing Division"),
    ("TTCNTT", "Trung tâm Công nghệ thông tin", "Information Technology Centre"),
]

# One user per role, named after the role (the rule), each in a fitting unit; the
# department's leader belongs to no unit (they see and review every unit's work).
USERS = [
    (ADMIN, "Quản trị hệ thống", "TTCNTT"),
    (RECEPTION, "Cán bộ tiếp nhận Một cửa", "VP"),
    (HANDLER, "Chuyên viên xử lý", "CCQLDD"),
    (SECRETARIAT, "Chuyên viên Văn phòng Sở", "VP"),
    (LEADER, "Lãnh đạo Sở", None),
]
assert {role for role, _, _ in USERS} == set(ROLES)


def load_units(session: Session) -> dict[str, Unit]:
    units = {unit.code: unit for unit in session.scalars(select(Unit))}
    for code, name, name_en in UNITS:
        if code not in units:
            units[code] = Unit(code=code, name=name, name_en=name_en)
            session.add(units[code])
    session.flush()
    return units


def load_users(session: Session, units: dict[str, Unit], password: str) -> list[str]:
    names = []
    for role, full_name, unit_code in USERS:
        user = find_user(session, role)
        if user is None:
            create_user(session, username=role, full_name=full_name, password=password,
                        email=f"{role}@example.invalid",
                        unit=units[unit_code] if unit_code else None, roles=[role])
        else:
            update_user(session, user, full_name=user.full_name, email=user.email,
                        unit=user.unit, roles=user.roles | {role}, active=True,
                        password=password)
        names.append(role)
    return names


def load_hotline(session: Session) -> bool:
    if queries.hotline_page(session) is not None:
        return False
    content = json.loads((DEMO_DIR / "hotline.json").read_text(encoding="utf-8"))
    values = {}
    for column in ("org_name", "address", "postal_address", "office_hours", "rules"):
        values[column] = content[column]["vi"]
        values[column + "_en"] = content[column]["en"]
    values["email"], values["website"] = content["email"], content["website"]
    numbers = [{"label": entry["label"]["vi"], "label_en": entry["label"]["en"],
                "number": entry["number"]} for entry in content["hotlines"]]
    services.save_hotline(session, values, numbers)
    return True


def load_procedures(session: Session) -> int:
    """Add the demo procedures whose codes are not there yet (edited ones are kept)."""
    path = DEMO_DIR / "procedures.json"
    parsed = parse_import(path.read_bytes(), path.name,
                          max_bytes=current_app.config["IMPORT_MAX_BYTES"])
    if not parsed.ok:  # the shipped file is checked by the tests; this guards edits to it
        raise RuntimeError("; ".join(f"{p.line}: {p.message}" for p in parsed.problems))
    existing = set(session.scalars(select(Procedure.code)))
    new_rows = [row for row in parsed.rows if row["code"] not in existing]
    if new_rows:
        services.import_procedures(session, new_rows, dry_run=False, source="demo-data")
    return len(parsed.rows)


def load_all(session: Session, password: str) -> dict:
    """Load everything; the other packages add their loaders to app.extensions['demo_loaders']."""
    units = load_units(session)
    report = {
        "units": len(units),
        "users": load_users(session, units, password),
        "hotline": load_hotline(session),
        "procedures": load_procedures(session),
    }
    for loader in current_app.extensions.get("demo_loaders", []):
        report.update(loader(session, units))
    return report
