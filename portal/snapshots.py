"""Per-process copies of the rows every citizen's page reads and staff seldom change.

A citizen's survey form needs the counter behind the link, the current questionnaire with its
items, today's officers on duty, the procedure fields and the contact details in the footer:
the same look-ups for every citizen. Each worker process keeps a copy of them, and the copies
are kept right by one small look-up per request: the table ``cache_stamp`` holds a stamp per
group of tables, which database triggers (migration 0022) replace with a new random value in
the same transaction as any insert, change or delete of the group's rows — by the site, a
command, an import or by hand. A worker reads the stamps once per request and reloads a group
whose stamp differs from the one its copy was made under. Stamps are random, not counted, so
neither a rolled-back change nor a restored backup can bring back a stamp a copy was made
under.

The copies are ORM objects detached from every session (loaded by a session of their own on
the request's connection, then closed): read them, never change them or add them to a
session, and refer to them by id in new rows. A group whose stamp row is missing is never
kept (read every time), so a damaged stamp table cannot freeze a copy.

A change of a watched table holds its group's stamp row until its transaction ends. On
PostgreSQL two transactions that change tables of two groups in opposite orders could
therefore wait on each other; PostgreSQL then refuses one of them (nothing of it is saved).
No request or command changes two groups but deleting a counter (its duty rows go with it,
always in that order).
"""
from __future__ import annotations

import threading
from typing import Callable

from flask import current_app, g, has_app_context
from sqlalchemy import String, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base

# Each group and the tables whose changes replace its stamp (the triggers of migration 0022;
# tests/portal/test_snapshots.py checks the database has them all).
GROUPS: dict[str, tuple[str, ...]] = {
    "questionnaire": ("questionnaire", "survey_dimension", "survey_item"),
    "counters": ("counter", "unit"),
    "duty": ("counter_duty", "staff_user"),
    "fields": ("procedure_field",),
    "contact": ("hotline_page", "hotline_number"),
}
# Of staff_user, only these columns matter to a copy (the officers' names on the form).
WATCHED_COLUMNS = {"staff_user": ("full_name", "active")}
MAX_KEYS = 512  # per group: a copy per day and counter must not grow without end

_STAMPS_KEY = "snapshot_stamps"


class CacheStamp(Base):
    """The current stamp of one group of tables (replaced by triggers, never by the app)."""

    __tablename__ = "cache_stamp"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    stamp: Mapped[str] = mapped_column(String(40))


class Snapshots:
    """One process's copies: {group: (stamp, {key: value})}."""

    def __init__(self):
        self._copies: dict[str, tuple[str, dict]] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, group: str, key, load: Callable[[Session], object]):
        """The copy of ``key`` in ``group``, made by ``load(a_session)`` when there is none
        under the group's current stamp."""
        stamp = current_stamps(session).get(group)
        copy = self._copies.get(group)
        if stamp is not None and copy is not None and copy[0] == stamp and key in copy[1]:
            return copy[1][key]
        with Session(bind=session.connection(), expire_on_commit=False) as loader:
            value = load(loader)
        if stamp is None:  # no stamp to tell a change by (a damaged table): never kept
            return value
        with self._lock:
            copy = self._copies.get(group)
            values = copy[1] if copy is not None and copy[0] == stamp else {}
            if len(values) >= MAX_KEYS:
                values = {}
            values = {**values, key: value}  # readers holding the old dict are not disturbed
            self._copies[group] = (stamp, values)
        return value


_READ_STAMPS = select(CacheStamp.name, CacheStamp.stamp)


def current_stamps(session: Session) -> dict[str, str]:
    """Every group's stamp, read once per request (read again after the request writes,
    commits or rolls back)."""
    stamps = g.get(_STAMPS_KEY) if has_app_context() else None
    if stamps is None:
        # through the connection: the ORM's handling of a statement cost more than the
        # statement (measured: a tenth of a citizen's completion went to this line)
        stamps = dict(session.connection().execute(_READ_STAMPS).all())
        if has_app_context():
            g.setdefault(_STAMPS_KEY, stamps)
    return stamps


def get(session: Session, group: str, key, load: Callable[[Session], object]):
    """The current app's copy of ``key`` in ``group`` (see :meth:`Snapshots.get`)."""
    return current_app.extensions["snapshots"].get(session, group, key, load)


def init_app(app) -> None:
    app.extensions["snapshots"] = Snapshots()


def _forget_stamps(*_args) -> None:
    if has_app_context():
        g.pop(_STAMPS_KEY, None)


@event.listens_for(Engine, "after_cursor_execute")
def _after_statement(_connection, _cursor, _statement, _parameters, context, _executemany):
    # Whatever wrote (the ORM, Core, a command), a trigger may have replaced a stamp read.
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        _forget_stamps()


# A new transaction, or one rolled back to a savepoint, may see other stamps.
event.listen(Session, "after_commit", _forget_stamps)
event.listen(Session, "after_rollback", _forget_stamps)
event.listen(Session, "after_soft_rollback", _forget_stamps)
