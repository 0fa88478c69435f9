"""An alert on ratings end to end (issue 9, point 9): the secretariat sets a rule, citizens
rate a counter badly on their phones, the rules are checked, the leader's email leaves through
the outbox to a real SMTP server on loopback, and the leader follows its link, acknowledges
and closes the alert."""
import asyncio
import email
import email.policy
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from feedback import notify
from portal.db import get_session
from survey import alerts
from survey.models import Alert
from survey.reports import index_rules
from survey.services import current_questionnaire
from tests.e2e.conftest import answer_steps, make_counter_on, new_phone, screenshot
from tests.e2e.test_survey_journey import sign_in

pytestmark = pytest.mark.e2e

LOW = [1, 2, 1, 3, 2, 1, 2, 2, 1, 3, 2, 1, 2, 1, 2, 3, 1, 2, 1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message["Subject"], message.get_content()))
        return "250 OK"


def test_an_alert_is_raised_emailed_acknowledged_and_closed(live_server, browser, desktop):
    token = make_counter_on(live_server, "A-ALERT", unit_code="VP")
    sign_in(desktop, live_server, "secretariat")
    desktop.goto(f"{live_server}/staff/survey/alerts/rules/new")
    desktop.get_by_label("Theo dõi").select_option(label="Quầy A-ALERT — Quầy thử A-ALERT")
    desktop.get_by_label("Ngưỡng (%)").fill("-5")
    desktop.get_by_role("button", name="Lưu").click()
    assert "Từ 1 đến 100." in desktop.locator("main").inner_text()
    desktop.get_by_label("Ngưỡng (%)").fill("30")
    desktop.get_by_label("Trong khoảng gần nhất").fill("5")
    desktop.get_by_role("button", name="Lưu").click()
    desktop.wait_for_url("**/alerts/rules")
    assert "30% câu trả lời không hài lòng trở lên" in desktop.locator("main").inner_text()

    for citizen in range(5):
        context = new_phone(browser)
        phone = context.new_page()
        phone.goto(f"{live_server}/q/{token}")
        answer_steps(phone, LOW[citizen:] + LOW[:citizen], tap=False)
        phone.get_by_role("button", name="Gửi đánh giá").click()
        phone.wait_for_url("**/thanks")
        context.close()

    app = live_server.app
    with app.test_request_context("/", base_url=live_server):
        session = get_session()
        [raised] = alerts.evaluate(session, current_questionnaire(session), index_rules())
        session.commit()
        alert_id = raised.id
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox, loop = Inbox(), asyncio.new_event_loop()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, loop=loop)
    controller.start()
    try:
        config = dict(app.config, SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False)
        with app.app_context():
            result = notify.send_due(get_session(), notify.transport_from_config(config))
    finally:
        controller.stop()
        loop.close()
    assert result.sent >= 1
    [(recipients, subject, body)] = [message for message in inbox.messages
                                     if f"/staff/survey/alerts/{alert_id}" in message[2]]
    assert recipients == ["leader@example.invalid"]
    assert subject == "[Cổng góp ý] Cảnh báo: A-ALERT — Quầy thử A-ALERT"
    link = re.search(r"http://\S+/staff/survey/alerts/\d+", body).group(0)

    desktop.context.clear_cookies()
    sign_in(desktop, live_server, "leader")
    desktop.goto(link)
    assert "đang mở" in desktop.locator("h1").inner_text()
    assert "trong 5 phiếu gần nhất" in desktop.locator("main").inner_text()
    desktop.get_by_label("Tiếp nhận: đã có người xem xét").check()
    desktop.get_by_role("button", name="Lưu").click()
    assert "đã tiếp nhận" in desktop.locator("h1").inner_text()
    desktop.get_by_label("Đóng: đã xử lý xong").check()
    desktop.get_by_role("button", name="Lưu").click()
    assert "Xin ghi điều đã tìm thấy hoặc đã làm." in desktop.locator("main").inner_text()
    desktop.get_by_role("textbox", name="Ý kiến").fill("Đã họp với quầy, bổ sung hướng dẫn viên.")
    desktop.get_by_role("button", name="Lưu").click()
    assert "đã đóng" in desktop.locator("h1").inner_text()
    screenshot(desktop, "survey-alert-closed-vi-desktop")
    with app.app_context():
        closed = get_session().scalar(select(Alert).where(Alert.id == alert_id))
        assert closed.state == "closed" and closed.open_key is None
        assert [note.action for note in closed.notes] == ["acknowledge", "close"]
