"""Benchmark: the survey dashboard, the officer report and /results at 10,000 and 1,000,000
responses (issue 13, point 2: every filter and report within 2 times at the large size).

Responses are bulk-inserted (Core) over the year so far with a department's variety: 5 units,
20 counters (each serving 4 of its unit's 6 procedure fields), 50 officers (two or three on
duty at each counter, now and then one standing in elsewhere, a tenth of answers credited to
nobody), four channels, office hours on working days, one answer in thirty left out for one
of four reasons, a comment now and then; then the tally is recounted as `survey-rollup`
does. Every filter and period of the dashboard, both officer reports and both /results
views are requested as whole pages (query, template, response) for a signed-in
administrator: CPU of this process and wall time (on PostgreSQL the database's work is in
its own process: wall time counts it), median of 7, the two sizes taking turns. The last
column is t(large) / t(small) of the wall time. Sizes: BENCH_SURVEY_SIZES (default
"10000,1000000"; make bench runs smaller ones); BENCH_DATABASE_URL for PostgreSQL (emptied,
with a second database beside it).
"""
from __future__ import annotations

import os
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_login import login_user  # noqa: E402
from fresh_database import analyze, fresh_app  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from turns import taking_turns  # noqa: E402

from portal.auth.models import Unit, User  # noqa: E402
from portal.db import get_session  # noqa: E402
from portal.pages.models import ProcedureField  # noqa: E402
from survey.models import Answer, Counter, Response  # noqa: E402
from survey.rollup import rebuild  # noqa: E402
from survey.services import current_questionnaire  # noqa: E402

YEAR = 2026
DAYS = 334  # 1 January to 30 November
BATCH = 5000
UNITS, COUNTERS, FIELDS, OFFICERS = 5, 20, 30, 50
REASONS = ("inhuman", "device", "address", "honeypot")
CHANNELS = ("counter",) * 14 + ("dossier",) * 4 + ("tablet", "paper")


def generate(engine, size: int, codes: list[str], seed: int = 7) -> dict:
    """``size`` responses with realistic answers (mostly 4-5, some 'no answer'); returns
    ids to filter by (a unit, a counter, an officer, a field)."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    with engine.begin() as connection:
        unit_ids = [connection.execute(insert(Unit).returning(Unit.id).values(
            code=f"B{n}", name=f"Đơn vị {n}", active=True, created_at=now)).scalar_one()
            for n in range(UNITS)]
        field_ids = [connection.execute(insert(ProcedureField).returning(ProcedureField.id)
                                        .values(name=f"Lĩnh vực {n}")).scalar_one()
                     for n in range(FIELDS)]
        counters = []  # (id, the fields it serves, the officers on duty there)
        for n in range(COUNTERS):
            unit = n % UNITS
            counter_id = connection.execute(insert(Counter).returning(Counter.id).values(
                code=f"BQ{n:02d}", name=f"Quầy {n}", unit_id=unit_ids[unit], active=True,
                created_at=now)).scalar_one()
            own = field_ids[unit * 6:unit * 6 + 6]
            counters.append((counter_id, rng.sample(own, 4), []))
        officer_ids = []
        for n in range(OFFICERS):
            officer_id = connection.execute(insert(User).returning(User.id).values(
                username=f"bench{n}", full_name=f"Cán bộ {n:02d}", password_hash="x",
                active=True, created_at=now)).scalar_one()
            officer_ids.append(officer_id)
            counters[n % COUNTERS][2].append(officer_id)
        questionnaire_id = connection.execute(text(
            "SELECT id FROM questionnaire WHERE current")).scalar_one()
        working_days = [day for day in (date(YEAR, 1, 1) + timedelta(days=n)
                                        for n in range(DAYS)) if day.weekday() < 5]
        next_id = (connection.execute(text("SELECT max(id) FROM survey_response")).scalar()
                   or 0) + 1
        for offset in range(0, size, BATCH):
            responses, answers = [], []
            for number in range(offset, min(size, offset + BATCH)):
                response_id = next_id + number
                counter_id, fields, on_duty = rng.choice(counters)
                credit = rng.random()
                officer = rng.choice(on_duty) if credit < 0.85 else \
                    rng.choice(officer_ids) if credit < 0.9 else None
                day = rng.choice(working_days)
                # 07:30-17:00 in Vietnam: 00:30-10:00 UTC
                when = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) \
                    + timedelta(seconds=1800 + rng.randrange(34200))
                left_out = rng.random() < 1 / 30
                responses.append({
                    "id": response_id, "questionnaire_id": questionnaire_id,
                    "counter_id": counter_id, "officer_id": officer,
                    "channel": rng.choice(CHANNELS), "nonce": f"bench-{response_id}",
                    "submitted_at": when, "seconds_to_answer": rng.randrange(20, 180),
                    "procedure_field_id": rng.choice(fields) if rng.random() < 0.8 else None,
                    "comment": "Cán bộ hướng dẫn tận tình" if rng.random() < 0.08 else None,
                    "flagged": left_out, "exclusion": rng.choice(REASONS) if left_out else None,
                    "flag_reasons": None,
                })
                for code in codes:
                    roll = rng.random()
                    value = None if roll < 0.05 else (5 if roll < 0.5 else 4 if roll < 0.8
                                                      else 3 if roll < 0.9 else 2 if roll < 0.96
                                                      else 1)
                    answers.append({"response_id": response_id, "item_code": code,
                                    "value": value})
            connection.execute(insert(Response), responses)
            connection.execute(insert(Answer), answers)
    return {"unit": unit_ids[2], "counter": counters[7][0], "officer": officer_ids[7],
            "field": counters[7][1][0], "officer_counter": counters[7][0]}


REPEAT = 7


def once(app, user_id: int, path: str) -> tuple[float, float]:
    """CPU and wall seconds of one whole page for a signed-in administrator."""
    with app.test_request_context(path):
        login_user(get_session().get(User, user_id))
        endpoint, arguments = app.url_map.bind("localhost").match(path.split("?")[0])
        started_cpu, started = time.process_time(), time.perf_counter()
        response = app.make_response(app.view_functions[endpoint](**arguments))
        response.get_data()
    assert response.status_code == 200, (path, response.status_code)
    return time.process_time() - started_cpu, time.perf_counter() - started


def cases(ids: dict) -> list[tuple[str, str]]:
    """(label, path): every filter and period of the dashboard, and the reports."""
    board = "/staff/survey/"
    return [
        ("dashboard, this year so far", board),
        ("dashboard, whole year", f"{board}?start={YEAR}-01-01&end={YEAR}-12-31"),
        ("dashboard, one month", f"{board}?start={YEAR}-06-01&end={YEAR}-06-30"),
        ("dashboard, any period (15/03-20/07)", f"{board}?start={YEAR}-03-15&end={YEAR}-07-20"),
        ("dashboard, one week", f"{board}?start={YEAR}-11-02&end={YEAR}-11-08"),
        ("dashboard, a counter", f"{board}?counter={ids['counter']}"),
        ("dashboard, a unit", f"{board}?unit={ids['unit']}"),
        ("dashboard, an officer", f"{board}?officer={ids['officer']}"),
        ("dashboard, an officer, any period",
         f"{board}?officer={ids['officer']}&start={YEAR}-03-15&end={YEAR}-07-20"),
        ("dashboard, a channel", f"{board}?channel=dossier"),
        ("dashboard, a procedure field", f"{board}?field={ids['field']}"),
        ("dashboard, including left-out answers", f"{board}?flagged=1"),
        ("dashboard, an officer at a counter",
         f"{board}?officer={ids['officer']}&counter={ids['officer_counter']}"),
        ("dashboard, a unit, a channel, a field",
         f"{board}?unit={ids['unit']}&channel=counter&field={ids['field']}"),
        ("dashboard, an officer and a field",
         f"{board}?officer={ids['officer']}&field={ids['field']}"),
        ("officer report, one month", f"/staff/survey/officers?month={YEAR}-06"),
        ("officer report, the year", f"/staff/survey/officers?year={YEAR}"),
        ("/results, the year", f"/results?year={YEAR}"),
        ("/results, a quarter", f"/results?year={YEAR}&quarter=2"),
    ]


def world(size: int, second: bool = False) -> dict:
    """A fresh database of ``size`` responses and what to request it with."""
    app, engine = fresh_app("bench-survey-", second=second)
    with app.app_context():
        questionnaire = current_questionnaire(get_session())
        codes = [item.code for d in questionnaire.dimensions for item in d.items]
    started = time.perf_counter()
    ids = generate(engine, size, codes)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    with engine.begin() as connection:  # the bulk load bypassed the ORM's counting
        rebuild(connection)
    recounted = time.perf_counter() - started
    analyze(engine)
    with app.app_context():
        session = get_session()
        admin = User(username="benchadmin", full_name="Bench", password_hash="x")
        admin.set_roles(["admin"])
        session.add(admin)
        session.commit()
        admin_id = admin.id
    return {"app": app, "engine": engine, "ids": ids, "admin": admin_id, "loaded": loaded,
            "recounted": recounted}


def main() -> list[str]:
    sizes = [int(size) for size in os.environ.get("BENCH_SURVEY_SIZES", "10000,1000000")
             .split(",")]
    small, large = sizes[0], sizes[-1]
    worlds = {small: world(small, second=True), large: world(large)}
    dialect = worlds[small]["engine"].dialect.name
    lines = []
    for number, (label, _path) in enumerate(cases(worlds[small]["ids"])):
        def measure(size, number=number):
            state = worlds[size]
            return *once(state["app"], state["admin"], cases(state["ids"])[number][1]), None

        medians, _shown = taking_turns(small, large, REPEAT, measure)
        figures = [f"{medians[size][1] * 1000:.0f} ms (CPU {medians[size][0] * 1000:.0f} ms)"
                   for size in (small, large)]
        ratio = medians[large][1] / medians[small][1]
        lines.append(f"| {label} | {dialect} | {figures[0]} | {figures[1]} | {ratio:.2f} |")
    lines.append(f"| (loading the responses; recounting the tally) | {dialect} "
                 f"| {worlds[small]['loaded']:.0f} s; {worlds[small]['recounted']:.0f} s "
                 f"| {worlds[large]['loaded']:.0f} s; {worlds[large]['recounted']:.0f} s | |")
    for state in worlds.values():
        state["engine"].dispose()
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
