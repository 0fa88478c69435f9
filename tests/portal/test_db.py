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
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_says_503_when_the_database_is_down(app, caplog):
    from portal.db import make_engine

    broken = make_engine("sqlite:////nonexistent-dir/x.sqlite3")
    app.extensions["db"].sessionmaker.configure(bind=broken)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "error"}
