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


def fresh_app(prefix: str, second: bool = False, **settings):
    """``second``: a second database beside the first, for a benchmark that keeps two at
    once (on PostgreSQL, BENCH_DATABASE_URL's database name with "_2", made if missing)."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        url = _database(url, second)
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


def _database(url: str, second: bool) -> str:
    """The URL of the benchmark's database (with "_2" for the second), made if missing."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = f"{parsed.database}_2" if second else parsed.database
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                 {"name": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def analyze(engine) -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL)."""
    if engine.dialect.name == "postgresql":  # as autovacuum leaves a table that has settled
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
