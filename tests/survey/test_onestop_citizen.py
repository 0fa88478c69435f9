"""The citizen's part of the TT 01/2018 evaluation (issue 11, point 2): a dossier's single-use
QR link asks the questions the law gives the citizen (indices 1, 3, 4 and 7, with the scheme's
answer options) when the questionnaire version says so; the answers are kept against the dossier
code and stand over the records in its score, whether its record is imported before or after."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from portal.audit import AuditEntry
from survey.models import Response
from survey.onestop import services as onestop
from survey.onestop.models import CitizenRating, Dossier
from survey.services import create_dossier_link, current_questionnaire
from tests.factories import (
    ITEM_CODES,
    aged_nonce,
    make_counter,
    make_procedure,
    tallied_responses,
)
from tests.factories import survey_answers as answers

ROW = ("code,procedure_code,unit_code,received_at,due_at,returned_at,channel,status\n"
       "HS-QR-1,1.000001,{unit},01/04/2026,10/04/2026 16:00,08/04/2026 10:00,counter,"
       "returned\n")


def ask(client, db, mode="besides"):
    questionnaire = current_questionnaire(db)
    return client.post(f"/staff/survey/questionnaires/{questionnaire.id}/one-stop"
                       f"?mode={mode}", follow_redirects=True)


def setup(db):
    counter = make_counter(db)
    make_procedure(db, code="1.000001")
    link, _ = create_dossier_link(db, "HS-QR-1", counter)
    db.commit()
    return counter, link


def import_record(db, counter) -> None:
    parsed = onestop.read_import(db, ROW.format(unit=counter.unit.code).encode(), "qr.csv",
                                 max_bytes=10**6)
    assert parsed.ok, parsed.problems
    onestop.import_dossiers(db, parsed.rows, dry_run=False, source="qr.csv")
    db.commit()


def test_an_administrator_turns_the_questions_on_for_dossier_links_only(auth, client, db):
    counter, link = setup(db)
    assert "tt01_time_vs_due" not in client.get(f"/q/{link.token}").get_data(as_text=True)
    admin = auth.as_role("admin")
    page = ask(client, db).get_data(as_text=True)
    assert "câu hỏi theo TT 01/2018" in page
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "questionnaire.one_stop"))
    assert entry.actor_id == admin.id and entry.details == {"mode": "besides"}
    for bad in ("maybe", "", "1", "OFF"):
        assert client.post(f"/staff/survey/questionnaires/{current_questionnaire(db).id}"
                           f"/one-stop?mode={bad}").status_code == 400
    assert client.post("/staff/survey/questionnaires/999999/one-stop?mode=off"
                       ).status_code == 404
    assert current_questionnaire(db).one_stop_mode == "besides"
    auth.logout()
    form = client.get(f"/q/{link.token}?lang=en").get_data(as_text=True)
    assert "About your dossier (optional)" in form
    assert f'name="{ITEM_CODES[0]}"' in form  # besides: the statements stay
    assert "When was your result returned, compared with the promised date?" in form
    for rule in ("time_vs_due", "returns", "bodies", "conduct"):
        assert f'name="tt01_{rule}"' in form
    assert "tt01_" not in client.get(f"/q/{counter.token}").get_data(as_text=True)
    auth.as_role("reception")
    assert ask(client, db, mode="off").status_code == 403


def test_the_citizens_answers_stand_in_the_dossiers_score(auth, client, db, app):
    counter, link = setup(db)
    import_record(db, counter)  # returned early: the records give index 1 two points
    assert db.scalar(select(Dossier.pt_time)) == 2
    auth.as_role("admin")
    ask(client, db)
    auth.logout()
    result = client.post(f"/q/{link.token}", data=answers(
        nonce=aged_nonce(app, link.token, 15), tt01_time_vs_due="1", tt01_bodies="0",
        tt01_conduct="2"))
    assert result.status_code == 302
    ratings = {r.rule: r.points for r in db.scalars(select(CitizenRating))}
    assert ratings == {"time_vs_due": 1, "bodies": 0, "conduct": 2}
    db.expire_all()
    dossier = db.scalar(select(Dossier))
    assert (dossier.pt_time, dossier.pt_bodies, dossier.pt_conduct) == (1, 0, 2)
    assert dossier.citizen_rules == "bodies,conduct,time_vs_due" and dossier.lost_points
    # a later import of the same record keeps the citizen's answers standing
    import_record(db, counter)
    db.expire_all()
    assert db.scalar(select(Dossier.pt_time)) == 1


def test_answers_given_before_the_record_is_imported_are_read_by_the_import(
        auth, client, db, app):
    counter, link = setup(db)
    auth.as_role("admin")
    ask(client, db)
    auth.logout()
    client.post(f"/q/{link.token}", data=answers(nonce=aged_nonce(app, link.token, 15),
                                                 tt01_returns="0"))
    import_record(db, counter)
    assert db.scalar(select(Dossier.pt_returns)) == 0


def test_a_bad_value_or_a_screened_out_answer_gives_no_rating(auth, client, db, app):
    counter, link = setup(db)
    auth.as_role("admin")
    ask(client, db)
    auth.logout()
    bad = client.post(f"/q/{link.token}?lang=en", data=answers(
        nonce=aged_nonce(app, link.token, 15), tt01_time_vs_due="7"))
    assert bad.status_code == 200 and "Not a valid choice" in bad.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Response)) == 0
    # a bot fills the hidden field: the answer is kept aside, its ratings are not used
    client.post(f"/q/{link.token}", data=answers(
        nonce=aged_nonce(app, link.token, 15), tt01_time_vs_due="0", website="http://spam"))
    assert db.scalar(select(Response.flagged)) is True
    assert db.scalar(select(func.count()).select_from(CitizenRating)) == 0


def responses_counted(db) -> int:
    from survey.queries import Filters, response_count

    everything = Filters(start=date(2000, 1, 1), end=date(2100, 1, 1))
    return response_count(db, everything)


def test_instead_a_dossier_link_asks_only_the_questions_of_the_evaluation(
        auth, client, db, app):
    counter, link = setup(db)
    auth.as_role("admin")
    page = ask(client, db, mode="instead").get_data(as_text=True)
    assert "thay cho các nội dung đánh giá trên đường dẫn hồ sơ" in page
    auth.logout()
    form = client.get(f"/q/{link.token}?lang=en").get_data(as_text=True)
    assert "tt01_conduct" in form and f'name="{ITEM_CODES[0]}"' not in form
    assert "A few questions about how your dossier was handled." in form
    assert "What should we improve first?" not in form
    # the counter's own QR still asks the statements, and nothing of the evaluation
    counter_form = client.get(f"/q/{counter.token}").get_data(as_text=True)
    assert f'name="{ITEM_CODES[0]}"' in counter_form and "tt01_" not in counter_form
    empty = client.post(f"/q/{link.token}?lang=en",
                        data={"nonce": aged_nonce(app, link.token, 15)})
    assert "Please tap an answer for at least one question" in empty.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Response)) == 0
    sent = client.post(f"/q/{link.token}", data={
        "nonce": aged_nonce(app, link.token, 15), "tt01_time_vs_due": "2",
        "tt01_conduct": "1"})
    assert sent.status_code == 302
    assert "Thank you" in client.get(sent.location + "?lang=en").get_data(as_text=True)
    ratings = {r.rule: r.points for r in db.scalars(select(CitizenRating))}
    assert ratings == {"time_vs_due": 2, "conduct": 1}
    response = db.scalar(select(Response))
    assert response.answers == [] and not response.flagged
    # it rated the dossier, not the service: the survey's figures do not count it
    assert responses_counted(db) == 0


def test_an_answer_that_only_rates_the_dossier_is_not_a_survey_response(
        auth, client, db, app):
    from survey.rollup import rebuild

    counter, link = setup(db)
    auth.as_role("admin")
    ask(client, db)
    auth.logout()
    client.post(f"/q/{link.token}", data=answers(
        value="na", nonce=aged_nonce(app, link.token, 15), tt01_returns="2"))
    client.post(f"/q/{counter.token}", data=answers(nonce=aged_nonce(app, counter.token, 15)))
    client.post(f"/q/{counter.token}", data=answers(
        value="na", nonce=aged_nonce(app, counter.token, 20), comment="Phòng chờ nóng"))
    assert db.scalar(select(func.count()).select_from(Response)) == 3
    assert responses_counted(db) == 2
    counted = tallied_responses(db)
    rebuild(db.connection())
    assert tallied_responses(db) == counted == 2
