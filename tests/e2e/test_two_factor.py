"""Two-step sign-in in a real browser (issue 12, point 4): a staff member scans the QR code
with an authenticator app (here: pyotp reading the key the code carries), turns it on, keeps
the recovery codes, and signs in again with password then code."""
import io
import time
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from portal.db import get_session
from tests.e2e.conftest import DEMO_PASSWORD, screenshot

pytestmark = pytest.mark.e2e


def test_set_up_two_step_sign_in_and_sign_in_with_a_code(live_server, desktop):
    from portal.auth.services import create_user

    with live_server.app.app_context():
        session = get_session()
        create_user(session, username="totp-e2e", full_name="Trần Hai Bước",
                    password=DEMO_PASSWORD, roles=["secretariat"])
        session.commit()
    desktop.goto(live_server + "/staff/login")
    desktop.get_by_label("Tên đăng nhập").fill("totp-e2e")
    desktop.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    desktop.get_by_role("button", name="Đăng nhập").click()
    desktop.wait_for_url(live_server + "/staff/")
    desktop.get_by_role("link", name="Đăng nhập hai bước: tắt").click()
    # the app scans the QR code: it carries the key shown beside it
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(
        desktop.locator(".totp-qr").screenshot())))
    uri = urlsplit(decoded.text)
    secret = parse_qs(uri.query)["secret"][0]
    assert uri.scheme == "otpauth" and "totp-e2e" in uri.path
    assert desktop.locator(".totp-key").inner_text().replace(" ", "") == secret
    screenshot(desktop, "two-factor-setup-vi-desktop")
    desktop.get_by_label("Mã", exact=True).fill(pyotp.TOTP(secret).now())
    desktop.get_by_role("button", name="Bật đăng nhập hai bước").click()
    expect(desktop.get_by_role("heading", name="Mã khôi phục của bạn")).to_be_visible()
    expect(desktop.locator(".recovery-codes li")).to_have_count(10)
    desktop.get_by_role("link", name="Tôi đã cất giữ các mã").click()
    desktop.get_by_role("button", name="Đăng xuất").click()
    # next time: the password, then the code the app shows (the next one: a code is used once)
    desktop.goto(live_server + "/staff/login")
    desktop.get_by_label("Tên đăng nhập").fill("totp-e2e")
    desktop.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    desktop.get_by_role("button", name="Đăng nhập").click()
    desktop.wait_for_url(live_server + "/staff/login/code")
    desktop.get_by_label("Mã", exact=True).fill(
        pyotp.TOTP(secret).at(time.time() + 30))
    desktop.get_by_role("button", name="Đăng nhập").click()
    desktop.wait_for_url(live_server + "/staff/")
    assert "Đăng nhập hai bước: bật" in desktop.locator("main").inner_text()
