"""Benchmark: the public list, the feed, the open data and the staff queue at 1k and 100k
tickets (issues 4 and 13). Tickets are bulk-inserted (Core) over a year with the variety of a
department (6 units, 50 officers, 30 procedure fields, four channels, every open state), 60 %
answered and most of those published, 100 of them with a rare word; then every filter of the
staff queue and of the public list is requested, timing the whole request (query, template,
response): CPU of this process and wall time (on PostgreSQL the database's work is in its
own process: wall time counts it), median of 8. The last column is t(large) / t(small) of
the wall time, for issue 13's target (page 1 at 100,000 within 1.5 times its time at 1,000).
Sizes: BENCH_FEEDBACK_SIZES (default "1000,100000"); BENCH_DATABASE_URL for PostgreSQL
(emptied).
"""
from __future__ import annotations

import os
import random
import re
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_login import login_user  # noqa: E402
from fresh_database import analyze, fresh_app  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from turns import taking_turns  # noqa: E402

from feedback import workflow as wf  # noqa: E402
from feedback.codes import make_code  # noqa: E402
from feedback.models import Ticket  # noqa: E402
from portal.auth.models import Unit, User  # noqa: E402
from portal.db import get_session  # noqa: E402
from portal.pages.models import ProcedureField  # noqa: E402
from portal.text import fold  # noqa: E402

YEAR = 2026
BATCH = 5000
# Tickets holding a rare word ("sạt lở"), the same number at every size (about 40 of them
# published): both sizes show a full page of them, so the search's ratio measures finding
# them among 100 times more tickets, not drawing 25 rows against none (one ticket in 500
# had left the small database with none to show).
RARE_TICKETS = 100
WORDS = ("hồ sơ đất đai trễ hẹn cán bộ hướng dẫn ô nhiễm tiếng ồn nước thải khai thác cát "
         "giấy phép môi trường đo đạc bản đồ bộ phận một cửa phí lệ phí").split()


FIELDS, OFFICERS, UNITS = 30, 50, 6


def generate(engine, size: int, seed: int = 11) -> dict:
    """``size`` tickets over a year; returns ids to filter by (a unit, an officer, a field)."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    open_states = [wf.RECEIVED, wf.ASSIGNED, wf.IN_PROGRESS, wf.DRAFTED, wf.IN_REVIEW,
                   wf.RETURNED, wf.APPROVED]
    with engine.begin() as connection:
        unit_ids = [connection.execute(insert(Unit).returning(Unit.id).values(
            code=f"FB{n}", name=f"Phòng {n}", active=True, created_at=now)).scalar_one()
            for n in range(UNITS)]
        field_ids = [connection.execute(insert(ProcedureField).returning(ProcedureField.id)
                                        .values(name=f"Lĩnh vực {n}")).scalar_one()
                     for n in range(FIELDS)]
        officer_ids = [connection.execute(insert(User).returning(User.id).values(
            username=f"officer{n}", full_name=f"Cán bộ {n}", password_hash="x", active=True,
            unit_id=unit_ids[n % UNITS], created_at=now)).scalar_one()
            for n in range(OFFICERS)]
        start = datetime(YEAR, 1, 1, 1, tzinfo=timezone.utc)
        for offset in range(0, size, BATCH):
            rows = []
            for number in range(offset + 1, min(size, offset + BATCH) + 1):
                received = start + timedelta(minutes=rng.randrange(330 * 24 * 60))
                content = " ".join(rng.choice(WORDS) for _ in range(40))
                if number % max(1, size // RARE_TICKETS) == 0:  # the same tickets at each size
                    content = "Sạt lở bờ kè, " + content
                answered = rng.random() < 0.6
                state = rng.choice([wf.PUBLISHED, wf.PUBLISHED, wf.CLOSED]) if answered else \
                    rng.choice(open_states)
                code = make_code(YEAR, number)
                due = (received + timedelta(days=20)).date()
                public = content[:300] if state == wf.PUBLISHED else None
                unit_id = rng.choice(unit_ids) if state != wf.RECEIVED else None
                officer_id = rng.choice(officer_ids) if state not in (
                    wf.RECEIVED, wf.ASSIGNED) else None
                rows.append({
                    "code": code, "year": YEAR, "number": number, "kind": "report",
                    "channel": rng.choice(["web", "web", "hotline", "letter", "email"]),
                    "state": state, "procedure_field_id": rng.choice(field_ids),
                    "ticket_class": rng.choice([wf.CLASS_COMPETENCE, wf.CLASS_COMPETENCE,
                                                wf.CLASS_COMPETENCE, wf.CLASS_CONDUCT])
                    if state != wf.RECEIVED else None,
                    "content": content, "search_text": fold(f"{code} {content}"),
                    "name": "Người gửi", "address": "Nha Trang", "phone": "0905000000",
                    "phone_digits": "0905000000", "reply_by_post": False,
                    "consent_publish": rng.random() < 0.7, "language": "vi",
                    "received_at": received, "classify_due_on": received.date(),
                    "forward_due_on": received.date(), "notify_due_on": received.date(),
                    "classified_at": received + timedelta(days=1)
                    if state != wf.RECEIVED else None,
                    "first_notice_at": received + timedelta(days=1)
                    if state != wf.RECEIVED and rng.random() < 0.9 else None,
                    "answer_due_on": due, "due_on": None if answered else due,
                    "unit_id": unit_id, "officer_id": officer_id,
                    "answer": "Trả lời" if answered else None,
                    "answered_at": received + timedelta(days=10) if answered else None,
                    "finished_at": received + timedelta(days=10) if answered else None,
                    "on_time": rng.random() < 0.95 if answered else None,
                    "public_question": public, "public_answer": public and "Đã xử lý.",
                    "public_search": fold(public) if public else None,
                    "published_at": received + timedelta(days=11) if public else None,
                    "version": 1,
                })
            connection.execute(insert(Ticket), rows)
    return {"unit": unit_ids[2], "officer": officer_ids[7], "field": field_ids[4],
            "code": make_code(YEAR, size // 2)}


REPEAT = 9


CODE = re.compile(r"PA-\d{4}-\d{6}[A-Z]")


def once(app, client, user_id: int, path: str, staff: bool) -> tuple[float, float, int]:
    """CPU and wall seconds of one whole request (a staff page: the queue's view called for
    a signed-in administrator), and the number of tickets it shows."""
    if staff:
        with app.test_request_context(path):
            login_user(get_session().get(User, user_id))
            started_cpu, started = time.process_time(), time.perf_counter()
            response = app.make_response(app.view_functions["feedback_staff.queue"]())
            body = response.get_data(as_text=True)
    else:
        started_cpu, started = time.process_time(), time.perf_counter()
        response = client.get(path)
        body = response.get_data(as_text=True)
        response.close()
    assert response.status_code == 200, (path, response.status_code)
    return (time.process_time() - started_cpu, time.perf_counter() - started,
            len(set(CODE.findall(body))))


def cases(ids: dict) -> list[tuple[str, str, bool]]:
    """(label, path, staff page?) for every filter of the staff queue and the public list."""
    return [
        ("staff queue, open, page 1", "/staff/feedback", True),
        ("staff queue, open, page 3", "/staff/feedback?page=3", True),
        ("staff queue, one state", f"/staff/feedback?state={wf.IN_PROGRESS}", True),
        ("staff queue, class", f"/staff/feedback?class={wf.CLASS_CONDUCT}", True),
        ("staff queue, unit", f"/staff/feedback?unit={ids['unit']}", True),
        ("staff queue, officer", f"/staff/feedback?officer={ids['officer']}", True),
        ("staff queue, channel", "/staff/feedback?channel=hotline", True),
        ("staff queue, field", f"/staff/feedback?field={ids['field']}", True),
        ("staff queue, due soon", "/staff/feedback?due=soon", True),
        ("staff queue, overdue", "/staff/feedback?due=overdue", True),
        ("staff queue, notice overdue", "/staff/feedback?due=notice", True),
        ("staff queue, search words", "/staff/feedback?q=nuoc+thai+cat", True),
        ("staff queue, search a rare word", "/staff/feedback?q=sat+lo&all=1", True),
        ("staff queue, search a code", f"/staff/feedback?q={ids['code']}", True),
        ("staff queue, with finished", "/staff/feedback?all=1", True),
        ("staff queue, finished, a field", f"/staff/feedback?all=1&field={ids['field']}", True),
        ("public list, page 1", "/feedback/published", False),
        ("public list, page 50", "/feedback/published?page=50", False),
        ("public list, search 2 words", "/feedback/published?q=tieng+on", False),
        ("public list, search a rare word", "/feedback/published?q=sat+lo", False),
        ("public list, a field", f"/feedback/published?field={ids['field']}", False),
        ("public list, a month", f"/feedback/published?year={YEAR}&month=6", False),
        ("Atom feed (50 entries)", "/feedback/published.atom", False),
        ("open data JSON (every published ticket: grows with them)",
         "/feedback/published.json", False),
    ]


def world(size: int, second: bool = False) -> dict:
    """A fresh database of ``size`` tickets and what to request it with."""
    app, engine = fresh_app("bench-feedback-", second=second,
                            PUBLIC_BASE_URL="https://gopy.example.vn")
    started = time.perf_counter()
    ids = generate(engine, size)
    analyze(engine)
    generated = time.perf_counter() - started
    with app.app_context():
        session = get_session()
        admin = User(username="benchadmin", full_name="Bench", password_hash="x")
        admin.set_roles(["admin"])
        session.add(admin)
        session.commit()
        admin_id = admin.id
    return {"app": app, "engine": engine, "client": app.test_client(), "ids": ids,
            "admin": admin_id, "generated": generated}


def main() -> list[str]:
    sizes = [int(size) for size in os.environ.get("BENCH_FEEDBACK_SIZES", "1000,100000")
             .split(",")]
    small, large = sizes[0], sizes[-1]
    worlds = {small: world(small, second=True), large: world(large)}
    dialect = worlds[small]["engine"].dialect.name
    lines = []
    for number, (label, _path, staff) in enumerate(cases(worlds[small]["ids"])):
        def measure(size, number=number, staff=staff):
            state = worlds[size]
            return once(state["app"], state["client"], state["admin"],
                        cases(state["ids"])[number][1], staff)

        # REPEAT rounds, the first warming the caches
        medians, shown = taking_turns(small, large, REPEAT - 1, measure)
        figures = [f"{medians[size][1] * 1000:.0f} ms (CPU {medians[size][0] * 1000:.0f} ms, "
                   f"{shown[size]:,} shown)" for size in (small, large)]
        ratio = medians[large][1] / medians[small][1]
        lines.append(f"| {label} | {dialect} | {figures[0]} | {figures[1]} | {ratio:.2f} |")
    lines.append(f"| (generating the tickets) | {dialect} | {worlds[small]['generated']:.1f} s"
                 f" | {worlds[large]['generated']:.1f} s | |")
    for state in worlds.values():
        state["engine"].dispose()
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
