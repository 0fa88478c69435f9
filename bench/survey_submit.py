"""Benchmark: citizens' survey completions under gunicorn, against the same-shape bare app
(bench/reference_survey.py) served the same way in the same run (issue 13, point 1).

Each completion is a citizen of their own: a new connection from a phone with its own address
(sent as X-Forwarded-For, the server trusting one proxy as behind nginx), its own cookies
(session, survey cookie), at one of 10 counters. It GETs the form, reads it for 30 to 120
seconds (the nonce is dated back so; nobody waits), and POSTs varied answers (some skipped, a
comment now and then) with the page's CSRF token: every one is counted and goes through the
rollups, as a real citizen's does. The per-link limit is raised (10 counters cannot take
hundreds of answers a second); the per-address limit stays as it is.

Reported per server: completions per second, the server's CPU per completion (the gunicorn
processes' own user + system time, steady on a shared machine unlike wall-clock), median and
p95 latency; then the ratios. Loopback only, a bounded number of completions, then it stops.
SQLite file by default; BENCH_DATABASE_URL for PostgreSQL (its public schema is emptied).
"""
from __future__ import annotations

import http.client
import os
import random
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
sys.path.insert(0, str(ROOT / "bench"))

from reference_survey import CODES, make_tables  # noqa: E402

SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "400"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
COUNTERS = 10
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(env: dict) -> list[str]:
    """Migrate a fresh database and give COUNTERS counters a survey link; their tokens."""
    os.environ.update(env)
    from sqlalchemy import text

    from portal import create_app
    from portal.auth.models import Unit, User
    from portal.cli import upgrade_database
    from portal.db import get_session
    from portal.workdays import today_in_vietnam
    from survey.models import Counter, CounterDuty
    from survey.services import issue_counter_link

    app = create_app({"TESTING": True})
    engine = app.extensions["db"].engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade_database(engine)
    tokens = []
    with app.app_context():
        session = get_session()
        unit = Unit(code="B", name="Đơn vị thử")
        for number in range(1, COUNTERS + 1):
            counter = Counter(code=f"Q{number:02d}", name=f"Quầy số {number}", unit=unit)
            # an officer on duty, as at a real counter: every answer is credited to them
            officer = User(username=f"officer{number}", full_name=f"Cán bộ {number}",
                           password_hash="x")
            session.add_all([counter, officer])
            session.flush()
            session.add(CounterDuty(counter_id=counter.id, user_id=officer.id,
                                    day=today_in_vietnam()))
            tokens.append(issue_counter_link(session, counter))
        session.commit()
    engine.dispose()
    return tokens


def serve(app_path: str, port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", "--access-logfile", "/dev/null",
         "--max-requests", "0", app_path],  # no worker replaced while its CPU is counted
        cwd=str(ROOT), env={**os.environ, **env})
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn did not start for {app_path}")


def cpu_seconds(master: int) -> float:
    """User + system CPU of gunicorn's master and its workers so far."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(entry.name), int(fields[1])
        if pid == master or parent == master:
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def nonce(secret: str, token: str, seconds: int) -> str:
    """The form's nonce as if it had been shown ``seconds`` ago (a citizen reading)."""
    from itsdangerous import URLSafeTimedSerializer

    from survey.nonce import SALT

    return URLSafeTimedSerializer(secret, salt=SALT).dumps(
        {"t": token, "r": secrets.token_hex(8), "at": int(time.time()) - seconds})


def answers(rng: random.Random) -> dict:
    data = {code: rng.choice(["5", "5", "4", "4", "4", "3", "2", "na"]) for code in CODES}
    if rng.random() < 0.2:
        data["comment"] = "Cán bộ hướng dẫn tận tình, chờ hơi lâu."
    return data


def one_citizen(port: int, token: str, number: int, rng: random.Random, secret: str | None):
    """A phone's completion: GET the form, POST the answers (``secret``: forge the reading
    time into the portal's nonce; None for the reference, which has no nonce check)."""
    address = f"10.{number // 62500 % 250}.{number // 250 % 250}.{number % 250 + 1}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    cookies: dict = {}
    headers = {"X-Forwarded-For": address, "Accept-Language": "vi"}
    connection.request("GET", f"/q/{token}", headers=headers)
    response = connection.getresponse()
    page = response.read().decode()
    if response.status != 200:
        raise RuntimeError(f"GET /q/{token}: HTTP {response.status}")
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            cookies[name] = rest.split(";", 1)[0]
    fields = dict(re.findall(r'name="(csrf_token|nonce)" type="hidden" value="([^"]+)"', page))
    if secret is not None:
        fields["nonce"] = nonce(secret, token, rng.randrange(30, 120))
    body = urlencode({**fields, **answers(rng)})
    connection.request("POST", f"/q/{token}", body=body, headers={
        **headers, "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "Content-Type": "application/x-www-form-urlencoded"})
    sent = connection.getresponse()
    sent.read()
    connection.close()
    if sent.status != 302:
        raise RuntimeError(f"POST /q/{token}: HTTP {sent.status}")


def load(port: int, tokens: list[str], first: int, count: int,
         secret: str | None) -> tuple[float, list[float]]:
    """``count`` citizens from CLIENTS threads; (completions per second, latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()
    numbers = iter(range(first, first + count))

    def client(seed: int):
        rng = random.Random(seed)
        while True:
            with lock:
                number = next(numbers, None)
            if number is None:
                return
            started = time.perf_counter()
            one_citizen(port, rng.choice(tokens), number, rng, secret)
            with lock:
                latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count / (time.perf_counter() - started), latencies


def run(app_path: str, env: dict, tokens: list[str], secret: str | None) -> dict:
    port = free_port()
    process = serve(app_path, port, env)
    try:
        load(port, tokens, 0, max(SUBMISSIONS // 10, 20), secret)  # warm up
        cpu_before = cpu_seconds(process.pid)
        rate, latencies = load(port, tokens, 100_000, SUBMISSIONS, secret)
        cpu = (cpu_seconds(process.pid) - cpu_before) / SUBMISSIONS
    finally:
        process.terminate()
        process.wait(timeout=20)
    latencies.sort()
    return {"rate": rate, "cpu": cpu, "median": statistics.median(latencies),
            "p95": latencies[int(len(latencies) * .95)]}


def counted(url: str) -> tuple[int, int]:
    """(counted and credited to the officer on duty, all) survey responses stored."""
    from sqlalchemy import func, select

    from portal.db import make_engine
    from survey.models import Response

    engine = make_engine(url)
    with engine.connect() as connection:
        total = connection.scalar(select(func.count()).select_from(Response))
        kept = connection.scalar(select(func.count()).select_from(Response)
                                 .where(Response.flagged.is_(False),
                                        Response.officer_id.is_not(None)))
    engine.dispose()
    return kept, total


def main() -> list[str]:
    workdir = tempfile.mkdtemp(prefix="bench-submit-")
    secret = secrets.token_hex(32)
    env = {
        "SECRET_KEY": secret, "SESSION_COOKIE_SECURE": "0",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL")
        or f"sqlite:///{workdir}/bench.sqlite3",
        "PUBLIC_BASE_URL": "http://127.0.0.1", "LOG_LEVEL": "WARNING", "FLASK_DEBUG": "0",
        "TRUSTED_PROXY_COUNT": "1", "SURVEY_LIMIT_PER_LINK": "1000000/minute",
        "REDIS_URL": "", "RATELIMIT_STORAGE_URI": f"sqlite:///{workdir}/limits.sqlite3",
    }
    tokens = prepare(env)
    database = "sqlite" if env["DATABASE_URL"].startswith("sqlite") else "postgresql"
    portal = run("wsgi:app", env, tokens, secret)
    kept, total = counted(env["DATABASE_URL"])
    make_tables(env["DATABASE_URL"])
    reference = run("reference_survey:create()",
                    {**env, "PYTHONPATH": str(ROOT / "bench")}, tokens, None)
    shape = f"gunicorn, {WORKERS} workers, {CLIENTS} clients"
    lines = []
    for label, figures, note in (
            ("citizens' completions (GET + POST), the portal", portal,
             f"{kept} of {total} counted"),
            ("the same in the bare app (bench/reference_survey.py)", reference, "")):
        lines.append(f"| {label}, {shape} | {database} | {figures['rate']:.0f} /s | "
                     f"{figures['cpu'] * 1000:.1f} ms | {figures['median'] * 1000:.0f} ms | "
                     f"{figures['p95'] * 1000:.0f} ms | {note} |")
    lines.append(f"| **ratio** bare / portal, {shape} | {database} | "
                 f"{portal['rate'] / reference['rate']:.2f} (portal / bare throughput) | "
                 f"**{reference['cpu'] / portal['cpu']:.2f}** (bare CPU / portal CPU) | | | |")
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
