"""The counter's rating tablet (issue 9, point 6): its revocable link, the kiosk page, and
the idempotent JSON submissions its queue sends."""
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit import AuditEntry
from portal.db import utcnow
from portal.workdays import today_in_vietnam
from survey.models import CounterDuty, Response
from survey.services import issue_tablet_link, revoke_tablet_link
from tests.factories import ITEM_CODES, make_counter, make_user

ID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def tablet(db, **fields):
    counter = make_counter(db, **fields)
    issue_tablet_link(db, counter)
    db.commit()
    return counter


def payload(submission_id=ID, *, seconds=45, answered_at=None, questionnaire=None,
            **answers):
    values = {code: "4" for code in ITEM_CODES} | {"comment": ""}
    values.update(answers)
    data = {"id": submission_id, "seconds": seconds,
            "answered_at": answered_at or int(time.time() * 1000), "answers": values}
    if questionnaire is not None:
        data["questionnaire"] = questionnaire
    return data


def send(client, counter, data):
    return client.post(f"/tablet/{counter.tablet_token}/answers", json=data)


def stored(db):
    return db.scalars(select(Response).order_by(Response.id)).all()


def app_client_get(client, path):
    """GET as an anonymous visitor (a fresh browser) on the same app."""
    return client.application.test_client().get(path)


def test_staff_set_up_rotate_and_revoke_a_tablet_link(auth, client, db):
    counter = make_counter(db, code="Q07")
    auth.as_role("secretariat")
    page = client.get("/staff/survey/counters").get_data(as_text=True)
    assert "Thiết lập máy tính bảng" in page
    client.post(f"/staff/survey/counters/{counter.id}/tablet")
    db.refresh(counter)
    first = counter.tablet_token
    assert first and first != counter.token
    page = client.get("/staff/survey/counters").get_data(as_text=True)
    assert f'href="https://gopy.example.vn/tablet/{first}"' in page
    qr = client.get(f"/staff/survey/counters/{counter.id}/tablet/qr.png")
    assert qr.mimetype == "image/png" and qr.data.startswith(b"\x89PNG")
    client.post(f"/staff/survey/counters/{counter.id}/tablet")
    db.refresh(counter)
    assert counter.tablet_token != first
    assert client.get(f"/tablet/{first}").status_code == 404
    signed_in = client.get(f"/tablet/{counter.tablet_token}")
    assert signed_in.status_code == 409, "a kiosk must not carry a staff session"
    assert "Hãy đăng xuất trước khi mở trang máy tính bảng" in signed_in.get_data(as_text=True)
    assert app_client_get(client, f"/tablet/{counter.tablet_token}").status_code == 200
    client.post(f"/staff/survey/counters/{counter.id}/tablet/revoke")
    db.refresh(counter)
    assert counter.tablet_token is None
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.target_id == "Q07")
                         .order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["counter.tablet_issued", "counter.tablet_rotated",
                            "counter.tablet_revoked"]
    auth.logout()
    auth.as_role("reception")
    assert client.post(f"/staff/survey/counters/{counter.id}/tablet").status_code == 403


def test_the_tablet_page_is_a_kiosk_with_the_questions(client, db):
    counter = tablet(db, name="Quầy số 7")
    page = client.get(f"/tablet/{counter.tablet_token}").get_data(as_text=True)
    assert page.count('type="radio"') == 19 * 6 and "Quầy số 7" in page
    assert 'class="main-nav"' not in page and 'class="site-footer"' not in page
    assert 'href="/"' not in page, "nothing leads away from the survey"
    assert 'data-idle-seconds="60"' in page and 'data-thanks-seconds="6"' in page
    assert "js/tablet." in page and 'name="nonce"' not in page


@pytest.mark.parametrize("token", ["nope", "a" * 12, "%00"])
def test_unknown_links_are_not_found(client, db, token):
    assert client.get(f"/tablet/{token}").status_code == 404
    assert client.post(f"/tablet/{token}/answers", json=payload()).status_code == 404


def test_a_tablet_link_is_not_a_survey_link_and_a_retired_counter_has_none(client, db):
    counter = tablet(db)
    assert client.get(f"/q/{counter.tablet_token}").status_code == 404
    assert client.get(f"/tablet/{counter.token}").status_code == 404
    counter.active = False
    db.commit()
    assert client.get(f"/tablet/{counter.tablet_token}").status_code == 404


def test_an_answer_is_stored_once_with_the_time_it_was_given(client, db):
    counter = tablet(db)
    officer = make_user(db, roles=["reception"])
    given = utcnow() - timedelta(minutes=40)  # queued during an outage
    # on duty the day it was given (shortly after midnight, the day before)
    db.add(CounterDuty(counter_id=counter.id, user_id=officer.id,
                       day=today_in_vietnam(given)))
    db.commit()
    data = payload(answered_at=int(given.timestamp() * 1000), CC1="5", TT3="na",
                   comment="Máy dễ dùng.")
    first = send(client, counter, data)
    assert first.status_code == 201 and first.json == {"status": "stored"}
    again = send(client, counter, data)  # the confirmation was lost: the tablet sends again
    assert again.status_code == 200 and again.json == {"status": "already"}
    [response] = stored(db)
    assert response.channel == "tablet" and response.officer_id == officer.id
    assert abs((response.submitted_at - given).total_seconds()) < 1
    assert response.seconds_to_answer == 45 and response.comment == "Máy dễ dùng."
    values = {answer.item_code: answer.value for answer in response.answers}
    assert values["CC1"] == 5 and values["TT3"] is None and values["TC1"] == 4
    assert response.device_hash is None and response.client_hash, "counted per counter and address"


@pytest.mark.parametrize("answered_at", [0, 10**15, "yesterday", None, True, -5])
def test_an_implausible_clock_is_replaced_by_the_arrival_time(client, db, answered_at):
    counter = tablet(db)
    data = payload()
    data["answered_at"] = answered_at
    assert send(client, counter, data).status_code == 201
    assert abs((stored(db)[0].submitted_at - utcnow()).total_seconds()) < 5


def test_many_citizens_in_an_hour_at_one_tablet_all_count(client, db):
    counter = tablet(db)
    for number in range(25):  # under the link limit of 30 a minute
        data = payload(f"{ID[:-2]}{number:02d}", seconds=30 + number, CC1=str(1 + number % 5))
        assert send(client, counter, data).status_code == 201
    assert [response.flagged for response in stored(db)] == [False] * 25


def test_uniform_answers_faster_than_taps_are_left_out_on_a_tablet_too(client, db):
    counter = tablet(db)
    send(client, counter, payload(seconds=3))
    [response] = stored(db)
    assert response.flagged and response.exclusion == "inhuman"


@pytest.mark.parametrize("data, status", [
    ({"answers": {}}, 400),
    ({"id": "short", "answers": {"CC1": "4"}}, 400),
    ({"id": ID, "answers": {"CC1": 4}}, 400),
    ({"id": ID, "answers": ["CC1"]}, 400),
    ({"id": ID}, 400),
    ([], 400),
    (payload(seconds=None), 400),
    (payload(seconds="12"), 400),
    (payload(seconds=-1), 400),
    (payload(seconds=True), 400),
    (payload(CC1="6"), 422),
    (payload(CC1="0"), 422),
    (payload(comment="x" * 2001), 422),
    (payload(procedure_field="999999"), 422),
    ({"id": ID, "seconds": 30, "answers": {"comment": "  "}}, 422),
])
def test_bad_submissions_are_refused_and_nothing_stored(client, db, data, status):
    counter = tablet(db)
    response = send(client, counter, data)
    assert response.status_code == status and response.json["status"] == "invalid"
    assert stored(db) == []


def test_nothing_answered_says_so(client, db):
    counter = tablet(db)
    for answers in ({}, {"TC1": "na"}):
        empty = send(client, counter, {"id": ID, "seconds": 30, "answers": answers})
        assert empty.status_code == 422
        assert "Chưa có câu trả lời nào." in empty.json["errors"]["form"][0]
    assert stored(db) == []


def test_not_json_is_refused(client, db):
    counter = tablet(db)
    response = client.post(f"/tablet/{counter.tablet_token}/answers", data="id=1")
    assert response.status_code == 400 and stored(db) == []


def test_the_link_limit_asks_to_come_back_later(client, db, app):
    app.config["SURVEY_LIMIT_PER_LINK"] = "2/minute"
    counter = tablet(db)
    codes = [send(client, counter, payload(f"{ID[:-1]}{number}")).status_code
             for number in range(3)]
    assert codes == [201, 201, 429] and len(stored(db)) == 2


def test_a_revoked_tablet_cannot_send(client, db):
    counter = tablet(db)
    token = counter.tablet_token
    revoke_tablet_link(db, counter)
    db.commit()
    assert client.post(f"/tablet/{token}/answers", json=payload()).status_code == 404
    assert stored(db) == []


def test_csrf_is_checked_and_a_fresh_token_is_given(csrf_app, db):
    counter = tablet(db)
    client = csrf_app.test_client()
    page = client.get(f"/tablet/{counter.tablet_token}").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    refused = client.post(f"/tablet/{counter.tablet_token}/answers", json=payload())
    assert refused.status_code == 400 and refused.json["csrf"] is True
    fresh = client.get(f"/tablet/{counter.tablet_token}/csrf").json["csrf_token"]
    for number, csrf in enumerate((token, fresh)):
        accepted = client.post(f"/tablet/{counter.tablet_token}/answers",
                               json=payload(f"{ID[:-1]}{number}"), headers={"X-CSRFToken": csrf})
        assert accepted.status_code == 201
    assert len(db.scalars(select(Response)).all()) == 2


def test_a_queued_answer_is_judged_as_it_was_given(client, db):
    """Answered yesterday during an outage: credited to yesterday's only officer on duty; an
    officer chosen then but off the list now leaves the answer counted without an officer."""
    from datetime import timedelta

    counter = tablet(db)
    yesterday_officer = make_user(db, roles=["reception"])
    today = [make_user(db, roles=["reception"]) for _ in range(2)]
    yesterday = today_in_vietnam() - timedelta(days=1)
    db.add(CounterDuty(counter_id=counter.id, user_id=yesterday_officer.id, day=yesterday))
    for officer in today:
        db.add(CounterDuty(counter_id=counter.id, user_id=officer.id, day=today_in_vietnam()))
    db.commit()
    at = int((utcnow() - timedelta(days=1)).timestamp() * 1000)
    assert send(client, counter, payload(answered_at=at)).status_code == 201
    assert send(client, counter, payload(f"{ID[:-1]}1", officer=str(yesterday_officer.id))
                ).status_code == 201
    first, second = stored(db)
    assert first.officer_id == yesterday_officer.id
    assert second.officer_id is None and not second.flagged


def test_a_queued_answer_keeps_its_questionnaire_version_and_expectation(client, db):
    from survey.services import current_questionnaire

    counter = tablet(db)
    questionnaire = current_questionnaire(db)
    # Given while the expectation question was asked; it no longer is when the answer lands.
    data = payload(questionnaire=questionnaire.id, KV1="3", **{code: "na" for code in ITEM_CODES})
    assert send(client, counter, data).status_code == 201
    values = {answer.item_code: answer.value for answer in stored(db)[0].answers}
    assert values["KV1"] == 3 and stored(db)[0].questionnaire_id == questionnaire.id
    assert send(client, counter, payload(f"{ID[:-1]}2", questionnaire=999999)).status_code \
        == 201, "an unknown version is judged against the current one"


def test_a_copied_tablet_link_flooding_from_one_address_is_left_out(client, db, app):
    app.config["SURVEY_ADDRESS_MAX_PER_HOUR"] = 3
    counter = tablet(db)
    for number in range(4):
        send(client, counter, payload(f"{ID[:-1]}{number}", CC1=str(1 + number)))
    assert [response.exclusion for response in stored(db)] == [None, None, None, "address"]


# The TT 01/2018 questions on the tablet (issue 11, point 2): after the statements, with a box
# for the dossier code; kept against that dossier once, like its QR code's answers.
def asking(db):
    from survey.services import current_questionnaire

    current_questionnaire(db).one_stop_mode = "instead"  # instead: on dossier links only
    db.commit()


def ratings(db):
    from survey.onestop.models import CitizenRating

    return {(r.dossier_code, r.rule): r.points for r in db.scalars(select(CitizenRating))}


def test_the_tablet_asks_about_the_dossier_after_the_statements(client, db):
    counter = tablet(db)
    assert "tt01_" not in client.get(f"/tablet/{counter.tablet_token}").get_data(as_text=True)
    asking(db)
    page = client.get(f"/tablet/{counter.tablet_token}?lang=en").get_data(as_text=True)
    assert page.count('type="radio"') == 19 * 6 + 3 * 3 + 2
    assert 'name="dossier_code"' in page and "Dossier code (on your receipt)" in page
    assert "data-dossier-text=" in page
    assert send(client, counter, payload(dossier_code=" HS-T-1 ", tt01_time_vs_due="0",
                                         tt01_conduct="1")).status_code == 201
    assert ratings(db) == {("HS-T-1", "time_vs_due"): 0, ("HS-T-1", "conduct"): 1}
    assert len(stored(db)[0].answers) == 19
    # a code without answers about the dossier rates nothing; a second rating is not kept
    assert send(client, counter, payload("1f8fad5b-d9cb-469f-a165-70867728950e",
                                         dossier_code="HS-T-2")).status_code == 201
    assert send(client, counter, payload("2f8fad5b-d9cb-469f-a165-70867728950e",
                                         dossier_code="HS-T-1", tt01_time_vs_due="2")
                ).status_code == 201
    assert len(stored(db)) == 3
    assert ratings(db) == {("HS-T-1", "time_vs_due"): 0, ("HS-T-1", "conduct"): 1}


@pytest.mark.parametrize("fields, error", [
    ({"tt01_returns": "2"}, "Gõ mã hồ sơ (ghi trên giấy tiếp nhận)"),
    ({"tt01_returns": "2", "dossier_code": "HS T 1"}, "Đây không phải mã hồ sơ"),
    ({"tt01_returns": "3", "dossier_code": "HS-T-1"}, "Lựa chọn không hợp lệ."),
    ({"tt01_conduct": "0", "dossier_code": "HS-T-1"}, "Lựa chọn không hợp lệ."),
])
def test_answers_about_a_dossier_need_its_code(client, db, fields, error):
    counter = tablet(db)
    asking(db)
    refused = send(client, counter, payload(**fields))
    assert refused.status_code == 422
    assert error in " ".join(sum(refused.json["errors"].values(), []))
    assert stored(db) == [] and ratings(db) == {}
