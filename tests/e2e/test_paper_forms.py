"""Paper survey forms in a real browser (issue 9, point 7): a batch is numbered and prints one
form to a page (A4 and A5), and a clerk keys 50 returned forms in with the keyboard alone."""
import io
import re

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from portal.db import get_session
from survey.models import PaperBatch, Response
from survey.paper import form_number
from tests.e2e.conftest import make_counter_on, screenshot
from tests.e2e.test_survey_journey import sign_in

pytestmark = pytest.mark.e2e


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_a_batch_prints_one_form_to_a_page_with_a_readable_number(live_server, desktop):
    make_counter_on(live_server, "P-PAPER")
    sign_in(desktop, live_server, "reception")
    for size, count, sides in (("A4", 4, 1), ("A5", 3, 2)):  # A5 prints on both sides
        desktop.goto(f"{live_server}/staff/survey/paper")
        desktop.get_by_label("Quầy").select_option(label="P-PAPER — Quầy thử P-PAPER")
        desktop.get_by_label("Số phiếu").fill(str(count))
        desktop.locator(f"input[name=paper_size][value={size}]").check()
        desktop.get_by_role("button", name="Đánh số và in").click()
        desktop.wait_for_url("**/print")
        assert desktop.locator("article.paper-form").count() == count
        first = desktop.locator("article.paper-form").first
        number = first.locator(".paper-number strong").inner_text()
        [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(
            first.locator(".paper-qr").screenshot())))
        assert decoded.text == number, "the QR code carries the printed form number"
        screenshot(desktop, f"paper-form-{size}")
        desktop.emulate_media(media="print")
        assert pdf_pages(desktop.pdf(prefer_css_page_size=True)) == count * sides
        desktop.emulate_media(media="screen")


def test_fifty_forms_are_keyed_in_with_the_keyboard(live_server, desktop):
    make_counter_on(live_server, "P-KEYS")
    sign_in(desktop, live_server, "reception")
    desktop.goto(f"{live_server}/staff/survey/paper")
    desktop.get_by_label("Quầy").select_option(label="P-KEYS — Quầy thử P-KEYS")
    desktop.get_by_label("Số phiếu").fill("50")
    desktop.get_by_role("button", name="Đánh số và in").click()
    desktop.wait_for_url("**/print")
    batch_id = int(re.search(r"/paper/(\d+)/print", desktop.url).group(1))
    with live_server.app.app_context():
        first = get_session().get(PaperBatch, batch_id).first_serial
    digits = "4455344545453545445"
    for page_number in range(5):
        desktop.goto(f"{live_server}/staff/survey/paper/entry")
        desktop.locator("#row-1-number").focus()
        for row in range(10):
            serial = first + page_number * 10 + row
            desktop.keyboard.type(form_number(serial).replace("-", ""))  # moves on by itself
            desktop.keyboard.type(digits[row:] + digits[:row])  # and on again
            desktop.keyboard.press("Tab")  # past "what to improve" to the comment
            if row == 3:
                desktop.keyboard.type("Chỗ ngồi chờ hơi ít.")
            if row < 9:
                desktop.keyboard.press("Tab")
        if page_number == 0:
            screenshot(desktop, "paper-entry-vi-desktop")
        desktop.keyboard.press("Enter")
        desktop.wait_for_url("**/paper/entry")
        assert "Đã nhập 10 phiếu." in desktop.locator(".flashes").inner_text()
    with live_server.app.app_context():
        session = get_session()
        entered = session.scalar(select(func.count()).select_from(Response).where(
            Response.paper_batch_id == batch_id, Response.channel == "paper"))
        comments = session.scalar(select(func.count()).select_from(Response).where(
            Response.paper_batch_id == batch_id, Response.comment == "Chỗ ngồi chờ hơi ít."))
    assert entered == 50 and comments == 5
    desktop.goto(f"{live_server}/staff/survey/paper")
    assert "50 / 50" in desktop.locator("main").inner_text()


def test_forms_asking_about_the_dossier_print_on_both_sides(live_server, desktop):
    from tests.e2e.conftest import one_stop_mode

    make_counter_on(live_server, "P-DOSSIER")
    sign_in(desktop, live_server, "reception")
    made = []
    try:
        with one_stop_mode(live_server, "besides"):
            for size in ("A4", "A5"):
                desktop.goto(f"{live_server}/staff/survey/paper")
                desktop.get_by_label("Quầy").select_option(
                    label="P-DOSSIER — Quầy thử P-DOSSIER")
                desktop.get_by_label("Số phiếu").fill("2")
                desktop.locator(f"input[name=paper_size][value={size}]").check()
                desktop.get_by_role("button", name="Đánh số và in").click()
                desktop.wait_for_url("**/print")
                made.append(int(re.search(r"/paper/(\d+)/print", desktop.url).group(1)))
                assert desktop.locator(".paper-questions li").count() == 2 * 4
                screenshot(desktop, f"paper-form-dossier-{size}")
                desktop.emulate_media(media="print")
                assert pdf_pages(desktop.pdf(prefer_css_page_size=True)) == 2 * 2, \
                    "each form on the two sides of one sheet"
                desktop.emulate_media(media="screen")
    finally:  # the entry page of the other browser tests keeps its columns
        with live_server.app.app_context():
            session = get_session()
            for batch_id in made:
                session.delete(session.get(PaperBatch, batch_id))
            session.commit()
