"""Run every benchmark and print the result rows for docs/performance.md.

`make bench` runs them all at small sizes, in a few minutes, on SQLite;
BENCH_DATABASE_URL=postgresql+psycopg://… runs them on PostgreSQL (that database and one
named like it with "_2" are emptied: never point it at real data). Each size can be set up to
the sizes the targets are stated for, the figures recorded in docs/performance.md:

    BENCH_ONESTOP_SIZES=10000,1000000 BENCH_SURVEY_SIZES=10000,1000000 \\
    BENCH_FEEDBACK_SIZES=1000,100000 BENCH_CPU_RESPONSES=100000 make bench
"""
from __future__ import annotations

import os
import platform
import sys
from datetime import date
from pathlib import Path

# Small sizes unless set: the whole run takes a few minutes.
SMALL = {"BENCH_ONESTOP_SIZES": "1000,10000", "BENCH_SURVEY_SIZES": "1000,10000",
         "BENCH_FEEDBACK_SIZES": "1000,10000", "BENCH_CPU_SUBMISSIONS": "200",
         "BENCH_CPU_RESPONSES": "10000", "BENCH_SUBMISSIONS": "200"}
for name, value in SMALL.items():
    os.environ.setdefault(name, value)

sys.path.insert(0, str(Path(__file__).resolve().parent))

import feedback_pages  # noqa: E402
import import_dossiers  # noqa: E402
import import_procedures  # noqa: E402
import onestop_scoreboard  # noqa: E402
import page_weight  # noqa: E402
import survey_cpu  # noqa: E402
import survey_dashboard  # noqa: E402
import survey_submit  # noqa: E402


def table(header: str, lines) -> None:
    print()
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for line in lines:
        print(line)


def main() -> None:
    print(f"Run on {date.today():%d/%m/%Y}, Python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} cores; sizes: "
          + ", ".join(f"{name}={os.environ[name]}" for name in SMALL))
    table("| benchmark | database | time | result | target |",
          [*import_procedures.main(), *import_dossiers.main()])
    table("| one-stop data | database | scoreboard | drill-down |", onestop_scoreboard.main())
    sizes = [int(size) for size in os.environ["BENCH_SURVEY_SIZES"].split(",")]
    table(f"| survey page | database | {sizes[0]:,} responses | {sizes[-1]:,} responses "
          f"| t(large) / t(small) |", survey_dashboard.main())
    sizes = [int(size) for size in os.environ["BENCH_FEEDBACK_SIZES"].split(",")]
    table(f"| ticket list (page 1 unless said) | database | {sizes[0]:,} tickets "
          f"| {sizes[-1]:,} tickets | t(large) / t(small) |", feedback_pages.main())
    table("| page weight | database | bytes over the wire | requests | target |",
          page_weight.main())
    table("| in process, a citizen's path | database | CPU | wall | counted |",
          survey_cpu.main())
    table("| under gunicorn | database | completions | server CPU per completion | median "
          "| p95 | counted |", survey_submit.main())


if __name__ == "__main__":
    main()
