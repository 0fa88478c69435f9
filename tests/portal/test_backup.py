"""Backups and the restore drill (issue 12, point 5): back up while citizens keep sending
feedback, restore into a fresh database, the portal starts and the counts hold together, and
no tracking code is given twice afterwards; on SQLite and on PostgreSQL. Bad backups and a
non-empty database are refused with nothing changed."""
from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, text

from feedback import services
from feedback.models import Ticket, TicketEvent
from portal import create_app
from portal.audit import AuditEntry
from portal.cli import upgrade_database
from portal.db import get_session
from portal.workdays import vietnam_calendar
from tests.conftest import make_config, require_or_skip

PG_ADMIN = os.environ.get("TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def portal_on(url: str):
    return create_app(make_config(url))


def receive(app, subject: str) -> Ticket:
    """A citizen's feedback, received the way the form does it."""
    intake = services.Intake(kind="report", content=f"Phản ánh {subject}: đường ngập nước "
                             "sau mưa, xin kiểm tra cống thoát nước.", name="Lê Thị Hoa",
                             address="45 Lê Lợi, phường Nha Trang", phone="0912345678",
                             email=None, channel="web")
    today = date.today()
    with app.test_request_context():
        session = get_session()
        ticket = services.receive(session, intake, vietnam_calendar(
            [today.year - 1, today.year, today.year + 1]), services.DeadlineRules())
        session.commit()
        return ticket


def counts(engine) -> dict:
    with engine.connect() as connection:
        return {"tickets": connection.scalar(select(func.count()).select_from(Ticket)),
                "received": connection.scalar(select(func.count()).select_from(TicketEvent)
                                              .where(TicketEvent.action == "received")),
                "numbers": connection.execute(select(Ticket.number)).scalars().all()}


def drill(source_url: str, target_url: str, tmp_path: Path) -> None:
    source = portal_on(source_url)
    upgrade_database(source.extensions["db"].engine)
    for number in range(5):
        receive(source, f"trước {number}")
    stop, written = threading.Event(), []

    def citizens():  # feedback keeps arriving while the backup runs
        while not stop.is_set():
            written.append(receive(source, "trong lúc sao lưu").number)

    writer = threading.Thread(target=citizens)
    writer.start()
    try:
        while len(written) < 3:
            stop.wait(0.01)
        result = source.test_cli_runner().invoke(args=["backup", str(tmp_path / "backups")])
        assert result.exit_code == 0, result.output
        after_backup = len(written)
        while len(written) < after_backup + 3:  # and after it: lost with the restore
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join()
    given = counts(source.extensions["db"].engine)
    [backup_file] = (tmp_path / "backups").iterdir()
    assert backup_file.name.startswith("portal-")

    target = portal_on(target_url)
    result = target.test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    restored = counts(target.extensions["db"].engine)
    # a consistent moment: every ticket with its first history line, none half there
    assert restored["tickets"] == restored["received"]
    assert 5 + 3 <= restored["tickets"] < given["tickets"]
    assert set(restored["numbers"]) < set(given["numbers"])
    # the portal starts on it
    health = target.test_client().get("/healthz")
    assert health.status_code == 200 and health.json["database"] == "ok"
    # no code given before the restore is given again
    new = receive(target, "sau khi khôi phục")
    assert new.number > max(given["numbers"])
    with target.app_context():
        assert get_session().scalar(select(AuditEntry.action).where(
            AuditEntry.action == "database.restore")) == "database.restore"
    for app in (source, target):
        app.extensions["db"].engine.dispose()


def test_the_restore_drill_on_sqlite(tmp_path):
    drill(f"sqlite:///{tmp_path / 'live.sqlite3'}", f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
          tmp_path)


@contextmanager
def postgres_databases(count: int):
    """Fresh, empty PostgreSQL databases for the drill, dropped afterwards."""
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        admin.connect().close()
    except Exception as error:  # noqa: BLE001 - any failure to connect means "not available"
        require_or_skip(f"PostgreSQL at {PG_ADMIN} unreachable: {error}")
    names = [f"drill_{uuid.uuid4().hex[:10]}" for _ in range(count)]
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield [admin.url.set(database=name).render_as_string(hide_password=False)
               for name in names]
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_restore_drill_on_postgresql(tmp_path):
    with postgres_databases(2) as (live, fresh):
        drill(live, fresh, tmp_path)


@pytest.fixture
def sqlite_backup(tmp_path) -> Path:
    source = portal_on(f"sqlite:///{tmp_path / 'source.sqlite3'}")
    upgrade_database(source.extensions["db"].engine)
    receive(source, "một")
    result = source.test_cli_runner().invoke(args=["backup", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    source.extensions["db"].engine.dispose()
    return next((tmp_path / "backups").iterdir())


def refused(tmp_path, backup: Path, message: str, target_name="target.sqlite3") -> None:
    target = portal_on(f"sqlite:///{tmp_path / target_name}")
    engine = target.extensions["db"].engine
    before = inspect(engine).get_table_names()
    result = target.test_cli_runner().invoke(args=["restore", str(backup)])
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Nothing was changed." in result.output
    assert inspect(engine).get_table_names() == before
    engine.dispose()


def test_a_restore_into_a_database_that_is_not_empty_is_refused(tmp_path, sqlite_backup):
    in_use = portal_on(f"sqlite:///{tmp_path / 'in-use.sqlite3'}")
    upgrade_database(in_use.extensions["db"].engine)
    in_use.extensions["db"].engine.dispose()
    refused(tmp_path, sqlite_backup, "the database is not empty", "in-use.sqlite3")


def test_a_truncated_backup_is_refused(tmp_path, sqlite_backup):
    data = sqlite_backup.read_bytes()
    truncated = tmp_path / "truncated.sqlite3"
    truncated.write_bytes(data[:len(data) // 2])
    refused(tmp_path, truncated, "truncated.sqlite3")


def test_a_backup_from_a_newer_portal_is_refused(tmp_path, sqlite_backup):
    newer = tmp_path / "newer.sqlite3"
    newer.write_bytes(sqlite_backup.read_bytes())
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    refused(tmp_path, newer, "comes from a newer version of the portal (schema 9999)")


@pytest.mark.parametrize("content, message", [
    (b"PGDMP\x01\x0e\x00" + b"\x00" * 64, "is not a SQLite backup"),
    (b"not a backup at all", "is not a SQLite backup"),
    (b"", "is empty"),
])
def test_files_that_are_not_backups_are_refused(tmp_path, content, message):
    other = tmp_path / "other.bin"
    other.write_bytes(content)
    refused(tmp_path, other, message)


def test_a_backup_into_a_place_that_cannot_be_written_says_so(tmp_path):
    app = portal_on(f"sqlite:///{tmp_path / 'source.sqlite3'}")
    upgrade_database(app.extensions["db"].engine)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = app.test_cli_runner().invoke(args=["backup", str(blocker / "backups")])
    assert result.exit_code == 1 and "cannot write into" in result.output
    app.extensions["db"].engine.dispose()


def test_a_truncated_postgresql_dump_changes_nothing(tmp_path):
    with postgres_databases(2) as (live, fresh):
        source = portal_on(live)
        upgrade_database(source.extensions["db"].engine)
        receive(source, "một")
        assert source.test_cli_runner().invoke(
            args=["backup", str(tmp_path / "dumps")]).exit_code == 0
        source.extensions["db"].engine.dispose()
        dump = next((tmp_path / "dumps").iterdir())
        truncated = tmp_path / "truncated.dump"
        truncated.write_bytes(dump.read_bytes()[:len(dump.read_bytes()) * 2 // 3])
        target = portal_on(fresh)
        result = target.test_cli_runner().invoke(args=["restore", str(truncated)])
        assert result.exit_code == 1 and "Nothing was changed." in result.output, result.output
        assert inspect(target.extensions["db"].engine).get_table_names() == []
        # and the whole dump restores into the same, still empty, database
        assert target.test_cli_runner().invoke(args=["restore", str(dump)]).exit_code == 0
        target.extensions["db"].engine.dispose()


def test_a_backup_restores_from_read_only_storage(tmp_path, sqlite_backup):
    """The copy is not a WAL database: it opens where nothing may be written beside it."""
    with sqlite_backup.open("rb") as file:
        header = file.read(20)
    assert header[18:20] == b"\x01\x01", "rollback journal, not WAL"
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    kept = shelf / sqlite_backup.name
    kept.write_bytes(sqlite_backup.read_bytes())
    shelf.chmod(0o555)
    try:
        target = portal_on(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
        result = target.test_cli_runner().invoke(args=["restore", str(kept)])
        assert result.exit_code == 0, result.output
        assert sorted(path.name for path in shelf.iterdir()) == [kept.name]
        target.extensions["db"].engine.dispose()
    finally:
        shelf.chmod(0o755)


def test_a_restore_that_fails_after_loading_leaves_the_database_empty(tmp_path, sqlite_backup):
    target = portal_on(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")

    def broken(_session):
        raise RuntimeError("the numbering could not be moved")

    target.extensions["after_restore"].append(broken)
    result = target.test_cli_runner().invoke(args=["restore", str(sqlite_backup)])
    assert result.exit_code == 1 and "the database was emptied again" in result.output
    engine = target.extensions["db"].engine
    assert inspect(engine).get_table_names() == []
    target.extensions["after_restore"].remove(broken)
    assert target.test_cli_runner().invoke(args=["restore", str(sqlite_backup)]).exit_code == 0
    engine.dispose()


def test_the_database_password_never_reaches_the_command_line(monkeypatch):
    from portal import backup
    from portal.db import make_engine

    seen = []
    monkeypatch.setattr(backup.subprocess, "run", lambda arguments, **options: seen.append(
        (arguments, options.get("env") or {})) or type("Done", (), {
            "returncode": 0, "stdout": "", "stderr": ""})())
    engine = make_engine("postgresql+psycopg://portal:s3cr3t-pw@127.0.0.1:5432/portal")
    backup._run(["pg_dump", backup._libpq(engine)[0]], "pg_dump", backup._libpq(engine)[1])
    arguments, environment = seen[0]
    assert "s3cr3t-pw" not in " ".join(arguments)
    assert environment["PGPASSWORD"] == "s3cr3t-pw"
