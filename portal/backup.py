"""Backups and restores of the whole database (``flask --app wsgi backup DIR`` and
``restore FILE``; docs/operations.md has the schedule and the drill).

- SQLite: SQLite's online backup, a consistent copy taken while the portal keeps writing.
- PostgreSQL: ``pg_dump`` in its custom format, restored by ``pg_restore`` in one transaction.

A restore goes only into an empty database, checks the file first (a truncated or foreign file,
or one from a newer version of the portal, is refused with nothing changed), migrates an older
backup to the current schema, then lets each package make sure nothing it hands out is handed
out twice (the feedback package moves its tracking-code numbers past any given after the
backup: ``register_after_restore``).
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

AFTER_RESTORE_KEY = "after_restore"


class BackupError(Exception):
    """The backup or restore could not be done; the message says why (nothing changed)."""


def register_after_restore(app: Flask, hook: Callable[[Session], None]) -> None:
    """``hook(session)`` runs in the restore's last transaction."""
    app.extensions.setdefault(AFTER_RESTORE_KEY, []).append(hook)


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")


def _libpq(engine: Engine) -> tuple[str, dict]:
    """The database's address for pg_dump and pg_restore (without SQLAlchemy's driver), and
    the environment carrying its password: never on the command line, which every local
    user can read in the process list."""
    url = engine.url.set(drivername="postgresql")
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return url._replace(password=None).render_as_string(hide_password=False), environment


def _run(arguments: list[str], what: str, environment: dict | None = None
         ) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(arguments, capture_output=True, text=True, timeout=3600,
                                env=environment)
    except FileNotFoundError as error:
        raise BackupError(f"{arguments[0]} is not installed (apt-get install "
                          "postgresql-client, the same major version as the server)") from error
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {detail[-1] if detail else result.returncode}")
    return result


def backup(engine: Engine, directory: Path) -> Path:
    """Write a backup of the whole database into ``directory`` (made if missing); return the
    file. It appears whole or not at all (written under a temporary name, then renamed)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=directory, prefix=".portal-", delete=False)
    except OSError as error:
        raise BackupError(f"cannot write into {directory}: {error.strerror}") from error
    partial = Path(probe.name)
    probe.close()
    try:
        if engine.dialect.name == "sqlite":
            target = directory / f"portal-{_stamp()}.sqlite3"
            source = sqlite3.connect(engine.url.database)
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # one step: a consistent snapshot, writers carry on
                # a file that opens read-only anywhere (a WAL database needs its folder
                # writable); the portal turns WAL on again when it opens a restored copy
                copy.execute("PRAGMA journal_mode=DELETE")
            finally:
                copy.close()
                source.close()
        else:
            target = directory / f"portal-{_stamp()}.dump"
            address, environment = _libpq(engine)
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}", address],
                 "pg_dump", environment)
        os.replace(partial, target)
        return target
    finally:
        partial.unlink(missing_ok=True)


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from portal.cli import alembic_config

    return {script.revision for script in
            ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def _sqlite_revision(path: Path) -> str:
    """The schema revision inside a SQLite backup, after checking the file is whole."""
    try:  # immutable: read as it is, even where nothing may be written beside it
        connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            status = connection.execute("PRAGMA integrity_check").fetchone()[0]
            if status != "ok":
                raise BackupError(f"{path.name} is damaged ({status}): take another backup")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path.name} is not a whole SQLite backup of the portal "
                          f"({error})") from error
    if row is None:
        raise BackupError(f"{path.name} has no schema version: not a backup of the portal")
    return row[0]


def _dump_revision(path: Path) -> str:
    """The schema revision inside a pg_dump custom-format file, after reading its index."""
    _run(["pg_restore", "--list", str(path)], f"reading {path.name}")
    data = _run(["pg_restore", "--data-only", "--table=alembic_version", "--file=-",
                 str(path)], f"reading {path.name}").stdout
    match = re.search(r"COPY [\w.]*alembic_version .*? FROM stdin;\n(\w+)\n", data)
    if match is None:
        raise BackupError(f"{path.name} has no schema version: not a backup of the portal")
    return match.group(1)


def _is_sqlite_file(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(16) == b"SQLite format 3\x00"


def check_backup(engine: Engine, path: Path) -> str:
    """The backup's schema revision, once it is known to be whole and restorable here.

    :raise BackupError: a truncated or foreign file, the wrong kind for this database, or a
        backup from a newer version of the portal.
    """
    if not path.is_file() or path.stat().st_size == 0:
        raise BackupError(f"{path} is empty or not a file")
    sqlite_file = _is_sqlite_file(path)
    if engine.dialect.name == "sqlite" and not sqlite_file:
        raise BackupError(f"{path.name} is not a SQLite backup: this portal runs on SQLite")
    if engine.dialect.name != "sqlite" and sqlite_file:
        raise BackupError(f"{path.name} is a SQLite backup: this portal runs on PostgreSQL")
    revision = _sqlite_revision(path) if sqlite_file else _dump_revision(path)
    if revision not in known_revisions():
        raise BackupError(f"{path.name} comes from a newer version of the portal (schema "
                          f"{revision}): install that version, then restore")
    return revision


def restore(engine: Engine, path: Path) -> str:
    """Restore ``path`` into the empty database of ``engine``; return the backup's schema
    revision (the database is then migrated to the current one).

    :raise BackupError: when the database is not empty or the file cannot be restored; nothing
        is changed then.
    """
    from portal.cli import upgrade_database

    tables = inspect(engine).get_table_names()
    engine.dispose()
    if tables:
        raise BackupError(f"the database is not empty ({len(tables)} tables): restore only "
                          "into a new, empty database")
    revision = check_backup(engine, path)
    if engine.dialect.name == "sqlite":
        database = Path(engine.url.database)
        partial = database.with_name(f".{database.name}.restoring")
        shutil.copyfile(path, partial)
        for suffix in ("-wal", "-shm"):  # the empty database's journal must not meet the copy
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        os.replace(partial, database)  # whole or not at all
    else:
        address, environment = _libpq(engine)
        _run(["pg_restore", "--single-transaction", "--no-owner", "--exit-on-error",
              f"--dbname={address}", str(path)], "pg_restore", environment)
    try:
        upgrade_database(engine)
        with Session(engine) as session:
            for hook in current_app.extensions.get(AFTER_RESTORE_KEY, []):
                hook(session)
            from portal import audit

            audit.record(session, "database.restore", details={"file": path.name,
                                                                "schema": revision})
            session.commit()
    except Exception as error:
        _empty_again(engine)  # never a restored database without its last steps
        raise BackupError(f"the backup was loaded but could not be brought up to date "
                          f"({type(error).__name__}: {error}); the database was emptied "
                          "again") from error
    return revision


def _empty_again(engine: Engine) -> None:
    engine.dispose()
    if engine.dialect.name == "sqlite":
        database = Path(engine.url.database)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        return
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
