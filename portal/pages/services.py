"""Writes to the disclosure content. Services flush; the request (or command) commits."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.db import utcnow
from portal.pages.models import HotlineNumber, HotlinePage, Procedure, ProcedureField, ProcedureStep
from portal.text import fold

# Columns copied as they are from a checked row (procedure_import.COLUMNS less the derived ones).
PLAIN_COLUMNS = ("code", "name", "level", "processing_body", "steps", "method",
                 "postal_return", "dossier", "dossier_quantity", "time_limit",
                 "time_limit_days", "subjects", "result", "legal_basis")
OPTIONAL_TEXT_COLUMNS = ("name_en", "postal_fee", "forms", "requirements", "fees", "decision")


class FieldCache:
    """Fields by name, created on first use, so an import of 1,000 rows looks each up once."""

    def __init__(self, session: Session):
        self.session = session
        self.by_name = {field.name: field for field in session.scalars(select(ProcedureField))}

    def get(self, name: str, name_en: str | None = None) -> ProcedureField:
        """The field called ``name``; an English name, when given, replaces the stored one."""
        field = self.by_name.get(name)
        if field is None:
            field = ProcedureField(name=name)
            self.session.add(field)
            self.by_name[name] = field
        if name_en:
            field.name_en = name_en
        return field


def apply_values(procedure: Procedure, values: dict, field: ProcedureField) -> None:
    """Copy checked values (a row of procedure_import or a form's data) onto a procedure."""
    for column in PLAIN_COLUMNS:
        setattr(procedure, column, values[column])
    for column in OPTIONAL_TEXT_COLUMNS:
        setattr(procedure, column, values.get(column) or None)
    procedure.field = field
    # Set here, not by onupdate: that fires only when a column of this row changes, not the
    # steps, and "last updated" on the public page must move with every save.
    procedure.updated_at = utcnow()
    procedure.process_steps = [
        ProcedureStep(position=position, description=step["step"],
                      unit=step["unit"] or None, duration=step["duration"] or None)
        for position, step in enumerate(values.get("internal_process") or [], start=1)
    ]
    procedure.search_text = fold(" ".join(filter(None, (
        procedure.code, procedure.name, procedure.name_en, field.name, field.name_en,
        procedure.processing_body, procedure.subjects, procedure.result))))


def save_procedure(session: Session, procedure: Procedure | None, values: dict) -> Procedure:
    """Create (procedure None) or update one procedure from a form, and audit it."""
    creating = procedure is None
    field = FieldCache(session).get(values["field"], values.get("field_en"))
    if creating:
        procedure = Procedure()
    apply_values(procedure, values, field)
    session.add(procedure)  # only once complete: a query above may autoflush
    session.flush()
    audit.record(session, "procedure.create" if creating else "procedure.update",
                 target_type="procedure", target_id=procedure.code)
    return procedure


def code_taken(session: Session, code: str) -> bool:
    return session.scalar(select(Procedure.id).where(Procedure.code == code)) is not None


@dataclass
class ImportSummary:
    created: int
    updated: int
    dry_run: bool


def import_procedures(session: Session, rows: list[dict], *, dry_run: bool,
                      source: str) -> ImportSummary:
    """Upsert checked rows by code. With dry_run, count what would change and write nothing.

    The caller has already refused the whole file if any row was bad, so this either applies
    every row or (on a database error) none: it runs in the caller's single transaction.
    """
    codes = [row["code"] for row in rows]
    existing: dict[str, Procedure] = {}
    for start in range(0, len(codes), 500):  # stay under every database's parameter limit
        chunk = codes[start:start + 500]
        existing.update((p.code, p) for p in
                        session.scalars(select(Procedure).where(Procedure.code.in_(chunk))))
    updated = sum(1 for code in codes if code in existing)
    summary = ImportSummary(created=len(rows) - updated, updated=updated, dry_run=dry_run)
    if dry_run:
        return summary
    fields = FieldCache(session)
    for row in rows:
        procedure = existing.get(row["code"]) or Procedure()
        procedure.retired_at = None
        apply_values(procedure, row, fields.get(row["field"], row.get("field_en")))
        session.add(procedure)  # only once complete: loading old steps may autoflush
    session.flush()
    audit.record(session, "procedure.import", target_type="procedure",
                 details={"source": source[:200], "created": summary.created,
                          "updated": summary.updated})
    return summary


def retire_procedure(session: Session, procedure: Procedure) -> None:
    if procedure.retired_at is None:
        procedure.retired_at = utcnow()
        session.flush()
        audit.record(session, "procedure.retire", target_type="procedure",
                     target_id=procedure.code)


def restore_procedure(session: Session, procedure: Procedure) -> None:
    if procedure.retired_at is not None:
        procedure.retired_at = None
        session.flush()
        audit.record(session, "procedure.restore", target_type="procedure",
                     target_id=procedure.code)


HOTLINE_COLUMNS = ("org_name", "org_name_en", "address", "address_en", "postal_address",
                   "postal_address_en", "email", "website", "office_hours", "office_hours_en",
                   "rules", "rules_en")


def save_hotline(session: Session, values: dict, numbers: list[dict]) -> HotlinePage:
    """Replace the hotline page content; ``numbers`` holds label, label_en and number."""
    page = session.scalar(select(HotlinePage).limit(1))
    if page is None:
        page = HotlinePage()
        session.add(page)
    for column in HOTLINE_COLUMNS:
        setattr(page, column, values.get(column) or None)
    page.updated_at = utcnow()  # also when only the numbers changed
    page.numbers = [
        HotlineNumber(position=position, label=entry["label"],
                      label_en=entry.get("label_en") or None, number=entry["number"])
        for position, entry in enumerate(numbers, start=1)
    ]
    session.flush()
    audit.record(session, "hotline.update", target_type="hotline_page", target_id=page.id)
    return page
