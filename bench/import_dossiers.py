"""Benchmark: import 10,000 dossier records from CSV (create, then update all), as the staff
page or `flask import-dossiers` does: read, check against the catalogue, the units, the staff and
the dossiers kept, upsert in bulk, audit, commit.

Target (issue 11): under 5 seconds for 10,000 rows. The rows vary as an export does: nine
units, the demo's 39 procedures, the four statuses, one in five with cooperating units, some
late with an apology, citizens' names and phones in several groupings. Run with `make bench`;
BENCH_DATABASE_URL measures on PostgreSQL (the database is emptied first).
"""
from __future__ import annotations

import csv
import io
import json
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fresh_database import fresh_app  # noqa: E402
from sqlalchemy import text  # noqa: E402

from portal.db import get_session  # noqa: E402
from portal.demo import load_all  # noqa: E402
from survey.onestop import services  # noqa: E402
from survey.onestop.dossier_import import COLUMNS  # noqa: E402

ROWS = 10_000
TARGET_SECONDS = 5.0
UNITS = ("VP", "CCQLDD", "VPDKDD", "TTS", "PTNN", "PMT", "PKS", "PDDBD", "TTCNTT")
FAMILIES = ("Nguyễn", "Trần", "Lê", "Phạm", "Võ", "Huỳnh", "Đặng", "Bùi")
GIVEN = ("Văn An", "Thị Bình", "Minh Cường", "Thị Dung", "Quốc Huy", "Thị Lan", "Văn Tám")


def make_csv(rows: int, seed: int) -> bytes:
    rng = random.Random(seed)
    procedures = [item["code"] for item in json.loads(
        (ROOT / "portal/demo/procedures.json").read_text(encoding="utf-8"))]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    start = datetime(2026, 1, 5, 7, 30)
    for number in range(rows):
        received = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 300))
        due = received + timedelta(days=rng.randrange(3, 30))
        status = rng.choices(("đã trả kết quả", "đang giải quyết", "rút hồ sơ", "từ chối"),
                             (80, 14, 3, 3))[0]
        returned = due + timedelta(days=rng.randrange(-5, 3)) \
            if status in ("đã trả kết quả", "từ chối") else None
        if returned and returned < received:
            returned = received + timedelta(hours=2)
        late = returned is not None and returned.date() > due.date()
        cooperating = ""
        if rng.random() < 0.2:
            partner = rng.choice(UNITS)
            part_due = received + timedelta(days=2)
            done = part_due + timedelta(days=rng.randrange(-1, 2))
            cooperating = f"{partner}|{part_due:%d/%m/%Y}|{done:%d/%m/%Y}"
        phone = f"09{rng.randrange(10**7, 10**8)}"
        phone = rng.choice((phone, f"{phone[:4]} {phone[4:7]} {phone[7:]}",
                            f"{phone[:4]}.{phone[4:7]}.{phone[7:]}"))
        writer.writerow({
            "code": f"000.00.19.H34-{received:%y%m%d}-{number:05d}",
            "procedure_code": rng.choice(procedures), "unit_code": rng.choice(UNITS),
            "received_at": f"{received:%d/%m/%Y %H:%M}", "due_at": f"{due:%d/%m/%Y %H:%M}",
            "returned_at": f"{returned:%d/%m/%Y %H:%M}" if returned else "",
            "channel": rng.choice(("trực tiếp", "trực tuyến", "bưu chính")), "status": status,
            "supplements": rng.choices((0, 1, 2), (85, 12, 3))[0],
            "bodies_contacted": rng.choices((0, 1, 2), (60, 35, 5))[0],
            "cooperating": cooperating,
            "apology_date": f"{due - timedelta(days=1):%d/%m/%Y}" if late else "",
            "apology_reason": "Chờ ý kiến của cơ quan phối hợp" if late else "",
            "apology_new_due": f"{due + timedelta(days=5):%d/%m/%Y}" if late else "",
            "verified_complaint": "có" if rng.random() < 0.005 else "không",
            "officer": "reception" if rng.random() < 0.5 else "",
            "citizen_name": f"{rng.choice(FAMILIES)} {rng.choice(GIVEN)}",
            "citizen_email": "", "citizen_phone": phone,
        })
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def run_once(app, data: bytes) -> tuple[float, float, str]:
    with app.app_context():
        session = get_session()
        started, cpu = time.perf_counter(), time.process_time()
        limit = app.config["IMPORT_MAX_BYTES"]
        parsed = services.read_import(session, data, "bench.csv", max_bytes=limit)
        assert parsed.ok, parsed.problems[:3]
        summary = services.import_dossiers(session, parsed.rows, dry_run=False,
                                           source="bench.csv")
        session.commit()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, cpu, f"{summary.created} created, {summary.updated} updated"


def main() -> list[str]:
    app, engine = fresh_app("bench-dossiers-")
    with app.app_context():
        load_all(get_session(), password="bench-password")
        get_session().commit()
    data = make_csv(ROWS, 11)
    rounds: dict[str, list[tuple[float, float]]] = {"create": [], "update": []}
    outcomes = {}
    for _ in range(3):
        with engine.begin() as connection:  # each round starts with no dossiers
            connection.execute(text("DELETE FROM onestop_participant"))
            connection.execute(text("DELETE FROM onestop_dossier"))
        for label in ("create", "update"):  # the same file again: every code is known
            seconds, cpu, outcomes[label] = run_once(app, data)
            rounds[label].append((seconds, cpu))
    lines = []
    for label, samples in rounds.items():
        median = statistics.median(seconds for seconds, _ in samples)
        cpu = statistics.median(cpu for _, cpu in samples)
        verdict = "OK" if median < TARGET_SECONDS else "TOO SLOW"
        each = ", ".join(f"{seconds:.2f}" for seconds, _ in samples)
        lines.append(f"| import {ROWS:,} dossiers ({len(data) // 1024} KB CSV), {label} "
                     f"| {engine.dialect.name} | {median:.2f} s (median of 3: {each}; CPU "
                     f"{cpu:.2f} s) | {outcomes[label]} | < {TARGET_SECONDS:.0f} s {verdict} |")
    engine.dispose()
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
