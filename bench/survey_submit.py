"""Benchmark: citizen survey submissions per second under gunicorn, against a bare Flask
endpoint served the same way in the same run.

One submission = what a phone does: GET /q/<token> (the form, a session cookie, the CSRF token
and the nonce), then POST the 19 answers. Runs on loopback only, a bounded number of
submissions, then stops. SQLite file database; BENCH_DATABASE_URL for PostgreSQL (emptied).
"""
from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "400"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CODES = ["TC1", "TC2", "TC3", "TC4", "TT1", "TT2", "TT3", "TT4", "CC1", "CC2", "CC3", "CC4",
         "CC5", "KQ1", "KQ2", "KQ3", "PA1", "PA2", "PA3"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(env: dict) -> str:
    """Migrate a fresh database and give one counter a survey link; returns the token."""
    os.environ.update(env)
    from sqlalchemy import text

    from portal import create_app
    from portal.auth.models import Unit
    from portal.cli import upgrade_database
    from portal.db import get_session
    from survey.models import Counter
    from survey.services import issue_counter_link

    app = create_app({"TESTING": True})
    engine = app.extensions["db"].engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade_database(engine)
    with app.app_context():
        session = get_session()
        counter = Counter(code="BENCH", name="Quầy thử", unit=Unit(code="B", name="Đơn vị"))
        session.add(counter)
        session.flush()
        token = issue_counter_link(session, counter)
        session.commit()
    engine.dispose()
    return token


def serve(app_path: str, port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", app_path],
        cwd=str(ROOT), env={**os.environ, **env})
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn did not start for {app_path}")


def one_survey(connection, path: str, cookies: dict) -> None:
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    page = response.read().decode()
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            cookies[name] = rest.split(";", 1)[0]
    fields = dict(re.findall(r'name="(csrf_token|nonce)" type="hidden" value="([^"]+)"', page))
    body = urlencode({**fields, **{code: "4" for code in CODES}})
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
               "Content-Type": "application/x-www-form-urlencoded"}
    connection.request("POST", path, body=body, headers=headers)
    answer = connection.getresponse()
    answer.read()
    if answer.status not in (200, 302):
        raise RuntimeError(f"{path}: HTTP {answer.status}")


def load(port: int, path: str) -> tuple[float, list[float]]:
    """SUBMISSIONS submissions from CLIENTS threads; returns (per second, latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()
    share = [SUBMISSIONS // CLIENTS + (1 if n < SUBMISSIONS % CLIENTS else 0)
             for n in range(CLIENTS)]

    def client(count: int):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        cookies: dict = {}
        for _ in range(count):
            started = time.perf_counter()
            one_survey(connection, path, cookies)
            with lock:
                latencies.append(time.perf_counter() - started)
        connection.close()

    threads = [threading.Thread(target=client, args=(count,)) for count in share]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return SUBMISSIONS / (time.perf_counter() - started), latencies


def main() -> list[str]:
    workdir = tempfile.mkdtemp(prefix="bench-submit-")
    env = {
        "SECRET_KEY": secrets.token_hex(32), "SESSION_COOKIE_SECURE": "0",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL")
        or f"sqlite:///{workdir}/bench.sqlite3",
        "PUBLIC_BASE_URL": "http://127.0.0.1", "LOG_LEVEL": "WARNING",
        "SURVEY_LIMIT_PER_LINK": "1000000/minute", "SURVEY_LIMIT_PER_ADDRESS": "1000000/hour",
    }
    token = prepare(env)
    lines = []
    for label, app_path, path in (("bare Flask (GET + POST)", "bench.bare_app:app", "/bare"),
                                  ("survey form (GET + POST, stored)", "wsgi:app",
                                   f"/q/{token}")):
        port = free_port()
        process = serve(app_path, port, env)
        try:
            load(port, path)  # warm up
            rate, latencies = load(port, path)
        finally:
            process.terminate()
            process.wait(timeout=10)
        latencies.sort()
        database = "sqlite" if env["DATABASE_URL"].startswith("sqlite") else "postgresql"
        lines.append(f"| {label} | {database} | {rate:.0f} /s | "
                     f"{statistics.median(latencies) * 1000:.0f} ms | "
                     f"{latencies[int(len(latencies) * .95)] * 1000:.0f} ms |")
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
