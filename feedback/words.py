"""Finding tickets by their words (issue 13, point 3). A search keeps the tickets whose folded
text holds every term anywhere (``LIKE '%term%'``); the word index of migration 0026 finds
the few tickets that hold a rare term without reading every ticket.

PostgreSQL's planner weighs its pg_trgm indexes against the list's own order by itself. SQLite
cannot: there the FTS5 index is asked first, up to RARE tickets. When the terms are rarer than
that, the list reads only the tickets the index found; when they are common, the list's own
order (an index) finds a page of them soonest, as it did without a word index. The terms are
matched on the ticket's own text in both cases: the index only narrows, it never decides.
"""
from __future__ import annotations

import re

from sqlalchemy import Select, column, insert, select, table
from sqlalchemy.orm import Session

from portal.text import fold, like_escape

MAX_TERMS = 8
# Terms the trigram index can look up: three letters or digits at least (a shorter one, or
# one with a LIKE wildcard, is matched on the text only).
INDEXED = re.compile(r"[a-z0-9]{3,}")
RARE = 2000  # more tickets than this hold the terms: read the list in its own order
# The word index's own tables and indexes (migration 0026), outside the models: SQLAlchemy
# cannot describe an FTS5 table or a GIN index on one dialect only.
INDEX_NAMES = ("ticket_words", "ix_ticket_search_text_words", "ix_ticket_public_search_words")
WORDS = table("ticket_words", column("ticket_words"), column("rowid"), column("search_text"),
              column("public_search"))


def described(name: str | None, _kind: str, _parent_names) -> bool:
    """For alembic's comparison of the models with a database (include_name): whether
    ``name`` is theirs to compare (not the word index)."""
    return not (name or "").startswith(INDEX_NAMES)


def terms(query: str) -> list[str]:
    """The folded terms of a search, as many as are used."""
    return fold(query).split()[:MAX_TERMS]


def holding(session: Session | None, statement: Select, id_column, text_column,
            query: str) -> Select:
    """``statement`` kept to the rows whose ``text_column`` (a folded text of Ticket) holds
    every term of ``query``; with ``session``, narrowed through the word index."""
    wanted = terms(query)
    for term in wanted:
        statement = statement.where(text_column.like(f"%{like_escape(term)}%", escape="\\"))
    indexed = [term for term in wanted if INDEXED.fullmatch(term)]
    if session is None or not indexed or session.get_bind().dialect.name != "sqlite":
        return statement
    # the index's own query (each term's pieces in a row, within the column): 3 times faster
    # than LIKE on it, which reads every candidate's text (measured); safe to write out, the
    # terms being letters and digits only
    phrases = " AND ".join(f'"{term}"' for term in indexed)
    match = f"{text_column.key} : ({phrases})"
    found = select(WORDS.c.rowid).where(WORDS.c.ticket_words.op("MATCH")(match))
    if len(session.execute(found.limit(RARE + 1)).all()) > RARE:
        return statement
    return statement.where(id_column.in_(found))


def purge(session: Session) -> None:
    """After texts were erased: on SQLite, merge the word index into one piece, so that its
    pages hold nothing of the old texts (FTS5 marks a changed text's pieces as deleted and
    drops them only when it merges). The pages it frees are not overwritten, as no page
    SQLite frees is (``secure_delete`` is off): the erased ticket's own row is in the same
    case. PostgreSQL's indexes are never read apart from their table."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(insert(WORDS).values({"ticket_words": "optimize"}))
