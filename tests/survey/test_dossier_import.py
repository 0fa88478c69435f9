"""Dossier records imported from the provincial one-stop system (issue 11, point 1): the
command and the staff page, all or nothing, every bad row named with its line, upsert by code,
audited; the example file in docs imports as documented."""
from __future__ import annotations

import io
import json
import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEntry
from survey.onestop import services
from survey.onestop.models import Dossier, DossierParticipant
from tests.factories import make_procedure, make_unit, make_user, sign_in_as

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "dossiers.csv"
HEADER = ("code,procedure_code,unit_code,received_at,due_at,returned_at,channel,status,"
          "supplements,bodies_contacted,cooperating,apology_date,apology_reason,"
          "apology_new_due,verified_complaint,officer,citizen_name,citizen_email,"
          "citizen_phone")


@pytest.fixture
def catalogue(db):
    """The demo's units, procedures and the receiving officer the example file names."""
    for code in ("VPDKDD", "CCQLDD", "PMT"):
        make_unit(db, code=code)
    for code in ("1.004269", "1.004221", "1.004203", "1.004193", "2.000889"):
        make_procedure(db, code=code)
    make_user(db, username="reception", roles=["reception"])
    db.commit()


def row(code="HS-1", **fields) -> str:
    values = dict(code=code, procedure_code="1.004269", unit_code="VPDKDD",
                  received_at="01/04/2026 08:00", due_at="10/04/2026 16:00",
                  returned_at="08/04/2026 10:00", channel="trực tiếp", status="đã trả kết quả",
                  supplements="0", bodies_contacted="0", cooperating="", apology_date="",
                  apology_reason="", apology_new_due="", verified_complaint="không",
                  officer="", citizen_name="", citizen_email="", citizen_phone="")
    values.update(fields)
    return ",".join(f'"{value}"' if "," in value else value for value in values.values())


def write(tmp_path, *rows, name="dossiers.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


def count(db, model=Dossier) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_the_documented_example_imports_and_is_audited(runner, db, catalogue, tmp_path):
    path = tmp_path / "dossiers.csv"
    shutil.copy(EXAMPLE, path)
    dry = runner.invoke(args=["import-dossiers", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "5 would be created, 0 updated" in dry.output
    assert count(db) == 0
    result = runner.invoke(args=["import-dossiers", str(path)])
    assert result.exit_code == 0 and "Imported: 5 created, 0 updated." in result.output
    db.expire_all()
    late = db.scalar(select(Dossier).where(Dossier.code == "000.00.19.H34-260402-0003"))
    # Vietnam times, kept as instants; the days the scoring compares are Vietnam days
    assert late.received_at == datetime(2026, 4, 2, 3, 20, tzinfo=timezone.utc)
    assert (late.due_on, late.returned_on) == (date(2026, 5, 5), date(2026, 5, 7))
    assert (late.supplements, late.bodies_contacted, late.channel) == (2, 2, "counter")
    assert [(p.unit.code, p.due_on, p.done_on) for p in late.participants] == [
        ("VPDKDD", date(2026, 4, 28), date(2026, 4, 27)),
        ("CCQLDD", date(2026, 5, 5), date(2026, 5, 7))]
    assert (late.apology_on, late.new_due_on) == (date(2026, 5, 4), date(2026, 5, 12))
    assert late.citizen_phone == "0914222333"
    open_one = db.scalar(select(Dossier).where(Dossier.status == "in_progress"))
    assert open_one.returned_at is None and open_one.channel == "post"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "onestop.import"))
    assert entry.details == {"source": "dossiers.csv", "created": 5, "updated": 0}


def test_a_second_import_updates_by_code_and_replaces_cooperating_units(
        runner, db, catalogue, tmp_path):
    first = write(tmp_path, row("HS-1", cooperating="PMT|05/04/2026|04/04/2026"),
                  row("HS-2"))
    assert runner.invoke(args=["import-dossiers", str(first)]).exit_code == 0
    second = write(tmp_path, row("HS-1", supplements="1", cooperating=""),
                   row("HS-3", status="đang giải quyết", returned_at=""), name="again.csv")
    result = runner.invoke(args=["import-dossiers", str(second)])
    assert result.exit_code == 0 and "Imported: 1 created, 1 updated." in result.output
    db.expire_all()
    assert count(db) == 3 and count(db, DossierParticipant) == 0
    assert db.scalar(select(Dossier.supplements).where(Dossier.code == "HS-1")) == 1


def test_json_files_import_too(runner, db, catalogue, tmp_path):
    path = tmp_path / "dossiers.json"
    path.write_text(json.dumps([{
        "code": "HS-J", "procedure_code": "1.004269", "unit_code": "vpdkdd",
        "received_at": "2026-04-01T08:00", "due_at": "2026-04-10T16:00",
        "returned_at": "2026-04-10T09:00", "channel": "online", "status": "returned",
        "supplements": 1, "verified_complaint": False,
        "cooperating": [{"unit": "PMT", "due": "05/04/2026", "done": ""}]}]), encoding="utf-8")
    result = runner.invoke(args=["import-dossiers", str(path)])
    assert result.exit_code == 0, result.output
    dossier = db.scalar(select(Dossier))
    assert dossier.channel == "online" and dossier.participants[0].done_on is None


BAD_ROWS = [
    (dict(procedure_code="9.999999"), "procedure_code 9.999999 is not in the procedure catalogue"),
    (dict(unit_code="XYZ"), "unit_code XYZ is not a unit of the department"),
    (dict(returned_at="31/03/2026 10:00"), "returned_at is before received_at"),
    (dict(due_at="01/04/2026 08:00"), "due_at must be after received_at"),
    (dict(due_at="32/04/2026"), "due_at must be a date"),
    (dict(channel="fax"), "channel must be"),
    (dict(status="lost"), "status must be"),
    (dict(returned_at=""), "returned_at is required"),
    (dict(status="đang giải quyết"), "A dossier in progress has no returned_at"),
    (dict(supplements="-1"), "supplements must be a whole number from 0 to 99"),
    (dict(bodies_contacted="100"), "bodies_contacted must be a whole number"),
    (dict(verified_complaint="maybe"), "verified_complaint must be"),
    (dict(officer="nobody"), "officer nobody is not a staff user name"),
    (dict(cooperating="PMT|someday"), "cooperating: 'PMT|someday' must be"),
    (dict(cooperating="PMT|01/03/2026|"), "cooperating: PMT's days are before the dossier"),
    (dict(apology_date="09/04/2026"), "An apology needs apology_date, apology_reason and"),
    (dict(apology_date="09/04/2026", apology_reason="Chờ xác minh",
          apology_new_due="09/04/2026"), "apology_new_due must be after the promised date"),
    (dict(citizen_email="not-an-email"), "citizen_email is not an email address"),
    (dict(citizen_phone="12ab"), "citizen_phone is not a phone number"),
    (dict(code="HS 1;DROP"), "code must be 1-60"),
    (dict(code=""), "code is required"),
]


@pytest.mark.parametrize("fields,message", BAD_ROWS, ids=[m for _, m in BAD_ROWS])
def test_each_bad_row_is_named_with_its_line_and_nothing_is_written(
        runner, db, catalogue, tmp_path, fields, message):
    path = write(tmp_path, row("HS-OK"), row(**{"code": "HS-BAD", **fields}))
    result = runner.invoke(args=["import-dossiers", str(path)])
    assert result.exit_code == 1
    assert f"dossiers.csv, line 3: {message}" in result.output, result.output
    assert "Nothing was imported." in result.output and count(db) == 0


@pytest.mark.parametrize("content,message", [
    ("code,unit_code\nHS-1,VPDKDD\n", "line 1: Missing columns: procedure_code, received_at"),
    (HEADER + ",colour\n", "line 1: Unknown columns: colour"),
    (HEADER + "\n" + row("HS-1") + "\n" + row("HS-1") + "\n",
     "line 3: Dossier HS-1 appears twice in the file (first at 2)"),
    (HEADER + "\n", "file: The file has no dossiers in it."),
])
def test_bad_files_are_refused_whole(runner, db, catalogue, tmp_path, content, message):
    path = tmp_path / "dossiers.csv"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["import-dossiers", str(path)])
    assert result.exit_code == 1 and message in result.output, result.output
    assert count(db) == 0


def test_a_file_not_in_utf8_or_too_large_is_refused(runner, app, db, catalogue, tmp_path):
    path = tmp_path / "dossiers.csv"
    path.write_bytes((HEADER + "\n" + row("HS-1", citizen_name="Nguy")).encode() + b"\xe9n\n")
    result = runner.invoke(args=["import-dossiers", str(path)])
    assert result.exit_code == 1 and "line 2: The file is not UTF-8 text" in result.output
    app.config["IMPORT_MAX_BYTES"] = 1024
    big = write(tmp_path, *[row(f"HS-{n}") for n in range(40)], name="big.csv")
    result = runner.invoke(args=["import-dossiers", str(big)])
    assert result.exit_code == 1 and "larger than the limit of" in result.output
    assert count(db) == 0


def test_the_return_date_is_re_set_only_once(runner, db, catalogue, tmp_path):
    apology = dict(returned_at="", status="đang giải quyết", apology_date="09/04/2026",
                   apology_reason="Chờ ý kiến UBND xã", apology_new_due="20/04/2026")
    assert runner.invoke(args=["import-dossiers", str(write(tmp_path, row(
        "HS-1", **apology)))]).exit_code == 0
    # the same apology again is no change; a file without one keeps it
    assert runner.invoke(args=["import-dossiers", str(write(tmp_path, row(
        "HS-1", **apology), name="same.csv"))]).exit_code == 0
    assert runner.invoke(args=["import-dossiers", str(write(tmp_path, row(
        "HS-1", returned_at="", status="đang giải quyết"), name="none.csv"))]).exit_code == 0
    db.expire_all()
    assert db.scalar(select(Dossier.new_due_on)) == date(2026, 4, 20)
    second = dict(apology, apology_new_due="30/04/2026")
    result = runner.invoke(args=["import-dossiers", str(write(tmp_path, row(
        "HS-1", **second), name="second.csv"))])
    assert result.exit_code == 1
    assert ("line 2: Dossier HS-1 already has a new date (20/04/2026): the return date may be "
            "re-set only once") in result.output
    db.expire_all()
    assert db.scalar(select(Dossier.new_due_on)) == date(2026, 4, 20)


def test_the_staff_page_imports_for_the_secretariat_only(client, db, catalogue):
    upload = (HEADER + "\n" + row("HS-1", citizen_name="Sentinel Citizen") + "\n").encode()
    page = client.get("/staff/one-stop/import")
    assert page.status_code == 302  # sign in first
    sign_in_as(client, make_user(db, roles=["handler"]))
    assert client.get("/staff/one-stop/import").status_code == 403
    sign_in_as(client, make_user(db, roles=["secretariat"]))
    assert "0 dossiers are kept." in client.get("/staff/one-stop/import?lang=en").get_data(
        as_text=True)
    checked = client.post("/staff/one-stop/import?lang=en", data={
        "file": (io.BytesIO(upload), "dossiers.csv"), "dry_run": "y"},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "1 would be created and 0 updated. Nothing was written." in checked
    assert count(db) == 0
    done = client.post("/staff/one-stop/import?lang=en", data={
        "file": (io.BytesIO(upload), "dossiers.csv")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "Imported: 1 created, 0 updated." in done and "1 dossier is kept." in done
    assert "Sentinel Citizen" not in done  # the page never echoes personal data
    bad = client.post("/staff/one-stop/import?lang=en", data={
        "file": (io.BytesIO(upload.replace(b"VPDKDD", b"NOPE")), "dossiers.csv")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "Nothing was imported." in bad and "unit_code NOPE is not a unit" in bad
    missing = client.post("/staff/one-stop/import?lang=en", data={},
                          content_type="multipart/form-data").get_data(as_text=True)
    assert "Choose a file to import." in missing


def test_ten_thousand_rows_use_bulk_statements(db, catalogue):
    """Not a timing (bench/import_dossiers.py times it): the import writes in a handful of
    statements whatever the number of rows."""
    known = services.known_codes(db)
    procedure_id, unit_id = known.procedures["1.004269"], known.units["VPDKDD"]
    rows = [{"code": f"HS-{n}", "line": n, "procedure_id": procedure_id, "unit_id": unit_id,
             "received_at": datetime(2026, 4, 1, 1, tzinfo=timezone.utc),
             "due_at": datetime(2026, 4, 10, 9, tzinfo=timezone.utc), "returned_at": None,
             "channel": "counter", "status": "in_progress", "supplements": 0,
             "bodies_contacted": 0, "verified_complaint": False, "officer_id": None,
             "apology_on": None, "apology_reason": None, "new_due_on": None,
             "citizen_name": None, "citizen_email": None, "citizen_phone": None,
             "participants": []} for n in range(1200)]
    summary = services.import_dossiers(db, rows, dry_run=False, source="test")
    assert (summary.created, summary.updated) == (1200, 0) and count(db) == 1200
