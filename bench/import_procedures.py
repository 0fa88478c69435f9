"""Benchmark: import 1,000 procedures from CSV (create, then update all), as a staff page or
`flask import-procedures` does: read and check the file, upsert, commit.

Target (issue 2): under 3 seconds for 1,000 rows. Run with `make bench`; set
BENCH_DATABASE_URL to measure on PostgreSQL (the database is emptied first).
"""
from __future__ import annotations

import csv
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from portal import create_app  # noqa: E402
from portal.cli import upgrade_database  # noqa: E402
from portal.db import get_session  # noqa: E402
from portal.pages.procedure_import import COLUMNS, parse_import  # noqa: E402
from portal.pages.services import import_procedures  # noqa: E402

ROWS = 1000
TARGET_SECONDS = 3.0


def make_csv(rows: int, suffix: str) -> bytes:
    """1,000 realistic rows: the demo procedures repeated under fresh codes."""
    demo = json.loads((ROOT / "portal/demo/procedures.json").read_text(encoding="utf-8"))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for number in range(rows):
        item = dict(demo[number % len(demo)])
        for key, value in item.items():
            if isinstance(value, list) and key != "internal_process":
                item[key] = "\n".join(value)
        item["internal_process"] = "\n".join(
            " | ".join((step["step"], step.get("unit", ""), step.get("duration", "")))
            for step in item.get("internal_process", []))
        item["code"] = f"9.{number:06d}"
        item["name"] = f"{item['name']} ({suffix} {number})"
        writer.writerow({column: item.get(column, "") for column in COLUMNS})
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def run_once(app, data: bytes) -> tuple[float, str]:
    with app.app_context():
        session = get_session()
        started = time.perf_counter()
        parsed = parse_import(data, "bench.csv", max_bytes=app.config["IMPORT_MAX_BYTES"])
        assert parsed.ok, parsed.problems[:3]
        summary = import_procedures(session, parsed.rows, dry_run=False, source="bench.csv")
        session.commit()
        elapsed = time.perf_counter() - started
    return elapsed, f"{summary.created} created, {summary.updated} updated"


def main() -> list[str]:
    url = os.environ.get("BENCH_DATABASE_URL")
    workdir = tempfile.mkdtemp(prefix="bench-import-")
    url = url or f"sqlite:///{workdir}/bench.sqlite3"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url})
    engine = app.extensions["db"].engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade_database(engine)
    lines = []
    creates, updates = [], []
    for attempt in range(3):
        with engine.begin() as connection:  # start each round from an empty catalogue
            connection.execute(text("DELETE FROM procedure_step"))
            connection.execute(text("DELETE FROM procedure"))
        seconds, outcome = run_once(app, make_csv(ROWS, f"a{attempt}"))
        creates.append(seconds)
        seconds, update_outcome = run_once(app, make_csv(ROWS, f"b{attempt}"))
        updates.append(seconds)
    size_kb = len(make_csv(ROWS, "x")) // 1024
    for label, samples, result in (("create", creates, outcome),
                                   ("update", updates, update_outcome)):
        median = statistics.median(samples)
        verdict = "OK" if median < TARGET_SECONDS else "TOO SLOW"
        each = ", ".join(f"{sample:.2f}" for sample in samples)
        lines.append(f"| import {ROWS} rows ({size_kb} KB CSV), {label} | {engine.dialect.name} "
                     f"| {median:.2f} s (median of {len(samples)}: {each}) | {result} "
                     f"| < {TARGET_SECONDS:.0f} s {verdict} |")
    engine.dispose()
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
