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


def test_the_browser_language_is_used_when_nothing_was_chosen(client):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    page = client.get("/", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert '<html lang="vi">' in page


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
