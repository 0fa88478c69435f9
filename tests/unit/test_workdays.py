from datetime import date, datetime, timezone

from portal.workdays import today_in_vietnam


def test_the_day_turns_at_midnight_in_vietnam_not_utc():
    assert today_in_vietnam(datetime(2026, 2, 16, 16, 59, tzinfo=timezone.utc)) == date(2026, 2, 16)
    assert today_in_vietnam(datetime(2026, 2, 16, 17, 0, tzinfo=timezone.utc)) == date(2026, 2, 17)
