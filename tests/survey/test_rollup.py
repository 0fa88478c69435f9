"""The survey tally always agrees with the answers it summarises, under every filter, grouping
and period (issue 13, point 2)."""
import itertools
import random
from datetime import date, datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import select, text

from portal.cli import alembic_config, upgrade_database
from portal.db import make_engine
from portal.pages.models import ProcedureField
from portal.workdays import today_in_vietnam
from survey import queries, rollup, tally
from survey.models import Response, Tally
from survey.services import review_response
from tests.factories import ITEM_CODES, make_counter, make_response, make_user

PERIODS = [
    (date(2025, 1, 1), date(2025, 12, 31)),  # whole months
    (date(2025, 3, 1), date(2025, 3, 31)),  # one month
    (date(2025, 3, 15), date(2025, 7, 20)),  # months, and a month less its first days
    (date(2025, 2, 3), date(2025, 2, 26)),  # a month less days at both ends
    (date(2025, 1, 20), date(2025, 2, 10)),  # days of two months, neither whole
    (date(2025, 4, 30), date(2025, 4, 30)),  # one day
    (date(2024, 1, 1), date(2024, 12, 31)),  # nothing answered
]


@pytest.fixture
def answered(db):
    """200 responses over 2025, mostly around month ends (where the Vietnam day and the UTC
    day differ), at two counters of two units, three officers (and nobody), two fields (and
    none), both channels; one in eight left out, for one of two reasons."""
    rng = random.Random(3)
    counters = [make_counter(db) for _ in range(3)]
    officers = [make_user(db, roles=["reception"]) for _ in range(3)]
    fields = [ProcedureField(name=f"Lĩnh vực {number}") for number in range(2)]
    db.add_all(fields)
    db.flush()
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    for _ in range(200):
        when = start + timedelta(days=30 * rng.randrange(8) + rng.choice([0, 14, 29]),
                                 hours=rng.randrange(-9, 24))
        make_response(
            db, rng.choice(counters),
            {code: rng.choice([1, 2, 3, 4, 5, None]) for code in rng.sample(ITEM_CODES, 8)},
            when=when, officer=rng.choice(officers + [None]),
            channel=rng.choice(["counter", "dossier"]), field=rng.choice(fields + [None]),
            comment="Ý kiến" if rng.random() < .2 else None,
            flagged=rng.random() < .125, reasons=(rng.choice(["inhuman", "device"]),))
    db.commit()
    return {"counter_id": counters[0].id, "unit_id": counters[1].unit_id,
            "officer_id": officers[0].id, "channel": "dossier",
            "procedure_field_id": fields[1].id}


def filter_cases(ids: dict):
    """No filter, each filter alone, and the pairs a dashboard user can set."""
    yield {}
    for name, value in ids.items():
        yield {name: value}
    for (one, first), (two, second) in itertools.combinations(ids.items(), 2):
        yield {one: first, two: second}


def everything(db, filters: queries.Filters) -> dict:
    return {
        "answers": queries.answer_counts(db, filters),
        "responses": queries.response_count(db, filters),
        "months": queries.monthly_counts(db, filters),
        "counters": dict(queries.answer_counts_by(db, filters, "counter")),
        "units": dict(queries.answer_counts_by(db, filters, "unit")),
        "officers": dict(queries.officer_counts(db, filters, monthly=False)),
        "officer months": dict(queries.officer_counts(db, filters, monthly=True)),
        "left out": queries.exclusions(db, filters),
    }


def by_hand(stored_responses, filters: queries.Filters) -> dict:
    """The same figures counted here from every stored response, one by one."""
    def counts(responses, key) -> dict:
        grouped: dict = {}
        for response in responses:
            if key(response) is not None:
                for answer in response.answers:
                    levels = grouped.setdefault(key(response), {}).setdefault(
                        answer.item_code, {})
                    levels[answer.value] = levels.get(answer.value, 0) + 1
        return grouped

    chosen = []
    for response in stored_responses:
        if filters.start <= today_in_vietnam(response.submitted_at) <= filters.end and all(
                wanted is None or wanted == given for wanted, given in (
                    (filters.counter_id, response.counter_id),
                    (filters.unit_id, response.counter.unit_id),
                    (filters.officer_id, response.officer_id),
                    (filters.procedure_field_id, response.procedure_field_id),
                    (filters.channel, response.channel))):
            chosen.append(response)
    counted = [response for response in chosen
               if filters.include_flagged or not response.flagged]
    month = lambda response: f"{today_in_vietnam(response.submitted_at):%Y-%m}"  # noqa: E731
    officer = lambda response: response.officer_id and (response.officer_id,)  # noqa: E731
    left_out: dict = {}
    for response in chosen:
        if response.flagged:
            left_out[response.exclusion] = left_out.get(response.exclusion, 0) + 1
    return {
        "answers": counts(counted, lambda response: ()).get((), {}),
        "responses": sum(rollup.says_something(response) for response in counted),
        "months": dict(sorted(counts(counted, month).items())),
        "counters": counts(counted, lambda response: (response.counter_id,)),
        "units": counts(counted, lambda response: (response.counter.unit_id,)),
        "officers": counts(counted, officer),
        "officer months": counts(counted, lambda response: response.officer_id and (
            response.officer_id, month(response))),
        "left out": dict(sorted(left_out.items(), key=lambda entry: (-entry[1], entry[0]))),
    }


def test_the_tally_gives_what_the_answers_give_under_every_filter_and_period(db, answered):
    served, responses = 0, db.scalars(select(Response)).all()
    for extra in filter_cases(answered):
        for (start, end), flagged in itertools.product(PERIODS, (False, True)):
            filters = queries.Filters(start=start, end=end, include_flagged=flagged, **extra)
            expected = by_hand(responses, filters)
            assert everything(db, filters) == expected, (extra, start, end, flagged)
            served += bool(expected["responses"])
    assert served > 100, "the cases have answers to count"


def test_the_periods_are_read_from_months_and_a_few_days():
    year = tally.parts(date(2025, 1, 1), date(2025, 12, 31))
    assert year == [tally.Part(tally.MONTH, date(2025, 1, 1), date(2025, 12, 1))]
    # 17 days of December are more than the 14 left: the month less those
    assert tally.parts(date(2025, 1, 1), date(2025, 12, 17))[1:] == [
        tally.Part(tally.MONTH, date(2025, 12, 1), date(2025, 12, 1)),
        tally.Part(tally.DAY, date(2025, 12, 18), date(2025, 12, 31), -1)]
    assert tally.parts(date(2025, 2, 20), date(2025, 3, 5)) == [
        tally.Part(tally.DAY, date(2025, 2, 20), date(2025, 2, 28)),
        tally.Part(tally.DAY, date(2025, 3, 1), date(2025, 3, 5))]
    assert tally.parts(date(2025, 5, 2), date(2025, 5, 1)) == []
    for start, end in itertools.product(
            [date(2023, 11, 20) + timedelta(days=n) for n in range(0, 130, 5)], repeat=2):
        covered: dict[date, int] = {}
        for part in tally.parts(start, end):
            day = part.first
            while day <= (tally.month_end(part.last) if part.grain == tally.MONTH
                          else part.last):
                covered[day] = covered.get(day, 0) + part.sign
                day += timedelta(days=1)
            assert part.grain == tally.MONTH or (part.last - part.first).days < 16
        wanted = {start + timedelta(days=n) for n in range((end - start).days + 1)}
        assert {day for day, times in covered.items() if times} == wanted, (start, end)
        assert set(covered.values()) <= {0, 1}


def test_a_question_takes_the_smallest_cut_holding_its_keys():
    assert tally.cut_for(tally.MONTH, set()).number == 2
    assert tally.cut_for(tally.DAY, {"channel"}).number == 1
    assert tally.cut_for(tally.DAY, {"counter_id"}).number == 3
    assert tally.cut_for(tally.MONTH, {"officer_id"}).number == 6
    assert tally.cut_for(tally.MONTH, {"officer_id", "counter_id"}).number == 12
    assert tally.cut_for(tally.DAY, {"officer_id", "counter_id"}).number == 11
    assert tally.cut_for(tally.MONTH, {"officer_id", "channel"}).number == 10
    assert tally.cut_for(tally.DAY, {"counter_id", "channel"}).number == 7
    assert tally.cut_for(tally.DAY, {"procedure_field_id"}).number == 7
    assert tally.cut_for(tally.DAY, {"officer_id", "procedure_field_id"}).number == 13
    assert tally.cut_for(tally.MONTH, {"officer_id", "procedure_field_id"}).number == 14
    assert tally.cut_for(tally.DAY, {"officer_id", "procedure_field_id", "channel"}).number == 9
    assert {cut.number for cut in tally.CUTS if cut.keys == frozenset(tally.KEYS)} == {9, 10}
    assert len({cut.number for cut in tally.CUTS}) == len(tally.CUTS)
    # a question that does not ask about officers never reads a cut of credited answers only
    for size in range(len(tally.KEYS)):
        for needed in itertools.combinations(set(tally.KEYS) - {"officer_id"}, size):
            for grain in (tally.DAY, tally.MONTH):
                assert "officer_id" not in tally.cut_for(grain, set(needed)).keys, needed


def stored(db) -> set:
    return {tuple(row) for row in db.execute(text(
        "SELECT cut, period, counter_id, channel, procedure_field_id, officer_id, left_out, "
        "item_code, n0, n1, n2, n3, n4, n5 FROM survey_tally "
        "WHERE n0 != 0 OR n1 != 0 OR n2 != 0 OR n3 != 0 OR n4 != 0 OR n5 != 0"))}


def test_decisions_move_the_counts_and_a_recount_finds_the_same(db, answered):
    admin = make_user(db, roles=["admin"])
    responses = db.scalars(select(Response).order_by(Response.id)).all()
    left_out = [response for response in responses if response.flagged][:3]
    counted = [response for response in responses if not response.flagged][:3]
    year = queries.Filters(start=date(2025, 1, 1), end=date(2025, 12, 31))
    before = queries.response_count(db, year), queries.exclusions(db, year)
    for response in left_out:
        review_response(db, response, count=True, reason="Đúng người thật", actor=admin,
                        shown_version=response.review_version)
    for response in counted:
        review_response(db, response, count=False, reason="Trùng lặp", actor=admin,
                        shown_version=response.review_version)
    db.commit()
    incremental = stored(db)
    assert queries.exclusions(db, year)["admin"] == 3
    assert sum(queries.exclusions(db, year).values()) == sum(before[1].values())
    rollup.rebuild(db.connection())
    assert stored(db) == incremental
    assert queries.response_count(db, year) == before[0] + (
        sum(rollup.says_something(r) for r in left_out)
        - sum(rollup.says_something(r) for r in counted))


def test_left_out_responses_count_only_when_asked_for(db):
    counter = make_counter(db)
    make_response(db, counter, {"CC1": 5}, flagged=True, reasons=("inhuman",))
    db.commit()
    today = date.today()
    filters = queries.Filters(start=today - timedelta(days=1), end=today + timedelta(days=1))
    assert queries.answer_counts(db, filters) == {}
    assert queries.response_count(db, filters) == 0
    assert queries.exclusions(db, filters) == {"inhuman": 1}
    flagged = queries.Filters(**{**filters.__dict__, "include_flagged": True})
    assert queries.answer_counts(db, flagged) == {"CC1": {5: 1}}
    assert queries.response_count(db, flagged) == 1


def test_the_migration_counts_answers_stored_before_it(tmp_path):
    """Upgrading to the tally migration fills it from the responses already there, and a
    downgrade gives back the tables it replaced."""
    engine = make_engine(f"sqlite:///{tmp_path}/old.sqlite3")
    upgrade_database(engine, "0023")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO unit (id, code, name, active, created_at) "
            "VALUES (1, 'U', 'Đơn vị', 1, '2025-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO counter (id, code, name, unit_id, active, created_at) "
            "VALUES (1, 'Q', 'Quầy', 1, 1, '2025-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO staff_user (id, username, full_name, password_hash, active, "
            "created_at) VALUES (1, 'cb', 'Cán bộ', 'x', 1, '2025-01-01 00:00:00')"))
        questionnaire = connection.execute(text("SELECT id FROM questionnaire")).scalar()
        for number, (when, flagged, officer) in enumerate(
                [("2025-03-31 18:00:00", 0, 1), ("2025-03-31 10:00:00", 0, None),
                 ("2025-03-31 11:00:00", 1, None)], start=1):
            connection.execute(text(
                "INSERT INTO survey_response (id, questionnaire_id, counter_id, officer_id, "
                "channel, nonce, submitted_at, flagged, exclusion, review_version) VALUES "
                "(:id, :questionnaire, 1, :officer, 'counter', :nonce, :when, :flagged, "
                ":exclusion, 0)"),
                {"id": number, "nonce": f"n{number}", "when": when, "flagged": flagged,
                 "officer": officer, "questionnaire": questionnaire,
                 "exclusion": "device" if flagged else None})
            connection.execute(text(
                "INSERT INTO survey_answer (response_id, item_code, value) VALUES (:id, 'CC1', 5)"
            ), {"id": number})
    upgrade_database(engine)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT period, left_out, item_code, n0, n5 FROM survey_tally "
            "WHERE cut = 1 ORDER BY period, left_out, item_code")).all()
        officer = connection.execute(text(
            "SELECT period, officer_id, item_code, n0, n5 FROM survey_tally "
            "WHERE cut = 6 ORDER BY item_code")).all()
    assert [tuple(row) for row in rows] == [
        # 10:00 and 11:00 UTC = 17:00 and 18:00 in Vietnam, one of them left out
        ("2025-03-31", 0, "", 1, 0), ("2025-03-31", 0, "CC1", 0, 1),
        ("2025-03-31", 1, "", 1, 0), ("2025-03-31", 1, "*device", 1, 0),
        ("2025-03-31", 1, "CC1", 0, 1),
        ("2025-04-01", 0, "", 1, 0), ("2025-04-01", 0, "CC1", 0, 1),  # 18:00 UTC: 1 April
    ]
    assert [tuple(row) for row in officer] == [("2025-04-01", 1, "", 1, 0),
                                               ("2025-04-01", 1, "CC1", 0, 1)]
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0023")
    with engine.connect() as connection:
        assert connection.execute(text(
            "SELECT day, item_code, answers FROM survey_rollup ORDER BY day, item_code")
        ).all() == [("2025-03-31", "", 1), ("2025-03-31", "CC1", 1),
                    ("2025-04-01", "", 1), ("2025-04-01", "CC1", 1)]
        assert connection.execute(text(
            "SELECT month, officer_id, item_code, answers FROM survey_officer_rollup")
        ).all() == [("2025-04-01", 1, "CC1", 1)]
    engine.dispose()


def test_the_rollup_command_recounts_the_table(db, runner):
    counter = make_counter(db)
    make_response(db, counter, {"CC1": 4})
    db.commit()
    db.execute(text("DELETE FROM survey_tally"))
    db.commit()
    result = runner.invoke(args=["survey-rollup"])
    assert result.exit_code == 0 and "recounted" in result.output
    assert db.scalar(select(Tally.n4).where(Tally.item_code == "CC1", Tally.cut == 8)) == 1


def test_a_comment_erased_to_nothing_stops_counting_its_response(db):
    """A response that said something only in its comment no longer counts once erasure or
    de-identification leaves nothing of it; one with an answer still counts."""
    counter = make_counter(db)
    only_said = make_response(db, counter, {"CC1": None}, comment="Nguyễn Văn A")
    answered = make_response(db, counter, {"CC1": 4}, comment="Nguyễn Văn B")
    db.commit()
    today = date.today()
    days = queries.Filters(start=today - timedelta(days=1), end=today + timedelta(days=1))
    assert queries.response_count(db, days) == 2
    rollup.set_comment(db, only_said, None)
    rollup.set_comment(db, answered, None)
    db.commit()
    assert queries.response_count(db, days) == 1
    incremental = stored(db)
    rollup.rebuild(db.connection())
    assert stored(db) == incremental


def test_a_level_the_tally_cannot_keep_is_refused_not_dropped(db):
    """An answer outside 0-5 (no form allows one) would vanish from every figure: storing it
    fails, and so does a recount that finds one stored by hand."""
    counter = make_counter(db)
    with pytest.raises(ValueError, match="CC1=7"):
        make_response(db, counter, {"CC1": 7})
        db.flush()
    db.rollback()
    make_response(db, counter, {"CC1": 4})
    db.commit()
    db.execute(text("UPDATE survey_answer SET value = 9"))
    with pytest.raises(ValueError, match="CC1=9"):
        rollup.rebuild(db.connection())


def test_answers_sent_by_citizens_are_tallied_as_a_recount_would(client, db, app):
    """The citizen's path stores with Core and counts from what was sent: credited to the
    officer on duty, in a procedure field, skipped questions, a comment, and one left out (a
    program filled the hidden field); a recount from the answers finds the same rows."""
    from survey.models import CounterDuty
    from tests.factories import aged_nonce
    from tests.factories import survey_answers as answers

    counter = make_counter(db)
    officer = make_user(db, roles=["reception"])
    field = ProcedureField(name="Đất đai")
    db.add(field)
    db.flush()
    db.add(CounterDuty(counter_id=counter.id, user_id=officer.id, day=today_in_vietnam()))
    db.commit()
    for number, extra in enumerate([
            {"procedure_field": str(field.id), "comment": "Cán bộ tận tình"},
            {"CC1": "na", "TC2": "2"}, {"website": "http://spam.example"}]):
        sent = client.post(f"/q/{counter.token}", data=answers(
            nonce=aged_nonce(app, counter.token, 40 + number), **extra))
        assert sent.status_code == 302
    responses = db.scalars(select(Response)).all()
    assert len(responses) == 3 and sum(response.flagged for response in responses) == 1
    assert all(response.officer_id == officer.id for response in responses)
    live = stored(db)
    assert {row[0] for row in live} == {cut.number for cut in tally.CUTS}
    rollup.rebuild(db.connection())
    assert stored(db) == live
