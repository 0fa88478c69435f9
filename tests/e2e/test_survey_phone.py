"""The survey on a citizen's phone (issue 9): the first statement on the first screen at
360×640, one dimension per step with Next and Back keeping the answers, the single form
without JavaScript, big tap targets, a refused send that keeps the answers, and the honest
citizens the first version dropped (quick and uniform; many behind one address) counted."""
import pytest
from sqlalchemy import func, select

from portal.db import get_session
from survey.models import Response
from tests.e2e.conftest import answer_steps, make_counter_on, new_phone, screenshot

pytestmark = pytest.mark.e2e

VARIED = [5, 4, 4, 5, 3, 4, 5, 4, 5, 5, 4, 3, 5, 4, 4, 5, 4, 4, 5]


def stored(live_server, token):
    """(counted, left out) responses of the counter whose link is ``token``."""
    from survey.models import Counter

    with live_server.app.app_context():
        session = get_session()
        counter_id = session.scalar(select(Counter.id).where(Counter.token == token))
        rows = dict(session.execute(select(Response.flagged, func.count())
                                    .where(Response.counter_id == counter_id)
                                    .group_by(Response.flagged)).all())
        return rows.get(False, 0), rows.get(True, 0)


def test_the_first_statement_and_its_answers_are_on_the_first_screen(live_server, browser):
    token = make_counter_on(live_server, "P-SCREEN")
    for javascript in (True, False):
        context = new_phone(browser, javascript=javascript)
        page = context.new_page()
        page.goto(f"{live_server}/q/{token}")
        first = page.locator("fieldset.statement").first.bounding_box()
        assert first["y"] + first["height"] <= 640, (javascript, first)
        assert page.locator("nav.main-nav").count() == 0, "the site menu is out of the way"
        assert page.get_by_role("link", name="English").is_visible()
        screenshot(page, f"survey-first-screen-{'js' if javascript else 'nojs'}-360")
        context.close()


def test_every_tap_target_is_at_least_44_px(live_server, browser):
    context = new_phone(browser)
    page = context.new_page()
    page.goto(f"{live_server}/q/{make_counter_on(live_server, 'P-TAPS')}")
    answer_steps(page, [4] * 19)
    page.locator("[data-step-back]").tap()  # back on step 4: Back and Continue both shown
    targets = page.locator(".choice label:visible, .step-nav button:visible, .lang a")
    small = [box for box in (targets.nth(n).bounding_box() for n in range(targets.count()))
             if box["width"] < 44 or box["height"] < 44]
    assert targets.count() > 20 and small == []
    context.close()


def test_step_by_step_with_back_keeping_answers_and_nothing_sent_early(live_server, browser):
    token = make_counter_on(live_server, "P-STEPS")
    context = new_phone(browser)
    page = context.new_page()
    page.goto(f"{live_server}/q/{token}")
    assert page.locator("[data-step-label]").inner_text() == "Bước 1/5"
    assert page.locator("fieldset.statement:visible").count() == 4
    assert not page.get_by_role("button", name="Gửi đánh giá").is_visible()
    first = page.locator("fieldset.statement").first
    first.locator("label:has(.choice-number:text-is('2'))").tap()
    first.locator("input[value='2']").press("Enter")  # Enter means Continue, not Send
    assert page.locator("[data-step-label]").inner_text() == "Bước 2/5"
    assert stored(live_server, token) == (0, 0)
    page.locator("[data-step-back]").tap()
    assert page.locator("[data-step-label]").inner_text() == "Bước 1/5"
    assert first.locator("input[value='2']").is_checked(), "Back keeps the answer"
    page.locator("[data-step-next]").tap()
    answer_steps(page, VARIED[4:], comment="Chờ hơi lâu.")
    assert page.locator("[data-step-label]").inner_text() == "Bước 5/5"
    assert page.locator("[data-progress]").inner_text() == "Đã trả lời 16 / 19 nội dung"
    screenshot(page, "survey-last-step-vi-phone")
    page.get_by_role("button", name="Gửi đánh giá").tap()
    page.wait_for_url("**/thanks")
    assert stored(live_server, token) == (1, 0)
    context.close()


def test_without_javascript_the_single_form_completes(live_server, browser):
    token = make_counter_on(live_server, "P-NOJS")
    context = new_phone(browser, javascript=False)
    page = context.new_page()
    page.goto(f"{live_server}/q/{token}")
    assert page.locator("fieldset.statement:visible").count() == 19
    assert page.locator("[data-step-bar]").is_hidden()
    for number, level in enumerate(VARIED):
        page.locator("fieldset.statement").nth(number).locator(
            f"label:has(.choice-number:text-is('{level}'))").tap()
    page.get_by_role("button", name="Gửi đánh giá").tap()
    page.wait_for_url("**/thanks")
    assert stored(live_server, token) == (1, 0)
    context.close()


def test_a_citizen_tapping_4_nineteen_times_in_12_seconds_is_counted(live_server, browser):
    token = make_counter_on(live_server, "P-QUICK")
    context = new_phone(browser)
    page = context.new_page()
    page.goto(f"{live_server}/q/{token}")
    started = page.evaluate("Date.now()")
    answer_steps(page, [4] * 19)
    page.wait_for_timeout(max(0, 12000 - (page.evaluate("Date.now()") - started)))
    page.get_by_role("button", name="Gửi đánh giá").tap()
    page.wait_for_url("**/thanks")
    assert stored(live_server, token) == (1, 0)
    with live_server.app.app_context():
        response = get_session().scalar(select(Response).order_by(Response.id.desc()))
        assert 11 <= response.seconds_to_answer <= 14
        assert response.signals["uniform"] == 4 and not response.flagged
    context.close()


def test_ten_citizens_behind_one_address_within_ten_minutes_are_all_counted(live_server,
                                                                          browser):
    token = make_counter_on(live_server, "P-OFFICE")
    for citizen in range(10):
        context = new_phone(browser)  # each phone its own cookies, all from 127.0.0.1
        page = context.new_page()
        page.goto(f"{live_server}/q/{token}")
        answer_steps(page, VARIED[citizen:] + VARIED[:citizen], tap=False)
        page.get_by_role("button", name="Gửi đánh giá").click()
        page.wait_for_url("**/thanks")
        context.close()
    assert stored(live_server, token) == (10, 0)


def test_a_refused_send_shows_the_answers_again_on_the_last_step(live_server, browser):
    token = make_counter_on(live_server, "P-LIMIT")
    config = live_server.app.config
    limit, config["SURVEY_LIMIT_PER_LINK"] = config["SURVEY_LIMIT_PER_LINK"], "1/minute"
    try:
        for citizen in range(2):
            context = new_phone(browser)
            page = context.new_page()
            page.goto(f"{live_server}/q/{token}")
            answer_steps(page, VARIED, comment="Ý kiến của người thứ hai" if citizen else None)
            with page.expect_navigation():
                page.get_by_role("button", name="Gửi đánh giá").tap()
            if citizen == 0:
                assert page.url.endswith("/thanks")
                context.close()
    finally:
        config["SURVEY_LIMIT_PER_LINK"] = limit
    assert "xin chờ một phút" in page.locator("[role=alert]").inner_text()
    assert page.locator("[data-step-label]").inner_text() == "Bước 5/5"
    assert page.locator("textarea[name=comment]").input_value() == "Ý kiến của người thứ hai"
    page.locator("[data-step-back]").tap()
    checked = page.locator("fieldset.statement:visible input:checked")
    assert [checked.nth(n).get_attribute("value") for n in range(checked.count())] == \
        [str(level) for level in VARIED[13:16]]
    screenshot(page, "survey-refused-vi-phone")
    page.locator("[data-step-next]").tap()
    page.get_by_role("button", name="Gửi đánh giá").tap()  # the limit is back to normal
    page.wait_for_url("**/thanks")
    assert stored(live_server, token) == (2, 0)
    context.close()


def test_the_expectation_question_is_a_step_of_its_own_when_asked(live_server, browser):
    from survey.services import current_questionnaire

    token = make_counter_on(live_server, "P-KV")

    def ask(on: bool):
        with live_server.app.app_context():
            session = get_session()
            current_questionnaire(session).ask_expectation = on
            session.commit()

    ask(True)
    try:
        context = new_phone(browser)
        page = context.new_page()
        page.goto(f"{live_server}/q/{token}")
        assert page.locator("[data-step-label]").inner_text() == "Bước 1/6"
        answer_steps(page, VARIED[:16] + [None, None, None, 3, 2, None, 1, None, 3])
        assert page.locator("[data-step-label]").inner_text() == "Bước 6/6"
        assert "Cần cải thiện điều gì trước?" in page.locator("h2:visible").first.inner_text()
        assert page.locator("[data-progress]").inner_text() == "Đã trả lời 16 / 19 nội dung"
        page.get_by_role("button", name="Gửi đánh giá").tap()
        page.wait_for_url("**/thanks")
        context.close()
    finally:
        ask(False)
    with live_server.app.app_context():
        response = get_session().scalar(select(Response).order_by(Response.id.desc()))
        values = {answer.item_code: answer.value for answer in response.answers}
    assert (values["KV1"], values["KV2"], values["KV4"], values["KV6"]) == (3, 2, 1, 3)
