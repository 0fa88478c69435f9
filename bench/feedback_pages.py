"""Benchmark: the public list, the feed, the open data and the staff queue at 1k and 100k
tickets (issue 4). Tickets are bulk-inserted (Core) over a year, half of them answered and
published; the pages are then requested through the test client, timing the whole request
(query, template, response). Sizes: BENCH_FEEDBACK_SIZES (default "1000,100000");
BENCH_DATABASE_URL for PostgreSQL (emptied).
"""
from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_login import login_user  # noqa: E402
from fresh_database import analyze, fresh_app  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from feedback import workflow as wf  # noqa: E402
from feedback.codes import make_code  # noqa: E402
from feedback.models import Ticket  # noqa: E402
from portal.auth.models import Unit, User  # noqa: E402
from portal.db import get_session  # noqa: E402
from portal.text import fold  # noqa: E402

YEAR = 2026
BATCH = 5000
WORDS = ("hồ sơ đất đai trễ hẹn cán bộ hướng dẫn ô nhiễm tiếng ồn nước thải khai thác cát "
         "giấy phép môi trường đo đạc bản đồ bộ phận một cửa phí lệ phí").split()


def generate(engine, size: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    with engine.begin() as connection:
        unit_ids = [connection.execute(insert(Unit).returning(Unit.id).values(
            code=f"FB{n}", name=f"Phòng {n}", active=True, created_at=now)).scalar_one()
            for n in range(6)]
        start = datetime(YEAR, 1, 1, 1, tzinfo=timezone.utc)
        for offset in range(0, size, BATCH):
            rows = []
            for number in range(offset + 1, min(size, offset + BATCH) + 1):
                received = start + timedelta(minutes=rng.randrange(330 * 24 * 60))
                content = " ".join(rng.choice(WORDS) for _ in range(40))
                answered = rng.random() < 0.6
                state = rng.choice([wf.PUBLISHED, wf.PUBLISHED, wf.CLOSED]) if answered else \
                    rng.choice([wf.RECEIVED, wf.ASSIGNED, wf.IN_PROGRESS, wf.IN_REVIEW])
                code = make_code(YEAR, number)
                due = (received + timedelta(days=20)).date()
                public = content[:300] if state == wf.PUBLISHED else None
                rows.append({
                    "code": code, "year": YEAR, "number": number, "kind": "report",
                    "channel": rng.choice(["web", "web", "hotline", "letter"]), "state": state,
                    "ticket_class": wf.CLASS_COMPETENCE if state != wf.RECEIVED else None,
                    "content": content, "search_text": fold(f"{code} {content}"),
                    "name": "Người gửi", "address": "Nha Trang", "phone": "0905000000",
                    "phone_digits": "0905000000", "reply_by_post": False,
                    "consent_publish": rng.random() < 0.7, "language": "vi",
                    "received_at": received, "classify_due_on": received.date(),
                    "forward_due_on": received.date(), "notify_due_on": received.date(),
                    "answer_due_on": due, "due_on": None if answered else due,
                    "unit_id": rng.choice(unit_ids) if state != wf.RECEIVED else None,
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


def timed(client, url: str, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        with client.get(url) as response:
            response.get_data()
            assert response.status_code == 200, (url, response.status_code)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def timed_view(app, user_id: int, path: str, repeat: int = 5) -> float:
    """A staff page rendered for a signed-in administrator (the view called directly)."""
    samples = []
    for _ in range(repeat):
        with app.test_request_context(path):
            login_user(get_session().get(User, user_id))
            started = time.perf_counter()
            response = app.make_response(app.view_functions["feedback_staff.queue"]())
            response.get_data()
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
    return statistics.median(samples)


def main() -> list[str]:
    sizes = [int(size) for size in os.environ.get("BENCH_FEEDBACK_SIZES", "1000,100000")
             .split(",")]
    lines = []
    for size in sizes:
        app, engine = fresh_app("bench-feedback-", PUBLIC_BASE_URL="https://gopy.example.vn")
        started = time.perf_counter()
        generate(engine, size)
        analyze(engine)
        generated = time.perf_counter() - started
        client = app.test_client()
        with app.app_context():
            session = get_session()
            admin = User(username="benchadmin", full_name="Bench", password_hash="x")
            admin.set_roles(["admin"])
            session.add(admin)
            session.commit()
            admin_id = admin.id
        for label, path in [("staff queue, open, page 1", "/staff/feedback"),
                            ("staff queue, overdue", "/staff/feedback?due=overdue"),
                            ("staff queue, search words", "/staff/feedback?q=nuoc+thai+cat")]:
            lines.append(f"| {size:,} tickets | {engine.dialect.name} | {label} "
                         f"| {timed_view(app, admin_id, path):.3f} s |")
        cases = [
            ("public list, page 1", "/feedback/published"),
            ("public list, page 50", "/feedback/published?page=50"),
            ("public list, search 2 words", "/feedback/published?q=tieng+on"),
            ("Atom feed (50 entries)", "/feedback/published.atom"),
            ("open data JSON (all published)", "/feedback/published.json"),
        ]
        for label, page in cases:
            lines.append(f"| {size:,} tickets | {engine.dialect.name} | {label} "
                         f"| {timed(client, page):.3f} s |")
        lines.append(f"| {size:,} tickets | {engine.dialect.name} | (generating) "
                     f"| {generated:.0f} s |")
        engine.dispose()
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
