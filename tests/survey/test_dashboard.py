"""The staff dashboard and the published results, from stored answers to what is shown."""
import re
from datetime import datetime, timezone

from tests.factories import ITEM_CODES, make_counter, make_response, make_unit, make_user

THIS_YEAR = datetime.now(timezone.utc).year
YEAR = THIS_YEAR - 1


def when(month, day=15, hour=3):
    return datetime(THIS_YEAR - 1, month, day, hour, tzinfo=timezone.utc)


def fill(db, counter, number, value, *, month=3, **kwargs):
    for _ in range(number):
        make_response(db, counter, {code: value for code in ITEM_CODES}, when=when(month),
                      **kwargs)
    db.commit()


def dashboard(client, **args):
    query = {"start": f"{THIS_YEAR - 1}-01-01", "end": f"{THIS_YEAR - 1}-12-31", **args}
    return client.get("/staff/survey/", query_string=query).get_data(as_text=True)


def test_the_dashboard_shows_the_index_with_n_and_interval(auth, client, db):
    auth.as_role("leader")
    counter = make_counter(db)
    fill(db, counter, 30, 5)
    fill(db, counter, 10, 2)
    page = dashboard(client)
    assert '<p class="big-figure"><strong>75,0 %</strong></p>' in page
    assert "Tính 40 phiếu" in page
    assert "Khoảng tin cậy 95%" in page and "59,8 %" in page  # Wilson lower bound for 30/40
    dimensions = page[page.index('id="dimensions-title"'):page.index('id="trend-title"')]
    table = dimensions[dimensions.index("<table"):]
    assert table.count("<strong>75,0 %</strong>") == 5
    bars = re.findall(r'<span class="bar-label">([^<]+)</span>.*?<span class="bar-value">'
                      r'<strong>([^<]+)</strong>', dimensions, re.S)
    assert [label for label, _ in bars] == [
        "Tiếp cận dịch vụ", "Thủ tục hành chính", "Công chức", "Kết quả",
        "Phản ánh, kiến nghị"], "every bar carries its label"
    assert {value for _, value in bars} == {"75,0 %"}


def test_flagged_answers_are_left_out_unless_asked_for(auth, client, db):
    auth.as_role("admin")
    counter = make_counter(db)
    fill(db, counter, 30, 5)
    fill(db, counter, 30, 1, flagged=True)
    page = dashboard(client)
    assert "<strong>100,0 %</strong>" in page
    assert "30 phiếu đã không được tính vào các số liệu này:" in page
    assert 'href="/staff/survey/flagged"' in page, "an administrator may review them"
    assert "<strong>50,0 %</strong>" in dashboard(client, flagged="1")


def test_small_samples_are_shown_but_marked(auth, client, db):
    auth.as_role("secretariat")
    fill(db, make_counter(db), 12, 4)
    page = dashboard(client)
    overall = page[page.index('class="big-figure"'):page.index('id="dimensions-title"')]
    assert "chưa đủ số phiếu (n = 12, cần ít nhất 30)" in overall
    assert "%" not in overall.split("</p>")[0], "no percentage that looks meaningful"
    assert "Chưa có nội dung nào đủ số phiếu." in page
    dimensions = page[page.index('id="dimensions-title"'):page.index('id="trend-title"')]
    assert 'class="bar"' not in dimensions, "no bar drawn from 12 answers"
    assert dimensions.count("chưa đủ số phiếu (n = 12, cần ít nhất 30)") == 10  # bars, table


def test_two_answers_are_not_shown_as_a_percentage_on_the_published_results(client, db):
    fill(db, make_counter(db), 2, 5)
    page = client.get(f"/results?year={THIS_YEAR - 1}").get_data(as_text=True)
    assert "chưa đủ số phiếu (n = 2, cần ít nhất 30)" in page
    assert "100,0 %" not in page and "100.0" not in page


def test_filters_narrow_by_unit_counter_officer_and_channel(auth, client, db):
    auth.as_role("leader")
    land, water = make_unit(db, name="Đất"), make_unit(db, name="Nước")
    first, second = make_counter(db, unit=land), make_counter(db, unit=water)
    officer = make_user(db, roles=["reception"])
    fill(db, first, 30, 5, officer=officer)
    fill(db, second, 30, 1, channel="dossier")
    assert "<strong>100,0 %</strong>" in dashboard(client, unit=land.id)
    assert "<strong>0,0 %</strong>" in dashboard(client, counter=second.id)
    assert "<strong>100,0 %</strong>" in dashboard(client, officer=officer.id)
    assert "<strong>0,0 %</strong>" in dashboard(client, channel="dossier")
    assert "<strong>50,0 %</strong>" in dashboard(client)


def test_days_follow_vietnam_time(auth, client, db):
    auth.as_role("leader")
    counter = make_counter(db)
    # 31/03 at 18:00 UTC is 01/04 01:00 in Vietnam: it belongs to April.
    make_response(db, counter, {"CC1": 5}, when=datetime(THIS_YEAR - 1, 3, 31, 18,
                                                         tzinfo=timezone.utc))
    db.commit()
    march = dashboard(client, start=f"{THIS_YEAR - 1}-03-01", end=f"{THIS_YEAR - 1}-03-31")
    april = dashboard(client, start=f"{THIS_YEAR - 1}-04-01", end=f"{THIS_YEAR - 1}-04-30")
    assert "Tính 0 phiếu" in march and "Tính 1 phiếu" in april
    assert f"<th scope=\"row\">04/{THIS_YEAR - 1}</th>" in april


def test_the_monthly_trend_and_the_weakest_statements(auth, client, db):
    auth.as_role("leader")
    counter = make_counter(db)
    fill(db, counter, 30, 5, month=2)
    fill(db, counter, 30, 1, month=5)
    for _ in range(30):
        make_response(db, counter, {**{c: 5 for c in ITEM_CODES}, "TT3": 1}, when=when(6))
    db.commit()
    page = dashboard(client)
    months = re.findall(r'<th scope="row">(\d\d/\d{4})</th>', page)
    assert months == [f"02/{THIS_YEAR - 1}", f"05/{THIS_YEAR - 1}", f"06/{THIS_YEAR - 1}"]
    weakest = page[page.index('class="weakest"'):]
    assert weakest.index("Mức phí/lệ phí") < weakest.index("</ol>")


def test_comments_are_listed_searched_and_escaped(auth, client, db):
    auth.as_role("leader")
    counter = make_counter(db)
    make_response(db, counter, {"CC1": 5}, comment="Cán bộ rất nhiệt tình", when=when(3))
    make_response(db, counter, {"CC1": 2}, comment="<script>alert(1)</script> chờ lâu",
                  when=when(3))
    db.commit()
    page = dashboard(client)
    assert "Cán bộ rất nhiệt tình" in page and "&lt;script&gt;" in page
    assert "<script>alert(1)" not in page
    searched = dashboard(client, q="NHIỆT")
    assert "Cán bộ rất nhiệt tình" in searched and "chờ lâu" not in searched


def test_bad_filter_values_give_a_normal_page_with_a_note(auth, client, db):
    auth.as_role("leader")
    page = client.get("/staff/survey/", query_string={
        "start": "31/12/2025", "unit": "x' OR 1=1", "channel": "<b>", "officer": "9" * 50,
    }).get_data(as_text=True)
    assert "Không hiểu được ngày đã nhập" in page
    swapped = dashboard(client, start=f"{THIS_YEAR - 1}-12-31", end=f"{THIS_YEAR - 1}-01-01")
    assert "đã đổi chỗ hai ngày" in swapped


def test_only_leaders_secretariat_and_admins_see_the_dashboard(auth, client):
    auth.as_role("reception", "handler")
    assert client.get("/staff/survey/").status_code == 403


def test_published_results_by_dimension_and_unit_without_free_text(client, db):
    land, water = make_unit(db, name="Văn phòng Đăng ký đất đai"), make_unit(db, name="Nước")
    fill(db, make_counter(db, unit=land), 40, 5, comment="Nguyễn Văn A rất tốt")
    fill(db, make_counter(db, unit=water), 5, 1)
    page = client.get(f"/results?year={THIS_YEAR - 1}").get_data(as_text=True)
    assert "Văn phòng Đăng ký đất đai" in page and "<strong>100,0 %</strong>" in page
    assert "chưa đủ số phiếu" in page  # the unit with 5 answers
    assert page.index("Văn phòng Đăng ký đất đai") < page.index(">Nước<")
    assert "Nguyễn Văn A" not in page, "no free text is ever published"
    quarter = client.get(f"/results?year={THIS_YEAR - 1}&quarter=2").get_data(as_text=True)
    assert "Không có phiếu nào trong khoảng thời gian này." in quarter
    assert f"Từ 01/04/{THIS_YEAR - 1} đến 30/06/{THIS_YEAR - 1}" in quarter


def test_results_ignore_absurd_parameters(client, db):
    for args in ("year=99999", "year=abc&quarter=9", "quarter=%00"):
        assert client.get(f"/results?{args}").status_code == 200
    english = client.get("/results?lang=en").get_data(as_text=True)
    assert "Satisfaction results" in english and "not the official SIPAS index" in english


def test_the_survey_pages_are_linked_from_home_menu_and_staff_start(auth, client):
    home = client.get("/").get_data(as_text=True)
    assert 'href="/results"' in home and "Kết quả đánh giá sự hài lòng" in home
    auth.as_role("leader")
    start = client.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/survey/"' in start and 'href="/staff/survey/dossiers"' not in start


def test_the_monthly_officer_report_and_the_year_summary(auth, client, db):
    auth.as_role("leader")
    counter = make_counter(db)
    an = make_user(db, roles=["reception"], full_name="Nguyễn Thị An")
    binh = make_user(db, roles=["reception"], full_name="Trần Văn Bình")
    fill(db, counter, 30, 5, month=3, officer=an)
    fill(db, counter, 10, 2, month=3, officer=binh)
    fill(db, counter, 30, 1, month=4, officer=an)
    fill(db, counter, 5, 5, month=3)  # nobody credited: not in the report
    march = client.get(f"/staff/survey/officers?month={YEAR}-03").get_data(as_text=True)
    assert f"Báo cáo theo cán bộ tháng 03/{YEAR}" in march
    rows = re.findall(r'<th scope="row">([^<]+)</th>', march)
    assert rows == ["Nguyễn Thị An", "Trần Văn Bình"]
    assert "<strong>100,0 %</strong>" in march and "chưa đủ số phiếu" in march
    year = client.get(f"/staff/survey/officers?year={YEAR}").get_data(as_text=True)
    assert f"Tổng hợp theo cán bộ năm {YEAR}" in year
    an_row = year[year.index("Nguyễn Thị An"):year.index("Trần Văn Bình")]
    assert "<strong>50,0 %</strong>" in an_row  # the year: 30 at 5 and 30 at 1
    assert an_row.count("<strong>") == 3  # the year, March and April


def test_the_officer_report_ignores_bad_parameters(auth, client, db):
    auth.as_role("secretariat")
    for query in ("month=2026-13", "month=abc", "year=1999", "year=99999&month=%00"):
        assert client.get(f"/staff/survey/officers?{query}").status_code == 200
    auth.logout()
    auth.as_role("reception")
    assert client.get("/staff/survey/officers").status_code == 403


def test_counters_can_be_weighted_equally(auth, client, db, app):
    auth.as_role("leader")
    busy, quiet = make_counter(db), make_counter(db)
    fill(db, busy, 90, 5)
    fill(db, busy, 10, 1)
    fill(db, quiet, 10, 5)
    fill(db, quiet, 30, 1)
    assert '<p class="big-figure"><strong>71,4 %</strong></p>' in dashboard(client)
    app.config["SIPAS_WEIGHTING"] = "equal"
    assert '<p class="big-figure"><strong>57,5 %</strong></p>' in dashboard(client)


def test_a_bad_weighting_setting_is_refused(monkeypatch):
    import pytest

    from portal.config import from_environment

    monkeypatch.setenv("SIPAS_WEIGHTING", "median")
    with pytest.raises(RuntimeError, match="SIPAS_WEIGHTING must be one of volume, equal"):
        from_environment("/tmp/instance")
