""""Due soon" means something: a ticket that has just arrived is not already due soon."""
from datetime import date
from types import SimpleNamespace

from feedback import queries
from feedback import workflow as wf
from feedback.services import DeadlineRules
from portal.workdays import vietnam_calendar

CALENDAR = vietnam_calendar([2026])
MONDAY = date(2026, 3, 2)
DEFAULTS = DeadlineRules()


def _flag(state, due_on, today, rules=DEFAULTS):
    soon = queries.soon_until(CALENDAR, today, rules)
    return queries.due_flag(SimpleNamespace(state=state, due_on=due_on), today, soon)


def test_a_new_ticket_is_not_due_soon_but_is_on_the_day_before_its_deadline():
    deadline = CALENDAR.add_working_days(MONDAY, 2)  # classification: 2 working days
    assert _flag(wf.RECEIVED, deadline, MONDAY) == ""
    assert _flag(wf.RECEIVED, deadline, date(2026, 3, 3)) == queries.DUE_SOON
    assert _flag(wf.RECEIVED, deadline, deadline) == queries.DUE_SOON
    assert _flag(wf.RECEIVED, deadline, date(2026, 3, 5)) == queries.OVERDUE


def test_the_answer_is_due_soon_from_two_working_days_before_its_deadline():
    deadline = date(2026, 3, 20)  # a Friday
    assert _flag(wf.IN_PROGRESS, deadline, date(2026, 3, 17)) == ""
    assert _flag(wf.IN_PROGRESS, deadline, date(2026, 3, 18)) == queries.DUE_SOON
    # the weekend does not count: on Thursday of the week before, a Monday deadline is soon
    assert _flag(wf.IN_PROGRESS, date(2026, 3, 23), date(2026, 3, 19)) == queries.DUE_SOON
    assert _flag(wf.ANSWERED, None, MONDAY) == ""


def test_a_one_day_stage_is_due_soon_only_on_its_day():
    rules = DeadlineRules(classify=1)
    deadline = CALENDAR.add_working_days(MONDAY, 1)
    assert _flag(wf.RECEIVED, deadline, MONDAY, rules) == ""
    assert _flag(wf.RECEIVED, deadline, deadline, rules) == queries.DUE_SOON
