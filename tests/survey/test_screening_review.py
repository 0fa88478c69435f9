"""Screening that never silently drops a citizen (issue 9, point 1): what is counted, what is
left out and why, the administrator's review, the summaries, and re-screening stored answers."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit import AuditEntry
from portal.db import utcnow
from survey.models import Response
from survey.nonce import DEVICE_COOKIE
from survey.services import create_dossier_link
from tests.factories import (
    ITEM_CODES,
    aged_nonce,
    make_counter,
    make_response,
    tallied_responses,
)
from tests.factories import survey_answers as answers


def responses(db):
    return db.scalars(select(Response).order_by(Response.id)).all()


def counted_in_rollup(db) -> int:
    return tallied_responses(db)


def citizen(app, address="203.113.0.10"):
    """A phone of its own (its own cookies) behind ``address``."""
    phone = app.test_client()
    phone.environ_base["REMOTE_ADDR"] = address
    return phone


def answer(phone, app, token, seconds=40, **overrides):
    phone.get(f"/q/{token}")  # the page leaves the browser's survey cookie
    return phone.post(f"/q/{token}", data=answers(nonce=aged_nonce(app, token, seconds),
                                                  **overrides))


def test_a_satisfied_citizen_who_taps_4_nineteen_times_in_12_seconds_is_counted(app, db):
    counter = make_counter(db)
    assert answer(citizen(app), app, counter.token, seconds=12).status_code == 302
    [stored] = responses(db)
    assert not stored.flagged and stored.exclusion is None
    assert stored.signals == {"answered": 19, "uniform": 4, "quick": True}
    assert counted_in_rollup(db) == 1


def test_ten_citizens_behind_one_office_address_within_ten_minutes_are_all_counted(app, db):
    counter = make_counter(db)
    for _ in range(10):
        assert answer(citizen(app, "198.51.100.7"), app, counter.token, seconds=35,
                      CC1="5").status_code == 302
    stored = responses(db)
    assert [response.flagged for response in stored] == [False] * 10
    assert stored[-1].signals["address_earlier"] == 9
    assert counted_in_rollup(db) == 10


def test_the_browser_cookie_is_random_long_lived_and_stored_only_hashed(app, db):
    counter = make_counter(db)
    phone = citizen(app)
    page = phone.get(f"/q/{counter.token}")
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith(f"{DEVICE_COOKIE}=") and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie and "Max-Age=63072000" in cookie
    value = re.match(rf"{DEVICE_COOKIE}=([^;]+)", cookie).group(1)
    assert "Set-Cookie" not in phone.get(f"/q/{counter.token}").headers, "kept, not renewed"
    answer(phone, app, counter.token)
    [stored] = responses(db)
    assert stored.device_hash and value not in stored.device_hash


def test_a_fourth_answer_from_one_browser_within_a_day_is_left_out(app, db):
    counter = make_counter(db)
    phone = citizen(app)
    for _ in range(4):
        answer(phone, app, counter.token, CC2="5")
    stored = responses(db)
    assert [response.flagged for response in stored] == [False, False, False, True]
    assert stored[-1].flag_reasons == ["device"] and stored[-1].exclusion == "device"
    assert counted_in_rollup(db) == 3


def test_beyond_the_address_ceiling_answers_are_left_out(app, db):
    app.config["SURVEY_ADDRESS_MAX_PER_HOUR"] = 3
    counter = make_counter(db)
    for _ in range(4):
        answer(citizen(app, "192.0.2.50"), app, counter.token)
    assert [response.flagged for response in responses(db)] == [False, False, False, True]
    assert responses(db)[-1].exclusion == "address"


def test_only_strong_evidence_leaves_an_answer_out(app, db):
    counter = make_counter(db)
    answer(citizen(app), app, counter.token, seconds=2)  # 19 same taps in 2 s
    answer(citizen(app), app, counter.token, website="http://spam.example")
    answer(citizen(app), app, counter.token, seconds=2, CC1="5", TC1="3")  # varied, fast
    inhuman, honeypot, varied = responses(db)
    assert inhuman.flagged and inhuman.flag_reasons == ["inhuman"]
    assert honeypot.flagged and honeypot.flag_reasons == ["honeypot"]
    assert not varied.flagged and varied.signals["quick"] is True


def test_a_dossier_link_answered_in_one_second_at_one_level_is_counted(app, db):
    counter = make_counter(db)
    link, _ = create_dossier_link(db, "HS-2026-0042", counter)
    db.commit()
    answer(citizen(app), app, link.token, seconds=1)
    [stored] = responses(db)
    assert stored.channel == "dossier" and not stored.flagged


def left_out(db, counter, number=1, reasons=("inhuman",), **fields):
    made = [make_response(db, counter, {code: 5 for code in ITEM_CODES}, flagged=True,
                          reasons=reasons, seconds_to_answer=3,
                          signals={"answered": 19, "uniform": 5, "quick": True}, **fields)
            for _ in range(number)]
    db.commit()
    return made


def review(client, response, decision, reason="Cán bộ xác nhận người dân thật", version=None):
    return client.post("/staff/survey/flagged", data={
        "response_id": response.id, "decision": decision, "reason": reason,
        "version": response.review_version if version is None else version})


def test_the_review_page_lists_left_out_answers_with_their_signals(auth, client, db):
    counter = make_counter(db)
    left_out(db, counter, comment="bot text")
    auth.as_role("admin")
    page = client.get("/staff/survey/flagged").get_data(as_text=True)
    assert "1 phiếu" in page and "bot text" in page
    assert "mọi câu trả lời giống nhau, gửi nhanh hơn số lần chạm có thể" in page
    assert "mọi câu trả lời đều ở mức 5" in page and "3 giây" in page
    auth.logout()
    auth.as_role("leader")
    assert client.get("/staff/survey/flagged").status_code == 403
    assert review(client, db.scalar(select(Response)), "count").status_code == 403


def test_an_admin_counts_a_left_out_answer_and_the_figures_follow(auth, client, db):
    counter = make_counter(db)
    [response] = left_out(db, counter)
    assert counted_in_rollup(db) == 0
    admin = auth.as_role("admin")
    result = review(client, response, "count")
    assert result.status_code == 302
    db.refresh(response)
    assert not response.flagged and response.review == "counted"
    assert response.exclusion is None and response.flag_reasons == ["inhuman"]
    assert response.reviewed_by_id == admin.id and response.review_version == 1
    assert counted_in_rollup(db) == 1
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "survey_response.count"))
    assert entry.target_id == str(response.id) and entry.actor_id == admin.id
    assert entry.details["reason"] == "Cán bộ xác nhận người dân thật"
    decided = client.get("/staff/survey/flagged?show=decided").get_data(as_text=True)
    assert "Cán bộ xác nhận người dân thật" in decided and "được tính" in decided
    assert "Không có phiếu nào chờ quyết định." in client.get(
        "/staff/survey/flagged").get_data(as_text=True)


def test_confirming_an_exclusion_keeps_it_out_and_a_later_change_of_mind_counts_it(
        auth, client, db):
    counter = make_counter(db)
    [response] = left_out(db, counter)
    auth.as_role("admin")
    assert review(client, response, "exclude", "Bấm liên tục từ một máy").status_code == 302
    db.refresh(response)
    assert response.flagged and response.review == "excluded" and counted_in_rollup(db) == 0
    assert response.exclusion == "inhuman", "the rules' reason stays the main one"
    assert review(client, response, "count").status_code == 302
    assert counted_in_rollup(db) == 1
    db.refresh(response)
    assert review(client, response, "exclude", "Nhầm").status_code == 302
    db.refresh(response)
    assert counted_in_rollup(db) == 0 and response.review_version == 3


def test_a_decision_on_a_stale_page_is_refused_and_nothing_changes(auth, client, db):
    counter = make_counter(db)
    [response] = left_out(db, counter)
    auth.as_role("admin")
    shown = response.review_version
    assert review(client, response, "count", version=shown).status_code == 302
    late = review(client, response, "exclude", "Quyết định muộn", version=shown)
    assert late.status_code == 409
    assert "Người khác đã quyết định về phiếu này" in late.get_data(as_text=True)
    db.refresh(response)
    assert not response.flagged and response.review_reason != "Quyết định muộn"
    assert counted_in_rollup(db) == 1


@pytest.mark.parametrize("data, message", [
    ({"decision": "count", "reason": ""}, "Xin ghi lý do của quyết định."),
    ({"decision": "", "reason": "Lý do đủ dài"}, "Xin chọn tính phiếu hay loại phiếu."),
    ({"decision": "delete", "reason": "Lý do đủ dài"}, "Lựa chọn không hợp lệ."),
    ({"decision": "count", "reason": "x" * 501}, "Không được dài quá 500 ký tự."),
])
def test_a_bad_decision_says_why_and_changes_nothing(auth, client, db, data, message):
    counter = make_counter(db)
    [response] = left_out(db, counter)
    auth.as_role("admin")
    result = client.post("/staff/survey/flagged", data={
        "response_id": response.id, "version": response.review_version, **data})
    assert result.status_code == 400 and message in result.get_data(as_text=True)
    db.refresh(response)
    assert response.flagged and response.review is None and counted_in_rollup(db) == 0


@pytest.mark.parametrize("response_id", ["999999", "abc", "", "-1", "1" * 30])
def test_a_decision_on_an_unknown_answer_is_not_found(auth, client, db, response_id):
    auth.as_role("admin")
    result = client.post("/staff/survey/flagged", data={
        "response_id": response_id, "decision": "count", "reason": "Lý do", "version": "0"})
    assert result.status_code == 404


def test_an_admin_may_leave_out_an_answer_that_was_counted(auth, client, db):
    counter = make_counter(db)
    response = make_response(db, counter, {code: 4 for code in ITEM_CODES})
    db.commit()
    assert counted_in_rollup(db) == 1
    auth.as_role("admin")
    assert review(client, response, "exclude", "Nhân viên tự đánh giá").status_code == 302
    db.refresh(response)
    assert response.flagged and response.exclusion == "admin"
    assert response.flag_reasons == ["admin"] and counted_in_rollup(db) == 0


def test_the_dashboard_and_results_say_how_many_were_left_out_and_why(auth, client, db):
    counter = make_counter(db)
    for _ in range(3):
        make_response(db, counter, {code: 4 for code in ITEM_CODES})
    left_out(db, counter, 2, reasons=("inhuman",))
    left_out(db, counter, 1, reasons=("honeypot", "address"))
    published = client.get("/results").get_data(as_text=True)
    assert "3 phiếu đã không được tính vào các số liệu này:" in published
    assert "mọi câu trả lời giống nhau, gửi nhanh hơn số lần chạm có thể: 2" in published
    assert "một trường ẩn với người dùng đã bị điền (chương trình tự động): 1" in published
    auth.as_role("leader")
    page = client.get("/staff/survey/").get_data(as_text=True)
    assert "3 phiếu đã không được tính vào các số liệu này:" in page
    assert 'href="/staff/survey/flagged"' not in page, "the review is for administrators"
    included = client.get("/staff/survey/?flagged=1").get_data(as_text=True)
    assert "Các số liệu này có tính cả các phiếu bị loại" in included


def test_nothing_left_out_is_said_too(client, db):
    make_response(db, make_counter(db), {code: 4 for code in ITEM_CODES})
    db.commit()
    assert "Không có phiếu nào bị loại khỏi các số liệu này." in client.get(
        "/results").get_data(as_text=True)


def test_rescreening_counts_what_the_first_rules_dropped_and_keeps_decisions(
        runner, db, app):
    counter = make_counter(db)
    start = utcnow() - timedelta(days=2)
    quick = [make_response(db, counter, {code: 4 for code in ITEM_CODES}, flagged=True,
                           reasons=("too_fast", "straight_line"), seconds_to_answer=12,
                           when=start + timedelta(minutes=number)) for number in range(3)]
    burst = [make_response(db, counter, {code: 5 for code in ITEM_CODES},
                           flagged=number >= 5, reasons=("burst",), seconds_to_answer=60,
                           client_hash="office", when=start + timedelta(hours=1, minutes=number))
             for number in range(8)]
    bot = make_response(db, counter, {code: 5 for code in ITEM_CODES}, flagged=True,
                        reasons=("honeypot",), seconds_to_answer=40, when=start)
    decided = make_response(db, counter, {code: 4 for code in ITEM_CODES}, flagged=True,
                            reasons=("too_fast",), seconds_to_answer=3, review="excluded",
                            review_reason="checked", when=start)
    db.commit()
    assert counted_in_rollup(db) == 5
    dry = runner.invoke(args=["survey-rescreen", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would re-screen 13 answers: 6 left out before are counted now" in dry.output
    db.expire_all()
    assert all(response.flagged for response in quick) and counted_in_rollup(db) == 5
    result = runner.invoke(args=["survey-rescreen"])
    assert result.exit_code == 0, result.output
    assert "Re-screened 13 answers: 6 left out before are counted now, 0 counted before are " \
           "left out now, 1 decided by an administrator kept as they were." in result.output
    assert "honeypot" in result.output and "Rollups recounted." in result.output
    db.expire_all()
    assert not any(response.flagged for response in quick + burst)
    assert quick[0].signals == {"answered": 19, "uniform": 4, "quick": True, "no_cookie": True}
    assert burst[7].signals["address_earlier"] == 7
    assert bot.flagged and bot.flag_reasons == ["honeypot"]
    assert decided.flagged and decided.review == "excluded"
    assert counted_in_rollup(db) == 11
    again = runner.invoke(args=["survey-rescreen"])
    assert "0 left out before are counted now, 0 counted before are left out now" in again.output


def test_rescreening_applies_changed_thresholds(runner, db, app):
    app.config["SURVEY_ADDRESS_MAX_PER_HOUR"] = 2
    counter = make_counter(db)
    start = utcnow() - timedelta(days=1)
    for number in range(4):
        make_response(db, counter, {code: 3 for code in ITEM_CODES}, client_hash="cafe",
                      seconds_to_answer=50, when=start + timedelta(minutes=number))
    db.commit()
    result = runner.invoke(args=["survey-rescreen"])
    assert "0 left out before are counted now, 2 counted before are left out now" in \
        result.output
    assert [response.exclusion for response in responses(db)] == [None, None, "address",
                                                                   "address"]
    assert counted_in_rollup(db) == 2


def test_the_address_ceiling_is_per_counter_so_a_whole_office_behind_one_address_counts(
        app, db):
    app.config["SURVEY_ADDRESS_MAX_PER_HOUR"] = 3
    counters = [make_counter(db) for _ in range(3)]
    for counter in counters:
        for _ in range(3):
            answer(citizen(app, "192.0.2.99"), app, counter.token)
    assert not any(response.flagged for response in responses(db)), "9 from one address"
    answer(citizen(app, "192.0.2.99"), app, counters[0].token)
    assert responses(db)[-1].exclusion == "address"


def test_rescreening_counts_earlier_answers_over_the_same_window_as_submission(
        runner, db, app):
    app.config["SURVEY_ADDRESS_MAX_PER_HOUR"] = 2
    counter = make_counter(db)
    start = utcnow() - timedelta(days=1)
    moments = [start, start, start + timedelta(hours=1), start + timedelta(hours=1, seconds=1)]
    for moment in moments:  # two at the same instant; one exactly an hour after them
        make_response(db, counter, {code: 3 for code in ITEM_CODES}, client_hash="office",
                      seconds_to_answer=50, when=moment)
    db.commit()
    runner.invoke(args=["survey-rescreen"])
    earlier = [(response.signals or {}).get("address_earlier", 0) for response in responses(db)]
    # At submission: [now - 1 h, now), same-instant answers are not earlier ones; the one
    # exactly an hour later still sees both, the next second only the third.
    assert earlier == [0, 0, 2, 1]
    assert [response.flagged for response in responses(db)] == [False, False, True, False]
