"""Each worker's copies (portal/snapshots.py, issue 13) with real processes: two servers (the
production configuration, one worker each) on one SQLite database. Both have shown the form;
a third process (this test, as a command or an import would) changes the counter, the
officers on duty, the procedure fields, the questionnaire and the contact details; the next
page from each worker shows the change."""
from __future__ import annotations

import http.client
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from portal import create_app
from portal.db import get_session
from portal.pages.models import HotlinePage, ProcedureField
from portal.workdays import today_in_vietnam
from survey.models import CounterDuty, Item
from tests.conftest import make_config
from tests.factories import make_counter, make_user
from tests.portal.test_limits_under_load import ROOT, free_port, wait_for


def page(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, body


@pytest.fixture
def world(tmp_path):
    """Two servers, one worker each, on one database; this process's app to change it."""
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "copies-across-workers-" + "x" * 32,
           "PUBLIC_BASE_URL": "http://127.0.0.1", "SESSION_COOKIE_SECURE": "0",
           "REDIS_URL": "", "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path / 'limits.sqlite3'}",
           "LOG_LEVEL": "warning", "WEB_CONCURRENCY": "1"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "init-db"], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    app = create_app(make_config(url))
    ports = [free_port(), free_port()]
    processes = [subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT, env={**env, "BIND": f"127.0.0.1:{port}"}) for port in ports]
    try:
        for port in ports:
            wait_for(port)
        with app.app_context():
            yield app, ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
        app.extensions["db"].engine.dispose()


def test_every_worker_sees_each_change_at_its_next_page(world):
    app, ports = world
    session = get_session()
    counter = make_counter(session, name="Quầy Một Cửa số 1")
    officers = [make_user(session, full_name=name) for name in ("Lê Văn An", "Phạm Thị Bình")]
    contact = HotlinePage(org_name="Sở Tài nguyên và Môi trường", address="Nha Trang",
                          rules="Quy chế tiếp nhận")
    session.add(contact)
    session.commit()
    path = f"/q/{counter.token}"
    for port in ports:
        status, body = page(port, path)
        assert status == 200 and "Quầy Một Cửa số 1" in body and 'name="officer"' not in body
        assert "Sở Tài nguyên và Môi trường" in body

    def seen_by_both(change, *expected, absent=()):
        change()
        session.commit()
        for port in ports:
            status, body = page(port, path)
            assert status == 200
            for wanted in expected:
                assert wanted in body, (port, wanted)
            for unwanted in absent:
                assert unwanted not in body, (port, unwanted)

    seen_by_both(lambda: setattr(counter, "name", "Quầy Đất đai"), "Quầy Đất đai",
                 absent=["Quầy Một Cửa số 1"])
    seen_by_both(lambda: session.add_all([
        CounterDuty(counter_id=counter.id, user_id=officer.id, day=today_in_vietnam())
        for officer in officers]), 'name="officer"', "Lê Văn An", "Phạm Thị Bình")
    seen_by_both(lambda: setattr(officers[1], "active", False),
                 absent=['name="officer"', "Phạm Thị Bình"])
    seen_by_both(lambda: session.add(ProcedureField(name="Tài nguyên nước ngầm")),
                 "Tài nguyên nước ngầm")
    item = session.scalar(select(Item).where(Item.code == "CC1"))
    seen_by_both(lambda: setattr(item, "text", "Công chức lắng nghe Ông/Bà."),
                 "Công chức lắng nghe Ông/Bà.",
                 absent=["Công chức có thái độ giao tiếp lịch sự"])
    seen_by_both(lambda: setattr(contact, "org_name", "Sở Nông nghiệp và Môi trường"),
                 "Sở Nông nghiệp và Môi trường", absent=["Sở Tài nguyên và Môi trường"])
    counter.active = False
    session.commit()
    assert [page(port, path)[0] for port in ports] == [404, 404]
