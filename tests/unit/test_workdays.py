from datetime import date, datetime, timezone

from portal.workdays import today_in_vietnam


def test_the_day_turns_at_midnight_in_vietnam_not_utc():
    assert today_in_vietnam(datetime(2026, 2, 16, 16, 59, tzinfo=timezone.utc)) == date(2026, 2, 16)
    assert today_in_vietnam(datetime(2026, 2, 16, 17, 0, tzinfo=timezone.utc)) == date(2026, 2, 17)


import pytest  # noqa: E402

from portal.workdays import (  # noqa: E402
    DAY_OFF,
    WORKING_DAY,
    Calendar,
    end_of_day,
    vietnam_calendar,
)

CALENDAR_2026 = vietnam_calendar([2026, 2027])


def test_tet_2026_is_off_from_saturday_14_to_sunday_22_february():
    for day in range(14, 23):
        assert not CALENDAR_2026.is_working_day(date(2026, 2, day)), day
    assert CALENDAR_2026.is_working_day(date(2026, 2, 13))
    assert CALENDAR_2026.is_working_day(date(2026, 2, 23))


@pytest.mark.parametrize("received,days,due", [
    # Received the Friday before Tết: counting starts the next day and skips all of Tết.
    (date(2026, 2, 13), 2, date(2026, 2, 24)),
    (date(2026, 2, 13), 5, date(2026, 2, 27)),
    (date(2026, 2, 13), 15, date(2026, 3, 13)),
    # Received during Tết (a web form on a holiday): the same first working day.
    (date(2026, 2, 17), 2, date(2026, 2, 24)),
    # The day of receipt is never counted, even when it is a working day.
    (date(2026, 3, 2), 1, date(2026, 3, 3)),
    # Received on a Friday: the weekend does not count.
    (date(2026, 3, 6), 2, date(2026, 3, 10)),
    # Giỗ Tổ falls on Sunday 26/4/2026: Monday 27/4 is the compensating day off
    # (Điều 111 k3), then 30/4 and 1/5.
    (date(2026, 4, 24), 1, date(2026, 4, 28)),
    (date(2026, 4, 29), 1, date(2026, 5, 4)),
    # Saturday 22/8/2026 is a make-up working day for Monday 31/8 (National Day bridge).
    (date(2026, 8, 21), 1, date(2026, 8, 22)),
    (date(2026, 8, 28), 1, date(2026, 9, 3)),
    # Across the new year: 1/1/2027 is a holiday.
    (date(2026, 12, 31), 1, date(2027, 1, 4)),
])
def test_deadlines_follow_the_civil_code_counting(received, days, due):
    assert CALENDAR_2026.add_working_days(received, days) == due
    assert CALENDAR_2026.working_days_between(received, due) == days


def test_an_administrator_exception_wins_over_the_package():
    # An extra day off on Thursday 31/12/2026 and a make-up Saturday on 9/1/2027.
    calendar = vietnam_calendar([2026, 2027], {date(2026, 12, 31): DAY_OFF,
                                               date(2027, 1, 9): WORKING_DAY,
                                               date(2026, 8, 22): DAY_OFF})
    assert not calendar.is_working_day(date(2026, 12, 31))
    assert calendar.add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 4)
    assert calendar.add_working_days(date(2027, 1, 8), 1) == date(2027, 1, 9)
    # The package's make-up Saturday was cancelled by the administrator.
    assert calendar.add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 24)
    # A working-day exception on a weekday holiday makes it a working day again.
    assert vietnam_calendar([2026], {date(2026, 2, 20): WORKING_DAY}).is_working_day(
        date(2026, 2, 20))
    with pytest.raises(ValueError):
        vietnam_calendar([2026], {date(2026, 1, 2): "holiday"})


def test_zero_days_is_the_day_itself_or_the_next_working_day():
    assert CALENDAR_2026.add_working_days(date(2026, 3, 4), 0) == date(2026, 3, 4)
    assert CALENDAR_2026.add_working_days(date(2026, 2, 14), 0) == date(2026, 2, 23)
    with pytest.raises(ValueError):
        CALENDAR_2026.add_working_days(date(2026, 3, 4), -1)
    assert CALENDAR_2026.working_days_between(date(2026, 3, 5), date(2026, 3, 4)) == 0


def test_a_deadline_counts_from_the_day_of_receipt_in_vietnam_and_ends_at_midnight():
    # 23:30 on Friday 13/2 in Vietnam is 16:30 UTC: still the 13th, so due Tuesday 24/2.
    received = datetime(2026, 2, 13, 16, 30, tzinfo=timezone.utc)
    assert CALENDAR_2026.deadline(received, 2) == date(2026, 2, 24)
    # 00:30 on Saturday 14/2 in Vietnam (17:30 UTC on the 13th): same first working day.
    assert CALENDAR_2026.deadline(datetime(2026, 2, 13, 17, 30, tzinfo=timezone.utc), 2) == \
        date(2026, 2, 24)
    assert end_of_day(date(2026, 2, 24)) == datetime(2026, 2, 24, 17, 0, tzinfo=timezone.utc)


def test_a_plain_calendar_knows_only_weekends():
    plain = Calendar()
    assert plain.is_working_day(date(2026, 2, 17))
    assert not plain.is_working_day(date(2026, 2, 14))
