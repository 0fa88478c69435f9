"""The security sweep over every route of app.url_map, so it cannot go stale as routes are
added: CSRF on every POST, the security headers on every response, SQL metacharacters in every
search and filter, oversized bodies, and XSS sentinels typed into every free-text field coming
out escaped wherever they are shown (staff pages, public pages, the feed)."""
import re

from sqlalchemy import func, select

from feedback.models import OutboxMessage, Ticket, TicketEvent
from portal.audit import AuditEntry
from portal.auth.roles import ROLES
from tests.factories import (
    PASSWORD,
    act_on,
    feedback_form,
    make_counter,
    make_procedure,
    make_unit,
    make_user,
    sign_in_as,
)
from tests.portal.test_security import SAMPLE_VALUES, csrf_token

XSS = '<script>alert("xss")</script>"\'><img src=x onerror=alert(1)>'


def _urls(app, method: str):
    for rule in app.url_map.iter_rules():
        if method not in rule.methods or rule.endpoint == "static":
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[^:>]+:)?{name}>", SAMPLE_VALUES[name], url)
        yield rule, url


def _rows(db) -> tuple:
    return tuple(db.scalar(select(func.count()).select_from(model))
                 for model in (Ticket, TicketEvent, OutboxMessage, AuditEntry))


def test_every_post_route_refuses_a_missing_or_forged_csrf_token(csrf_app, db):
    make_user(db, username="sweeper", roles=list(ROLES))
    client = csrf_app.test_client()
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    assert client.post("/staff/login", data={"username": "sweeper", "password": PASSWORD,
                                             "csrf_token": token}).status_code == 302
    before = _rows(db)
    checked = 0
    for rule, url in _urls(csrf_app, "POST"):
        for data in ({}, {"csrf_token": "forged"}):
            response = client.post(url, data=data)
            assert response.status_code == 400, (rule.endpoint, url, data)
        checked += 1
    assert checked >= 30
    assert _rows(db)[:3] == before[:3]  # nothing stored (sign-in audits aside)


def test_the_security_headers_are_on_every_response_of_every_route(app, client, db):
    make_user(db, username="sweeper", roles=list(ROLES))
    client.post("/staff/login", data={"username": "sweeper", "password": PASSWORD})
    checked = 0
    for _rule, url in _urls(app, "GET"):
        with client.get(url) as response:
            headers = response.headers
            assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], url
            assert headers["X-Content-Type-Options"] == "nosniff", url
            assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", url
            assert response.status_code < 500, (url, response.status_code)
        checked += 1
    assert checked >= 45


METACHARACTERS = ["' OR 1=1 --", "\" OR \"\"=\"", "%", "_", "\\", "1; DROP TABLE ticket",
                  "%00", "é%c3%28", "' UNION SELECT password_hash FROM staff_user --",
                  "9" * 40, "-1", "2026-13-45", "<script>"]
SEARCHES = {
    "/procedures": ["q", "field", "level", "body", "page"],
    "/feedback/published": ["q", "field", "year", "month", "page"],
    "/results": ["year", "quarter"],
    "/staff/feedback": ["q", "state", "class", "unit", "officer", "channel", "field", "due",
                        "all", "page"],
    "/staff/feedback/reports": ["year", "half", "format"],
    "/staff/survey/": ["start", "end", "unit", "counter", "officer", "field", "channel",
                       "flagged", "q"],
    "/staff/survey/officers": ["month", "year"],
    "/staff/admin/audit": ["action", "q", "page"],
    "/staff/feedback/outbox": ["page"],
}


def test_sql_metacharacters_in_every_search_and_filter_give_a_normal_page(app, client, db):
    make_user(db, username="sweeper", roles=list(ROLES))
    client.post("/staff/login", data={"username": "sweeper", "password": PASSWORD})
    make_procedure(db)
    before = _rows(db)
    for path, names in SEARCHES.items():
        for name in names:
            for value in METACHARACTERS:
                with client.get(f"{path}?{name}={value.replace(' ', '+')}") as response:
                    assert response.status_code == 200, (path, name, value,
                                                         response.status_code)
    assert _rows(db)[:3] == before[:3]


def test_request_bodies_over_the_limit_get_the_413_page(app, client, db):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    counter = make_counter(db)
    big = "x" * (128 * 1024)
    for url in ("/feedback/new", "/feedback/track", f"/q/{counter.token}", "/staff/login"):
        response = client.post(url, data={"content": big})
        assert response.status_code == 413, url
        assert "413" in response.get_data(as_text=True) or "lớn" in response.get_data(
            as_text=True)



def _assert_escaped(text: str, where: str):
    assert "<script>alert" not in text, where
    assert "<img src=x onerror" not in text, where


def test_xss_sentinels_in_every_free_text_field_come_out_escaped(app, client, db):
    unit = make_unit(db, name="Phòng " + XSS[:40])
    make_procedure(db)
    counter = make_counter(db)
    reception = make_user(db, roles=["reception"])
    handler = make_user(db, roles=["handler"], unit_id=unit.id, full_name="Cán bộ " + XSS)
    secretariat = make_user(db, roles=["secretariat"])
    admin = make_user(db, roles=list(ROLES))
    # the citizen types the sentinel everywhere free text is allowed
    response = client.post("/feedback/new", data=feedback_form(
        content="Nội dung phản ánh " + XSS, proposed_solution=XSS, name=XSS,
        address=XSS, consent_publish="y"))
    assert response.status_code == 302
    code = db.scalar(select(Ticket.code))
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    _assert_escaped(receipt, "receipt")
    # so does an officer, in every field of the handling
    sign_in_as(client, reception)
    client.post(f"/staff/feedback/{code}/note", data={
        "note": XSS, "version": str(db.scalar(select(Ticket.version)))})
    act_on(client, db, code, "accept", ticket_class="competence", unit_id=str(unit.id))
    sign_in_as(client, handler)
    act_on(client, db, code, "start")
    act_on(client, db, code, "draft", answer="Trả lời " + XSS)
    act_on(client, db, code, "submit")
    sign_in_as(client, secretariat)
    act_on(client, db, code, "return", reason=XSS)
    sign_in_as(client, handler)
    act_on(client, db, code, "draft", answer="Trả lời " + XSS)
    act_on(client, db, code, "submit")
    sign_in_as(client, secretariat)
    act_on(client, db, code, "approve")
    act_on(client, db, code, "send")
    # (the sentinel is also the sender's name: publishing it needs the second look confirmed)
    act_on(client, db, code, "publish", public_question="Hỏi " + XSS, public_answer="Đáp " + XSS,
           checked_as_is="y")
    # and the survey comment
    from tests.factories import aged_nonce
    from tests.factories import survey_answers as answers

    client.post("/staff/logout")
    client.post(f"/q/{counter.token}", data=answers(nonce=aged_nonce(app, counter.token, 60),
                                                    comment=XSS))
    client.post("/feedback/track", data={"code": code, "contact": "0905123456"})
    sign_in_as(client, admin)
    contact = client.post(f"/staff/feedback/{code}/contact").get_data(as_text=True)
    _assert_escaped(contact, "ticket with contact")
    assert "&lt;script&gt;" in contact
    for url in ["/staff/feedback", f"/staff/feedback/{code}", f"/staff/feedback/{code}/publish",
                "/staff/feedback/reports", "/staff/feedback/outbox", "/staff/survey/",
                "/staff/survey/counters", "/staff/admin/units", "/staff/admin/users",
                "/staff/admin/audit", "/staff/survey/officers"]:
        _assert_escaped(client.get(url).get_data(as_text=True), url)
    # exports carry the text as data, never as a page a browser would run: a download type,
    # nosniff, and formula cells neutralised in the spreadsheets
    for url, kind in [("/staff/survey/export/responses.csv", "text/csv"),
                      ("/staff/survey/export/responses.xlsx", "spreadsheetml"),
                      (f"/staff/feedback/reports?year={db.scalar(select(Ticket.year))}&format=csv",
                       "text/csv"),
                      ("/feedback/published.csv", "text/csv"),
                      ("/feedback/published.json", "application/json")]:
        with client.get(url) as response:
            assert kind in response.headers["Content-Type"], url
            assert response.headers["X-Content-Type-Options"] == "nosniff", url
            assert "html" not in response.headers["Content-Type"], url
    client.post("/staff/logout")
    track = client.post("/feedback/track", data={"code": code, "contact": "0905123456"})
    _assert_escaped(track.get_data(as_text=True), "track")
    for url in ["/", "/feedback/published", f"/feedback/published/{code}",
                "/feedback/published.atom", "/results"]:
        _assert_escaped(client.get(url).get_data(as_text=True), url)

