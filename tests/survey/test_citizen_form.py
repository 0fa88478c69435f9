"""The citizen's survey at /q/<token>: what a citizen sees and what is stored."""
import re

import pytest
from sqlalchemy import func, select

from survey.models import Answer, CounterDuty, Response
from survey.services import create_dossier_link, revoke_counter_link
from tests.factories import ITEM_CODES, aged_nonce, make_counter, make_user, nonce_of
from tests.factories import survey_answers as answers


def responses(db):
    return db.scalars(select(Response).order_by(Response.id)).all()


def test_the_form_shows_the_19_statements_and_asks_nothing_personal(client, db):
    counter = make_counter(db, name="Quầy số 3 — Môi trường")
    page = client.get(f"/q/{counter.token}").get_data(as_text=True)
    assert page.count('type="radio"') == 19 * 6
    assert "Công chức có thái độ giao tiếp lịch sự, tôn trọng đối với người dân." in page
    assert "Quầy số 3 — Môi trường" in page
    assert "Rất không hài lòng" in page and "Không trả lời / không áp dụng" in page
    for forbidden in ("phone", "email", "name=\"name\"", "cccd", "cmnd", "address"):
        assert f'name="{forbidden}"' not in page and forbidden not in re.findall(
            r'name="([^"]+)"', page)
    english = client.get(f"/q/{counter.token}?lang=en").get_data(as_text=True)
    assert "Staff communicate politely and respectfully." in english
    assert "Very dissatisfied" in english


def test_a_complete_answer_is_stored_with_its_version_and_the_citizen_thanked(client, db, app):
    counter = make_counter(db)
    client.get(f"/q/{counter.token}")
    data = answers(nonce=aged_nonce(app, counter.token, 40), CC1="5", TT3="na", PA3="",
                   comment="Cán bộ nhiệt tình.")
    response = client.post(f"/q/{counter.token}", data=data)
    assert response.status_code == 302 and response.location == f"/q/{counter.token}/thanks"
    thanks = client.get(response.location).get_data(as_text=True)
    assert "Xin cảm ơn Ông/Bà!" in thanks and "Ông/Bà có muốn được trả lời không?" not in thanks
    [stored] = responses(db)
    values = {answer.item_code: answer.value for answer in stored.answers}
    assert values == {**{code: 4 for code in ITEM_CODES}, "CC1": 5, "TT3": None, "PA3": None}
    assert stored.channel == "counter" and stored.counter_id == counter.id
    assert stored.comment == "Cán bộ nhiệt tình." and not stored.flagged
    assert 38 <= stored.seconds_to_answer <= 60
    assert stored.questionnaire_id is not None and stored.officer_id is None


def test_a_low_rating_offers_the_way_to_send_feedback(client, db, app):
    counter = make_counter(db)
    client.post(f"/q/{counter.token}", data=answers(nonce=aged_nonce(app, counter.token, 60),
                                                    CC1="1"))
    thanks = client.get(f"/q/{counter.token}/thanks").get_data(as_text=True)
    assert "Ông/Bà có muốn được trả lời không?" in thanks
    assert 'href="/feedback/new?from_survey=' in thanks


def test_every_statement_may_be_left_unanswered_when_a_comment_is_given(client, db, app):
    counter = make_counter(db)
    response = client.post(f"/q/{counter.token}", data={
        "nonce": aged_nonce(app, counter.token, 30), "comment": "Chỗ để xe quá chật."})
    assert response.status_code == 302
    [stored] = responses(db)
    assert {answer.value for answer in stored.answers} == {None}
    assert len(stored.answers) == 19 and stored.comment == "Chỗ để xe quá chật."


@pytest.mark.parametrize("data", [
    {},
    {code: "na" for code in ITEM_CODES},
    {"TC1": "", "comment": "   "},
])
def test_a_form_with_nothing_answered_is_refused_and_nothing_stored(client, db, app, data):
    counter = make_counter(db)
    response = client.post(f"/q/{counter.token}",
                           data={"nonce": aged_nonce(app, counter.token, 30), **data})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Chưa có câu trả lời nào." in page and "Xin cảm ơn" not in page
    assert responses(db) == []


@pytest.mark.parametrize("bad, message", [
    ({"CC1": "7"}, "Lựa chọn không hợp lệ."),
    ({"CC1": "0"}, "Lựa chọn không hợp lệ."),
    ({"comment": "x" * 2001}, "Không được dài quá 2000 ký tự."),
    ({"procedure_field": "999999"}, "Lựa chọn không hợp lệ."),
])
def test_bad_values_show_the_form_again_with_the_answers_kept(client, db, app, bad, message):
    counter = make_counter(db)
    data = answers(nonce=aged_nonce(app, counter.token, 30), TC1="2", **bad)
    response = client.post(f"/q/{counter.token}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert re.search(r'id="TC1-1"[^>]*checked|checked[^>]*id="TC1-1"', page), "answer kept"
    assert responses(db) == []


def test_a_repeated_submit_stores_one_response(client, db, app):
    counter = make_counter(db)
    data = answers(nonce=aged_nonce(app, counter.token, 30))
    first = client.post(f"/q/{counter.token}", data=data)
    second = client.post(f"/q/{counter.token}", data=data)
    assert first.status_code == second.status_code == 302
    assert len(responses(db)) == 1
    assert db.scalar(select(func.count()).select_from(Answer)) == 19


@pytest.mark.parametrize("nonce", ["", "forged", "for-another-link"])
def test_a_bad_nonce_keeps_the_answers_and_stores_nothing(client, db, app, nonce):
    counter = make_counter(db)
    if nonce == "for-another-link":
        nonce = aged_nonce(app, make_counter(db).token, 30)
    response = client.post(f"/q/{counter.token}", data=answers(nonce=nonce, TC1="2"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "xin bấm Gửi lại" in page
    assert re.search(r'id="TC1-1"[^>]*checked|checked[^>]*id="TC1-1"', page)
    new_nonce = nonce_of(page)
    assert client.post(f"/q/{counter.token}", data=answers(nonce=new_nonce)).status_code == 302
    assert len(responses(db)) == 1


def test_an_expired_form_is_refused(client, db, app):
    counter = make_counter(db)
    stale = aged_nonce(app, counter.token, app.config["SURVEY_FORM_MAX_AGE"] + 60)
    assert client.post(f"/q/{counter.token}", data=answers(nonce=stale)).status_code == 400
    assert responses(db) == []


def test_the_rate_limit_per_link_keeps_the_answers(client, db, app):
    app.config["SURVEY_LIMIT_PER_LINK"] = "2/minute"
    counter = make_counter(db)
    for _ in range(2):
        client.post(f"/q/{counter.token}", data=answers(nonce=aged_nonce(app, counter.token, 60)))
    response = client.post(f"/q/{counter.token}",
                           data=answers(nonce=aged_nonce(app, counter.token, 60), TC1="2"))
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "xin chờ một phút" in page
    assert re.search(r'id="TC1-1"[^>]*checked|checked[^>]*id="TC1-1"', page)
    assert len(responses(db)) == 2


@pytest.mark.parametrize("token", ["nope", "a" * 12, "%00", "x" * 300])
def test_unknown_tokens_get_a_friendly_404(client, db, token):
    response = client.get(f"/q/{token}")
    assert response.status_code == 404
    assert "Đường dẫn khảo sát này không hợp lệ" in response.get_data(as_text=True)


def test_a_revoked_or_rotated_link_stops_working(client, db):
    from survey.services import issue_counter_link

    counter = make_counter(db)
    old = counter.token
    issue_counter_link(db, counter)
    db.commit()
    assert client.get(f"/q/{old}").status_code == 404
    assert client.get(f"/q/{counter.token}").status_code == 200
    revoke_counter_link(db, counter)
    db.commit()
    assert client.get(f"/q/{old}").status_code == 404


def test_a_typed_token_in_capitals_works(client, db):
    counter = make_counter(db)
    assert client.get(f"/q/{counter.token.upper()}").status_code == 200


def test_the_officer_on_duty_is_credited(client, db, app):
    from portal.workdays import today_in_vietnam

    counter = make_counter(db)
    officer = make_user(db, roles=["reception"])
    db.add(CounterDuty(counter_id=counter.id, user_id=officer.id, day=today_in_vietnam()))
    db.commit()
    page = client.get(f"/q/{counter.token}").get_data(as_text=True)
    assert 'name="officer"' not in page, "one officer on duty: nobody is asked"
    client.post(f"/q/{counter.token}", data=answers(nonce=aged_nonce(app, counter.token, 60)))
    assert responses(db)[0].officer_id == officer.id


def test_with_two_officers_on_duty_the_citizen_may_pick(client, db, app):
    from portal.workdays import today_in_vietnam

    counter = make_counter(db)
    first = make_user(db, roles=["reception"], full_name="Nguyễn Thị An")
    second = make_user(db, roles=["reception"], full_name="Trần Văn Bình")
    for officer in (first, second):
        db.add(CounterDuty(counter_id=counter.id, user_id=officer.id, day=today_in_vietnam()))
    db.commit()
    page = client.get(f"/q/{counter.token}").get_data(as_text=True)
    assert "Nguyễn Thị An" in page and "Trần Văn Bình" in page
    client.post(f"/q/{counter.token}", data=answers(nonce=aged_nonce(app, counter.token, 60),
                                                    officer=str(second.id)))
    stranger = make_user(db, roles=["handler"])
    bad = client.post(f"/q/{counter.token}", data=answers(
        nonce=aged_nonce(app, counter.token, 60), officer=str(stranger.id)))
    assert "Lựa chọn không hợp lệ." in bad.get_data(as_text=True)
    assert [r.officer_id for r in responses(db)] == [second.id]


def test_a_dossier_link_is_answered_once(client, db, app):
    counter = make_counter(db)
    link, created = create_dossier_link(db, "000.00.10.H34-261124-0001", counter)
    db.commit()
    assert created
    client.post(f"/q/{link.token}", data=answers(nonce=aged_nonce(app, link.token, 60)))
    [stored] = responses(db)
    assert stored.channel == "dossier" and stored.dossier_link_id == link.id
    again = client.get(f"/q/{link.token}")
    page = again.get_data(as_text=True)
    assert again.status_code == 200 and "Hồ sơ này đã được đánh giá" in page
    assert 'type="radio"' not in page
    late = client.post(f"/q/{link.token}", data=answers(nonce=aged_nonce(app, link.token, 60)))
    assert "Hồ sơ này đã được đánh giá" in late.get_data(as_text=True)
    assert len(responses(db)) == 1


def test_a_dossier_link_is_made_once_and_reprinted(db):
    counter = make_counter(db)
    first, created = create_dossier_link(db, "HS-1", counter)
    again, created_again = create_dossier_link(db, "HS-1", counter)
    assert created and not created_again and first.token == again.token


def test_a_blank_answer_counts_as_no_answer(client, db, app):
    """Found by fuzzing: a space as the value of a statement used to raise a server error."""
    counter = make_counter(db)
    response = client.post(f"/q/{counter.token}", data=answers(
        nonce=aged_nonce(app, counter.token, 60), TC1=" "))
    assert response.status_code == 302
    stored = responses(db)[-1]
    assert {a.item_code: a.value for a in stored.answers}["TC1"] is None


def test_a_counter_retired_while_the_answer_is_checked_stores_nothing(client, db, app,
                                                                      monkeypatch):
    """On SQLite the answer is checked before the write lock is taken (portal/db.py
    read_first): the link is checked again once it is, so a counter retired meanwhile gets
    the page for a link that no longer works, and nothing is stored."""
    from sqlalchemy import update

    from portal import db as database
    from survey import views
    from survey.models import Counter

    counter = make_counter(db)
    client.get(f"/q/{counter.token}")

    def write_after_a_retirement(session):
        database.start_writing(session)
        # as if another request had retired it just before this one got the lock
        session.execute(update(Counter).where(Counter.id == counter.id).values(active=False))

    monkeypatch.setattr(views, "start_writing", write_after_a_retirement)
    sent = client.post(f"/q/{counter.token}", data=answers(
        nonce=aged_nonce(app, counter.token, 60)))
    assert sent.status_code == 404
    assert "Đường dẫn khảo sát này không hợp lệ" in sent.get_data(as_text=True)
    assert responses(db) == []


def test_an_answer_refused_by_the_database_for_another_reason_is_an_error(db, app):
    """Only a replayed form or a dossier rated already is told as such; any other refusal
    (a field deleted meanwhile) is an error, never a silent "rated already"."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from survey import screening, services

    counter = make_counter(db)
    with app.test_request_context(), pytest.raises(IntegrityError):
        services.submit(db, services.Target(counter), services.current_questionnaire(db),
                        services.Submission(answers={"CC1": 4}, nonce="n-fk", seconds=60,
                                            procedure_field_id=987654),
                        screening.ScreeningRules())
