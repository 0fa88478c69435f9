"""A citizen sends feedback with an attachment from a phone and gets a code; reception
classifies and assigns it; the handler drafts an answer; the secretariat returns it once, then
approves, sends and publishes it; the public list shows the de-identified text and the
citizen's lookup shows the answer. Real Chromium, CSRF on."""
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_survey_journey import sign_in

pytestmark = pytest.mark.e2e


def _photo(path) -> str:
    image = Image.new("RGB", (60, 40), "blue")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (12.0, 14.0, 30.0), 3: "E", 4: (109.0, 11.0, 40.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    path.write_bytes(buffer.getvalue())
    return str(path)


def _act(page, heading: str, button: str | None = None):
    section = page.locator("section.action", has=page.get_by_role("heading", name=heading))
    section.get_by_role("button", name=button or heading).click()
    page.wait_for_load_state()
    return section


def _open_as(desktop, live_server, role, code):
    """Sign in afresh as the demo user of ``role`` and open the ticket's staff page."""
    desktop.context.clear_cookies()
    sign_in(desktop, live_server, role)
    desktop.goto(live_server + f"/staff/feedback/{code}")


def _fill_and_act(desktop, heading, label, text):
    section = desktop.locator("section.action", has=desktop.get_by_role(
        "heading", name=heading))
    section.get_by_label(label).fill(text)
    _act(desktop, heading)


def _accept_for_the_land_office(desktop):
    section = desktop.locator("section.action", has=desktop.get_by_role(
        "heading", name="Tiếp nhận xử lý"))
    section.get_by_label("Phân loại").select_option("competence")
    section.get_by_label("Giao cho đơn vị").select_option(label="Chi cục Quản lý đất đai")
    _act(desktop, "Tiếp nhận xử lý")


def test_feedback_from_phone_to_publication(live_server, desktop, phone, tmp_path):
    phone.goto(live_server + "/feedback/new")
    screenshot(phone, "feedback-new-vi-phone")
    phone.get_by_label("Phản ánh", exact=True).check()
    phone.get_by_label("Nội dung phản ánh", exact=True).fill(
        "Tôi là Trần Văn Bình, điện thoại 0905 123 456. Hồ sơ đăng ký đất đai của tôi tại "
        "bộ phận một cửa bị trễ hẹn hai tuần mà không có thư xin lỗi.")
    phone.get_by_label("Họ và tên", exact=True).fill("Trần Văn Bình")
    phone.get_by_label("Địa chỉ", exact=True).fill("số 12 Trần Phú, phường Nha Trang, Khánh Hòa")
    phone.get_by_label("Số điện thoại", exact=True).fill("0905 123 456")
    phone.get_by_label("Tệp đính kèm (không bắt buộc)").set_input_files(
        _photo(tmp_path / "anh.jpg"))
    phone.get_by_label("Tôi đồng ý để nội dung phản ánh").check()
    phone.get_by_role("button", name="Gửi", exact=True).tap()
    phone.wait_for_url("**/feedback/receipt/**")
    code = phone.locator(".tracking-code").inner_text().strip()
    assert re.fullmatch(r"PA-\d{4}-\d{6}[A-Z]", code)
    screenshot(phone, "feedback-receipt-vi-phone")

    sign_in(desktop, live_server, "reception")
    desktop.goto(live_server + "/staff/feedback")
    desktop.get_by_role("link", name=code).click()
    _accept_for_the_land_office(desktop)
    assert "Đã giao đơn vị xử lý" in desktop.locator("h1").inner_text()
    screenshot(desktop, "feedback-ticket-vi-desktop")

    _open_as(desktop, live_server, "handler", code)
    _act(desktop, "Bắt đầu xử lý")
    _fill_and_act(desktop, "Lưu dự thảo trả lời", "Trả lời người dân",
                  "Kính gửi ông Trần Văn Bình, Sở xin lỗi về việc trễ hẹn; hồ sơ đã được giải "
                  "quyết.")
    _act(desktop, "Trình duyệt")

    _open_as(desktop, live_server, "secretariat", code)
    _fill_and_act(desktop, "Trả lại để sửa", "Lý do", "Cần nêu căn cứ và ngày trả kết quả.")
    assert "Trả lời bị trả lại để sửa" in desktop.locator("h1").inner_text()

    _handle_and_send(desktop, live_server, code,
                     "Kính gửi ông Trần Văn Bình, Sở xin lỗi về việc trễ hẹn; hồ sơ đã được "
                     "giải quyết và trả kết quả ngày 05/03.")
    desktop.get_by_role("link", name="Chuẩn bị bản công khai").click()
    desktop.wait_for_url(f"**/staff/feedback/{code}/publish")
    assert desktop.locator("mark").count() >= 2  # the name and the phone are highlighted
    screenshot(desktop, "feedback-publish-vi-desktop")
    desktop.get_by_role("button", name="Công bố").click()
    desktop.wait_for_url(f"**/staff/feedback/{code}")

    phone.goto(live_server + "/feedback/published")
    public = phone.locator("main").inner_text()
    assert code in public and "Trần Văn Bình" not in public and "0905" not in public
    phone.get_by_role("link", name=code).tap()
    assert "hồ sơ đã được giải quyết" in phone.locator("main").inner_text()
    screenshot(phone, "feedback-published-vi-phone")

    _look_up(phone, live_server, code.lower(), "0905123456")
    assert "trả kết quả ngày 05/03" in phone.locator("main").inner_text()
    screenshot(phone, "feedback-track-vi-phone")
    assert phone.console_problems == []


def test_a_file_too_large_is_said_before_the_upload_and_nothing_typed_is_lost(live_server,
                                                                              phone, tmp_path):
    big = tmp_path / "ban-scan.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1))
    phone.goto(live_server + "/feedback/new")
    phone.get_by_label("Nội dung phản ánh", exact=True).fill(
        "Nội dung tôi đã gõ rất lâu trên điện thoại và không muốn mất.")
    phone.get_by_label("Tệp đính kèm (không bắt buộc)").set_input_files(str(big))
    alert = phone.locator("#attachments-size-error")
    assert "ban-scan.pdf" in alert.inner_text() and "10 MB" in alert.inner_text()
    phone.get_by_role("button", name="Gửi", exact=True).tap()
    assert phone.url.endswith("/feedback/new")
    assert "không muốn mất" in phone.get_by_label("Nội dung phản ánh", exact=True).input_value()
    phone.get_by_label("Tệp đính kèm (không bắt buộc)").set_input_files([])
    assert alert.is_hidden()
    assert phone.console_problems == []


def _handle_and_send(desktop, live_server, code, answer):
    _open_as(desktop, live_server, "handler", code)
    _fill_and_act(desktop, "Lưu dự thảo trả lời", "Trả lời người dân", answer)
    _act(desktop, "Trình duyệt")
    _open_as(desktop, live_server, "secretariat", code)
    _act(desktop, "Duyệt")
    _act(desktop, "Gửi trả lời cho người dân")


def _look_up(phone, live_server, code, pin):
    phone.goto(live_server + "/feedback/track")
    phone.get_by_label("Mã tra cứu").fill(code)
    phone.get_by_label("Số điện thoại hoặc email bạn đã cung cấp, hoặc mã PIN").fill(pin)
    phone.get_by_role("button", name="Tra cứu").tap()
    phone.locator(".ticket-status").wait_for()


def test_the_loop_closes_for_a_citizen_without_phone_or_email(live_server, desktop, phone):
    """Intake by post (no phone, no email) → information asked → the citizen replies on the
    look-up page with the PIN → answer → "not resolved" → a leader returns it for rework →
    new answer → "resolved"."""
    phone.goto(live_server + "/feedback/new")
    phone.get_by_label("Phản ánh", exact=True).check()
    phone.get_by_label("Nội dung phản ánh", exact=True).fill(
        "Cống thoát nước trước nhà tôi bị lấp từ khi thi công đường, mưa là ngập cả con hẻm.")
    phone.get_by_label("Họ và tên", exact=True).fill("Phạm Thị Zzloop")
    phone.get_by_label("Địa chỉ", exact=True).fill("thôn Phước Lộc, xã Diên Khánh, Khánh Hòa")
    phone.get_by_label("Tôi không có điện thoại").check()
    phone.get_by_role("button", name="Gửi", exact=True).tap()
    phone.wait_for_url("**/feedback/receipt/**")
    code = phone.locator(".tracking-code").inner_text().strip()
    pin = phone.locator(".lookup-pin").inner_text().strip()
    assert len(pin) == 6

    _open_as(desktop, live_server, "reception", code)
    _accept_for_the_land_office(desktop)
    # no email, no phone: the notice goes as a printed letter
    desktop.get_by_role("link", name="Đã tiếp nhận để xử lý").click()
    desktop.wait_for_load_state("load")  # the print stylesheet loads after the page shows
    desktop.emulate_media(media="print")
    letter = desktop.locator("article.letter")
    expect(desktop.locator(".letter-tools")).to_be_hidden()
    assert letter.is_visible()
    text = letter.inner_text()
    assert "Kính gửi: Phạm Thị Zzloop" in text and code in text and pin in text
    assert len(desktop.pdf(format="A4")) > 1000
    screenshot(desktop, "feedback-letter-vi-print")
    desktop.emulate_media(media="screen")
    desktop.get_by_role("button", name="Ghi nhận đã gửi qua bưu điện").click()
    assert "đã gửi qua bưu điện" in desktop.locator("main").inner_text()
    _open_as(desktop, live_server, "handler", code)
    _act(desktop, "Bắt đầu xử lý")
    _fill_and_act(desktop, "Đề nghị người dân bổ sung thông tin",
                  "Thông tin người dân cần gửi hoặc giải thích",
                  "Xin cho biết vị trí cống (gần cột điện số mấy).")
    assert "Chờ người dân bổ sung thông tin" in desktop.locator("h1").inner_text()

    _look_up(phone, live_server, code, pin.lower())
    assert "gần cột điện số mấy" in phone.locator("main").inner_text()
    phone.get_by_label("Thông tin bổ sung").fill("Cống ở cạnh cột điện số 12, đầu hẻm.")
    phone.get_by_role("button", name="Gửi thông tin").tap()
    phone.get_by_role("status").wait_for()
    assert "việc xử lý được tiếp tục" in phone.get_by_role("status").inner_text()
    screenshot(phone, "feedback-reply-vi-phone")

    _handle_and_send(desktop, live_server, code, "Sở đã yêu cầu nhà thầu nạo vét cống.")
    _look_up(phone, live_server, code, pin)
    phone.get_by_label("Chưa", exact=True).check()
    phone.get_by_label("Điều gì vẫn chưa được giải quyết? (không bắt buộc)").fill(
        "Nhà thầu chưa đến, hẻm vẫn ngập.")
    phone.get_by_role("button", name="Gửi đánh giá").tap()
    phone.get_by_role("status").wait_for()
    screenshot(phone, "feedback-rating-vi-phone")

    desktop.context.clear_cookies()
    sign_in(desktop, live_server, "leader")
    desktop.goto(live_server + "/staff/feedback/reviews")
    desktop.get_by_role("link", name=code).click()
    main = desktop.locator("main").inner_text()
    assert "hẻm vẫn ngập" in main and "Zzloop" not in main
    _fill_and_act(desktop, "Trả lại câu trả lời để làm lại", "Điều câu trả lời mới cần giải quyết",
                  "Kiểm tra hiện trường và hẹn ngày nạo vét.")
    assert "Không có câu trả lời nào đang chờ xem xét." in desktop.locator("main").inner_text()

    _handle_and_send(desktop, live_server, code,
                     "Sở đã kiểm tra hiện trường; cống được nạo vét ngày 05/12.")
    _look_up(phone, live_server, code, pin)
    assert "nạo vét ngày 05/12" in phone.locator("main").inner_text()
    phone.get_by_label("Đã giải quyết", exact=True).check()
    phone.get_by_role("button", name="Gửi đánh giá").tap()
    phone.get_by_role("status").wait_for()
    assert "Cảm ơn bạn đã đánh giá." in phone.get_by_role("status").inner_text()
    assert phone.console_problems == []


def test_the_required_mark_stays_on_its_labels_line(live_server, phone):
    phone.goto(live_server + "/feedback/new")
    for field in ("name", "address", "phone", "content"):
        label = phone.locator(f'label[for="{field}"]').bounding_box()
        star = phone.locator(f'label[for="{field}"] + .required').bounding_box()
        assert abs(star["y"] - label["y"]) < 6 and star["x"] > label["x"], field
