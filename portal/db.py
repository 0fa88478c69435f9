"""Database engine, one Session per request, the declarative Base, and the commit point.

Services flush and never commit. The request's single commit happens in ``after_request`` when
the response is not an error; any error response or exception rolls back. CLI commands commit
once at their end with :func:`get_session` ``.commit()``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import DateTime, MetaData, create_engine, event, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeDecorator

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A point in time, stored as naive UTC (portable to SQLite), returned timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use portal.db.utcnow()")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def claim_version(session: Session, row, version_column, shown_version: int,
                  stale: type[Exception]) -> None:
    """Move ``row``'s version on from ``shown_version`` in the database, or raise ``stale``
    (someone else acted after the page was shown).

    A conditional UPDATE rather than a comparison in Python: two people acting at once are
    serialised by the row lock (PostgreSQL), and the second finds the version moved on.
    """
    model = type(row)
    moved = session.execute(
        update(model).where(model.id == row.id, version_column == shown_version)
        .values({version_column.key: version_column + 1})
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise stale
    set_committed_value(row, version_column.key, shown_version + 1)


@dataclass
class Database:
    engine: Engine
    sessionmaker: sessionmaker


def make_engine(url: str) -> Engine:
    """An engine with the settings each backend needs (SQLite: WAL, foreign keys, busy timeout)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
        # SAVEPOINTs work (SQLAlchemy docs, "Serializable isolation / Savepoints").
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A deferred transaction that reads and then writes fails at once ("database is
        # locked") if another connection wrote in between; busy_timeout cannot help it. So a
        # request that may write (anything but GET/HEAD/OPTIONS) takes the write lock up front
        # and waits its turn. WAL readers are never blocked. Commands stay deferred (one
        # holding the lock for its whole run would block the site), except those that read
        # and then write while the site runs: they call write_transaction() first.
        # A request that reads first (read_first) takes it only when it starts writing.
        if has_app_context() and g.get("reads_first"):
            connection.exec_driver_sql("BEGIN")
        elif (has_app_context() and g.get("write_transaction")) or (
                has_request_context() and request.method not in SAFE_METHODS):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db"] = Database(engine, sessionmaker(bind=engine, expire_on_commit=False))
    app.after_request(_commit_unless_error)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The current application context's session, created on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db"].sessionmaker()
    return g.db_session


def write_transaction() -> None:
    """This command reads, then writes, while the site runs: on SQLite its transactions take
    the write lock at their first statement (waiting their turn), instead of failing at the
    first write with "database is locked" when a citizen's answer was stored in between."""
    g.write_transaction = True


def read_first() -> None:
    """This request reads for a while before it knows whether it writes (a citizen's answer:
    find the link, check the form): on SQLite its transaction does not take the write lock
    up front, so such requests overlap until they write. It calls :func:`start_writing`
    before its first write."""
    g.reads_first = True
    g.wrote_while_reading = False


@event.listens_for(Engine, "after_cursor_execute")
def _note_a_write(connection, _cursor, _statement, _parameters, context, _executemany):
    if has_app_context() and g.get("reads_first") and context is not None and (
            context.isinsert or context.isupdate or context.isdelete):
        g.wrote_while_reading = True


def start_writing(session: Session) -> None:
    """End the reading part of a :func:`read_first` request (it wrote nothing) and let the
    next statement begin a transaction that takes the write lock and waits its turn. What
    was read stays usable; what must still hold is checked again in the writing part."""
    if not g.pop("reads_first", False):
        return
    if session.new or session.dirty or session.deleted or g.pop("wrote_while_reading", False):
        raise RuntimeError("a read_first request changed rows before start_writing")
    if session.in_transaction():
        session.commit()


def commit_despite_client_error() -> None:
    """Keep this request's work even though it answers 4xx (e.g. the audit entry of a
    throttled sign-in answered with 429). Server errors still roll back."""
    g.commit_despite_client_error = True


def _commit_unless_error(response):
    session = g.get("db_session")
    if session is not None:
        if response.status_code < 400 or (
                response.status_code < 500 and g.get("commit_despite_client_error")):
            session.commit()
        else:
            session.rollback()
    return response


def _close_session(_exception=None):
    session = g.pop("db_session", None)
    if session is not None:
        session.close()  # rolls back anything not committed
