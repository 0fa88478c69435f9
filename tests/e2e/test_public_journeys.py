"""A visitor on a phone finds a procedure without typing accents, reads it in English, prints
it; staff sign in. In the real browser, with the real Content-Security-Policy."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, screenshot

pytestmark = pytest.mark.e2e


def test_a_citizen_finds_and_prints_a_procedure_on_a_phone(live_server, phone):
    page = phone
    page.goto(live_server + "/")
    assert page.get_attribute("html", "lang") == "vi"
    screenshot(page, "home-vi-phone")
    page.get_by_role("link", name="Thủ tục hành chính").first.tap()
    page.wait_for_url("**/procedures")
    page.get_by_label("Tìm theo tên hoặc mã thủ tục").fill("dat dai")
    page.get_by_role("button", name="Tìm kiếm").tap()
    page.wait_for_url("**/procedures?q=dat+dai*")
    results = page.locator(".procedure-list a")
    assert results.count() > 0
    assert "thủ tục" in page.locator(".result-count").inner_text()
    screenshot(page, "procedures-search-vi-phone")
    results.first.tap()
    page.wait_for_url("**/procedures/*")
    title = page.locator("h1").inner_text()
    assert title and page.locator("#steps").is_visible()
    qr = page.locator(".procedure-qr img")
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
    screenshot(page, "procedure-vi-phone")

    page.get_by_role("link", name="English").tap()
    page.wait_for_url("**lang=en")
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("#steps").inner_text().startswith("Steps")
    assert page.get_by_role("button", name="Print this page").is_visible()
    screenshot(page, "procedure-en-phone")

    page.wait_for_load_state("load")  # the print stylesheet loads after the page shows
    page.emulate_media(media="print")
    expect(page.locator(".main-nav")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    assert not page.get_by_role("button", name="Print this page").is_visible()
    assert page.locator("h1").is_visible() and page.locator("#legal").is_visible()
    # legible on paper: body text at least 10 pt (13.3 px), dark on white
    sizes = page.evaluate("""() => [...document.querySelectorAll('main p, main li, main td')]
        .filter(el => el.offsetParent !== null)
        .map(el => parseFloat(getComputedStyle(el).fontSize))""")
    assert sizes and min(sizes) >= 13.3, min(sizes)
    screenshot(page, "procedure-en-print")
    page.emulate_media(media="screen")

    page.goto(live_server + "/procedures")
    assert page.get_attribute("html", "lang") == "en", "the choice of English sticks"
    page.get_by_label("Search by name or code").fill("moi truong")
    page.get_by_role("button", name="Search").tap()
    page.wait_for_url("**/procedures?q=moi+truong*")
    assert page.locator(".procedure-list a").count() > 0, "found in English without accents"
    assert page.console_problems == []


def test_the_hotline_page_on_a_phone_has_tappable_numbers(live_server, phone):
    phone.goto(live_server + "/hotline?lang=vi")
    number = phone.locator("a.phone").first
    assert number.get_attribute("href").startswith("tel:")
    box = number.bounding_box()
    assert box["height"] >= 44, "touch target"
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "hotline-vi-phone")
    assert phone.console_problems == []


def test_staff_sign_in_in_the_browser(live_server, desktop):
    desktop.goto(live_server + "/staff/login")
    desktop.get_by_label("Tên đăng nhập").fill("secretariat")
    desktop.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    desktop.get_by_role("button", name="Đăng nhập").click()
    desktop.wait_for_url(live_server + "/staff/")
    assert "Văn phòng Sở" in desktop.locator("main").inner_text()
    desktop.get_by_role("link", name="Thủ tục").last.click()
    desktop.wait_for_url(live_server + "/staff/procedures")
    assert desktop.locator("table.table tbody tr").count() >= 20
    screenshot(desktop, "staff-procedures-vi-desktop")
    desktop.get_by_role("button", name="Đăng xuất").click()
    desktop.wait_for_url(live_server + "/")
    assert "Bạn đã đăng xuất." in desktop.locator(".flashes").inner_text()
