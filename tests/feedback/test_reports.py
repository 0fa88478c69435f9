"""Feedback statistics, the figures of TT 01 index 8 and the six-monthly report."""
import csv
import io
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook

from feedback import reports
from feedback.services import act
from tests.factories import make_ticket, make_unit, make_user


def test_the_on_time_rate_counts_open_overdue_tickets_as_late():
    assert reports.Row("x", 12, 10, 10, 0).rate == 100
    assert reports.Row("x", 12, 10, 9, 1).rate == pytest.approx(9 / 11 * 100)
    assert reports.Row("x", 3, 0, 0, 0).rate is None


def test_the_report_counts_by_status_class_channel_and_rates_on_time(app, client, db, auth):
    reception = make_user(db, roles=["reception"])
    unit = make_unit(db, name="Phòng Môi trường")
    when = datetime(2026, 3, 2, 3, tzinfo=timezone.utc)
    refused = make_ticket(app, db, received_at=when)
    make_ticket(app, db, received_at=when, channel="hotline")  # open and overdue by now
    accepted = make_ticket(app, db, received_at=when)
    # One request each, as in the app (the email templates read through the app's session).
    with app.test_request_context():
        act(db, refused, "refuse", reception, {"refusal_reason": "unclear"}, shown_version=None)
    with app.test_request_context():
        act(db, accepted, "accept", reception, {"ticket_class": "competence",
                                                "unit_id": unit.id}, shown_version=None)
    db.commit()
    with app.test_request_context("/?lang=en"):
        built = reports.build(db, reports.six_months(2026, 1))
    # refused today, long after the 10-day notification deadline: finished, but late
    assert (built.total.received, built.total.finished, built.total.on_time) == (3, 1, 0)
    assert built.total.overdue_open == 1 and built.total.rate == 0
    # late: the refused one and the one never classified; the accepted one is within its
    # answer deadline (counted from its acceptance today)
    assert built.index8 == (3, 0, 2, 0)
    sections = dict(built.sections)
    assert {row.label: row.received for row in sections["channel"]} == {
        "Website": 2, "Hotline call": 1}
    assert {row.label: row.finished for row in sections["class"]}[
        "Not accepted (does not meet the requirements)"] == 1
    auth.as_role("leader")
    page = client.get("/staff/feedback/reports?year=2026&half=1&lang=en").get_data(as_text=True)
    assert "Counted for index 8" in page and "3 received: 0 handled on time, 2 late" in page
    assert "Phòng Môi trường" in page
    with client.get("/staff/feedback/reports?year=2026&half=1&format=csv") as response:
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["section", "key", "received"] and rows[-1][:2] == [
        "answers_rated", "total"]
    assert ["index_8", "counted", "3", "", "0", "2", ""] in rows
    with client.get("/staff/feedback/reports?year=2026&half=1&format=xlsx") as response:
        sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.cell(1, 1).value == "section"
    for query in ("?year=abc", "?year=1999&half=9", "?format=exe"):
        assert client.get("/staff/feedback/reports" + query).status_code == 200


def test_index_8_counts_late_open_tickets_and_leaves_out_duplicates_and_no_replies(app, db):
    """Per unit: answered on time, answered late, open past the deadline (late), open within
    it (neither), a linked duplicate and a ticket closed for want of the citizen's reply (not
    counted at all)."""
    land, water = make_unit(db, name="Đất đai"), make_unit(db, name="Tài nguyên nước")
    received = datetime(2026, 2, 2, 3, tzinfo=timezone.utc)
    tickets = {name: make_ticket(app, db, received_at=received) for name in (
        "on_time", "late", "open_overdue", "duplicate", "no_reply", "water_on_time")}
    tickets["within"] = make_ticket(app, db)  # received today: not due yet, in H2
    finished = datetime(2026, 3, 1, 3, tzinfo=timezone.utc)
    for name, unit, on_time in (("on_time", land, True), ("late", land, False),
                                ("no_reply", land, None), ("water_on_time", water, True)):
        tickets[name].unit_id, tickets[name].on_time = unit.id, on_time
        tickets[name].finished_at, tickets[name].due_on = finished, None
    tickets["open_overdue"].unit_id = land.id  # its deadline passed in February
    tickets["duplicate"].unit_id = land.id
    tickets["duplicate"].duplicate_of_id = tickets["open_overdue"].id
    tickets["duplicate"].due_on = None
    db.commit()
    counts = reports.index8_counts(db, reports.six_months(2026, 1))
    assert counts == {land.id: (3, 1, 2, 0), water.id: (1, 1, 0, 0)}
    assert reports.index8_counts(db, reports.six_months(2025, 2)) == {}
