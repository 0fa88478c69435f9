"""Limits that hold (issue 12, point 1): 30 simultaneous wrong passwords and 30 simultaneous
look-ups against a real gunicorn server with four worker processes (the production
configuration, gunicorn.conf.py) get no more checks than the limits allow, with the counts in
the default SQLite file and in Redis."""
from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.portal.test_throttle import redis_reachable

ROOT = Path(__file__).resolve().parents[2]
ATTEMPTS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int) -> None:
    """Until a server listens on ``port`` (at most 20 s)."""
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)


@pytest.fixture(params=["file", "redis"])
def server(request, tmp_path):
    """gunicorn, four workers, on a fresh SQLite database with one staff account."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
           "SECRET_KEY": "limits-under-load-" + "x" * 32,
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "SESSION_COOKIE_SECURE": "0",
           "LOGIN_FAILURES_PER_MINUTE": "5", "FEEDBACK_LOOKUP_FAILURES": "10/hour",
           "REDIS_URL": "", "RATELIMIT_STORAGE_URI": ""}
    if request.param == "redis":
        env["REDIS_URL"] = redis_reachable()
    else:
        env["RATELIMIT_STORAGE_URI"] = f"sqlite:///{tmp_path / 'throttle.sqlite3'}"
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "init-db"], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "create-user", "victim",
                    "--full-name", "Nạn Nhân", "--role", "admin"], cwd=ROOT, env=env,
                   check=True, capture_output=True, input=b"the-right-password-1\n")
    # the production configuration (make serve), four workers
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT, env={**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "4",
                       "LOG_LEVEL": "warning"})
    try:
        wait_for(port)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)
        if request.param == "redis":
            import redis

            client = redis.Redis.from_url(env["REDIS_URL"])
            for key in client.scan_iter("throttle/*"):
                client.delete(key)


def prepared_post(port: int, path: str) -> tuple[http.client.HTTPConnection, dict]:
    """A browser that opened the form: its connection, cookie and CSRF token."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path)
    response = connection.getresponse()
    page = response.read().decode()
    cookie = "; ".join(value.split(";", 1)[0] for header, value in response.getheaders()
                       if header.lower() == "set-cookie")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return connection, {"Cookie": cookie, "csrf_token": token}


def all_at_once(port: int, path: str, fields: dict) -> list[int]:
    """ATTEMPTS browsers send the form at the same moment; their statuses."""
    browsers = [prepared_post(port, path) for _ in range(ATTEMPTS)]
    start, statuses = threading.Barrier(ATTEMPTS), []

    def send(connection, prepared):
        body = urlencode({**fields, "csrf_token": prepared["csrf_token"]})
        start.wait()
        connection.request("POST", path, body=body, headers={
            "Cookie": prepared["Cookie"],
            "Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)

    threads = [threading.Thread(target=send, args=browser) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_simultaneous_wrong_passwords_get_five_checks(server):
    statuses = all_at_once(server, "/staff/login",
                           {"username": "victim", "password": "a-wrong-guess"})
    assert len(statuses) == ATTEMPTS and set(statuses) <= {200, 429}
    assert statuses.count(200) == 5, "five passwords checked, every other guess refused"


def test_simultaneous_lookups_get_ten_checks(server):
    statuses = all_at_once(server, "/feedback/track",
                           {"code": "PA-2026-000001A", "contact": "0905123456"})
    assert len(statuses) == ATTEMPTS and set(statuses) <= {404, 429}
    assert statuses.count(404) == 10, "ten look-ups checked, the others refused"
