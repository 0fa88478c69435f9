"""The database layer: append-only audit log, one commit per request, the health check."""
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from portal import audit
from portal.audit import AppendOnlyError, AuditEntry
from portal.auth.models import Unit
from portal.db import get_session


def add_entry(db):
    entry = audit.record(db, "test.event", target_type="thing", target_id=1,
                         actor_name="tester", details={"a": 1})
    db.commit()
    return entry


def test_audit_entries_cannot_be_changed_through_the_orm(db):
    entry = add_entry(db)
    entry.action = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.flush()
    db.rollback()
    db.delete(db.get(AuditEntry, entry.id))
    with pytest.raises(AppendOnlyError):
        db.flush()


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET action = 'x'",
                                       "DELETE FROM audit_log"])
def test_audit_entries_cannot_be_changed_in_the_database_either(db, statement):
    entry = add_entry(db)
    savepoint = db.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        db.execute(text(statement))
    savepoint.rollback()
    assert db.scalar(select(AuditEntry.action).where(AuditEntry.id == entry.id)) == "test.event"


def test_a_request_that_answers_with_an_error_saves_nothing(app, client, db):
    @app.post("/half-done")
    def half_done():
        get_session().add(Unit(code="TMP", name="Tạm"))
        get_session().flush()
        return "refused", 422

    @app.post("/done")
    def done():
        get_session().add(Unit(code="OK1", name="Xong"))
        return "ok"

    client.post("/half-done")
    client.post("/done")
    assert db.scalar(select(Unit.code).where(Unit.code.in_(["TMP", "OK1"]))) == "OK1"


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok",
                             "outbox": {"unsent": 0, "oldest_unsent_seconds": None}}


def test_healthz_says_503_when_the_database_is_down(app, caplog):
    from portal.db import make_engine

    broken = make_engine("sqlite:////nonexistent-dir/x.sqlite3")
    app.extensions["db"].sessionmaker.configure(bind=broken)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "error", "outbox": None}


def _read_then_write_race(tmp_path, first_context, second_context) -> tuple[list, int]:
    """Two transactions, each reading then writing; the second writes while the first is
    between its read and its write. Returns the errors and the rows stored."""
    import threading
    import time

    from portal.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path}/race.sqlite3")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    first_has_read = threading.Event()
    errors = []

    def run(first: bool):
        with (first_context if first else second_context)():
            if not first:
                first_has_read.wait(timeout=5)
            try:
                with engine.begin() as connection:
                    connection.exec_driver_sql("SELECT count(*) FROM t").scalar()
                    if first:
                        first_has_read.set()
                        time.sleep(0.3)  # the other one runs meanwhile
                    connection.exec_driver_sql("INSERT INTO t VALUES (1)")
            except Exception as error:  # noqa: BLE001
                errors.append(error)

    threads = [threading.Thread(target=run, args=(first,)) for first in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT count(*) FROM t").scalar()
    engine.dispose()
    return errors, stored


def test_sqlite_writers_wait_for_each_other_instead_of_failing(tmp_path):
    """Two sign-ins at once, each reading then writing. With deferred transactions the first
    one's write fails at once ("database is locked") because the second wrote after its read;
    taking the write lock at BEGIN makes the second wait its turn instead."""
    from flask import Flask

    flask_app = Flask(__name__)

    def post():
        return flask_app.test_request_context(method="POST")

    assert _read_then_write_race(tmp_path, post, post) == ([], 2)


def test_a_command_that_reads_then_writes_waits_for_a_citizens_answer(tmp_path):
    """survey-alerts (cron) reads, then writes, while citizens' answers arrive: it asks for
    a write transaction, so a POST in between makes it wait instead of failing."""
    import contextlib

    from flask import Flask

    from portal.db import write_transaction

    flask_app = Flask(__name__)

    @contextlib.contextmanager
    def command():
        with flask_app.app_context():
            write_transaction()
            yield

    def post():
        return flask_app.test_request_context(method="POST")

    assert _read_then_write_race(tmp_path, command, post) == ([], 2)

    @contextlib.contextmanager
    def plain_command():
        with flask_app.app_context():
            yield

    (tmp_path / "plain").mkdir()
    errors, _stored = _read_then_write_race(tmp_path / "plain", plain_command, post)
    assert errors, "without it the command's write fails: the test can fail"


def test_migrating_an_sqlite_database_keeps_every_row(tmp_path):
    """Batch migrations rebuild tables; with SQLite's foreign keys on, that once deleted the
    children of a rebuilt table (a questionnaire's statements, a response's answers)."""
    from sqlalchemy import text

    from portal.cli import upgrade_database
    from portal.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_database(engine, "0005")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO unit (code, name, active, created_at) VALUES ('U', 'Phòng', 1, "
            "'2026-01-01')"))
        connection.execute(text(
            "INSERT INTO counter (code, name, unit_id, active, created_at) "
            "VALUES ('Q1', 'Quầy 1', 1, 1, '2026-01-01')"))
        connection.execute(text(
            "INSERT INTO survey_response (questionnaire_id, counter_id, channel, nonce, "
            "submitted_at, flagged) VALUES (1, 1, 'counter', 'n1', '2026-01-02', 0)"))
        connection.execute(text(
            "INSERT INTO survey_answer (response_id, item_code, value) VALUES (1, 'CC1', 5), "
            "(1, 'CC2', 4)"))
    upgrade_database(engine)
    with engine.connect() as connection:
        counts = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                  for table in ("survey_dimension", "survey_item", "survey_response",
                                "survey_answer")}
        foreign_keys = connection.execute(text("PRAGMA foreign_keys")).scalar()
    engine.dispose()
    assert counts == {"survey_dimension": 5, "survey_item": 19, "survey_response": 1,
                      "survey_answer": 2}
    assert foreign_keys == 1, "foreign keys are on again for the app"


def test_migration_0017_carries_the_one_stop_switch_over(tmp_path):
    """The yes/no switch of the TT 01/2018 questions became a mode: on -> after the
    statements, off -> not asked."""
    from sqlalchemy import text

    from portal.cli import upgrade_database
    from portal.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_database(engine, "0016")
    with engine.begin() as connection:
        connection.execute(text("UPDATE questionnaire SET ask_one_stop = 1"))
        connection.execute(text(
            "INSERT INTO questionnaire (version, title, scale, ask_expectation, ask_one_stop, "
            "current, published_at) SELECT 'old', title, scale, 0, 0, 0, published_at "
            "FROM questionnaire"))
    upgrade_database(engine)
    with engine.connect() as connection:
        modes = dict(connection.execute(text(
            "SELECT version, one_stop_mode FROM questionnaire")).all())
    assert sorted(modes.values()) == ["besides", "off"] and modes["old"] == "off"
    engine.dispose()


def test_a_request_that_reads_first_takes_the_write_lock_only_to_write(tmp_path):
    """A citizen's answer reads (link, form, nonce) before it writes: meanwhile another
    writer goes ahead at once; then it writes in a transaction of its own that holds the lock.
    Without read_first the other writer finds the database locked (the test can fail)."""
    import sqlite3

    from flask import Flask
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from portal.db import make_engine, read_first, start_writing

    path = tmp_path / "citizens.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    flask_app = Flask(__name__)

    def other_writer_gets_in() -> bool:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO t VALUES (2)")
            other.execute("COMMIT")
            return True
        except sqlite3.OperationalError as error:
            assert "locked" in str(error)
            return False
        finally:
            other.close()

    for reads_first in (True, False):
        with flask_app.test_request_context(method="POST"), Session(engine) as session:
            if reads_first:
                read_first()
            session.execute(text("SELECT count(*) FROM t")).scalar()
            assert other_writer_gets_in() is reads_first
            start_writing(session)
            session.execute(text("INSERT INTO t VALUES (1)"))
            assert not other_writer_gets_in(), "the writing part holds the lock"
            session.commit()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT n FROM t ORDER BY rowid").scalars().all() \
            == [2, 1, 1]
    engine.dispose()


def test_start_writing_refuses_a_request_that_wrote_while_reading(app, db):
    from portal.auth.models import Unit
    from portal.db import get_session, read_first, start_writing

    with app.test_request_context(method="POST"):
        read_first()
        session = get_session()
        session.add(Unit(code="X1", name="Phòng X"))
        with pytest.raises(RuntimeError, match="changed rows"):
            start_writing(session)
    with app.test_request_context(method="POST"):  # written already, by an autoflush
        read_first()
        session = get_session()
        session.add(Unit(code="X2", name="Phòng Y"))
        session.scalar(select(Unit.id).where(Unit.code == "X2"))
        assert not session.new
        with pytest.raises(RuntimeError, match="changed rows"):
            start_writing(session)


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_the_migrations_build_the_schema_the_models_describe(engine):
    """Every table, column, constraint and index the models name exists as they name it in a
    database built by the migrations (an index changed in a model only would be missed by
    every database in use). SQLite and SQLAlchemy cannot compare indexes on expressions."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from feedback.words import described
    from portal.db import Base

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": described})
        assert compare_metadata(context, Base.metadata) == []
