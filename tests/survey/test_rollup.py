"""The rollup table always agrees with the answers it summarises."""
import random
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import text

from portal.cli import upgrade_database
from portal.db import make_engine
from survey import queries
from tests.factories import ITEM_CODES, make_counter, make_response, make_user


def test_rollup_counts_equal_the_raw_answers_under_every_filter(db):
    rng = random.Random(3)
    counters = [make_counter(db) for _ in range(2)]
    officer = make_user(db, roles=["reception"])
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    for _ in range(120):
        make_response(
            db, rng.choice(counters),
            {code: rng.choice([1, 2, 3, 4, 5, None]) for code in rng.sample(ITEM_CODES, 10)},
            when=start + timedelta(hours=rng.randrange(24 * 200)),
            officer=officer if rng.random() < .5 else None,
            channel=rng.choice(["counter", "dossier"]))
    db.commit()
    cases = [dict(), dict(counter_id=counters[0].id), dict(officer_id=officer.id),
             dict(channel="dossier"), dict(unit_id=counters[1].unit_id)]
    for extra in cases:
        rolled = queries.Filters(start=date(2025, 1, 1), end=date(2025, 6, 30), **extra)
        raw = queries.Filters(**{**rolled.__dict__, "include_flagged": True})
        assert queries.answer_counts(db, rolled) == queries.answer_counts(db, raw), extra
        assert queries.response_count(db, rolled) == queries.response_count(db, raw), extra
        assert queries.monthly_counts(db, rolled) == queries.monthly_counts(db, raw), extra
        assert queries.answer_counts_by(db, rolled, "officer") == \
            queries.answer_counts_by(db, raw, "officer"), extra


def test_the_officer_rollup_gives_the_officer_report_the_answers_give(db):
    rng = random.Random(5)
    counter = make_counter(db)
    officers = [make_user(db, roles=["reception"]) for _ in range(3)]
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    for _ in range(150):
        make_response(
            db, counter,
            {code: rng.choice([1, 2, 3, 4, 5, None]) for code in rng.sample(ITEM_CODES, 8)},
            # around month ends, where UTC and Vietnam months differ
            when=start + timedelta(days=30 * rng.randrange(6) + 30, hours=rng.randrange(-9, 9)),
            officer=rng.choice(officers + [None]), flagged=rng.random() < .1)
    db.commit()
    year = queries.Filters(start=date(2025, 1, 1), end=date(2025, 12, 31))
    # A filter the rollup cannot serve (a part of a month) takes the answers themselves.
    for monthly in (False, True):
        rolled = queries.officer_counts(db, year, monthly)
        raw = {key: counts for key, counts in queries.answer_counts_by(
            db, year, *(("officer", "month") if monthly else ("officer",))).items()
            if key[0] is not None}
        assert rolled == raw and rolled
    march = queries.Filters(start=date(2025, 3, 1), end=date(2025, 3, 31))
    assert queries.officer_counts(db, march, False) == {
        key: counts for key, counts in queries.answer_counts_by(db, march, "officer").items()
        if key[0] is not None}
    db.execute(text("DELETE FROM survey_officer_rollup"))
    from survey.rollup import rebuild_officers

    rebuild_officers(db.connection())
    assert queries.officer_counts(db, year, True) == rolled


def test_flagged_responses_stay_out_of_the_rollup(db):
    counter = make_counter(db)
    make_response(db, counter, {"CC1": 5}, flagged=True)
    db.commit()
    assert db.execute(text("SELECT count(*) FROM survey_rollup")).scalar() == 0


def test_the_migration_counts_answers_stored_before_it(tmp_path):
    """Upgrading to the rollup migration fills the table from the responses already there."""
    engine = make_engine(f"sqlite:///{tmp_path}/old.sqlite3")
    upgrade_database(engine, "0002")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO unit (id, code, name, active, created_at) "
            "VALUES (1, 'U', 'Đơn vị', 1, '2025-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO counter (id, code, name, unit_id, active, created_at) "
            "VALUES (1, 'Q', 'Quầy', 1, 1, '2025-01-01 00:00:00')"))
        for number, (when, flagged) in enumerate(
                [("2025-03-31 18:00:00", 0), ("2025-03-31 10:00:00", 0),
                 ("2025-03-31 11:00:00", 1)], start=1):
            connection.execute(text(
                "INSERT INTO survey_response (id, questionnaire_id, counter_id, channel, nonce,"
                " submitted_at, flagged) VALUES (:id, 1, 1, 'counter', :nonce, :when, :flagged)"
            ), {"id": number, "nonce": f"n{number}", "when": when, "flagged": flagged})
            connection.execute(text(
                "INSERT INTO survey_answer (response_id, item_code, value) VALUES (:id, 'CC1', 5)"
            ), {"id": number})
    upgrade_database(engine)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT day, item_code, value, answers FROM survey_rollup ORDER BY day, item_code"
        )).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [
        ("2025-03-31", "", 0, 1), ("2025-03-31", "CC1", 5, 1),  # 10:00 UTC = 17:00 in Vietnam
        ("2025-04-01", "", 0, 1), ("2025-04-01", "CC1", 5, 1),  # 18:00 UTC = 01:00 next day
    ]


def test_the_rollup_command_recounts_the_table(db, runner):
    counter = make_counter(db)
    make_response(db, counter, {"CC1": 4})
    db.commit()
    db.execute(text("DELETE FROM survey_rollup"))
    db.commit()
    result = runner.invoke(args=["survey-rollup"])
    assert result.exit_code == 0 and "recounted" in result.output
    assert db.execute(text(
        "SELECT answers FROM survey_rollup WHERE item_code = 'CC1'")).scalar() == 1
