"""Vietnamese by default, English complete; the choice sticks; dates dd/mm/yyyy in Vietnam time."""
from datetime import datetime, timezone

from portal.i18n import show_date, show_datetime


def test_vietnamese_is_the_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Trang chủ" in page


def test_lang_parameter_switches_and_sticks_in_a_cookie(client):
    response = client.get("/?lang=en")
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page and "Home" in page
    assert "lang=en" in response.headers["Set-Cookie"]
    assert '<html lang="en">' in client.get("/procedures").get_data(as_text=True)
    assert '<html lang="vi">' in client.get("/hotline?lang=vi").get_data(as_text=True)
    assert '<html lang="vi">' in client.get("/hotline").get_data(as_text=True)


def test_an_english_phone_still_gets_vietnamese_until_english_is_chosen(client, db):
    from tests.factories import make_counter

    counter = make_counter(db)
    english_phone = {"Accept-Language": "en-US,en;q=0.9"}
    for path in ("/", f"/q/{counter.token}", "/feedback/new", "/results"):
        page = client.get(path, headers=english_phone).get_data(as_text=True)
        assert '<html lang="vi">' in page, path
    chosen = client.get(f"/q/{counter.token}?lang=en", headers=english_phone)
    assert '<html lang="en">' in chosen.get_data(as_text=True)
    again = client.get(f"/q/{counter.token}", headers=english_phone).get_data(as_text=True)
    assert '<html lang="en">' in again and "Staff communicate politely" in again


def test_an_unknown_language_is_ignored(client):
    response = client.get("/?lang=xx")
    assert '<html lang="vi">' in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers


def test_the_picker_keeps_the_current_address_and_query(client):
    page = client.get("/procedures?q=dat+dai&page=1").get_data(as_text=True)
    assert 'href="/procedures?q=dat+dai&amp;page=1&amp;lang=en"' in page


def test_dates_are_dd_mm_yyyy_in_ho_chi_minh_time(app):
    late_evening_utc = datetime(2026, 2, 16, 20, 30, tzinfo=timezone.utc)  # 03:30 on the 17th
    with app.test_request_context("/"):
        assert show_date(late_evening_utc) == "17/02/2026"
        assert show_datetime(late_evening_utc) == "17/02/2026 03:30"
        assert show_date(None) == ""


def test_vietnamese_text_on_english_pages_is_marked_as_vietnamese(client, db):
    from tests.factories import make_procedure

    make_procedure(db, code="1.000900", name="Cấp giấy phép xả thải", name_en=None,
                   field="Môi trường")
    page = client.get("/procedures?lang=en").get_data(as_text=True)
    assert '<span lang="vi">Cấp giấy phép xả thải</span>' in page
    assert '<span lang="vi">Môi trường</span>' in page
    detail = client.get("/procedures/1.000900").get_data(as_text=True)
    assert '<h1 lang="vi">Cấp giấy phép xả thải</h1>' in detail
    assert '<div lang="vi"><ul>' in detail
    vietnamese = client.get("/procedures?lang=vi").get_data(as_text=True)
    assert '<span lang="vi">' not in vietnamese, "no marking needed on Vietnamese pages"


def test_english_text_is_shown_unmarked_when_there_is_one(client, db):
    from tests.factories import make_procedure

    make_procedure(db, name="Cấp phép", name_en="Permit")
    page = client.get("/procedures?lang=en").get_data(as_text=True)
    assert ">Permit</a>" in page
