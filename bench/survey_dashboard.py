"""Benchmark: the survey dashboard's figures at 10k / 100k (/ 1M) responses.

Generates synthetic responses straight into a fresh database (Core bulk inserts, 19 answers
each, spread over a year, 5 counters, 10 officers, both channels), then times what the
dashboard page computes: the index for the whole year, for one counter, the monthly trend and
the per-unit results. Sizes: BENCH_SURVEY_SIZES (default "10000,100000"; add 1000000 for the
issue's target, several minutes to generate). BENCH_DATABASE_URL for PostgreSQL (emptied).
"""
from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fresh_database import analyze, fresh_app  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from portal.auth.models import Unit, User  # noqa: E402
from portal.db import get_session  # noqa: E402
from survey import queries, reports  # noqa: E402
from survey.models import Answer, Counter, Response  # noqa: E402
from survey.rollup import rebuild  # noqa: E402
from survey.services import current_questionnaire  # noqa: E402

YEAR = 2025
BATCH = 5000


def generate(engine, size: int, codes: list[str], seed: int = 7) -> None:
    """size responses with realistic answers (mostly 4-5, some 'no answer', a few flagged)."""
    rng = random.Random(seed)
    with engine.begin() as connection:
        unit_ids = [connection.execute(insert(Unit).returning(Unit.id).values(
            code=f"B{n}", name=f"Đơn vị {n}", active=True,
            created_at=datetime.now(timezone.utc))).scalar_one() for n in range(3)]
        counter_ids = [connection.execute(insert(Counter).returning(Counter.id).values(
            code=f"BQ{n}", name=f"Quầy {n}", unit_id=unit_ids[n % 3], active=True,
            created_at=datetime.now(timezone.utc))).scalar_one() for n in range(5)]
        officer_ids = [connection.execute(insert(User).returning(User.id).values(
            username=f"bench{n}", full_name=f"Cán bộ {n}", password_hash="x", active=True,
            created_at=datetime.now(timezone.utc))).scalar_one() for n in range(10)]
        questionnaire_id = connection.execute(text(
            "SELECT id FROM questionnaire WHERE current")).scalar_one()
        start = datetime(YEAR, 1, 1, tzinfo=timezone.utc)
        next_id = (connection.execute(text("SELECT max(id) FROM survey_response")).scalar()
                   or 0) + 1
        for offset in range(0, size, BATCH):
            responses, answers = [], []
            for number in range(offset, min(size, offset + BATCH)):
                response_id = next_id + number
                mood = rng.random()
                responses.append({
                    "id": response_id, "questionnaire_id": questionnaire_id,
                    "counter_id": rng.choice(counter_ids),
                    "officer_id": rng.choice(officer_ids) if mood < 0.9 else None,
                    "channel": "dossier" if mood < 0.3 else "counter",
                    "nonce": f"bench-{response_id}",
                    "submitted_at": start + timedelta(seconds=rng.randrange(365 * 86400)),
                    "seconds_to_answer": rng.randrange(20, 180), "flagged": mood > 0.98,
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


def timed(function, *args, repeat: int = 3) -> float:
    """Median seconds of three calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function(*args)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def measure(app, size: int, dialect: str) -> list[str]:
    """Time each dashboard computation over the generated data."""
    with app.app_context():
        session = get_session()
        questionnaire = current_questionnaire(session)
        rules = reports.index_rules()
        year = queries.Filters(start=date(YEAR, 1, 1), end=date(YEAR, 12, 31))
        counter_id = session.scalar(select(Counter.id).where(Counter.code == "BQ0"))
        one_counter = queries.Filters(start=year.start, end=year.end, counter_id=counter_id)
        june = queries.Filters(start=date(YEAR, 6, 1), end=date(YEAR, 6, 30))

        def officers_month(session, questionnaire, filters, rules):
            return reports.by_officer(session, questionnaire, filters, rules, monthly=False)

        def officers_year(session, questionnaire, filters, rules):
            return reports.by_officer(session, questionnaire, filters, rules, monthly=True)

        cases = [
            ("index, whole year", reports.figures, year),
            ("index, one counter", reports.figures, one_counter),
            ("monthly trend", reports.monthly_trend, year),
            ("results by unit", reports.by_unit, year),
            ("officer report, one month", officers_month, june),
            ("officer year summary", officers_year, year),
        ]
        return [f"| {size:,} responses | {dialect} | {label} "
                f"| {timed(compute, session, questionnaire, filters, rules):.2f} s |"
                for label, compute, filters in cases]


def main() -> list[str]:
    sizes = [int(size) for size in os.environ.get("BENCH_SURVEY_SIZES", "10000,100000")
             .split(",")]
    lines = []
    for size in sizes:
        app, engine = fresh_app("bench-survey-")
        with app.app_context():
            questionnaire = current_questionnaire(get_session())
            codes = [item.code for d in questionnaire.dimensions for item in d.items]
        started = time.perf_counter()
        generate(engine, size, codes)
        with engine.begin() as connection:  # the bulk load bypassed the ORM's counting
            rebuild(connection)
        analyze(engine)
        generated = time.perf_counter() - started
        lines += measure(app, size, engine.dialect.name)
        lines.append(f"| {size:,} responses | {engine.dialect.name} | (generating) "
                     f"| {generated:.0f} s |")
        engine.dispose()
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
