"""A live server (werkzeug in a thread, its own SQLite file with the demo data) and Debian's
Chromium driven by Playwright. Screenshots go to the ignored artifacts/ folder."""
from __future__ import annotations

import contextlib
import os
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from portal import create_app
from portal.cli import upgrade_database
from portal.db import get_session
from tests.conftest import make_config, require_or_skip

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
DEMO_PASSWORD = "demo password for e2e"


class LiveServer(str):
    """The server's base URL, carrying the app (to arrange data in its database)."""

    def __new__(cls, url: str, app):
        server = super().__new__(cls, url)
        server.app = app
        return server


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    database = tmp_path_factory.mktemp("e2e") / "e2e.sqlite3"
    config = make_config(f"sqlite:///{database}", PUBLIC_BASE_URL="")
    app = create_app(config)
    upgrade_database(app.extensions["db"].engine)
    with app.app_context():
        from portal.demo import load_all

        load_all(get_session(), DEMO_PASSWORD)
        get_session().commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    app.extensions["db"].engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        require_or_skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2, locale="vi-VN")
    page = context.new_page()
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.console_problems = problems
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="session")
def sample(live_server):
    """A counter's survey token, a procedure code and a published ticket on the live server."""
    from feedback import services
    from portal.auth.models import User
    from portal.db import get_session
    from portal.pages.models import Procedure
    from survey.models import Counter

    app = live_server.app
    with app.test_request_context():
        session = get_session()
        users = {user.username: user for user in session.scalars(select(User))}
        ticket = services.receive(session, services.Intake(
            kind="report", channel="web", name="Nguyễn Văn Kiểm", address="Nha Trang",
            phone="0905000111", consent_publish=True,
            content="Hồ sơ đo đạc bản đồ của tôi bị trễ hẹn; đề nghị Sở kiểm tra."))
        steps = [("accept", "reception", {"ticket_class": "competence",
                                          "unit_id": users["handler"].unit_id}),
                 ("start", "handler", {}), ("draft", "handler", {"answer": "Đã giải quyết."}),
                 ("submit", "handler", {}), ("approve", "secretariat", {}),
                 ("send", "secretariat", {}),
                 ("publish", "secretariat", {"public_question": "Hồ sơ bị trễ hẹn.",
                                             "public_answer": "Đã giải quyết."})]
        for action, who, details in steps:
            services.act(session, ticket, action, users[who], details, shown_version=None)
        session.commit()
        from survey.services import issue_tablet_link

        counter = session.scalar(select(Counter).where(Counter.token.is_not(None)))
        tablet = counter.tablet_token or issue_tablet_link(session, counter)
        _one_stop_records(session, users["secretariat"])
        session.commit()
        return {"token": counter.token, "tablet": tablet,
                "procedure": session.scalar(select(Procedure.code)), "ticket": ticket.code}


def _one_stop_records(session, secretariat) -> None:
    """The documented example's dossiers (second quarter of 2026) and each unit's
    declaration, so that the one-stop results have figures to show."""
    from portal.auth.models import Unit
    from survey.onestop import services as onestop

    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "dossiers.csv"
    parsed = onestop.read_import(session, example.read_bytes(), "dossiers.csv", max_bytes=10**6)
    assert parsed.ok, parsed.problems
    onestop.import_dossiers(session, parsed.rows, dry_run=False, source="dossiers.csv")
    for unit in session.scalars(select(Unit)):
        onestop.save_declaration(session, unit, 2026, 2, all_through_counter=True,
                                 settled_share=20, procedures_posted=True, actor=secretariat)


def new_phone(browser, *, width=360, height=640, javascript=True, **options):
    """A phone of its own (its own cookies): a browser context the caller closes."""
    return browser.new_context(viewport={"width": width, "height": height}, is_mobile=True,
                               has_touch=True, device_scale_factor=2, locale="vi-VN",
                               java_script_enabled=javascript, **options)


def answer_steps(page, levels, *, tap=True, comment=None):
    """Answer the survey step by step as a citizen does: on each step choose each visible
    statement's level (None: skip it), then Continue; on the last step write the comment.
    ``levels`` has one entry per statement, in order."""
    levels = list(levels)
    while True:
        statements = page.locator("fieldset.statement:visible")
        for number in range(statements.count()):
            level = levels.pop(0)
            if level is None:
                continue
            choice = statements.nth(number).locator(f"input[value='{level}'] + label")
            choice.tap() if tap else choice.click()
        next_step = page.locator("[data-step-next]")
        if not next_step.is_visible():
            break
        next_step.tap() if tap else next_step.click()
    assert levels == [], "every statement was on a step"
    if comment:
        page.locator("textarea[name=comment]").fill(comment)


def make_counter_on(live_server, code: str, *, tablet: bool = False, unit_code: str | None = None):
    """A counter of its own on the live server (its own link and limits); its survey token,
    or with ``tablet`` its tablet token."""
    from portal.auth.models import Unit
    from survey.models import Counter
    from survey.services import issue_counter_link, issue_tablet_link

    with live_server.app.test_request_context():
        session = get_session()
        counter = session.scalar(select(Counter).where(Counter.code == code))
        if counter is None:
            units = select(Unit).order_by(Unit.id)
            if unit_code:
                units = units.where(Unit.code == unit_code)
            counter = Counter(code=code, name=f"Quầy thử {code}",
                              unit=session.scalar(units.limit(1)))
            session.add(counter)
            session.flush()
            issue_counter_link(session, counter)
        if tablet and counter.tablet_token is None:
            issue_tablet_link(session, counter)
        session.commit()
        return counter.tablet_token if tablet else counter.token


@contextlib.contextmanager
def one_stop_mode(live_server, mode: str):
    """The current questionnaire asks the TT 01/2018 questions (``mode``) for the block, and no
    longer after it: the live server's database is shared by every browser test."""
    from survey.services import current_questionnaire, set_one_stop_mode

    def switch(to):
        with live_server.app.app_context():
            session = get_session()
            set_one_stop_mode(session, current_questionnaire(session), to)
            session.commit()

    switch(mode)
    try:
        yield
    finally:
        switch("off")
