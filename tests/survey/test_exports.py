"""Exports: every response (one column per item code) and the figures, as CSV and XLSX."""
import csv
import io
from datetime import datetime, timezone

from openpyxl import load_workbook

from portal import tabular
from survey import exports
from tests.factories import ITEM_CODES, make_counter, make_response, make_user

YEAR = datetime.now(timezone.utc).year - 1
RANGE = {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"}


def stored(db):
    counter = make_counter(db, code="Q01")
    officer = make_user(db, username="canbo.a", roles=["reception"])
    make_response(db, counter, {**{c: 4 for c in ITEM_CODES}, "CC1": 5, "PA3": None},
                  when=datetime(YEAR, 3, 31, 18, 30, tzinfo=timezone.utc), officer=officer,
                  comment="=HYPERLINK(\"http://evil.example\")",
                  signals={"answered": 18, "quick": True, "address_earlier": 2})
    make_response(db, counter, {"TC1": 1, "OLD9": 3},
                  when=datetime(YEAR, 5, 1, 2, 0, tzinfo=timezone.utc))
    db.commit()
    return counter


def read_csv(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_responses_csv_has_one_column_per_item_code_and_neutralised_cells(auth, client, db):
    auth.as_role("leader")
    stored(db)
    response = client.get("/staff/survey/export/responses.csv", query_string=RANGE)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, first, second = read_csv(response)
    assert header[11:30] == ITEM_CODES and header[-1] == "comment"
    assert header[30:36] == ["KV1", "KV2", "KV3", "KV4", "KV5", "KV6"]  # what to improve first
    assert header[36] == "OLD9", "then codes only an older version used"
    row = dict(zip(header, first, strict=True))
    assert row["submitted_at"] == f"01/04/{YEAR} 01:30"  # Vietnam time
    assert row["counter"] == "Q01" and row["officer"] == "canbo.a"
    assert row["CC1"] == "5" and row["TC1"] == "4" and row["PA3"] == "na" and row["OLD9"] == ""
    assert row["comment"] == "'=HYPERLINK(\"http://evil.example\")"
    assert row["signals"] == "answered=18 quick address_earlier=2" and row["review"] == ""
    later = dict(zip(header, second, strict=True))
    assert later["TC1"] == "1" and later["OLD9"] == "3" and later["CC1"] == ""


def test_responses_xlsx_opens_with_the_same_rows(auth, client, db):
    auth.as_role("secretariat")
    stored(db)
    with client.get("/staff/survey/export/responses.xlsx", query_string=RANGE) as response:
        data = response.data
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 3 and rows[0][11] == "TC1"
    assert rows[1][-1].startswith("'=")
    workbook.close()


def test_aggregates_csv(auth, client, db):
    auth.as_role("admin")
    stored(db)
    header, *rows = read_csv(client.get("/staff/survey/export/aggregates.csv",
                                        query_string=RANGE))
    assert header[:5] == ["level", "code", "name", "n", "satisfied_percent"]
    cc1 = next(row for row in rows if row[1] == "CC1")
    assert cc1[3] == "1" and cc1[4] == "100.0" and cc1[7] == "False" and cc1[12] == "1"
    assert rows[0][:2] == ["overall", "OVERALL"]


def test_exports_are_for_dashboard_readers_only(auth, client, db):
    auth.as_role("reception")
    assert client.get("/staff/survey/export/responses.csv").status_code == 403


def test_formula_cells_are_neutralised():
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert tabular.neutralise(value) == "'" + value
    assert tabular.neutralise("bình thường") == "bình thường" and tabular.neutralise(5) == 5


def test_many_responses_stream_in_chunks(db, app, monkeypatch):
    from portal.workdays import today_in_vietnam
    from survey.queries import Filters

    monkeypatch.setattr(exports, "CHUNK", 3)
    counter = make_counter(db)
    for _ in range(10):
        make_response(db, counter, {"CC1": 5})
    db.commit()
    today = today_in_vietnam()
    rows = list(exports.response_rows(db, Filters(start=today, end=today), ["CC1"],
                                      masked_comments=False))
    assert len(rows) == 11 and len({row[0] for row in rows[1:]}) == 10
