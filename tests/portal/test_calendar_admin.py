"""The administrator's working-day exceptions and their effect on deadlines."""
from datetime import date

from sqlalchemy import select

from portal.audit import AuditEntry
from portal.workcalendar.models import CalendarException
from portal.workcalendar.services import working_calendar


def test_an_admin_adds_a_make_up_saturday_and_deadlines_follow_it(client, db, auth):
    auth.as_role("admin")
    response = client.post("/staff/admin/calendar", data={
        "day": "2027-01-09", "kind": "working", "reason": "Quyết định làm bù thứ Bảy 9/1/2027"})
    assert response.status_code == 302
    calendar = working_calendar(db, date(2027, 1, 1))
    assert calendar.add_working_days(date(2027, 1, 8), 1) == date(2027, 1, 9)
    assert db.scalar(select(AuditEntry.action).where(
        AuditEntry.action == "calendar.exception_added"))
    page = client.get("/staff/admin/calendar").get_data(as_text=True)
    assert "09/01/2027" in page and "Quyết định làm bù" in page
    row = db.scalar(select(CalendarException))
    client.post(f"/staff/admin/calendar/{row.id}/remove")
    assert db.scalar(select(CalendarException)) is None
    assert working_calendar(db, date(2027, 1, 1)).add_working_days(date(2027, 1, 8), 1) == \
        date(2027, 1, 11)


def test_bad_exceptions_are_refused_with_a_reason(client, db, auth):
    auth.as_role("admin")
    cases = [({"day": "", "kind": "off", "reason": "x"}, "This field is required"),
             ({"day": "2027-02-30", "kind": "off", "reason": "x"}, "Not a valid date"),
             ({"day": "2027-01-12", "kind": "holiday", "reason": "x"}, "Not a valid choice"),
             ({"day": "2027-01-12", "kind": "off", "reason": ""}, "This field is required"),
             ({"day": "2027-01-12", "kind": "working", "reason": "x"},
              "already a working day")]
    for data, message in cases:
        page = client.post("/staff/admin/calendar?lang=en", data=data)
        assert page.status_code == 200 and message in page.get_data(as_text=True), data
    client.post("/staff/admin/calendar", data={"day": "2027-01-12", "kind": "off",
                                              "reason": "Nghỉ thêm"})
    again = client.post("/staff/admin/calendar?lang=en", data={
        "day": "2027-01-12", "kind": "working", "reason": "x"})
    assert "already has an exception" in again.get_data(as_text=True)
    assert len(db.scalars(select(CalendarException)).all()) == 1
