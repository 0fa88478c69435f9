"""Benchmark: the one-stop scoreboard at 10,000 and at 1,000,000 dossiers (issue 11: the page's
work may grow at most twofold, t(1M)/t(10k) <= 2).

The dossiers are spread as five years of a department's work: nine units, 39 procedures,
received every day, most returned on time, some late, some open, one in twenty online, half
naming their receiving officer; their stored points are those the scoring gives such records.
Timed: what the staff scoreboard computes for a quarter (units, officers, apologies, the count
of dossiers with stale points) and the first page of a unit's dossiers that lost points; CPU
time per page beside wall time. Run with `make bench`; BENCH_DATABASE_URL for PostgreSQL.
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
sys.path.insert(0, str(ROOT / "bench"))

from fresh_database import analyze, fresh_app  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from portal.auth.models import Unit, User  # noqa: E402
from portal.db import get_session  # noqa: E402
from portal.demo import load_all  # noqa: E402
from portal.pages.models import Procedure  # noqa: E402
from survey.onestop import queries, services  # noqa: E402
from survey.onestop.models import Declaration, Dossier  # noqa: E402

# BENCH_ONESTOP_SIZES, small then large (the target is stated for 10,000 and 1,000,000)
SIZES = tuple(int(size) for size in os.environ.get("BENCH_ONESTOP_SIZES",
                                                   "10000,1000000").split(","))
YEARS = 5
FIRST_DAY = date(2022, 1, 3)
PERIOD = queries.Period(2025, 2)  # a quarter in the middle of the data
ROUNDS = 5
CHUNK = 20_000


def rows(count: int, units: list[int], procedures: list[int], officer: int, seed: int):
    rng = random.Random(seed)
    span = YEARS * 365
    for number in range(count):
        received = FIRST_DAY + timedelta(days=rng.randrange(span))
        due = received + timedelta(days=rng.randrange(5, 30))
        late = rng.random() < 0.08
        returned = due + timedelta(days=rng.randrange(1, 6)) if late \
            else due - timedelta(days=rng.randrange(0, 4))
        supplements = rng.choices((0, 1, 2), (85, 12, 3))[0]
        bodies = rng.choices((0, 1, 2), (60, 35, 5))[0]
        time_points = 0 if late else (1 if returned == due else 2)
        points = {"pt_time": time_points, "pt_participants": time_points,
                  "pt_returns": 2 - min(supplements, 2), "pt_bodies": 2 - min(bodies, 2),
                  "pt_catalogue": 1, "pt_conduct": time_points}
        at = datetime(received.year, received.month, received.day, 2, tzinfo=timezone.utc)
        apology = due - timedelta(days=1) if late and rng.random() < 0.5 else None
        yield {
            "code": f"000.00.19.H34-{number:08d}", "procedure_id": rng.choice(procedures),
            "unit_id": rng.choice(units), "received_at": at,
            "due_at": at + timedelta(days=(due - received).days, hours=7),
            "returned_at": at + timedelta(days=(returned - received).days, hours=3),
            "received_on": received, "due_on": due, "returned_on": returned,
            "channel": "online" if rng.random() < 0.05 else "counter", "status": "returned",
            "supplements": supplements, "bodies_contacted": bodies,
            "verified_complaint": False, "officer_id": officer if rng.random() < 0.5 else None,
            "imported_at": at, "scored_on": returned, "scored_month": returned.replace(day=1),
            **points, "pt_officer": points["pt_time"] + points["pt_returns"]
            + points["pt_bodies"] + points["pt_conduct"],
            "lost_points": points["pt_catalogue"] < 1 or any(
                value < 2 for key, value in points.items() if key != "pt_catalogue"),
            "scheme_version": "TT01-2018",
            "apology_on": apology, "apology_month": apology.replace(day=1) if apology else None,
        }


def load(app, count: int) -> None:
    with app.app_context():
        session = get_session()
        load_all(session, password="bench-password")
        units = list(session.scalars(select(Unit.id)))
        procedures = list(session.scalars(select(Procedure.id)))
        officer = session.scalar(select(User.id).where(User.username == "reception"))
        batch = []
        months = set()
        for row in rows(count, units, procedures, officer, seed=count):
            batch.append(row)
            months.add(row["scored_month"])
            if len(batch) == CHUNK:
                session.execute(insert(Dossier), batch)
                batch = []
        if batch:
            session.execute(insert(Dossier), batch)
        for year in range(0, len(months), 12):  # recount the figures a year at a time
            chunk = set(sorted(months)[year:year + 12])
            services.refresh_months(session, chunk)
            services.refresh_apology_months(session, chunk)
        for unit_id in units:
            for q in PERIOD.quarters:
                session.execute(insert(Declaration).values(
                    unit_id=unit_id, year=PERIOD.year, quarter=q, all_through_counter=True,
                    settled_share=20, procedures_posted=True))
        session.commit()


def time_pages(app) -> tuple[float, float, float, float]:
    """Median wall and CPU seconds of the scoreboard's work, and of a drill-down page."""
    board, board_cpu, drill, drill_cpu = [], [], [], []
    with app.test_request_context():
        session = get_session()
        unit = session.scalar(select(Unit).order_by(Unit.id))
        for _ in range(ROUNDS):
            started, cpu = time.perf_counter(), time.process_time()
            scheme = services.current_scheme(session)
            queries.scoreboard(session, PERIOD, scheme)
            queries.officers(session, PERIOD, scheme)
            services.apologies_by_unit_month(session, PERIOD.first_day, PERIOD.last_day)
            services.stale_scores(session, scheme)
            board.append(time.perf_counter() - started)
            board_cpu.append(time.process_time() - cpu)
            started, cpu = time.perf_counter(), time.process_time()
            page = queries.lost_dossiers(session, unit, PERIOD, 1)
            assert page.items, "the drill-down shows dossiers"
            drill.append(time.perf_counter() - started)
            drill_cpu.append(time.process_time() - cpu)
            session.expire_all()
    return (statistics.median(board), statistics.median(board_cpu), statistics.median(drill),
            statistics.median(drill_cpu))


def main() -> list[str]:
    results, lines, dialect = {}, [], ""
    for count in SIZES:
        app, engine = fresh_app("bench-onestop-")
        dialect = engine.dialect.name
        started = time.perf_counter()
        load(app, count)
        analyze(engine)
        loaded = time.perf_counter() - started
        results[count] = time_pages(app)
        board, board_cpu, drill, drill_cpu = results[count]
        lines.append(f"| {count:,} dossiers (loaded in {loaded:.0f} s) | {dialect} "
                     f"| scoreboard {board * 1000:.1f} ms (CPU {board_cpu * 1000:.1f} ms) "
                     f"| drill-down page {drill * 1000:.1f} ms (CPU {drill_cpu * 1000:.1f} ms) |")
        engine.dispose()
    small, large = results[SIZES[0]], results[SIZES[-1]]
    board_ratio, drill_ratio = large[1] / small[1], large[3] / small[3]
    verdict = "OK" if board_ratio <= 2 and drill_ratio <= 2 else "TOO SLOW"
    lines.append(f"| t({SIZES[-1]:,})/t({SIZES[0]:,}), CPU | {dialect} "
                 f"| scoreboard {board_ratio:.2f} "
                 f"| drill-down {drill_ratio:.2f} (target <= 2: {verdict}) |")
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
