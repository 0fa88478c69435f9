"""Who reads which personal data (DOMAIN.md §4.6 and §8; Law 91/2025/QH15: processing only
for its purpose). One module decides; pages and exports ask it.

- The citizen's contact details (name, address, phone, email, files) of a ticket: only the
  people handling that ticket (decided in the feedback package).
- Free text written by citizens (survey comments, ticket texts): verbatim for the roles that
  work with citizens' cases (reception, handlers, the secretariat, admins); **masked** for
  everyone else, leaders included, in pages and exports alike (:func:`text_for`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from flask_login import current_user

from portal import redact
from portal.auth.roles import ADMIN, HANDLER, RECEPTION, SECRETARIAT
from portal.text import fold

VERBATIM_ROLES = frozenset({RECEPTION, HANDLER, SECRETARIAT, ADMIN})

Row = TypeVar("Row")


def reads_verbatim(user=None) -> bool:
    """Whether ``user`` (the signed-in user by default) may read citizens' own words."""
    user = current_user if user is None else user
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*VERBATIM_ROLES)


def text_for(text: str | None, user=None, known_names=(), known_addresses=()) -> str:
    """``text`` as ``user`` may read it: verbatim, or with every personal detail masked (and
    the sender's ``known_names`` and ``known_addresses`` wherever they occur)."""
    if not text:
        return text or ""
    if reads_verbatim(user):
        return text
    return redact.redact(text, known_names, known_addresses).text


def matching(rows: Iterable[Row], search: str | None, text: Callable[[Row], str | None],
             user=None) -> list[Row]:
    """The ``rows`` whose text, as ``user`` reads it, contains ``search`` (accents ignored):
    a reader of masked text must not find a row by a name they cannot see."""
    rows = list(rows)
    if not search or reads_verbatim(user):
        return rows
    wanted = fold(search)
    return [row for row in rows if wanted in fold(text_for(text(row), user))]


def init_app(app) -> None:
    app.jinja_env.filters["for_reader"] = text_for
