"""What the public sees: the lookup by code and contact, the published list, one result, the
feed and the open data; and that personal data never reaches any of them."""
import html
import json
import re

import pytest
from sqlalchemy import select

from feedback.codes import make_code
from feedback.models import Ticket
from tests.factories import (
    act_on,
    feedback_form,
    make_ticket,
    make_unit,
    make_user,
    sign_in_as,
)


def _answer(client, db, code, unit, *, answer):
    reception = make_user(db, roles=["reception"])
    handler = make_user(db, roles=["handler"], unit_id=unit.id)
    secretariat = make_user(db, roles=["secretariat"])
    sign_in_as(client, reception)
    act_on(client, db, code, "accept", ticket_class="competence", unit_id=unit.id)
    sign_in_as(client, handler)
    act_on(client, db, code, "start")
    act_on(client, db, code, "draft", answer=answer)
    act_on(client, db, code, "submit")
    sign_in_as(client, secretariat)
    act_on(client, db, code, "approve")
    act_on(client, db, code, "send")
    return secretariat


def test_the_citizen_looks_up_status_and_answer_with_code_and_contact(app, client, db):
    ticket = make_ticket(app, db, phone="0905 123 456", email="Hoa@Example.vn")
    for contact in ("0905123456", "+84 905 123 456", "hoa@example.vn"):
        page = client.post("/feedback/track?lang=en", data={"code": ticket.code.lower(),
                                                            "contact": contact})
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and "Received, being classified" in text, contact
        assert ticket.classify_due_on.strftime("%d/%m/%Y") in text
        assert "Lê Thị Hoa" not in text  # the page never shows the sender's details
    unit = make_unit(db)
    _answer(client, db, ticket.code, unit, answer="Sở đã cấp giấy chứng nhận ngày 5/3.")
    client.post("/staff/logout")
    text = client.post("/feedback/track?lang=en", data={
        "code": ticket.code, "contact": "0905123456"}).get_data(as_text=True)
    assert "Answered" in text and "Sở đã cấp giấy chứng nhận ngày 5/3." in text


@pytest.mark.parametrize("code,contact", [
    ("right", "0999999999"),        # right code, wrong phone
    ("right", "khac@example.vn"),   # right code, wrong email
    ("unknown", "0905123456"),      # a code never given
    ("bad-letter", "0905123456"),   # the check letter does not match
    ("right", "0"),                 # too short to be anyone's phone
])
def test_a_wrong_pair_reveals_nothing(app, client, db, code, contact):
    ticket = make_ticket(app, db, phone="0905123456")
    codes = {"right": ticket.code, "unknown": make_code(2026, 999_998),
             "bad-letter": ticket.code[:-1] + ("A" if ticket.code[-1] != "A" else "B")}
    response = client.post("/feedback/track?lang=en", data={"code": codes[code],
                                                            "contact": contact})
    text = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "No feedback matches this code and this phone number, email or PIN" in text
    assert "Received, being classified" not in text


def test_repeated_failed_lookups_are_rate_limited(app, client, db):
    app.config["FEEDBACK_LOOKUP_FAILURES"] = "3/hour"
    ticket = make_ticket(app, db, phone="0905123456")
    for _ in range(3):
        assert client.post("/feedback/track", data={"code": ticket.code,
                                                    "contact": "0911111111"}).status_code == 404
    blocked = client.post("/feedback/track?lang=en", data={"code": ticket.code,
                                                           "contact": "0905123456"})
    assert blocked.status_code == 429 and "Too many lookups" in blocked.get_data(as_text=True)


def test_empty_lookup_fields_are_refused_with_a_message(client):
    page = client.post("/feedback/track?lang=en", data={"code": "", "contact": ""})
    text = page.get_data(as_text=True)
    assert "Enter the code you received." in text and "Enter the phone number or email" in text


def test_without_consent_only_the_field_dates_and_outcome_are_published(app, client, db):
    ticket = make_ticket(app, db, consent_publish=False,
                         content="Nội dung riêng tư không được công khai theo ý người gửi.")
    unit = make_unit(db)
    _answer(client, db, ticket.code, unit, answer="Trả lời riêng cho người gửi.")
    act_on(client, db, ticket.code, "publish")
    stored = db.get(Ticket, ticket.id)
    assert stored.published_at and stored.public_question is None
    client.post("/staff/logout")
    for url in ("/feedback/published", f"/feedback/published/{ticket.code}",
                "/feedback/published.atom", "/feedback/published.csv",
                "/feedback/published.json"):
        with client.get(url) as response:
            text = response.get_data(as_text=True)
        assert ticket.code in text, url
        assert "Nội dung riêng tư" not in text and "Trả lời riêng" not in text, url


def test_unpublished_and_internal_tickets_are_never_public(app, client, db):
    ticket = make_ticket(app, db, consent_publish=True)
    assert client.get(f"/feedback/published/{ticket.code}").status_code == 404
    for url in ("/feedback/published", "/feedback/published.atom", "/feedback/published.json"):
        with client.get(url) as response:
            assert ticket.code not in response.get_data(as_text=True)
    assert client.get("/feedback/published/not-a-code").status_code == 404


def test_the_feed_and_open_data_are_well_formed(app, client, db):
    from xml.etree import ElementTree

    ticket = make_ticket(app, db, consent_publish=True)
    unit = make_unit(db, name="Phòng <Thử> & Co")
    _answer(client, db, ticket.code, unit, answer="Trả lời <b>đậm</b> & rõ.")
    act_on(client, db, ticket.code, "publish", public_question="Câu hỏi <script>x</script>",
         public_answer="=cmd|' /C calc'!A0")
    client.post("/staff/logout")
    feed = client.get("/feedback/published.atom")
    assert feed.mimetype == "application/atom+xml"
    root = ElementTree.fromstring(feed.data)
    entries = root.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 1 and ticket.code in entries[0].find(
        "{http://www.w3.org/2005/Atom}title").text
    with client.get("/feedback/published.json") as response:
        rows = json.loads(response.get_data(as_text=True))
    assert rows[0]["code"] == ticket.code and rows[0]["question"].startswith("Câu hỏi")
    assert rows[0]["on_time"] is True and rows[0]["unit"] == "Phòng <Thử> & Co"
    with client.get("/feedback/published.csv") as response:
        csv_text = response.get_data(as_text=True)
    assert csv_text.startswith("\ufeffcode,") and "'=cmd" in csv_text
    page = client.get(f"/feedback/published/{ticket.code}").get_data(as_text=True)
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page


def test_the_published_list_searches_without_accents_and_filters(app, client, db):
    unit = make_unit(db)
    tickets = [make_ticket(app, db, consent_publish=True) for _ in range(2)]
    texts = ["Ô nhiễm tiếng ồn từ xưởng gỗ", "Cấp giấy phép khai thác nước"]
    for ticket, question in zip(tickets, texts, strict=True):
        _answer(client, db, ticket.code, unit, answer="Đã xử lý.")
        act_on(client, db, ticket.code, "publish", public_question=question,
             public_answer="Đã xử lý.")
    found = client.get("/feedback/published?q=o+nhiem+tieng+on").get_data(as_text=True)
    assert tickets[0].code in found and tickets[1].code not in found
    for query in ("?q=%25", "?q=_", "?year=abc&month=13&field=-1", "?page=999999"):
        assert client.get("/feedback/published" + query).status_code == 200


SENDER = {"name": "Zzsentinel Quahog", "phone": "0987654321",
          "email": "sentinel.person@example.vn", "address": "99 Sentinelroad"}
# Every way of writing personal data the masker must catch, each written as people write it;
# each is unique, so its absence from a page proves it was masked.
SENTINELS = {
    "mobile, grouped 4-3-3": "0987 654 321",
    "mobile, dotted": "0912.345.678",
    "mobile, dashed 3-3-4": "091-234-5679",
    "mobile, pairs": "0913 24 68 10",
    "mobile, +84": "+84 914 135 791",
    "mobile, (+84)": "(+84) 915 246 802",
    "mobile, +84 (0)": "+84 (0) 916 357 913",
    "mobile, 0084": "0084 917 468 024",
    "mobile, 84": "84918579135",
    "landline, bracketed area code": "(0258) 3811 222",
    "landline, bracketed, 3-4": "(0258) 381 2333",
    "landline, dotted": "0258.3813.444",
    "landline, dashed 4-1-3-3": "0258-3-814-555",
    "landline, glued": "02583815666",
    "landline, +84": "+84 258 3816 777",
    "landline, old area code": "(058) 3817888",
    "CCCD, glued": "079123456789",
    "CCCD, 4-4-4": "0791 2345 6780",
    "CCCD, dashes": "079-123-456-781",
    "CCCD, dots": "079.123.456.782",
    "CCCD, 3-3-3-3": "079 123 456 783",
    "CMND, 3-3-3": "225 987 654",
    "CMND, glued": "225987653",
    "passport": "C7654329",
    "bank account": "0071000987654",
    "bank card": "9704 9876 5432 1098",
    "email": "zz.sentinel+pakn@example.vn",
    "plate": "79A-987.65",
    "plate, motorbike": "79-H1 876.54",
    "house-number address": "12 đường Zzsentineltwo",
    "lane address": "hẻm 34/5 Zzsentinelthree",
    "date of birth": "sinh ngày 17/09/1971",
    "neighbour, no lead-in": "Trần Quahogtwo Zzhung",
    "officer, no lead-in": "Lê Thị Zzquahogthree",
    "neighbour, capitals": "NGUYỄN ZZQUAHOGFOUR",
    "officer, by job": "cán bộ Zzquahogfive",
}
_PROBE = {
    "date of birth": "17/09/1971", "house-number address": "Zzsentineltwo",
    "lane address": "Zzsentinelthree", "neighbour, no lead-in": "Quahogtwo",
    "officer, no lead-in": "Zzquahogthree", "neighbour, capitals": "ZZQUAHOGFOUR",
    "officer, by job": "Zzquahogfive"}


def _probes():
    """What must not be on a public page: each sentinel, and for numbers their digits."""
    for kind, value in SENTINELS.items():
        yield kind, _PROBE.get(kind, value)
        if kind not in _PROBE and "@" not in value:
            yield kind, re.sub(r"\D", "", value)[-7:]
    for kind, value in SENDER.items():
        yield f"sender's {kind}", value.split()[-1]


def _sentinel_text(opening: str) -> str:
    return opening + " ".join(f"{kind}: {value};" for kind, value in SENTINELS.items())


def test_sentinel_personal_data_never_reaches_a_public_page_feed_or_export(app, client, db):
    """A citizen puts personal data, written in every common way, in every free-text field;
    the answer repeats them; the secretariat publishes what the system proposes, unedited;
    none of it appears anywhere public, and the public search does not find the ticket by it."""
    content = _sentinel_text(f"Tôi là {SENDER['name']}, nhà ở số {SENDER['address']}. "
                             "Hồ sơ đất đai của tôi bị trễ hẹn ba tuần. ")
    response = client.post("/feedback/new", data=feedback_form(
        name=SENDER["name"], phone=SENDER["phone"], email=SENDER["email"],
        address=f"số {SENDER['address']}, phường Nha Trang", content=content,
        proposed_solution=_sentinel_text("Đề nghị liên hệ: "), consent_publish="y"))
    assert response.status_code == 302
    ticket = db.scalar(select(Ticket))
    unit = make_unit(db)
    secretariat = _answer(client, db, ticket.code, unit, answer=_sentinel_text(
        f"Kính gửi ông {SENDER['name']}, hồ sơ đã được giải quyết. "))
    sign_in_as(client, secretariat)
    prepared = client.get(f"/staff/feedback/{ticket.code}/publish").get_data(as_text=True)
    fields = {name: html.unescape(re.search(
        rf'<textarea[^>]*name="{name}"[^>]*>\s*(.*?)</textarea>', prepared, re.S).group(1))
        for name in ("public_question", "public_answer")}
    act_on(client, db, ticket.code, "publish", **fields)
    client.post("/staff/logout")
    urls = ["/", "/feedback/published", f"/feedback/published/{ticket.code}",
            "/feedback/published.atom", "/feedback/published.csv", "/feedback/published.json",
            "/results", "/hotline", "/procedures"]
    for url in urls:
        for language in ("vi", "en"):
            separator = "&" if "?" in url else "?"
            with client.get(f"{url}{separator}lang={language}") as response:
                text = response.get_data(as_text=True)
            assert response.status_code == 200, url
            for kind, probe in _probes():
                assert probe not in text, (url, kind, probe)
    published = client.get(f"/feedback/published/{ticket.code}").get_data(as_text=True)
    assert "[số điện thoại]" in published and "[họ tên]" in published
    for kind, probe in _probes():
        found = client.get("/feedback/published", query_string={"q": probe})
        assert ticket.code not in found.get_data(as_text=True), (kind, probe)
    assert ticket.code in client.get("/feedback/published").get_data(as_text=True)


@pytest.mark.parametrize("url", [
    "/feedback/published/PA-0999-000001Z", "/feedback/published?field=²",
    "/feedback/published?page=²&year=²&month=³", "/feedback/new?from_survey=²",
    "/procedures?page=²&field=²", "/results?year=²"])
def test_odd_numbers_and_impossible_codes_give_normal_answers(client, url):
    """Found by review: "²".isdigit() is true but int("²") fails; a year-999 code crashed."""
    assert client.get(url).status_code in (200, 404)


def test_an_impossible_year_in_a_code_is_not_a_code(client):
    from feedback.codes import check_letter

    code = f"PA-0999-000001{check_letter(999, 1)}"
    response = client.post("/feedback/track", data={"code": code, "contact": "0905123456"})
    assert response.status_code == 404


def test_phone_numbers_written_with_84_and_a_zero_still_match(app, client, db):
    ticket = make_ticket(app, db, phone="+84 0905 123 456")
    assert ticket.phone_digits == "0905123456"
    for contact in ("0905 123 456", "+84905123456", "0084 905 123 456"):
        response = client.post("/feedback/track", data={"code": ticket.code,
                                                        "contact": contact})
        assert response.status_code == 200, contact


def test_a_published_ticket_can_always_be_taken_down(app, client, db):
    ticket = make_ticket(app, db, consent_publish=True)
    unit = make_unit(db)
    _answer(client, db, ticket.code, unit, answer="Đã xử lý.")
    act_on(client, db, ticket.code, "publish", public_question="Hỏi.", public_answer="Đáp.")
    archive = client.post(f"/staff/feedback/{ticket.code}/act", data={
        "action": "archive", "version": str(db.get(Ticket, ticket.id).version)})
    assert archive.status_code == 409  # published tickets are not archived away
    act_on(client, db, ticket.code, "unpublish", reason="Còn sót tên người")
    act_on(client, db, ticket.code, "archive")
    assert client.get(f"/feedback/published/{ticket.code}").status_code == 404


def test_publishing_an_edited_text_that_still_looks_personal_needs_a_second_look(
        app, client, db):
    ticket = make_ticket(app, db, consent_publish=True, name="Lê Thị Zzedit")
    unit = make_unit(db)
    secretariat = _answer(client, db, ticket.code, unit, answer="Sở đã xử lý.")
    sign_in_as(client, secretariat)
    edited = {"public_question": "Bà Lê Thị Zzedit (0905 123 456) phản ánh hồ sơ bị trễ.",
              "public_answer": "Sở đã xử lý."}
    db.expire_all()
    refused = client.post(f"/staff/feedback/{ticket.code}/act?lang=en", data={
        "action": "publish", "version": db.get(Ticket, ticket.id).version, **edited})
    page = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 400 and "Not published: these still look like" in page
    assert "0905 123 456" in page and "Lê Thị Zzedit" in page
    assert db.get(Ticket, ticket.id).published_at is None
    client.post("/staff/logout")
    assert ticket.code not in client.get("/feedback/published").get_data(as_text=True)
    sign_in_as(client, secretariat)
    db.expire_all()
    confirmed = client.post(f"/staff/feedback/{ticket.code}/act", data={
        "action": "publish", "version": db.get(Ticket, ticket.id).version,
        "checked_as_is": "y", **edited})
    assert confirmed.status_code == 302
    db.expire_all()
    assert db.get(Ticket, ticket.id).published_at is not None


def test_long_lists_count_only_so_far_and_say_more(app, client, db, monkeypatch):
    """The published list and the staff queue stop counting (issue 13, point 3): past the
    limit they say "more than", and the pager still leads on; a page near the end counts
    exactly again."""
    from feedback import queries

    monkeypatch.setattr(queries, "COUNT_UP_TO", 3)
    app.config["FEEDBACK_PER_PAGE"] = 2
    unit = make_unit(db)
    tickets = [make_ticket(app, db, consent_publish=True) for _ in range(6)]
    for number, ticket in enumerate(tickets):
        secretariat = _answer(client, db, ticket.code, unit, answer="Đã xử lý.")
        act_on(client, db, ticket.code, "publish",
               public_question=f"Hỏi về việc cấp giấy phép số {number}.",
               public_answer="Đã xử lý.")
    client.post("/staff/logout")
    first = client.get("/feedback/published").get_data(as_text=True)
    # the limit is rounded up to whole pages (3 at 2 a page: 4), so "of more than 2" is true
    assert "Hơn 4 kết quả." in first and "Trang 1 / hơn 2" in first
    assert 'rel="next"' in first
    english = client.get("/feedback/published?lang=en").get_data(as_text=True)
    assert "More than 4 results." in english and "Page 1 of more than 2" in english
    last = client.get("/feedback/published?page=3&lang=vi").get_data(as_text=True)
    assert "6 kết quả." in last and "Trang 3 / 3" in last and 'rel="next"' not in last
    sign_in_as(client, secretariat)
    queue = client.get("/staff/feedback?all=1").get_data(as_text=True)
    assert "Hơn 4 phản ánh, hạn gần nhất xếp trước." in queue
