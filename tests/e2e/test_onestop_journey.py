"""The one-stop evaluation in a browser (issue 11): the secretariat imports dossier records; a
citizen rates their dossier by its QR code, saying the result came late; the scoreboard's index
1 follows the citizen; a late dossier's apology is printed once, and a second new date sent
from another tab is refused with the legal reason."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import answer_steps, one_stop_mode, screenshot
from tests.e2e.test_survey_journey import sign_in

pytestmark = pytest.mark.e2e
UNIT = "Văn phòng Đăng ký đất đai"


def _records(tmp_path, today, calendar) -> tuple:
    received = today - timedelta(days=10)
    tomorrow = calendar.add_working_days(today, 1)
    lines = [
        "code,procedure_code,unit_code,received_at,due_at,returned_at,channel,status,officer,"
        "citizen_name",
        f"E2E-1,1.004269,VPDKDD,{received:%d/%m/%Y} 08:00,{today - timedelta(days=2):%d/%m/%Y}"
        f" 16:00,{today - timedelta(days=4):%d/%m/%Y} 09:00,trực tiếp,đã trả kết quả,reception,",
        f"E2E-2,1.004221,VPDKDD,{received:%d/%m/%Y} 08:00,{tomorrow:%d/%m/%Y} 16:00,,trực tiếp,"
        "đang giải quyết,,Trần Thị Hẹn",
    ]
    path = tmp_path / "ho-so.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, calendar.add_working_days(tomorrow, 5)


def _index_1(page, live_server, today) -> str:
    quarter = (today.month - 1) // 3 + 1
    page.goto(f"{live_server}/staff/one-stop/scoreboard?year={today.year}&quarter={quarter}")
    row = page.locator("table.scoreboard tr", has_text=UNIT)
    return row.locator("td").nth(1).inner_text()


def test_import_rate_by_qr_score_and_apologise_once(live_server, browser, desktop, phone,
                                                    tmp_path):
    from portal.db import get_session
    from portal.workcalendar.services import working_calendar
    from portal.workdays import today_in_vietnam
    from survey.models import Counter
    from survey.services import create_dossier_link

    app = live_server.app
    today = today_in_vietnam()
    with app.app_context():
        calendar = working_calendar(get_session())
    csv_path, new_date = _records(tmp_path, today, calendar)

    sign_in(desktop, live_server, "secretariat")
    desktop.goto(live_server + "/staff/one-stop/import")
    desktop.locator("input[type=file]").set_input_files(str(csv_path))
    desktop.get_by_role("button", name="Nhập").click()
    assert "Đã nhập: tạo mới 2, cập nhật 0." in desktop.locator("[role=status]").inner_text()
    assert _index_1(desktop, live_server, today) == "2,0"  # returned early

    with app.app_context():  # the receipt's QR
        session = get_session()
        counter = session.query(Counter).filter(Counter.token.is_not(None)).first()
        link, _ = create_dossier_link(session, "E2E-1", counter)
        session.commit()
        token = link.token
    with one_stop_mode(live_server, "besides"):  # the administrator asks the TT 01 questions
        phone.goto(f"{live_server}/q/{token}")
        assert phone.get_by_text("Về hồ sơ của ông/bà (không bắt buộc)").count() == 1
        # 19 statements, then the dossier's four questions: "late", "none", skipped, "helpful"
        levels = [5, 4, 4, 5, 3, 4, 5, 4, 5, 5, 4, 3, 5, 4, 4, 5, 2, 4, 5]
        answer_steps(phone, levels + [0, 2, None, 2])
        phone.get_by_role("button", name="Gửi đánh giá").tap()
        phone.wait_for_url("**/thanks")
        screenshot(phone, "onestop-rated-phone")
    assert _index_1(desktop, live_server, today) == "0,0"  # the citizen's answer stands

    desktop.goto(live_server + "/staff/one-stop/late")
    desktop.get_by_role("row", name="E2E-2").get_by_role("link").click()
    second_tab = desktop.context.new_page()  # a colleague opens the same form
    second_tab.goto(desktop.url)
    desktop.get_by_label("Lý do chậm trễ (in trên phiếu)").fill("Chờ ý kiến của UBND xã")
    desktop.locator("input[name=new_due_on]").fill(new_date.isoformat())
    desktop.get_by_role("button", name="Ghi nhận xin lỗi").click()
    # the letter is the next page: read it once it shows, not while the form still does
    expect(desktop.get_by_text("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ")).to_be_visible()
    letter = desktop.content()
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in letter
    assert "Kính gửi: Trần Thị Hẹn" in letter and new_date.strftime("%d/%m/%Y") in letter
    desktop.wait_for_load_state("load")  # the print stylesheet loads after the page shows
    desktop.emulate_media(media="print")
    expect(desktop.locator(".letter-tools")).to_be_hidden()  # the print stylesheet hides them
    screenshot(desktop, "onestop-apology-print")
    desktop.emulate_media(media="screen")

    second_tab.get_by_label("Lý do chậm trễ (in trên phiếu)").fill("Lại chậm")
    second_tab.locator("input[name=new_due_on]").fill(
        (new_date + timedelta(days=7)).isoformat())
    second_tab.get_by_role("button", name="Ghi nhận xin lỗi").click()
    refused = second_tab.locator("[role=alert]").inner_text()
    assert "chỉ được hẹn lại một lần" in refused
    second_tab.close()
