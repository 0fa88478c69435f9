"""Security by default: CSRF, headers, cookies, secrets, and every staff route guarded."""
import re

import pytest

from portal import create_app
from tests.conftest import make_config
from tests.factories import PASSWORD, make_user


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_a_post_without_the_csrf_token_gets_400_and_with_it_succeeds(csrf_app, db):
    make_user(db, username="csrfuser", roles=["admin"])
    client = csrf_app.test_client()
    refused = client.post("/staff/login", data={"username": "csrfuser", "password": PASSWORD})
    assert refused.status_code == 400
    assert "Biểu mẫu đã hết hạn" in refused.get_data(as_text=True)
    forged = client.post("/staff/login", data={"username": "csrfuser", "password": PASSWORD,
                                               "csrf_token": "forged"})
    assert forged.status_code == 400
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    accepted = client.post("/staff/login", data={"username": "csrfuser", "password": PASSWORD,
                                                 "csrf_token": token})
    assert accepted.status_code == 302


def test_sign_out_needs_the_csrf_token(csrf_app, db):
    make_user(db, username="csrfuser2", roles=["admin"])
    client = csrf_app.test_client()
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    client.post("/staff/login", data={"username": "csrfuser2", "password": PASSWORD,
                                      "csrf_token": token})
    assert client.post("/staff/logout").status_code == 400
    assert client.get("/staff/").status_code == 200


@pytest.mark.parametrize("url", ["/", "/hotline", "/procedures", "/staff/login", "/nope",
                                 "/healthz", "/static/css/site.css"])
def test_security_headers_on_every_response(client, url):
    with client.get(url) as response:
        headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_script_or_style(client, db):
    from tests.factories import make_procedure

    procedure = make_procedure(db)
    for url in ("/", "/hotline", "/procedures", f"/procedures/{procedure.code}", "/staff/login"):
        page = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert " style=" not in page and "<style" not in page, url
        assert not re.search(r"\son[a-z]+=", page), url


def test_no_page_loads_anything_from_outside(client):
    page = client.get("/").get_data(as_text=True)
    for address in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert address.startswith(("/", "#", "tel:", "mailto:", "?")), address


def test_session_cookie_flags_in_production_settings(database_url, connection, monkeypatch):
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    config = make_config(database_url)
    del config["SESSION_COOKIE_SECURE"], config["REMEMBER_COOKIE_SECURE"]
    app = create_app(config)
    app.extensions["db"].sessionmaker.configure(bind=connection,
                                                join_transaction_mode="create_savepoint")
    from sqlalchemy.orm import Session

    make_user(Session(bind=connection, join_transaction_mode="create_savepoint"),
              username="cookie")
    response = app.test_client().post("/staff/login", data={"username": "cookie",
                                                            "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_app_refuses_to_start_without_a_real_secret_key(database_url):
    config = make_config(database_url, TESTING=False, SECRET_KEY="")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


PUBLIC_ENDPOINTS = {"static", "pages.home", "pages.hotline", "pages.procedures",
                    "pages.procedure", "pages.procedure_qr",
                    "health.healthz", "auth.login", "survey.answer", "survey.thanks",
                    "survey.results", "feedback.new", "feedback.receipt", "feedback.track",
                    "feedback.published", "feedback.published_one", "feedback.feed",
                    "feedback.open_data", "feedback.track_reply", "feedback.track_rate",
                    "survey_tablet.page", "survey_tablet.csrf",
                    "survey_tablet.answers", "onestop.results",
                    "api.openapi", "api.docs", "survey_api.results"}
SAMPLE_VALUES = {"code": "1.000001", "user_id": "1", "unit_id": "1", "filename": "x.css",
                 "counter_id": "1", "layout": "poster", "image_format": "png",
                 "token": "abcdefghjkmn", "kind": "responses", "file_format": "csv",
                 "duty_id": "1", "questionnaire_id": "1", "exception_id": "1",
                 "attachment_id": "1", "message_id": "1", "fmt": "csv", "batch_id": "1",
                 "alert_id": "1", "rule_id": "1", "template_id": "1", "notice": "received"}


def staff_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[^:>]+:)?{name}>", SAMPLE_VALUES[name], url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, url, method


def test_every_route_is_either_public_or_under_staff(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in PUBLIC_ENDPOINTS:
            assert rule.rule.startswith("/staff/"), rule.rule


def test_every_staff_route_sends_anonymous_visitors_to_sign_in(app, client):
    checked = 0
    for _rule, url, method in staff_rules(app):
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert response.location.startswith("/staff/login"), (method, url)
        checked += 1
    assert checked >= 15


def test_every_role_restricted_route_refuses_the_other_roles(app, client, db):
    from portal.auth.roles import ROLES

    view_roles = {endpoint: getattr(view, "required_roles", None)
                  for endpoint, view in app.view_functions.items()}
    for role in ROLES:
        user = make_user(db, username=f"sweep-{role}", roles=[role])
        client.post("/staff/login", data={"username": user.username, "password": PASSWORD})
        for rule, url, method in staff_rules(app):
            allowed = view_roles[rule.endpoint]
            if allowed is None or role in allowed:
                continue
            response = client.open(url, method=method)
            assert response.status_code == 403, (role, method, url)
        client.post("/staff/logout")


def test_behind_a_trusted_proxy_the_visitor_address_is_used(app_config, connection):
    app_config["TRUSTED_PROXY_COUNT"] = 1
    app = create_app(app_config)
    app.extensions["db"].sessionmaker.configure(bind=connection,
                                                join_transaction_mode="create_savepoint")
    client = app.test_client()
    for attempt in range(5):
        client.post("/staff/login", data={"username": f"u{attempt}", "password": "x"},
                    headers={"X-Forwarded-For": "203.0.113.7"})
    other_citizen = client.post("/staff/login", data={"username": "u9", "password": "x"},
                                headers={"X-Forwarded-For": "203.0.113.8"})
    assert other_citizen.status_code == 200, "one address's failures do not lock out others"
    same = client.post("/staff/login", data={"username": "u9", "password": "x"},
                       headers={"X-Forwarded-For": "203.0.113.7"})
    assert same.status_code == 429


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(client, db):
    for attempt in range(5):
        client.post("/staff/login", data={"username": f"u{attempt}", "password": "x"},
                    headers={"X-Forwarded-For": f"198.51.100.{attempt}"})
    response = client.post("/staff/login", data={"username": "u9", "password": "x"},
                           headers={"X-Forwarded-For": "198.51.100.99"})
    assert response.status_code == 429, "a spoofed header must not dodge the throttle"


def test_https_responses_ask_browsers_to_stay_on_https(client):
    secure = client.get("/", base_url="https://gopy.example.vn")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_qr_codes_never_use_the_host_header(client, db):
    import io

    import zxingcpp
    from PIL import Image

    from tests.factories import make_procedure

    make_procedure(db, code="1.000990")
    response = client.get("/procedures/1.000990/qr.png", headers={"Host": "evil.example"})
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))
    assert decoded.text == "https://gopy.example.vn/procedures/1.000990"


def test_the_second_factor_cannot_be_turned_off_in_production(database_url):
    config = make_config(database_url, TESTING=False, TWO_FACTOR_REQUIRED="off")
    with pytest.raises(RuntimeError, match="TWO_FACTOR_REQUIRED=off is for development"):
        create_app(config)
