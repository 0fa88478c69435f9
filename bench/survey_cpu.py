"""Benchmark: CPU per citizen survey submission and per dashboard page, in process.

The path a real citizen takes, not a cheaper one: each submission is a phone of its own (its
own cookies, so its own survey cookie) and its own address (the first version left out a 6th
answer from one address within 10 minutes; sharing addresses here would let the old code skip
work and make a before/after comparison unfair), reading 30-120 s before sending varied
answers (some skipped, a comment now and then), at a counter with an officer on duty, so every
one is counted, credited and goes through the survey tally. It GETs /q/<token>, then POSTs. CPU is
the process's own time (steady on a shared machine, unlike wall-clock); wall time is printed
beside it. Then the dashboard and /results at BENCH_CPU_RESPONSES responses (default 100,000,
generated as in survey_dashboard.py). BENCH_DATABASE_URL for PostgreSQL (emptied).

Written so that it also runs on an older checkout of the project (to compare before/after on
the same machine in the same hour): it relies only on what both have.
"""
from __future__ import annotations

import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fresh_database import analyze, fresh_app  # noqa: E402
from itsdangerous import URLSafeTimedSerializer  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from portal.auth.models import Unit, User  # noqa: E402
from portal.db import get_session  # noqa: E402
from portal.workdays import today_in_vietnam  # noqa: E402
from survey.models import Counter, CounterDuty, Response  # noqa: E402
from survey.nonce import SALT  # noqa: E402
from survey.rollup import rebuild  # noqa: E402
from survey.services import current_questionnaire, issue_counter_link  # noqa: E402

SUBMISSIONS = int(os.environ.get("BENCH_CPU_SUBMISSIONS", "300"))
RESPONSES = int(os.environ.get("BENCH_CPU_RESPONSES", "100000"))
PASSWORD = "bench password 123"


def nonce(app, token: str, seconds: int) -> str:
    """The form's nonce as if it had been shown ``seconds`` ago (a citizen reading)."""
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=SALT).dumps(
        {"t": token, "r": f"b{time.time_ns()}", "at": int(time.time()) - seconds})


def answers(rng: random.Random, codes: list[str]) -> dict:
    data = {code: rng.choice(["5", "5", "4", "4", "4", "3", "2", "na"]) for code in codes}
    if rng.random() < 0.2:
        data["comment"] = "Cán bộ hướng dẫn tận tình, chờ hơi lâu."
    return data


def completion(app, token: str, number: int, rng: random.Random, data: dict,
               reference: bool = False) -> tuple[float, float]:
    """One citizen's completion (GET, then POST ``data``): its CPU and wall time."""
    phone = app.test_client()
    phone.environ_base["REMOTE_ADDR"] = f"10.9.{number // 250}.{number % 250 + 1}"
    started_cpu, started = time.process_time(), time.perf_counter()
    page = phone.get(f"/q/{token}")
    assert page.status_code == 200
    shown = rng.randrange(30, 120)
    sent = phone.post(f"/q/{token}", data={
        "nonce": "n" * 40 if reference else nonce(app, token, shown), **data})
    assert sent.status_code == 302, sent.status_code
    return time.process_time() - started_cpu, time.perf_counter() - started


def submissions(app, token: str, codes: list[str], reference_app=None) -> dict:
    """The citizens' completions against the portal and, with ``reference_app`` (the bare
    app of the same shape, bench/reference_survey.py), the same answers against it, the two
    taking turns citizen by citizen so that both meet the same load on the shared machine.
    Returns {"portal": (cpu, wall), "reference": (cpu, wall)} lists per completion."""
    rng = random.Random(9)
    timings = {"portal": ([], []), "reference": ([], [])}
    for number in range(SUBMISSIONS + 20):
        data = answers(rng, codes)
        turns = [("portal", app, False)]
        if reference_app is not None:
            turns.append(("reference", reference_app, True))
            if number % 2:
                turns.reverse()
        for name, target, reference in turns:
            cpu, wall = completion(target, token, number, rng, data, reference)
            if number >= 20:  # the first ones warm the caches
                timings[name][0].append(cpu)
                timings[name][1].append(wall)
    return timings


def pages(app, paths: list[str]) -> dict[str, tuple[float, float]]:
    staff = app.test_client()
    staff.post("/staff/login", data={"username": "benchadmin", "password": PASSWORD})
    timings = {}
    for path in paths:
        cpu, wall = [], []
        for _ in range(6):
            started_cpu, started = time.process_time(), time.perf_counter()
            response = staff.get(path)
            assert response.status_code == 200, (path, response.status_code)
            cpu.append(time.process_time() - started_cpu)
            wall.append(time.perf_counter() - started)
        timings[path] = (statistics.median(cpu[1:]), statistics.median(wall[1:]))
    return timings


def main() -> list[str]:
    app, engine = fresh_app("bench-cpu-", SURVEY_LIMIT_PER_LINK="1000000/minute",
                            SURVEY_LIMIT_PER_ADDRESS="1000000/hour", WTF_CSRF_ENABLED=False,
                            PUBLIC_BASE_URL="http://127.0.0.1")
    dialect = engine.dialect.name
    with app.app_context():
        session = get_session()
        counter = Counter(code="BENCH", name="Quầy thử", unit=Unit(code="B", name="Đơn vị"))
        session.add(counter)
        session.flush()
        token = issue_counter_link(session, counter)
        # an officer on duty, as at a real counter: every answer is credited to them
        on_duty = User(username="benchofficer", full_name="Cán bộ trực", password_hash="x")
        session.add(on_duty)
        session.flush()
        session.add(CounterDuty(counter_id=counter.id, user_id=on_duty.id,
                                day=today_in_vietnam()))
        admin = User(username="benchadmin", full_name="Quản trị")
        admin.set_password(PASSWORD)
        admin.set_roles({"admin"})
        session.add(admin)
        session.commit()
        codes = [item.code for dimension in current_questionnaire(session).dimensions
                 for item in dimension.items]
    try:
        import reference_survey
    except ImportError:  # an older checkout, compared before/after
        reference_survey = None
    reference = reference_survey.make_app(engine, codes) if reference_survey else None
    timings = submissions(app, token, codes, reference)
    cpu, wall = timings["portal"]
    with app.app_context():
        session = get_session()
        counted = session.scalar(select(func.count()).select_from(Response)
                                 .where(Response.flagged.is_(False),
                                        Response.officer_id.is_not(None)))
    lines = [f"| citizen submission (GET + POST), {SUBMISSIONS} phones | {dialect} | "
             f"{statistics.median(cpu) * 1000:.1f} ms | {statistics.median(wall) * 1000:.1f} ms "
             f"| {counted} of {SUBMISSIONS + 20} counted, each credited to the officer on duty |"]
    if reference is not None:
        ref_cpu, ref_wall = timings["reference"]
        reference_survey.drop(engine)
        ratio = statistics.median(ref_cpu) / statistics.median(cpu)
        lines.append(f"| the same work in a bare Flask app (bench/reference_survey.py), taking "
                     f"turns with the portal | {dialect} | {statistics.median(ref_cpu) * 1000:.1f}"
                     f" ms | {statistics.median(ref_wall) * 1000:.1f} ms | |")
        lines.append(f"| **ratio** bare CPU / portal CPU per completion (target ≥ 0.5) | "
                     f"{dialect} | **{ratio:.2f}** | | {'OK' if ratio >= 0.5 else 'not yet'} |")
    import survey_dashboard  # the same synthetic year as that benchmark

    survey_dashboard.generate(engine, RESPONSES, codes)
    with engine.begin() as connection:
        rebuild(connection)
    analyze(engine)
    year = survey_dashboard.YEAR
    for path, (page_cpu, page_wall) in pages(app, [
            f"/staff/survey/?start={year}-01-01&end={year}-12-31",
            f"/results?year={year}"]).items():
        label = re.sub(r"\?.*", "", path)
        lines.append(f"| {label} at {RESPONSES:,} responses | {dialect} | "
                     f"{page_cpu * 1000:.0f} ms | {page_wall * 1000:.0f} ms | |")
    engine.dispose()
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
