"""gunicorn's settings for production (`make serve`, or
`gunicorn --config gunicorn.conf.py wsgi:app`; docs/deploy/ has the systemd unit and the nginx
site). Every value can be changed through the environment named beside it."""
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")  # nginx in front (TRUSTED_PROXY_COUNT=1)
# Processes, not threads or green threads: each request has its own database session.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = os.environ.get("WORKER_CLASS", "sync")
timeout = int(os.environ.get("WORKER_TIMEOUT", "60"))  # an export of a year's answers fits
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle a worker now and then (memory), at different moments
max_requests_jitter = 200
accesslog = "-"  # to stdout / the journal; the access log holds addresses: keep it short
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Limits of what a client may send in the request line and headers.
limit_request_line = 8190
limit_request_fields = 100

# gevent and eventlet run every request of a worker in one thread: SQLite's busy wait for the
# write lock then blocks the whole worker while the request holding the lock cannot run, so
# the worker stalls until the busy timeout. They are refused on SQLite.
BLOCKING_ON_SQLITE = ("gevent", "eventlet")


def refusal(worker_class_name: str, database_url: str) -> str | None:
    """Why this worker class cannot serve this database, or None."""
    name = worker_class_name.rsplit(".", 1)[-1].lower()
    sqlite = not database_url or database_url.startswith("sqlite")
    if sqlite and any(kind in name for kind in BLOCKING_ON_SQLITE):
        return (f"the {worker_class_name} worker class deadlocks on SQLite (its busy wait "
                "blocks the event loop): use the sync workers (the default), or PostgreSQL")
    return None


def on_starting(server):
    reason = refusal(server.cfg.worker_class_str, os.environ.get("DATABASE_URL", ""))
    if reason:
        raise SystemExit(f"Cổng góp ý cannot start: {reason}")
