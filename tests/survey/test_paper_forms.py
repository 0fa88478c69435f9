"""Numbered paper questionnaires (issue 9, point 7): printing batches per counter, keying the
returned forms in, each form once, a page stored whole or not at all."""
import re
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.workdays import VIETNAM, today_in_vietnam
from survey.models import PaperBatch, Response
from survey.paper import form_number
from survey.services import current_questionnaire
from tests.factories import ITEM_CODES, make_counter, tallied_responses

DIGITS = "4455344545453545445"  # 19 statements, as ticked


def print_batch(client, counter, count=5, size="A4"):
    return client.post("/staff/survey/paper", data={"counter_id": counter.id, "count": count,
                                                   "paper_size": size})


def batch(db, client, counter, count=5):
    assert print_batch(client, counter, count).status_code == 302
    return db.scalars(select(PaperBatch).order_by(PaperBatch.id.desc())).first()


def enter(client, rows, collected_on=None):
    data = {"collected_on": (collected_on or today_in_vietnam()).isoformat()}
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"rows-{index}-{name}"] = value
    return client.post("/staff/survey/paper/entry", data=data)


def stored(db):
    return db.scalars(select(Response).order_by(Response.id)).all()


def counted(db):
    return tallied_responses(db)


def test_batches_are_numbered_one_after_another_and_audited(auth, client, db):
    counter = make_counter(db, code="Q09")
    auth.as_role("reception")
    first = batch(db, client, counter, 5)
    second = batch(db, client, counter, 3)
    assert (first.first_serial, first.last_serial) == (1, 5)
    assert (second.first_serial, second.last_serial) == (6, 8)
    assert first.questionnaire_id == current_questionnaire(db).id and not first.with_expectation
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "paper_batch.create")
                      .order_by(AuditEntry.id))
    assert entry.target_id == "Q09" and entry.details["from"] == "000001-8"
    page = client.get("/staff/survey/paper").get_data(as_text=True)
    assert "000006-7 – 000008-3" in page and "0 / 3" in page


def test_the_print_page_has_every_form_with_its_number_qr_and_grid_in_vietnamese(
        auth, client, db):
    counter = make_counter(db, name="Quầy số 9")
    auth.as_role("secretariat")
    made = batch(db, client, counter, 3)
    page = client.get(f"/staff/survey/paper/{made.id}/print?lang=en").get_data(as_text=True)
    assert page.count('<article class="paper-form"') == 3
    for serial in (1, 2, 3):
        assert f"<strong>{form_number(serial)}</strong>" in page
    assert page.count("<svg") == 3, "each form's number as a QR code, inline"
    assert page.count('<td class="paper-box">☐</td>') == 3 * 19 * 6
    assert "Công chức có thái độ giao tiếp lịch sự, tôn trọng đối với người dân." in page
    assert "Đánh dấu một ô cho mỗi nội dung" in page, "in Vietnamese whatever staff read"
    assert "Quầy số 9" in page and "paper-a4" in page


def test_an_a5_batch_with_the_expectation_question(auth, client, db):
    counter = make_counter(db)
    questionnaire = current_questionnaire(db)
    questionnaire.ask_expectation = True
    db.commit()
    auth.as_role("admin")
    made = db.get(PaperBatch, int(re.search(r"/paper/(\d+)/print", print_batch(
        client, counter, 2, "A5").location).group(1)))
    assert made.with_expectation and made.paper_size == "A5"
    page = client.get(f"/staff/survey/paper/{made.id}/print").get_data(as_text=True)
    assert "paper-a5" in page and "Ứng dụng công nghệ thông tin, chuyển đổi số" in page
    assert page.count('<td class="paper-box">☐</td>') == 2 * (19 * 6 + 6 * 3)


@pytest.mark.parametrize("data, message", [
    ({"count": "0"}, "Mỗi lần in từ 1 đến 200 phiếu."),
    ({"count": "201"}, "Mỗi lần in từ 1 đến 200 phiếu."),
    ({"count": "abc"}, "Phải là số nguyên."),
    ({"count": ""}, "Xin cho biết số phiếu cần in."),
    ({"paper_size": "A3"}, "Lựa chọn không hợp lệ."),
    ({"counter_id": "999999"}, "Lựa chọn không hợp lệ."),
])
def test_bad_batch_requests_print_nothing(auth, client, db, data, message):
    counter = make_counter(db)
    auth.as_role("reception")
    result = client.post("/staff/survey/paper", data={
        "counter_id": counter.id, "count": "5", "paper_size": "A4", **data})
    assert result.status_code == 200 and message in result.get_data(as_text=True)
    assert db.scalar(select(PaperBatch)) is None


def test_returned_forms_are_entered_counted_and_dated(auth, client, db):
    counter = make_counter(db)
    auth.as_role("reception")
    printed = batch(db, client, counter, 5)
    printed.created_at -= timedelta(days=3)  # printed on Friday, collected on Monday
    db.commit()
    collected = today_in_vietnam() - timedelta(days=1)
    result = enter(client, [
        {"number": "000001-8", "answers": DIGITS, "comment": "Cán bộ hướng dẫn kỹ."},
        {"number": "0000026", "answers": "0" * 18 + "5"},
        {"number": "3-4", "answers": " ".join("5" * 19)},
    ], collected)
    assert result.status_code == 302
    page = client.get(result.location).get_data(as_text=True)
    assert "Đã nhập 3 phiếu." in page
    first, second, third = stored(db)
    assert [r.paper_serial for r in (first, second, third)] == [1, 2, 3]
    assert {r.channel for r in (first, second, third)} == {"paper"}
    assert first.counter_id == counter.id and first.officer_id is None
    assert first.comment == "Cán bộ hướng dẫn kỹ." and not first.flagged
    values = {a.item_code: a.value for a in first.answers}
    assert [values[code] for code in ITEM_CODES] == [int(digit) for digit in DIGITS]
    assert {a.item_code: a.value for a in second.answers}["PA3"] == 5
    assert {a.value for a in second.answers if a.item_code != "PA3"} == {None}
    assert first.submitted_at == datetime.combine(collected, time(12), VIETNAM)
    assert counted(db) == 3
    audit = db.scalar(select(AuditEntry).where(AuditEntry.action == "paper_forms.enter"))
    assert audit.details["forms"] == ["000001-8", "000002-6", "000003-4"]


def test_forms_keyed_in_the_morning_they_were_collected_are_not_dated_in_the_future(
        auth, client, db):
    from portal.db import utcnow

    counter = make_counter(db)
    auth.as_role("reception")
    batch(db, client, counter, 1)
    assert enter(client, [{"number": "000001-8", "answers": DIGITS}]).status_code == 302
    noon = datetime.combine(today_in_vietnam(), time(12), VIETNAM)
    assert stored(db)[0].submitted_at == min(noon, stored(db)[0].submitted_at)
    assert stored(db)[0].submitted_at <= utcnow()


def test_the_form_numbers_can_run_out_and_say_so(auth, client, db):
    counter = make_counter(db)
    db.add(PaperBatch(counter=counter, questionnaire=current_questionnaire(db),
                      first_serial=999_990, count=5, paper_size="A4"))
    db.commit()
    auth.as_role("admin")
    page = print_batch(client, counter, 10).get_data(as_text=True)
    assert "Đã dùng hết số phiếu (999999)" in page
    assert db.scalar(select(func.count()).select_from(PaperBatch)) == 1
    assert print_batch(client, counter, 5).status_code == 302  # 999995 to 999999


def test_expectation_digits_are_entered_when_the_form_printed_them(auth, client, db):
    counter = make_counter(db)
    current_questionnaire(db).ask_expectation = True
    db.commit()
    auth.as_role("reception")
    batch(db, client, counter, 2)
    assert enter(client, [{"number": "000001-8", "answers": DIGITS,
                           "expectation": "302100"}]).status_code == 302
    values = {a.item_code: a.value for a in stored(db)[0].answers}
    assert (values["KV1"], values["KV3"], values["KV4"]) == (3, 2, 1)
    assert "KV2" not in values and "KV5" not in values


@pytest.mark.parametrize("rows, line, message", [
    ([{"number": "000001-8", "answers": DIGITS}, {"number": "1-8", "answers": DIGITS}], 2,
     "Phiếu 000001-8 cũng có ở dòng 2."),
    ([{"number": "000001-9", "answers": DIGITS}], 1, "Số phiếu 000001-9 không khớp"),
    ([{"number": "5", "answers": DIGITS}], 1, "5 không phải số phiếu"),
    ([{"number": "abc", "answers": DIGITS}], 1, "abc không phải số phiếu"),
    ([{"number": "000099-2", "answers": DIGITS}], 1,
     "Phiếu 000099-2 không thuộc đợt in nào."),
    ([{"number": "000001-8", "answers": DIGITS[:-1]}], 1,
     "Đã gõ 18 câu trả lời; phiếu có 19 nội dung"),
    ([{"number": "000001-8", "answers": DIGITS[:6] + "7" + DIGITS[7:]}], 1,
     "Nội dung 7 có 7: gõ 1 đến 5, hoặc 0 nếu không trả lời."),
    ([{"number": "000001-8", "answers": "0" * 19}], 1,
     "Phiếu 000001-8 không có câu trả lời nào"),
    ([{"number": "000001-8", "answers": DIGITS, "expectation": "3"}], 1,
     "Phiếu này không có câu hỏi về điều cần cải thiện"),
    ([{"answers": DIGITS}], 1, "Thiếu số phiếu."),
])
def test_a_bad_line_saves_nothing_not_even_the_good_lines(auth, client, db, rows, line,
                                                         message):
    counter = make_counter(db)
    auth.as_role("reception")
    batch(db, client, counter, 5)
    good = {"number": "000005-9", "answers": DIGITS}
    result = enter(client, [good] + rows)
    page = result.get_data(as_text=True)
    assert result.status_code == 422 and "Chưa lưu gì." in page
    assert f"Dòng {line + 1}</a>: " in page and message in page
    assert 'value="000005-9"' in page, "what was typed stays on the page"
    assert stored(db) == [] and counted(db) == 0


def test_a_form_is_entered_once(auth, client, db):
    counter = make_counter(db)
    auth.as_role("reception")
    batch(db, client, counter, 2)
    assert enter(client, [{"number": "000001-8", "answers": DIGITS}]).status_code == 302
    again = enter(client, [{"number": "0000018", "answers": DIGITS}])
    page = again.get_data(as_text=True)
    assert again.status_code == 422 and "Phiếu 000001-8 đã được nhập" in page
    assert len(stored(db)) == 1


def test_the_collection_day_is_checked(auth, client, db):
    counter = make_counter(db)
    auth.as_role("reception")
    batch(db, client, counter, 1)
    future = enter(client, [{"number": "000001-8", "answers": DIGITS}],
                   today_in_vietnam() + timedelta(days=1))
    assert future.status_code == 422
    assert "Ngày thu phiếu không thể ở tương lai." in future.get_data(as_text=True)
    before = enter(client, [{"number": "000001-8", "answers": DIGITS}], date(2020, 1, 1))
    assert before.status_code == 422 and "sau ngày thu phiếu" in before.get_data(as_text=True)
    missing = client.post("/staff/survey/paper/entry", data={"collected_on": "",
                                                              "rows-0-number": "000001-8"})
    assert missing.status_code == 422
    assert "Xin cho biết ngày thu phiếu." in missing.get_data(as_text=True)
    nothing = enter(client, [{}])
    assert nothing.status_code == 422
    assert "Hãy gõ ít nhất một phiếu trước khi lưu." in nothing.get_data(as_text=True)
    assert stored(db) == []


def test_the_entry_page_offers_ten_rows_and_is_for_reception_secretariat_admin(
        auth, client, db):
    auth.as_role("reception")
    page = client.get("/staff/survey/paper/entry").get_data(as_text=True)
    assert page.count('class="entry-number"') == 10
    assert f'value="{today_in_vietnam().isoformat()}"' in page
    auth.logout()
    auth.as_role("leader", "handler")
    assert client.get("/staff/survey/paper/entry").status_code == 403
    assert client.get("/staff/survey/paper").status_code == 403


# The TT 01/2018 questions on paper (issue 11, point 2): printed after the statements with a
# line for the dossier code, keyed in as one digit per question (the box ticked), kept against
# the dossier like the answers given by its QR code; a dossier is rated once.
ONE_STOP = "1320"  # before the promised date, more than once, only the counter, not ticked


def one_stop_batch(db, client, counter, count=3, size="A4"):
    current_questionnaire(db).one_stop_mode = "besides"
    db.commit()
    assert print_batch(client, counter, count, size).status_code == 302
    return db.scalars(select(PaperBatch).order_by(PaperBatch.id.desc())).first()


def ratings(db):
    from survey.onestop.models import CitizenRating

    return {(r.dossier_code, r.rule): r.points for r in db.scalars(select(CitizenRating))}


def test_a_batch_prints_the_questions_about_the_dossier_on_the_back(auth, client, db):
    counter = make_counter(db)
    auth.as_role("reception")
    assert "Mã hồ sơ" not in client.get(
        f"/staff/survey/paper/{batch(db, client, counter, 1).id}/print").get_data(as_text=True)
    assert 'id="head-dossier"' not in client.get("/staff/survey/paper/entry").get_data(
        as_text=True), "no dossier columns before a form asks about a dossier"
    made = one_stop_batch(db, client, counter, 2)
    assert [q["rule"] for q in made.one_stop] == ["time_vs_due", "returns", "bodies",
                                                  "conduct"]
    page = client.get(f"/staff/survey/paper/{made.id}/print?lang=en").get_data(as_text=True)
    assert page.count("Mã hồ sơ (ghi trên giấy tiếp nhận):") == 2
    assert page.count("Hồ sơ của ông/bà được trả kết quả thế nào so với ngày hẹn?") == 2
    assert "Sau ngày hẹn (trễ hẹn)" in page and "Xin xem tiếp mặt sau →" in page
    assert "in hai mặt" in page
    entry = client.get("/staff/survey/paper/entry").get_data(as_text=True)
    assert 'id="head-dossier"' in entry and 'id="row-10-one-stop"' in entry


def test_answers_about_a_dossier_are_kept_against_it_and_score_it(auth, client, db):
    from survey.onestop import services as onestop
    from survey.onestop.models import Dossier
    from tests.factories import make_procedure

    counter = make_counter(db)
    auth.as_role("reception")
    one_stop_batch(db, client, counter)
    result = enter(client, [
        {"number": "000001-8", "answers": DIGITS, "dossier_code": " HS-P-1 ",
         "one_stop": ONE_STOP},
        {"number": "000002-6", "answers": "0" * 19, "dossier_code": "HS-P-2",
         "one_stop": "0001"},  # only the officers' conduct: that is an answer
        {"number": "000003-4", "answers": DIGITS}])
    assert result.status_code == 302
    assert ratings(db) == {("HS-P-1", "time_vs_due"): 2, ("HS-P-1", "returns"): 0,
                           ("HS-P-1", "bodies"): 1, ("HS-P-2", "conduct"): 2}
    assert counted(db) == 2, "the form with only the dossier's answers rated no statement"
    make_procedure(db, code="1.000001")
    parsed = onestop.read_import(db, (
        "code,procedure_code,unit_code,received_at,due_at,returned_at,channel,status\n"
        f"HS-P-1,1.000001,{counter.unit.code},01/04/2026,10/04/2026 16:00,"
        "12/04/2026 10:00,counter,returned\n").encode(), "p.csv", max_bytes=10**6)
    onestop.import_dossiers(db, parsed.rows, dry_run=False, source="p.csv")
    dossier = db.scalar(select(Dossier))
    # late by the records, but index 1 is the citizen's: before the promised date
    assert (dossier.pt_time, dossier.pt_returns, dossier.pt_bodies) == (2, 0, 1)


@pytest.mark.parametrize("row, message", [
    ({"one_stop": ONE_STOP}, "Gõ mã hồ sơ ghi trên phiếu 000001-8"),
    ({"dossier_code": "HS-P-9"}, "Phiếu 000001-8 có mã hồ sơ nhưng không có câu trả lời"),
    ({"dossier_code": "HS-P-9", "one_stop": "0000"},
     "Phiếu 000001-8 có mã hồ sơ nhưng không có câu trả lời"),
    ({"dossier_code": "HS P 9", "one_stop": ONE_STOP}, "HS P 9 không phải mã hồ sơ"),
    ({"dossier_code": "HS-P-9", "one_stop": "132"}, "Đã gõ 3 chữ số về hồ sơ; phiếu có 4"),
    ({"dossier_code": "HS-P-9", "one_stop": "1113"},
     "Câu 4 về hồ sơ có 3: gõ ô được đánh dấu (1 đến 2)"),
    ({"dossier_code": "HS-P-9", "one_stop": "1x11"}, "Câu 2 về hồ sơ có x"),
    ({"dossier_code": "HS-QR-9", "one_stop": ONE_STOP}, "Hồ sơ HS-QR-9 đã được đánh giá"),
])
def test_bad_answers_about_a_dossier_save_nothing(auth, client, db, app, row, message):
    from survey.services import create_dossier_link
    from tests.factories import aged_nonce, survey_answers

    counter = make_counter(db)
    link, _ = create_dossier_link(db, "HS-QR-9", counter)
    db.commit()
    auth.as_role("reception")
    one_stop_batch(db, client, counter)
    auth.logout()
    client.post(f"/q/{link.token}", data=survey_answers(
        nonce=aged_nonce(app, link.token, 15), tt01_returns="2"))
    assert ratings(db) == {("HS-QR-9", "returns"): 2}
    auth.as_role("reception")
    result = enter(client, [{"number": "000002-6", "answers": DIGITS},
                            {"number": "000001-8", "answers": DIGITS, **row}])
    page = result.get_data(as_text=True)
    assert result.status_code == 422 and "Dòng 2</a>: " in page and message in page
    assert len(stored(db)) == 1 and ratings(db) == {("HS-QR-9", "returns"): 2}


def test_a_dossier_is_rated_once_on_a_page_and_by_a_batch_without_the_questions(
        auth, client, db):
    counter = make_counter(db)
    auth.as_role("reception")
    plain = batch(db, client, counter, 1)  # 000001-8: printed without the questions
    one_stop_batch(db, client, counter)  # 000002-6 …
    twice = enter(client, [
        {"number": "000002-6", "answers": DIGITS, "dossier_code": "HS-P-1", "one_stop": "1111"},
        {"number": "000003-4", "answers": DIGITS, "dossier_code": "HS-P-1", "one_stop": "2222"}])
    assert "Hồ sơ HS-P-1 cũng có ở dòng 1." in twice.get_data(as_text=True)
    without = enter(client, [{"number": form_number(plain.first_serial), "answers": DIGITS,
                              "dossier_code": "HS-P-1", "one_stop": "1111"}])
    assert "không có câu hỏi về hồ sơ" in without.get_data(as_text=True)
    assert ratings(db) == {} and stored(db) == []


def test_a_dossier_rated_on_paper_is_not_asked_again_by_its_qr_code(auth, client, db):
    from survey.services import create_dossier_link

    counter = make_counter(db)
    link, _ = create_dossier_link(db, "HS-P-5", counter)
    db.commit()
    auth.as_role("reception")
    one_stop_batch(db, client, counter)
    assert "tt01_returns" in client.get(f"/q/{link.token}").get_data(as_text=True)
    enter(client, [{"number": "000001-8", "answers": DIGITS, "dossier_code": "HS-P-5",
                    "one_stop": ONE_STOP}])
    page = client.get(f"/q/{link.token}").get_data(as_text=True)
    assert "tt01_" not in page and 'name="TC1"' in page, "the service is still theirs to rate"


def test_a_dossier_code_typed_in_small_letters_is_the_same_dossier(auth, client, db):
    from survey.onestop import services as onestop
    from survey.onestop.models import Dossier
    from tests.factories import make_procedure

    counter = make_counter(db)
    make_procedure(db, code="1.000001")
    parsed = onestop.read_import(db, (
        "code,procedure_code,unit_code,received_at,due_at,returned_at,channel,status\n"
        f"HS-P-7,1.000001,{counter.unit.code},01/04/2026,10/04/2026 16:00,"
        "12/04/2026 10:00,counter,returned\n").encode(), "p.csv", max_bytes=10**6)
    onestop.import_dossiers(db, parsed.rows, dry_run=False, source="p.csv")
    db.commit()
    auth.as_role("reception")
    one_stop_batch(db, client, counter)
    assert enter(client, [{"number": "000001-8", "answers": DIGITS, "dossier_code": "hs-p-7",
                           "one_stop": "1000"}]).status_code == 302
    assert ratings(db) == {("HS-P-7", "time_vs_due"): 2}
    db.expire_all()
    assert db.scalar(select(Dossier.pt_time)) == 2, "the record's late return gives way"
    again = enter(client, [{"number": "000002-6", "answers": DIGITS,
                            "dossier_code": "Hs-P-7", "one_stop": "3000"}])
    assert "Hồ sơ HS-P-7 đã được đánh giá" in again.get_data(as_text=True)
    # a code the records do not hold yet is kept in capitals, as codes are printed
    assert enter(client, [{"number": "000003-4", "answers": DIGITS, "dossier_code": "hs-new-1",
                           "one_stop": "0002"}]).status_code == 302
    assert ratings(db)[("HS-NEW-1", "conduct")] == 1
