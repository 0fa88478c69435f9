"""Who is on duty at a counter, and the answers credited to them."""
from datetime import date, timedelta

from sqlalchemy import select

from portal.audit import AuditEntry
from survey.models import CounterDuty
from tests.factories import make_counter, make_user


def duty_days(db, counter):
    return [duty.day for duty in db.scalars(select(CounterDuty).where(
        CounterDuty.counter_id == counter.id).order_by(CounterDuty.day))]


def test_assigning_a_week_of_working_days(auth, client, db):
    auth.as_role("secretariat")
    counter = make_counter(db)
    officer = make_user(db, roles=["reception"], full_name="Lê Thị Cúc")
    response = client.post(f"/staff/survey/counters/{counter.id}/duty", data={
        "officer_id": str(officer.id), "first_day": "2026-11-23", "last_day": "2026-11-29",
        "weekdays_only": "y"}, follow_redirects=True)
    assert "Đã thêm 5 ngày trực." in response.get_data(as_text=True)
    assert duty_days(db, counter) == [date(2026, 11, 23) + timedelta(days=n) for n in range(5)]
    again = client.post(f"/staff/survey/counters/{counter.id}/duty", data={
        "officer_id": str(officer.id), "first_day": "2026-11-23", "last_day": "2026-11-29"},
        follow_redirects=True)
    assert "Đã thêm 2 ngày trực." in again.get_data(as_text=True)  # the weekend, once
    assert len(duty_days(db, counter)) == 7
    assert db.scalar(select(AuditEntry.action).where(
        AuditEntry.action == "counter.duty_assigned").limit(1))


def test_bad_duty_forms(auth, client, db):
    auth.as_role("admin")
    counter = make_counter(db)
    officer = make_user(db, roles=["reception"])
    for data, message in [
        ({"first_day": "2026-11-30", "last_day": "2026-11-23"},
         "Ngày kết thúc trước ngày bắt đầu."),
        ({"first_day": "2026-01-01", "last_day": "2026-12-31"}, "tối đa 92 ngày"),
        ({"first_day": "30/11/2026", "last_day": "2026-12-01"}, "Ngày không hợp lệ."),
        ({"first_day": "", "last_day": "2026-12-01"}, "Mục này là bắt buộc."),
    ]:
        page = client.post(f"/staff/survey/counters/{counter.id}/duty",
                           data={"officer_id": str(officer.id), **data}).get_data(as_text=True)
        assert message in page, message
    page = client.post(f"/staff/survey/counters/{counter.id}/duty", data={
        "officer_id": "999999", "first_day": "2026-11-23", "last_day": "2026-11-23"})
    assert "Lựa chọn không hợp lệ." in page.get_data(as_text=True)
    assert duty_days(db, counter) == []


def test_removing_a_duty(auth, client, db):
    from portal.workdays import today_in_vietnam

    auth.as_role("admin")
    counter = make_counter(db)
    officer = make_user(db, roles=["reception"], full_name="Phạm Văn Dũng")
    duty = CounterDuty(counter_id=counter.id, user_id=officer.id, day=today_in_vietnam())
    db.add(duty)
    db.commit()
    page = client.get(f"/staff/survey/counters/{counter.id}/duty").get_data(as_text=True)
    assert "Phạm Văn Dũng" in page
    other = make_counter(db)
    assert client.post(f"/staff/survey/counters/{other.id}/duty/{duty.id}/remove"
                       ).status_code == 404
    client.post(f"/staff/survey/counters/{counter.id}/duty/{duty.id}/remove")
    assert duty_days(db, counter) == []
