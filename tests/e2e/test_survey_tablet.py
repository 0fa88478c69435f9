"""The rating tablet at a counter in a real browser (issue 9, point 6): steps with big
buttons, a neutral thank-you then a blank form, an abandoned form cleared, and answers given
while the network is down delivered exactly once when it returns, even across a reload."""
import contextlib

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from portal.db import get_session
from survey.models import Counter, Response
from tests.e2e.conftest import answer_steps, make_counter_on, screenshot

pytestmark = pytest.mark.e2e

VARIED = [5, 4, 4, 5, 3, 4, 5, 4, 5, 5, 4, 3, 5, 4, 4, 5, 4, 4, 5]


@contextlib.contextmanager
def settings(live_server, **values):
    config = live_server.app.config
    before = {name: config[name] for name in values}
    config.update(values)
    try:
        yield
    finally:
        config.update(before)


@pytest.fixture
def tablet(browser):
    context = browser.new_context(viewport={"width": 800, "height": 1280}, has_touch=True,
                                  locale="vi-VN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    yield page
    context.close()


def wait_until(page, expression: str, timeout: float = 10):
    """Poll ``expression`` in the page until it is true (wait_for_function would need
    'unsafe-eval', which the site's Content-Security-Policy rightly forbids)."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"never true: {expression}"
        page.wait_for_timeout(100)


def counted(live_server, token) -> int:
    with live_server.app.app_context():
        session = get_session()
        counter_id = session.scalar(select(Counter.id).where(Counter.tablet_token == token))
        return session.scalar(select(func.count()).select_from(Response).where(
            Response.counter_id == counter_id, Response.channel == "tablet"))


def blank(page) -> bool:
    return (page.locator("form[data-survey] input:checked").count() == 0
            and page.locator("textarea[name=comment]").input_value() == ""
            and page.locator("[data-step-label]").inner_text() == "Bước 1/5")


def test_the_tablet_thanks_then_starts_again_and_clears_an_abandoned_form(live_server,
                                                                         tablet):
    token = make_counter_on(live_server, "T-RESET", tablet=True)
    with settings(live_server, SURVEY_TABLET_THANKS_SECONDS=2, SURVEY_TABLET_IDLE_SECONDS=3):
        tablet.goto(f"{live_server}/tablet/{token}")
    label = tablet.locator(".choice label").first.bounding_box()
    assert label["height"] >= 80, "big buttons"
    answer_steps(tablet, VARIED, comment="Nhân viên nhiệt tình.")
    tablet.get_by_role("button", name="Gửi đánh giá").tap()
    expect(tablet.get_by_role("heading", name="Xin cảm ơn Ông/Bà!")).to_be_visible()
    assert tablet.locator("form[data-survey] input:checked").count() == 0
    screenshot(tablet, "tablet-thanks-vi")
    wait_until(tablet, "!document.querySelector('[data-tablet-survey]').hidden", timeout=5)
    assert blank(tablet), "the next citizen never sees the previous answers"
    wait_until(tablet, "document.querySelector('[data-tablet-status]').hidden")
    assert counted(live_server, token) == 1
    # A citizen who walks away after two answers: the form clears itself.
    statements = tablet.locator("fieldset.statement:visible")
    statements.nth(0).locator("label:has(.choice-number:text-is('2'))").tap()
    tablet.locator("[data-step-next]").tap()
    statements.nth(0).locator("label:has(.choice-number:text-is('1'))").tap()
    assert tablet.locator("[data-step-label]").inner_text() == "Bước 2/5"
    wait_until(tablet, "document.querySelectorAll('form[data-survey] input:checked').length"
                       " === 0", timeout=8)
    assert blank(tablet)
    assert counted(live_server, token) == 1, "an abandoned form is not sent"
    assert tablet.errors == []


def test_answers_given_offline_arrive_exactly_once(live_server, tablet):
    token = make_counter_on(live_server, "T-OFFLINE", tablet=True)
    tablet.goto(f"{live_server}/tablet/{token}")
    tablet.route("**/answers", lambda route: route.abort("internetdisconnected"))
    answer_steps(tablet, VARIED)
    tablet.get_by_role("button", name="Gửi đánh giá").tap()
    tablet.get_by_role("button", name="Bắt đầu lượt đánh giá mới").tap()
    answer_steps(tablet, list(reversed(VARIED)))
    tablet.get_by_role("button", name="Gửi đánh giá").tap()
    status = tablet.locator("[data-tablet-status]")
    status.wait_for()
    assert "2 phiếu đang chờ gửi" in status.inner_text()
    assert counted(live_server, token) == 0
    tablet.reload()  # the queue lives in the tablet's storage, not in the page
    wait_until(tablet, "document.querySelector('[data-tablet-status]').textContent"
                       ".includes('2 phiếu')")
    assert counted(live_server, token) == 0
    # The network returns, but the first confirmation is lost on its way back: the server
    # stored it, the tablet does not know, and sends it again.
    lost = []

    def lose_first_confirmation(route):
        response = route.fetch()
        if not lost:
            lost.append(response.status)
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    tablet.unroute("**/answers")
    tablet.route("**/answers", lose_first_confirmation)
    tablet.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(tablet, "document.querySelector('[data-tablet-status]').hidden", timeout=30)
    assert lost == [201]
    assert counted(live_server, token) == 2, "each answer exactly once"
    assert tablet.evaluate("JSON.parse(localStorage.getItem("
                           "document.querySelector('[data-tablet]').dataset.queueKey))") == []
    assert tablet.errors == []


def test_a_new_link_for_the_counter_sends_what_the_old_one_could_not(live_server, tablet):
    from survey.services import issue_tablet_link

    token = make_counter_on(live_server, "T-ROTATE", tablet=True)
    tablet.goto(f"{live_server}/tablet/{token}")
    with live_server.app.app_context():  # an administrator replaces the link meanwhile
        session = get_session()
        counter = session.scalar(select(Counter).where(Counter.tablet_token == token))
        new_token = issue_tablet_link(session, counter)
        session.commit()
    answer_steps(tablet, VARIED)
    tablet.get_by_role("button", name="Gửi đánh giá").tap()
    revoked = tablet.locator("[data-tablet-revoked]")
    revoked.wait_for()
    assert "không còn dùng được" in revoked.inner_text()
    assert tablet.locator("[data-tablet-survey]").is_hidden(), "it takes no more answers"
    assert counted(live_server, new_token) == 0
    tablet.goto(f"{live_server}/tablet/{new_token}")  # the same counter's new link
    wait_until(tablet, "document.querySelector('[data-tablet-status]').hidden")
    assert counted(live_server, new_token) == 1, "the waiting answer was not lost"


def test_answers_about_a_dossier_wait_for_its_code(live_server, tablet):
    from survey.onestop.models import CitizenRating
    from tests.e2e.conftest import one_stop_mode

    token = make_counter_on(live_server, "T-DOSSIER", tablet=True)
    with one_stop_mode(live_server, "besides"):
        tablet.goto(f"{live_server}/tablet/{token}")
        # 19 statements, then the dossier: "on the promised date", skipped, skipped, "helpful"
        answer_steps(tablet, VARIED + [1, None, None, 2])
        tablet.get_by_role("button", name="Gửi đánh giá").tap()
        problem = tablet.locator("[data-tablet-problem]")
        expect(problem).to_contain_text("Gõ mã hồ sơ")
        code = tablet.locator("input[name=dossier_code]")
        assert code.evaluate("element => element === document.activeElement")
        assert counted(live_server, token) == 0, "nothing queued without the code"
        code.fill("HS-TAB-1")
        tablet.get_by_role("button", name="Gửi đánh giá").tap()
        expect(tablet.get_by_role("heading", name="Xin cảm ơn Ông/Bà!")).to_be_visible()
        wait_until(tablet, "document.querySelector('[data-tablet-status]').hidden")
    assert counted(live_server, token) == 1
    with live_server.app.app_context():
        kept = {rating.rule: rating.points for rating in get_session().scalars(
            select(CitizenRating).where(CitizenRating.dossier_code == "HS-TAB-1"))}
    assert kept == {"time_vs_due": 1, "conduct": 2}
    assert tablet.errors == []
