"""Production serving (issue 12, point 10): gunicorn.conf.py refuses the worker classes that
deadlock on SQLite; `make serve` runs gunicorn with it (started for real by
tests/portal/test_limits_under_load.py)."""
import importlib.util
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def config():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("worker_class, database_url, refused", [
    ("gevent", "sqlite:////srv/portal/instance/portal.sqlite3", True),
    ("eventlet", "", True),  # no DATABASE_URL: the SQLite default
    ("gunicorn.workers.ggevent.GeventWorker", "sqlite:///x", True),
    ("gevent", "postgresql+psycopg://portal@127.0.0.1/portal", False),
    ("sync", "sqlite:///x", False),
    ("gthread", "sqlite:///x", False),
])
def test_worker_classes_that_deadlock_on_sqlite_are_refused(config, monkeypatch, worker_class,
                                                            database_url, refused):
    monkeypatch.setenv("DATABASE_URL", database_url)
    server = SimpleNamespace(cfg=SimpleNamespace(worker_class_str=worker_class))
    if refused:
        with pytest.raises(SystemExit, match="deadlocks on SQLite"):
            config.on_starting(server)
    else:
        config.on_starting(server)


def test_the_defaults_are_sync_workers_on_loopback(config):
    assert config.worker_class == "sync" and config.bind == "127.0.0.1:8000"
    assert 1 <= config.workers <= 9 and config.timeout >= 30


def test_make_serve_runs_gunicorn_with_this_configuration():
    dry_run = subprocess.run(["make", "-n", "serve"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
    assert "gunicorn --config gunicorn.conf.py wsgi:app" in dry_run
    assert "init-db" in dry_run
