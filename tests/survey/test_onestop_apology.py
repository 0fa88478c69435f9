"""Late dossiers and apologies (issue 11, point 6): the list of dossiers due within one working
day or late without an apology; the apology letter (Mẫu 04, A5) with its reason and new date;
a second new date refused with the legal reason; the citizen told through the outbox; the
apologies counted per unit and month."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback.models import OutboxMessage
from portal.audit import AuditEntry
from portal.workcalendar.services import working_calendar
from portal.workdays import today_in_vietnam
from survey.onestop import services
from survey.onestop.models import Dossier
from tests.factories import make_procedure, make_unit, make_user, sign_in_as

HEADER = ("code,procedure_code,unit_code,received_at,due_at,returned_at,channel,status,"
          "citizen_name,citizen_email,citizen_phone")


def day(offset_working_days: int, db):
    calendar = working_calendar(db)
    today = today_in_vietnam()
    if offset_working_days >= 0:
        return calendar.add_working_days(today, offset_working_days)
    return today + timedelta(days=offset_working_days)


@pytest.fixture
def dossiers(db):
    units = {code: make_unit(db, code=code, name=name) for code, name in (
        ("DD", "Phòng Đất đai"), ("TS", "Chi cục Thủy sản"))}
    make_procedure(db, code="1.000001")
    db.commit()
    received = (today_in_vietnam() - timedelta(days=20)).strftime("%d/%m/%Y")
    rows = [
        ("HS-TOMORROW", "DD", day(1, db), "Nguyễn Văn Tâm", "tam@example.vn", "0905 111 222"),
        ("HS-LATE", "DD", day(-3, db), "", "", ""),
        ("HS-LATER", "DD", day(8, db), "", "", ""),
        ("HS-OTHER", "TS", day(1, db), "", "", ""),
    ]
    lines = [HEADER] + [
        f"{code},1.000001,{unit},{received},{due:%d/%m/%Y} 16:00,,counter,in_progress,"
        f"{name},{email},{phone}" for code, unit, due, name, email, phone in rows]
    parsed = services.read_import(db, ("\n".join(lines) + "\n").encode(), "late.csv",
                                  max_bytes=10**6)
    assert parsed.ok, parsed.problems
    services.import_dossiers(db, parsed.rows, dry_run=False, source="late.csv")
    db.commit()
    return units


def new_due(db) -> str:
    return db.scalar(select(Dossier.new_due_on).where(Dossier.code == "HS-TOMORROW")).isoformat()


def new_date(db, after) -> str:
    calendar = working_calendar(db)
    return calendar.add_working_days(after, 5).isoformat()


def test_the_late_list_shows_what_is_due_within_a_working_day_or_late(client, db, dossiers):
    sign_in_as(client, make_user(db, roles=["reception"]))
    html = client.get("/staff/one-stop/late?lang=en").get_data(as_text=True)
    assert "HS-TOMORROW" in html and "HS-LATE" in html and "HS-OTHER" in html
    assert "HS-LATER" not in html and "Overdue" in html and "Due soon" in html
    # a handler sees their own unit's dossiers only; a leader is not part of this work
    sign_in_as(client, make_user(db, roles=["handler"], unit_id=dossiers["TS"].id))
    html = client.get("/staff/one-stop/late").get_data(as_text=True)
    assert "HS-OTHER" in html and "HS-TOMORROW" not in html
    assert client.get("/staff/one-stop/dossiers/HS-TOMORROW/apology").status_code == 404
    sign_in_as(client, make_user(db, roles=["leader"]))
    assert client.get("/staff/one-stop/late").status_code == 403


def test_an_apology_is_recorded_printed_and_sent_once(app, client, db, dossiers):
    app.config["SMS_TRANSPORT"] = "log"
    sign_in_as(client, make_user(db, roles=["reception"]))
    dossier = db.scalar(select(Dossier).where(Dossier.code == "HS-TOMORROW"))
    when = new_date(db, dossier.due_on)
    response = client.post("/staff/one-stop/dossiers/HS-TOMORROW/apology", data={
        "reason": "Chờ ý kiến của UBND xã về nguồn gốc đất", "new_due_on": when})
    assert response.status_code == 302 and response.location.endswith("/apology/letter")
    letter = client.get(response.location).get_data(as_text=True)
    shown = "/".join(reversed(when.split("-")))
    for text in ("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "Kính gửi: Nguyễn Văn Tâm",
                 "HS-TOMORROW", "Chờ ý kiến của UBND xã về nguồn gốc đất", shown,
                 "letter-a5.", dossier.due_on.strftime("%d/%m/%Y")):
        assert text in letter, text
    db.expire_all()
    assert new_due(db) == when
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "onestop.apology"))
    assert entry.target_id == "HS-TOMORROW"
    messages = db.scalars(select(OutboxMessage)).all()
    assert {(m.channel, m.recipient) for m in messages} == {("email", "tam@example.vn"),
                                                            ("sms", "0905111222")}
    assert all(shown in m.body for m in messages)
    # a second new date is refused with the law's reason; nothing changes, nothing is sent
    again = client.post("/staff/one-stop/dossiers/HS-TOMORROW/apology?lang=en", data={
        "reason": "Lại chậm", "new_due_on": new_date(db, dossier.due_on + timedelta(days=10))})
    text = again.get_data(as_text=True)
    assert "may be re-set only once" in text and "Article 19.9" in text
    db.expire_all()
    assert new_due(db) == when
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    # the apology counts on the scoreboard, per unit and month
    sign_in_as(client, make_user(db, roles=["secretariat"]))
    today = today_in_vietnam()
    board = client.get(f"/staff/one-stop/scoreboard?year={today.year}&lang=en").get_data(
        as_text=True)
    assert "Apologies for late dossiers" in board and f"{today.month:02d}/{today.year}" in board


@pytest.mark.parametrize("data,message", [
    ({"new_due_on": "2027-01-05"}, "Give the reason for the delay."),
    ({"reason": "Chờ xác minh"}, "Give the new date for the result."),
    ({"reason": "Chờ xác minh", "new_due_on": "05/01/2027"}, "Not a valid date value"),
    ({"reason": "x" * 1001, "new_due_on": "2027-01-05"}, "longer than 1000"),
])
def test_bad_apology_forms_are_refused(client, db, dossiers, data, message):
    sign_in_as(client, make_user(db, roles=["secretariat"]))
    html = client.post("/staff/one-stop/dossiers/HS-LATE/apology?lang=en",
                       data=data).get_data(as_text=True)
    assert message in html
    assert db.scalar(select(Dossier.new_due_on).where(Dossier.code == "HS-LATE")) is None


def test_a_new_date_must_be_a_working_day_after_the_promised_one(client, db, dossiers):
    sign_in_as(client, make_user(db, roles=["secretariat"]))
    dossier = db.scalar(select(Dossier).where(Dossier.code == "HS-TOMORROW"))
    sunday = dossier.due_on + timedelta(days=(6 - dossier.due_on.weekday()) or 7)
    for bad in (dossier.due_on, dossier.due_on - timedelta(days=1), sunday):
        html = client.post("/staff/one-stop/dossiers/HS-TOMORROW/apology?lang=en", data={
            "reason": "Chờ xác minh", "new_due_on": bad.isoformat()}).get_data(as_text=True)
        assert "must be a working day after the promised date" in html, bad
    db.expire_all()
    assert db.scalar(select(Dossier.new_due_on).where(Dossier.code == "HS-TOMORROW")) is None
    assert client.get("/staff/one-stop/dossiers/HS-TOMORROW/apology/letter").status_code == 404
    assert client.get("/staff/one-stop/dossiers/NOPE/apology").status_code == 404


def test_retention_erases_the_citizen_of_dossiers_returned_long_ago(app, db, runner):
    make_unit(db, code="DD", name="Phòng Đất đai")
    make_procedure(db, code="1.000001")
    db.commit()
    today = today_in_vietnam()

    def row(code, days_ago, name):
        received = today - timedelta(days=days_ago + 10)
        returned = today - timedelta(days=days_ago)
        return (f"{code},1.000001,DD,{received:%d/%m/%Y},{returned:%d/%m/%Y} 16:00,"
                f"{returned:%d/%m/%Y} 10:00,counter,returned,{name},,0905 111 222")

    def import_rows():
        csv = "\n".join([HEADER, row("HS-OLD", 400, "Phạm Văn Cũ"),
                         row("HS-NEW", 30, "Đỗ Thị Mới")]) + "\n"
        parsed = services.read_import(db, csv.encode(), "old.csv", max_bytes=10**6)
        assert parsed.ok, parsed.problems
        services.import_dossiers(db, parsed.rows, dry_run=False, source="old.csv")
        db.commit()

    import_rows()
    app.config["RETENTION_DOSSIER_DAYS"] = 365
    assert "dossiers' citizens: 1 would be erased" in runner.invoke(
        args=["retention", "--dry-run"]).output
    assert "dossiers' citizens: 1 erased" in runner.invoke(args=["retention"]).output
    db.expire_all()
    old, new = (db.scalar(select(Dossier).where(Dossier.code == code))
                for code in ("HS-OLD", "HS-NEW"))
    assert (old.citizen_name, old.citizen_phone, old.citizen_email) == (None, None, None)
    assert old.scored_on is not None and old.pt_time is not None, "the points stay"
    assert new.citizen_name == "Đỗ Thị Mới"
    import_rows()  # the one-stop system sends the old dossier again: erased again
    assert "dossiers' citizens: 1 erased" in runner.invoke(args=["retention"]).output
    app.config["RETENTION_DOSSIER_DAYS"] = 0
    import_rows()
    assert "dossiers' citizens: 0 erased" in runner.invoke(args=["retention"]).output
