"""The SIPAS expectation question, "what should we improve first" (issue 9, point 8):
optional per questionnaire version, asked after the statements, counted on the dashboard and
in the exports, never mixed into the satisfaction index or the screening."""
import csv
import io
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from portal.audit import AuditEntry
from survey.models import Answer, Questionnaire, Response
from survey.services import current_questionnaire
from tests.factories import ITEM_CODES, aged_nonce, make_counter, make_response
from tests.factories import survey_answers as answers

KV = ["KV1", "KV2", "KV3", "KV4", "KV5", "KV6"]
YEAR = datetime.now(timezone.utc).year


def ask(client, db, on=True):
    questionnaire = current_questionnaire(db)
    return client.post(f"/staff/survey/questionnaires/{questionnaire.id}/expectation"
                       f"?ask={1 if on else 0}", follow_redirects=True)


def test_it_is_not_asked_until_an_administrator_turns_it_on(auth, client, db):
    counter = make_counter(db)
    assert 'name="KV1"' not in client.get(f"/q/{counter.token}").get_data(as_text=True)
    admin = auth.as_role("admin")
    page = ask(client, db).get_data(as_text=True)
    assert "Phiên bản 2023.1 đã hỏi cần cải thiện điều gì trước." in page
    assert "hỏi sau các nội dung đánh giá" in page
    entry = db.scalar(select(AuditEntry).where(
        AuditEntry.action == "questionnaire.expectation_on"))
    assert entry.actor_id == admin.id and entry.target_id == "2023.1"
    form = client.get(f"/q/{counter.token}").get_data(as_text=True)
    assert form.count('name="KV1"') == 3 and "Rất nhiều" in form and "Ít" in form
    assert "Ứng dụng công nghệ thông tin, chuyển đổi số" in form
    assert "6. Cần cải thiện điều gì trước? (không bắt buộc)" in form
    ask(client, db, on=False)
    assert 'name="KV1"' not in client.get(f"/q/{counter.token}").get_data(as_text=True)


def test_answers_are_stored_apart_from_the_index_and_the_screening(auth, client, db, app):
    counter = make_counter(db)
    auth.as_role("admin")
    ask(client, db)
    auth.logout()
    result = client.post(f"/q/{counter.token}", data=answers(
        nonce=aged_nonce(app, counter.token, 12), KV1="3", KV4="2", KV6="1"))
    assert result.status_code == 302
    stored = db.scalar(select(Response))
    values = {answer.item_code: answer.value for answer in stored.answers}
    assert {code: values[code] for code in ("KV1", "KV4", "KV6")} == {"KV1": 3, "KV4": 2,
                                                                      "KV6": 1}
    assert "KV2" not in values, "an expectation left blank is not stored"
    assert stored.signals["uniform"] == 4 and stored.signals["answered"] == 19
    assert not stored.flagged


@pytest.mark.parametrize("value", ["4", "0", "na", "x"])
def test_a_value_outside_its_scale_is_refused_and_nothing_stored(auth, client, db, app, value):
    counter = make_counter(db)
    auth.as_role("admin")
    ask(client, db)
    result = client.post(f"/q/{counter.token}", data=answers(
        nonce=aged_nonce(app, counter.token, 40), KV2=value))
    assert result.status_code == 200 and "Lựa chọn không hợp lệ." in result.get_data(
        as_text=True)
    assert db.scalar(select(Response)) is None


def test_a_form_with_only_the_expectation_answered_is_not_empty(auth, client, db, app):
    counter = make_counter(db)
    auth.as_role("admin")
    ask(client, db)
    result = client.post(f"/q/{counter.token}", data={
        "nonce": aged_nonce(app, counter.token, 40), "KV5": "3"})
    assert result.status_code == 302
    assert db.scalar(select(Answer.value).where(Answer.item_code == "KV5")) == 3


def fill(db, counter):
    when = datetime(YEAR, 1, 15, 3, tzinfo=timezone.utc)
    for kv5, kv1 in ((3, 1), (3, 2), (2, 1), (3, None)):
        values = {code: 4 for code in ITEM_CODES} | {"KV5": kv5}
        if kv1:
            values["KV1"] = kv1
        make_response(db, counter, values, when=when)
    db.commit()


def test_the_dashboard_counts_them_most_wanted_first_without_touching_the_index(
        auth, client, db):
    counter = make_counter(db)
    fill(db, counter)
    auth.as_role("leader")
    page = client.get(f"/staff/survey/?start={YEAR}-01-01&end={YEAR}-01-31").get_data(
        as_text=True)
    section = page[page.index('id="expectation-title"'):page.index('id="comments-title"')]
    section = re.sub(r">\s+<", "><", section)
    assert "Người dân muốn cải thiện điều gì trước" in section
    rows = [row.split("</th>")[0].split(">")[-1] for row in section.split('<th scope="row">')[1:]]
    assert rows[:2] == ["Ứng dụng công nghệ thông tin, chuyển đổi số",
                        "Chất lượng cung cấp thông tin cho người dân"]
    assert "<td>3</td><td>1</td><td>0</td><td>4</td><td>2,75</td>" in section  # KV5
    assert "<td>0</td><td>1</td><td>2</td><td>3</td><td>1,33</td>" in section  # KV1
    overall = page[page.index('class="big-figure"'):page.index('id="dimensions-title"')]
    assert "chưa đủ số phiếu (n = 4, cần ít nhất 30)" in overall


def test_the_exports_carry_them(auth, client, db):
    counter = make_counter(db)
    fill(db, counter)
    auth.as_role("leader")
    query = {"start": f"{YEAR}-01-01", "end": f"{YEAR}-01-31"}
    text = client.get("/staff/survey/export/responses.csv", query_string=query).get_data(
        as_text=True)
    header, *rows = list(csv.reader(io.StringIO(text[1:])))
    assert header[11:30] == ITEM_CODES and header[30:36] == KV
    assert [row[header.index("KV5")] for row in rows] == ["3", "3", "2", "3"]
    text = client.get("/staff/survey/export/aggregates.csv", query_string=query).get_data(
        as_text=True)
    header, *rows = list(csv.reader(io.StringIO(text[1:])))
    assert header[-1] == "mean"
    kv5 = next(row for row in rows if row[:2] == ["expectation", "KV5"])
    assert kv5[3] == "4" and kv5[8:11] == ["0", "1", "3"] and kv5[-1] == "2.75"


def test_bad_requests_to_turn_it_on(auth, client, db):
    auth.as_role("admin")
    questionnaire = current_questionnaire(db)
    base = f"/staff/survey/questionnaires/{questionnaire.id}/expectation"
    assert client.post(base + "?ask=maybe").status_code == 400
    assert client.post(base).status_code == 400
    assert client.post("/staff/survey/questionnaires/999999/expectation?ask=1").status_code \
        == 404
    questionnaire.expectation = None
    db.commit()
    assert client.post(base + "?ask=1").status_code == 404
    db.refresh(questionnaire)
    assert not questionnaire.ask_expectation
    auth.logout()
    auth.as_role("secretariat")
    assert client.post(base + "?ask=0").status_code == 403
    assert db.scalar(select(Questionnaire.ask_expectation).where(
        Questionnaire.id == questionnaire.id)) is False
