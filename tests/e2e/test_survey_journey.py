"""A citizen with a phone scans the QR code posted at a counter, answers the 19 statements by
tapping, and is thanked; a leader then sees the answer counted on the dashboard."""
import io
import re

import pytest
import zxingcpp
from PIL import Image

from tests.e2e.conftest import DEMO_PASSWORD, answer_steps, screenshot

pytestmark = pytest.mark.e2e


def sign_in(page, live_server, username):
    page.goto(live_server + "/staff/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server + "/staff/")


def counted(page, live_server) -> int:
    page.goto(live_server + "/staff/survey/?flagged=1")
    text = page.locator("#overall-title + p + p").inner_text()
    return int(re.search(r"Tính (\d+) phiếu", text).group(1))


def test_scan_answer_and_be_counted(live_server, browser, desktop, phone):
    sign_in(desktop, live_server, "admin")
    desktop.goto(live_server + "/staff/survey/counters")
    qr_link = desktop.get_by_role("link", name="PNG").first.get_attribute("href")
    png = desktop.context.request.get(live_server + qr_link).body()
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert decoded.text.startswith(live_server + "/q/")
    before = counted(desktop, live_server)

    phone.goto(decoded.text)
    assert phone.locator("fieldset.statement").count() == 19
    screenshot(phone, "survey-vi-phone")
    levels = [5, 4, 4, 5, 3, 4, 5, 4, 5, 5, 4, 3, 5, 4, 4, 5, 2, 4, 5]
    answer_steps(phone, levels)
    assert phone.locator("[data-progress]").inner_text() == "Đã trả lời 19 / 19 nội dung"
    phone.get_by_label("Ông/Bà có ý kiến gì thêm không? (không bắt buộc)").fill(
        "Cán bộ hướng dẫn tận tình.")
    phone.get_by_role("button", name="Gửi đánh giá").tap()
    phone.wait_for_url("**/thanks")
    assert "Xin cảm ơn Ông/Bà!" in phone.locator("h1").inner_text()
    assert "Ông/Bà có muốn được trả lời không?" in phone.locator("main").inner_text()  # a 2
    screenshot(phone, "survey-thanks-vi-phone")
    assert phone.console_problems == []

    desktop.context.clear_cookies()
    sign_in(desktop, live_server, "leader")
    assert counted(desktop, live_server) == before + 1
    assert "Cán bộ hướng dẫn tận tình." in desktop.locator(".comments").inner_text()
    screenshot(desktop, "survey-dashboard-vi-desktop")
