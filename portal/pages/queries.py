"""Reads that feed the public pages and the staff lists of disclosure content."""
from __future__ import annotations

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from portal.pages.models import HotlinePage, Procedure, ProcedureField
from portal.text import fold, like_escape, search_terms


def hotline_page(session: Session) -> HotlinePage | None:
    return session.scalar(select(HotlinePage).order_by(HotlinePage.id).limit(1))


def procedure_search(query: str | None = None, *, field_id: int | None = None,
                     level: str | None = None, body: str | None = None,
                     include_retired: bool = False) -> Select:
    """Procedures matching every word of ``query`` (diacritics and case ignored) and filters.

    Ordered with procedures containing the whole phrase first, then by name.
    """
    statement = select(Procedure)
    if not include_retired:
        statement = statement.where(Procedure.retired_at.is_(None))
    terms = search_terms(query)
    if terms:
        statement = statement.where(and_(*(
            Procedure.search_text.like(f"%{like_escape(term)}%", escape="\\") for term in terms
        )))
        phrase = like_escape(" ".join(terms))
        statement = statement.order_by(case(
            (func.lower(Procedure.code) == fold(query), 0),
            (Procedure.search_text.like(f"%{phrase}%", escape="\\"), 1),
            else_=2,
        ))
    if field_id is not None:
        statement = statement.where(Procedure.field_id == field_id)
    if level:
        statement = statement.where(Procedure.level == level)
    if body:
        statement = statement.where(Procedure.processing_body == body)
    return statement.order_by(Procedure.name, Procedure.id)


def procedure_by_code(session: Session, code: str, *, include_retired: bool = False):
    statement = select(Procedure).where(Procedure.code == code)
    if not include_retired:
        statement = statement.where(Procedure.retired_at.is_(None))
    return session.scalar(statement)


def fields_in_use(session: Session) -> list[ProcedureField]:
    """Fields that at least one published procedure belongs to, by name."""
    in_use = select(Procedure.field_id).where(Procedure.retired_at.is_(None))
    return list(session.scalars(
        select(ProcedureField).where(ProcedureField.id.in_(in_use)).order_by(ProcedureField.name)
    ))


def processing_bodies(session: Session) -> list[str]:
    return list(session.scalars(
        select(Procedure.processing_body).where(Procedure.retired_at.is_(None))
        .distinct().order_by(Procedure.processing_body)
    ))


def all_fields(session: Session) -> list[ProcedureField]:
    return list(session.scalars(select(ProcedureField).order_by(ProcedureField.name)))
