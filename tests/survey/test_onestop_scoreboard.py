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
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.pages.models import Procedure
from survey.onestop import queries, services
from survey.onestop.models import Declaration, Dossier, UnitMonth
from tests.factories import make_procedure, make_unit, make_user

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
    scheme = services.current_scheme()
    return {row.unit.code: row for row in queries.scoreboard(db, Q2, scheme)}


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
    officer, = queries.officers(db, Q2, services.current_scheme())
    assert (officer.officer.username, officer.dossiers, officer.score, officer.rating.code) == (
        "reception", 3, Decimal("4.0"), "most")


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
