"""The scoreboard from imported records (issue 11, points 3-5): the stored points, the monthly
figures, the declarations, index 8 from feedback and index 9 from the catalogue give the same
scores as computed by hand.

Second quarter of 2026, imported on 20/06/2026 and scored again on 10/07/2026:

Unit DD, 6 dossiers                                     I1  I2  I3  I4  I6  I7  officer
  D1 due 10/04, returned 08/04                          2   2   2   2   1+1 2   reception: 8
  D2 due 15/04, returned 15/04, 1 supplement, 1 body    1   1   1   1   1+1 1   reception: 4
  D3 due 05/05, returned 07/05, 2 supplements,          0   0   0   0   0+1 0   reception: 0
     2 bodies, PMT early, DD late; its procedure
     left the catalogue before it was received
  D4 due 20/05, returned 18/05, 1 supplement            2   2   1   2   1+1 2
  D5 open, due 25/06: not scored on 20/06, late on      0   0   2   2   1+1 0
     10/07 (evaluated on its promised day, in June)
  D6 due 01/06, returned 30/05, verified complaint      2   2   2   2   1+1 0
  score                                                 1.2 1.2 1.3 1.5 1.8 0.8
  declared: all through the counter, 25 % settled -> I5 2; procedures posted (the +1 above)
  I8: no feedback received -> 2; I9: 100 % of procedures at level 3-4, no dossier online -> 0
  total 1.2+1.2+1.3+1.5+2+1.8+0.8+2+0 = 11.8 -> Khá
Unit TS, 3 dossiers in the quarter (D10, open until 2027, is in none)
  D7 online, due 20/04, returned 10/04                  2   2   2   2   2   2
  D8 due 30/04, returned 29/04, 1 body                  2   2   2   1   2   2
  D9 due 10/05, returned 09/05, 1 supplement, 1 body    2   2   1   1   2   2
  score                                                 2.0 2.0 1.7 1.3 2.0 2.0
  declared: 10 % settled -> I5 1; I8 none received -> 2; I9 33 % online, none late -> 2
  total 2+2+1.7+1.3+1+2+2+2+2 = 16.0 -> Xuất sắc
Officer "reception": (8 + 4 + 0) / 3 = 4.0 -> 70 to under 100 % of tasks.
The whole department, 9 dossiers (Điều 15 over all of them):
  I1 (7 + 6) / 9, I2 (7 + 6) / 9, I3 (8 + 5) / 9, I4 (9 + 4) / 9: 1.44 -> 1.4 each
  I6 (11 + 6) / 9 = 1.89 -> 1.9; I7 (5 + 6) / 9 = 1.22 -> 1.2
  I5 the mean of the units' (2 + 1) / 2 = 1.5; I8 nothing received -> 2
  I9 1 of 9 dossiers online (11 %) -> 0
  total 4 * 1.4 + 1.5 + 1.9 + 1.2 + 2 + 0 = 12.2 -> Tốt
  A late ticket not yet given to any unit: the units keep I8 2, the department gets 0 (10.2,
  Khá).
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.auth.models import User
from portal.pages.models import Procedure
from survey.onestop import queries, services, staff_views
from survey.onestop import scheme as schemes
from survey.onestop.models import Declaration, Dossier, UnitMonth
from tests.factories import make_procedure, make_unit, make_user, sign_in_as

HEADER = ("code,procedure_code,unit_code,received_at,due_at,returned_at,channel,status,"
          "supplements,bodies_contacted,cooperating,verified_complaint,officer")
ROWS = [
    "D1,1.000001,DD,01/04/2026,10/04/2026 16:00,08/04/2026 10:00,counter,returned,0,0,,,reception",
    "D2,1.000001,DD,01/04/2026,15/04/2026 16:00,15/04/2026 10:00,counter,returned,1,1,,,reception",
    "D3,1.000002,DD,02/04/2026,05/05/2026 16:00,07/05/2026 09:00,counter,returned,2,2,"
    "PMT|28/04/2026|27/04/2026;DD|05/05/2026|07/05/2026,,reception",
    "D4,1.000001,DD,03/04/2026,20/05/2026 16:00,18/05/2026 09:00,post,returned,1,0,,,",
    "D5,1.000001,DD,04/04/2026,25/06/2026 16:00,,counter,in_progress,0,0,,,",
    "D6,1.000001,DD,05/04/2026,01/06/2026 16:00,30/05/2026 09:00,counter,returned,0,0,,có,",
    "D7,1.000003,TS,02/04/2026,20/04/2026 16:00,10/04/2026 09:00,online,returned,0,0,,,",
    "D8,1.000003,TS,02/04/2026,30/04/2026 16:00,29/04/2026 09:00,counter,returned,0,1,,,",
    "D9,1.000003,TS,02/04/2026,10/05/2026 16:00,09/05/2026 09:00,counter,returned,1,1,,,",
    "D10,1.000003,TS,02/04/2026,20/07/2027 16:00,,counter,in_progress,0,1,,,",
]
Q2 = queries.Period(2026, 2)
SCHEME_FILE = schemes.DEFAULT


def on(monkeypatch, day: date) -> None:
    monkeypatch.setattr(services, "today_in_vietnam", lambda: day)


@pytest.fixture
def imported(db, monkeypatch):
    units = {code: make_unit(db, code=code, name=name) for code, name in (
        ("DD", "Phòng Đất đai"), ("TS", "Chi cục Thủy sản"), ("PMT", "Phòng Môi trường"))}
    for code in ("1.000001", "1.000002", "1.000003"):
        make_procedure(db, code=code)
    db.scalar(select(Procedure).where(Procedure.code == "1.000002")).retired_at = datetime(
        2026, 3, 1, tzinfo=timezone.utc)
    make_user(db, username="reception", full_name="Lê Thu Nhận", roles=["reception"])
    db.commit()
    on(monkeypatch, date(2026, 6, 20))
    parsed = services.read_import(db, ("\n".join([HEADER, *ROWS]) + "\n").encode(),
                                  "q2.csv", max_bytes=10**6)
    assert parsed.ok, parsed.problems
    services.import_dossiers(db, parsed.rows, dry_run=False, source="q2.csv")
    for unit, settled in (("DD", 25), ("TS", 10)):
        db.add(Declaration(unit_id=units[unit].id, year=2026, quarter=2,
                           all_through_counter=True, settled_share=settled,
                           procedures_posted=True))
    db.commit()
    return units


def board(db) -> dict:
    scheme = services.current_scheme(db)
    return {row.unit.code: row for row in queries.scoreboard(db, Q2, scheme).units}


def department(db):
    return queries.scoreboard(db, Q2, services.current_scheme(db)).department


def figures(row) -> dict:
    return {number: str(value) if value is not None else None
            for number, value in row.score.indices.items()}


def test_an_open_dossier_is_scored_late_once_its_day_has_passed(db, imported, monkeypatch):
    d5 = db.scalar(select(Dossier).where(Dossier.code == "D5"))
    assert d5.scored_on is None and d5.pt_time is None
    assert board(db)["DD"].score.dossiers == 5
    on(monkeypatch, date(2026, 7, 10))
    assert services.rescore(db) == 1
    db.commit()
    d5 = db.scalar(select(Dossier).where(Dossier.code == "D5"))
    assert (d5.scored_on, d5.pt_time, d5.pt_conduct) == (date(2026, 6, 25), 0, 0)
    assert board(db)["DD"].score.dossiers == 6
    assert services.rescore(db) == 0  # nothing more to do on the same day


def test_the_scoreboard_matches_the_scores_computed_by_hand(db, imported, monkeypatch):
    on(monkeypatch, date(2026, 7, 10))
    services.rescore(db)
    db.commit()
    rows = board(db)
    assert figures(rows["DD"]) == {1: "1.2", 2: "1.2", 3: "1.3", 4: "1.5", 5: "2.0", 6: "1.8",
                                   7: "0.8", 8: "2.0", 9: "0.0"}
    assert rows["DD"].score.total == Decimal("11.8") and rows["DD"].rating.vi == "Khá"
    assert figures(rows["TS"]) == {1: "2.0", 2: "2.0", 3: "1.7", 4: "1.3", 5: "1.0", 6: "2.0",
                                   7: "2.0", 8: "2.0", 9: "2.0"}
    assert rows["TS"].score.total == Decimal("16.0") and rows["TS"].rating.vi == "Xuất sắc"
    assert (rows["DD"].lost, rows["TS"].lost) == (5, 2)  # all but D1; D8 and D9
    # a unit without dossiers in the quarter has no total, never 0 points
    assert rows["PMT"].score.dossiers == 0 and rows["PMT"].score.total is None
    officer, = queries.officers(db, Q2, services.current_scheme(db))
    assert (officer.officer.username, officer.dossiers, officer.score, officer.rating.code) == (
        "reception", 3, Decimal("4.0"), "most")
    whole = department(db)
    assert whole.unit is None and whole.score.dossiers == 9 and whole.lost == 7
    assert figures(whole) == {1: "1.4", 2: "1.4", 3: "1.4", 4: "1.4", 5: "1.5", 6: "1.9",
                              7: "1.2", 8: "2.0", 9: "0.0"}
    assert whole.score.total == Decimal("12.2") and whole.rating.vi == "Tốt"


def test_the_department_counts_feedback_no_unit_has_yet(app, db, imported, monkeypatch):
    from feedback.models import Ticket
    from tests.factories import make_ticket

    on(monkeypatch, date(2026, 7, 10))
    services.rescore(db)
    ticket = make_ticket(app, db, received_at=datetime(2026, 4, 1, 3, tzinfo=timezone.utc))
    assert db.get(Ticket, ticket.id).unit_id is None  # open, past its deadline: late
    rows, whole = board(db), department(db)
    assert rows["DD"].score.indices[8] == rows["TS"].score.indices[8] == Decimal("2.0")
    assert whole.score.indices[8] == Decimal("0.0")
    assert whole.score.total == Decimal("10.2") and whole.rating.vi == "Khá"


def test_a_unit_retired_since_stays_in_the_department(db, imported, monkeypatch):
    on(monkeypatch, date(2026, 7, 10))
    services.rescore(db)
    imported["TS"].active = False
    db.commit()
    assert "TS" not in board(db)
    whole = department(db)
    assert whole.score.dossiers == 9 and whole.score.total == Decimal("12.2")


def test_the_department_waits_for_every_units_declaration(db, imported, monkeypatch):
    on(monkeypatch, date(2026, 7, 10))
    services.rescore(db)
    db.execute(Declaration.__table__.delete().where(
        Declaration.unit_id == imported["TS"].id))
    db.commit()
    whole = department(db)
    assert whole.undeclared == [2] and whole.score.indices[5] is None
    assert whole.score.indices[6] is None and whole.score.total is None
    assert board(db)["DD"].score.total == Decimal("11.8")


def test_without_a_declaration_the_total_waits(db, imported):
    db.execute(Declaration.__table__.delete())
    db.commit()
    row = board(db)["DD"]
    assert row.undeclared == [2] and row.score.indices[5] is None
    assert row.score.indices[6] is None and row.score.total is None and row.rating is None


def test_re_importing_a_dossier_moves_it_between_months(db, imported, monkeypatch):
    on(monkeypatch, date(2026, 7, 10))
    moved = ("D1,1.000001,DD,01/04/2026,10/07/2026 16:00,08/07/2026 10:00,counter,returned,"
             "0,0,,,reception")
    parsed = services.read_import(db, f"{HEADER}\n{moved}\n".encode(), "again.csv",
                                  max_bytes=10**6)
    services.import_dossiers(db, parsed.rows, dry_run=False, source="again.csv")
    db.commit()
    months = {(m.month, m.dossiers) for m in db.scalars(
        select(UnitMonth).where(UnitMonth.unit_id == imported["DD"].id))}
    assert (date(2026, 7, 1), 1) in months and (date(2026, 4, 1), 1) in months  # D2 stays
    assert board(db)["DD"].score.dossiers == 4  # D1 left the quarter; D5 not yet rescored


def test_the_drill_down_lists_the_dossiers_that_lost_points(db, imported):
    page = queries.lost_dossiers(db, imported["TS"], Q2, 1)
    assert [d.code for d in page.items] == ["D9", "D8"]


def test_the_staff_scoreboard_its_exports_and_drill_down(client, db, imported):
    page = client.get("/staff/one-stop/scoreboard?year=2026&quarter=2")
    assert page.status_code == 302
    sign_in_as(client, make_user(db, roles=["handler"]))
    assert client.get("/staff/one-stop/scoreboard").status_code == 403
    sign_in_as(client, make_user(db, roles=["leader"]))
    html = client.get("/staff/one-stop/scoreboard?year=2026&quarter=2&lang=en").get_data(
        as_text=True)
    assert "Phòng Đất đai" in html and "Lê Thu Nhận" in html
    assert "No dossiers in this period" in html  # PMT
    assert "Declare quarter" not in html  # leaders read; the secretariat declares
    assert "TT01-2018" in html and "<strong>12.2</strong>" in html
    assert "Whole department" in html and "<strong>12.8</strong>" in html
    with client.get("/staff/one-stop/scoreboard?year=2026&quarter=2&format=csv") as response:
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:6] == ["scheme", "year", "quarter", "unit_code", "unit", "dossiers"]
    dd = next(row for row in rows if row[3] == "DD")
    # on 20/06, D5 not yet late: D1-D4 and D6 only
    assert dd[5:] == ["5", "1.4", "1.4", "1.2", "1.4", "2.0", "1.8", "1.0", "2.0", "0.0",
                      "12.2", "Tốt"]
    # the department last: 8 dossiers, e.g. I1 (7 + 6) / 8 = 1.625 -> 1.6, I9 1 of 8 online
    assert rows[-1][3:] == ["", "Toàn Sở", "8", "1.6", "1.6", "1.4", "1.4", "1.5", "1.9",
                            "1.4", "2.0", "0.0", "12.8", "Tốt"]
    with client.get("/staff/one-stop/scoreboard?year=2026&quarter=2&format=xlsx") as response:
        assert load_workbook(io.BytesIO(response.data)).active.cell(1, 1).value == "scheme"
    drill = client.get("/staff/one-stop/scoreboard/TS?year=2026&quarter=2&lang=en").get_data(
        as_text=True)
    assert "D9" in drill and "D8" in drill and "D7" not in drill
    assert client.get("/staff/one-stop/scoreboard/NOPE").status_code == 404
    for query in ("?year=abc", "?year=1999&quarter=9", "?format=exe", "?quarter=%00"):
        assert client.get("/staff/one-stop/scoreboard" + query).status_code == 200


@pytest.mark.parametrize("data,message", [
    ({}, "Answer yes or no."),
    ({"all_through_counter": "yes", "procedures_posted": "no", "settled_share": "120"},
     "Give a share from 0 to 100."),
    ({"all_through_counter": "yes", "procedures_posted": "no", "settled_share": "-1"},
     "Give a share from 0 to 100."),
    ({"all_through_counter": "yes", "procedures_posted": "no", "settled_share": "abc"},
     "Give a share from 0 to 100."),
    ({"all_through_counter": "maybe", "procedures_posted": "no", "settled_share": "5"},
     "Not a valid choice"),
])
def test_a_declaration_with_bad_values_is_refused(client, db, imported, data, message):
    sign_in_as(client, make_user(db, roles=["secretariat"]))
    page = client.post("/staff/one-stop/declarations/PMT?year=2026&quarter=2&lang=en",
                       data=data).get_data(as_text=True)
    assert message in page
    assert db.scalar(select(func.count()).select_from(Declaration)) == 2


def test_the_secretariat_declares_and_the_total_follows(client, db, imported):
    db.execute(Declaration.__table__.delete())
    db.commit()
    sign_in_as(client, make_user(db, roles=["secretariat"]))
    html = client.get("/staff/one-stop/scoreboard?year=2026&quarter=2&lang=en").get_data(
        as_text=True)
    assert "Awaiting the unit" in html and "Declare quarter 2" in html
    assert client.get("/staff/one-stop/declarations/DD?year=2026").status_code == 404
    response = client.post("/staff/one-stop/declarations/DD?year=2026&quarter=2", data={
        "all_through_counter": "yes", "settled_share": "25", "procedures_posted": "yes"})
    assert response.status_code == 302
    db.expire_all()
    assert board(db)["DD"].score.total is not None
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "onestop.declare"))
    assert entry.target_id == "DD" and entry.details["settled_share"] == "25.0"
    again = client.get("/staff/one-stop/declarations/DD?year=2026&quarter=2&lang=en")
    assert "Declared on" in again.get_data(as_text=True)


@pytest.mark.parametrize("lang,words", [("vi", ("Khá", "Xuất sắc", "Không có hồ sơ")),
                                        ("en", ("Fair", "Excellent", "No dossiers"))])
def test_the_public_results_in_both_languages_without_dossiers_or_people(
        client, db, imported, lang, words):
    db.scalar(select(Dossier).where(Dossier.code == "D1")).citizen_name = "Sentinel Person"
    db.commit()
    html = client.get(f"/results/one-stop?year=2026&quarter=2&lang={lang}").get_data(
        as_text=True)
    for word in words:
        assert word in html
    assert ("12,2" if lang == "vi" else "12.2") in html  # DD on 20/06
    assert ("Toàn Sở" if lang == "vi" else "Whole department") in html
    assert ("12,8" if lang == "vi" else "12.8") in html  # the department
    for private in ("D1<", "D9", "Sentinel Person", "Lê Thu Nhận", "reception"):
        assert private not in html
    assert "/results/one-stop" in client.get(f"/results?lang={lang}").get_data(as_text=True)


def scheme_file(**changes) -> bytes:
    raw = json.loads(SCHEME_FILE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        raw[key] = value
    return json.dumps(raw, ensure_ascii=False).encode()


def test_an_admin_publishes_a_new_scheme_and_the_scores_follow_it(client, db, imported):
    sign_in_as(client, make_user(db, roles=["secretariat"]))
    assert client.get("/staff/one-stop/schemes").status_code == 403
    sign_in_as(client, make_user(db, roles=["admin"]))
    bands = json.loads(SCHEME_FILE.read_text(encoding="utf-8"))["unit_ratings"]
    bands[1]["min"] = 12.5  # "Tốt" from 12.5: DD's 12.2 (on 20/06) becomes "Khá"
    response = client.post("/staff/one-stop/schemes", data={"file": (io.BytesIO(scheme_file(
        version="TT03-2025", unit_ratings=bands)), "scheme.json")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    db.expire_all()
    scheme = services.current_scheme(db)
    assert scheme.version == "TT03-2025"
    assert {d.scheme_version for d in db.scalars(select(Dossier)) if d.scored_on} == {"TT03-2025"}
    row = board(db)["DD"]
    assert row.score.total == Decimal("12.2") and row.rating.vi == "Khá"
    html = client.get("/staff/one-stop/scoreboard?year=2026&quarter=2").get_data(as_text=True)
    assert "TT03-2025" in html and "earlier scheme" not in html
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "onestop.scheme"))
    assert entry.target_id == "TT03-2025"
    again = client.post("/staff/one-stop/schemes?lang=en", data={"file": (io.BytesIO(
        scheme_file(version="TT03-2025")), "scheme.json")}, content_type="multipart/form-data")
    assert "exists already" in again.get_data(as_text=True)


def test_a_bad_scheme_file_names_every_problem_and_publishes_nothing(client, db, imported,
                                                                    monkeypatch):
    sign_in_as(client, make_user(db, roles=["admin"]))
    bands = json.loads(SCHEME_FILE.read_text(encoding="utf-8"))["unit_ratings"]
    bands[2]["min"] = 12  # overlaps "Tốt"
    html = client.post("/staff/one-stop/schemes?lang=en", data={"file": (io.BytesIO(scheme_file(
        version="BAD", unit_ratings=bands, indices=[])), "scheme.json")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "Nothing was published" in html and "overlap" in html
    assert "indices must be a non-empty list" in html
    monkeypatch.setattr(staff_views, "SCHEME_MAX_BYTES", 1024)  # a small upload stays in memory
    big = client.post("/staff/one-stop/schemes?lang=en", data={"file": (io.BytesIO(
        b" " * 2048), "scheme.json")}, content_type="multipart/form-data")
    assert "larger than the limit" in big.get_data(as_text=True)
    assert services.current_scheme(db).version == "TT01-2018"


def test_the_rescore_command(runner, db, imported, monkeypatch):
    on(monkeypatch, date(2026, 7, 10))
    result = runner.invoke(args=["onestop-rescore"])
    assert result.exit_code == 0 and "Scored again: 1 dossiers." in result.output
    everything = runner.invoke(args=["onestop-rescore", "--all"])
    assert everything.exit_code == 0 and "Scored again: 10 dossiers." in everything.output
    assert runner.invoke(args=["onestop-rescore", "--bogus"]).exit_code == 2
    db.expire_all()
    assert board(db)["DD"].score.total == Decimal("11.8")


def test_the_officer_sheet_month_and_year(client, db, imported, monkeypatch):
    on(monkeypatch, date(2026, 7, 10))
    services.rescore(db)
    db.commit()
    officer = db.scalar(select(User).where(User.username == "reception"))
    sign_in_as(client, make_user(db, roles=["handler"]))
    assert client.get(f"/staff/one-stop/officers/{officer.id}?year=2026").status_code == 403
    sign_in_as(client, make_user(db, roles=["leader"]))
    year = client.get(f"/staff/one-stop/officers/{officer.id}?year=2026&lang=en").get_data(
        as_text=True)
    assert "Year summary of Lê Thu Nhận, 2026" in year
    # D1, D2 in April; D3 in May (late): (8 + 4 + 0) / 3 = 4.0 over the year
    assert "<dd>3</dd>" in year and "4.0 — 70% to under 100% of tasks done" in year
    may = client.get(f"/staff/one-stop/officers/{officer.id}?year=2026&month=5&lang=en")
    html = may.get_data(as_text=True)
    assert "Monthly sheet of Lê Thu Nhận, 05/2026" in html and "D3 — promised 05/05/2026" in html
    april = client.get(f"/staff/one-stop/officers/{officer.id}?year=2026&month=4&lang=en")
    assert "6.0 — 100% of tasks done" in april.get_data(as_text=True)  # (8 + 4) / 2
    for query in ("?year=abc&month=13", "?month=0", "?year=1999&month=%00"):
        assert client.get(f"/staff/one-stop/officers/{officer.id}{query}").status_code == 200
    assert client.get("/staff/one-stop/officers/99999").status_code == 404
