"""Run every benchmark and print the result rows for docs/performance.md.

`make bench` runs this on SQLite; BENCH_DATABASE_URL=postgresql+psycopg://… runs it on PostgreSQL.
"""
from __future__ import annotations

import platform
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import feedback_pages  # noqa: E402
import import_dossiers  # noqa: E402
import import_procedures  # noqa: E402
import onestop_scoreboard  # noqa: E402
import page_weight  # noqa: E402
import survey_cpu  # noqa: E402
import survey_dashboard  # noqa: E402
import survey_submit  # noqa: E402


def main() -> None:
    print(f"Run on {date.today():%d/%m/%Y}, Python {platform.python_version()}, "
          f"{platform.machine()}")
    print()
    print("| benchmark | database | time | result | target |")
    print("|---|---|---|---|---|")
    for line in import_procedures.main():
        print(line)
    for line in import_dossiers.main():
        print(line)
    print()
    print("| one-stop data | database | scoreboard | drill-down |")
    print("|---|---|---|---|")
    for line in onestop_scoreboard.main():
        print(line)
    print()
    print("| survey data | database | dashboard computation | median of 3 |")
    print("|---|---|---|---|")
    for line in survey_dashboard.main():
        print(line)
    print()
    print("| feedback data | database | page | median of 5 |")
    print("|---|---|---|---|")
    for line in feedback_pages.main():
        print(line)
    print()
    print("| page weight | database | bytes over the wire | requests | target |")
    print("|---|---|---|---|---|")
    for line in page_weight.main():
        print(line)
    print()
    print("| in process, a citizen's path | database | CPU | wall | counted |")
    print("|---|---|---|---|---|")
    for line in survey_cpu.main():
        print(line)
    print()
    print("| under gunicorn, 2 workers, 4 clients | database | submissions | median | p95 |")
    print("|---|---|---|---|---|")
    for line in survey_submit.main():
        print(line)


if __name__ == "__main__":
    main()
