"""An app on an empty, migrated database for a benchmark: a new SQLite file, or the
PostgreSQL database of BENCH_DATABASE_URL emptied first."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from portal import create_app  # noqa: E402
from portal.cli import upgrade_database  # noqa: E402


def fresh_app(prefix: str, **settings):
    url = os.environ.get("BENCH_DATABASE_URL")
    database = url or f"sqlite:///{tempfile.mkdtemp(prefix=prefix)}/bench.sqlite3"
    # the benchmarks time pages, not the sign-in: their administrator has no second factor
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": database,
                      "TWO_FACTOR_REQUIRED": "off", **settings})
    engine = app.extensions["db"].engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade_database(engine)
    return app, engine


def analyze(engine) -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
