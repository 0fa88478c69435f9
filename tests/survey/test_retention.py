"""Retention of survey comments (issue 12, point 7, its first part): a comment older than
RETENTION_SURVEY_COMMENT_DAYS is replaced by its de-identified text by the daily `retention`
command; what citizens said stays, who they are or named does not; the run is recorded with
its counts only."""
from datetime import timedelta

from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.db import utcnow
from survey.models import Response, Tally
from tests.factories import make_counter, make_response

OLD = "Chị Trần Thị Zzoldname gọi 0944 777 888 hỏi mãi không ai nghe, CCCD 079088001199."
NEW = "Anh Lê Văn Zznewname ở 12 Trần Phú rất nhiệt tình."


def setup(db):
    counter = make_counter(db)
    old = make_response(db, counter, {"CC1": 2}, comment=OLD,
                        when=utcnow() - timedelta(days=400))
    new = make_response(db, counter, {"CC1": 5}, comment=NEW,
                        when=utcnow() - timedelta(days=10))
    db.commit()
    return old, new


def every_text(db) -> str:
    return " ".join(str(value) for row in db.execute(select(Response)).scalars()
                    for value in (row.comment, row.signals, row.flag_reasons))


EVERY_ANSWER = select(func.sum(Tally.n0 + Tally.n1 + Tally.n2 + Tally.n3 + Tally.n4 + Tally.n5))


def test_old_comments_keep_what_was_said_and_lose_who_said_it(runner, db):
    old, new = setup(db)
    counted = db.scalar(EVERY_ANSWER)
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0 and "survey comments: 1 de-identified" in result.output
    db.expire_all()
    old, new = db.get(Response, old.id), db.get(Response, new.id)
    assert "hỏi mãi không ai nghe" in old.comment
    for erased in ("Zzoldname", "0944 777 888", "079088001199"):
        assert erased not in every_text(db)
    assert old.comment_deidentified_at is not None
    assert new.comment == NEW, "a recent comment is kept as written"
    assert db.scalar(EVERY_ANSWER) == counted, "the statistics stay"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "retention.run"))
    assert entry.details["survey comments"] == 1 and set(entry.details.values()) == {0, 1}
    assert "Zzoldname" not in str(entry.details)
    again = runner.invoke(args=["retention"])
    assert "survey comments: 0 de-identified" in again.output, "once is enough"


def test_a_dry_run_counts_and_changes_nothing(runner, db):
    old, _new = setup(db)
    result = runner.invoke(args=["retention", "--dry-run"])
    assert result.exit_code == 0 and "survey comments: 1 would be de-identified" in result.output
    db.expire_all()
    assert db.get(Response, old.id).comment == OLD
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "retention.run")) is None


def test_zero_days_keeps_comments_as_written(runner, db, app):
    old, _new = setup(db)
    app.config["RETENTION_SURVEY_COMMENT_DAYS"] = 0
    assert "survey comments: 0 de-identified" in runner.invoke(args=["retention"]).output
    db.expire_all()
    assert db.get(Response, old.id).comment == OLD


def test_bad_options_and_settings_are_refused(runner, monkeypatch):
    import pytest

    from portal.config import SettingsError, from_environment

    assert runner.invoke(args=["retention", "--days", "3"]).exit_code == 2
    monkeypatch.setenv("RETENTION_SURVEY_COMMENT_DAYS", "-5")
    with pytest.raises(SettingsError, match="must be 0 \\(keep\\) or a number of days"):
        from_environment("/tmp")
    monkeypatch.setenv("RETENTION_SURVEY_COMMENT_DAYS", "a year")
    with pytest.raises(SettingsError, match="must be a whole number"):
        from_environment("/tmp")
