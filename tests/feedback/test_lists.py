"""The ticket lists at any size (issue 13, point 3): the staff queue's filters read tickets in
the queue's own order from its indexes (on SQLite with the state, class and channel kept off
their own indexes), the published list's month reads a month's answers newest first. What a
user sees must stay the same as a plain reading of the rules: these check it on both
databases."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import update

from feedback import workflow as wf
from feedback.models import Ticket
from portal.workdays import today_in_vietnam
from tests.factories import act_on, make_ticket, make_unit
from tests.feedback.test_public import _answer


def _set(db, ticket, **values):
    db.execute(update(Ticket).where(Ticket.id == ticket.id).values(**values))


def test_the_queue_filters_due_dates_and_keeps_nearest_first(app, client, db, people, auth):
    today = today_in_vietnam()
    due = {"late": -10, "late_too": -3, "soon": 0, "later": 60}
    tickets = {name: make_ticket(app, db) for name in due}
    for name, days in due.items():
        _set(db, tickets[name], due_on=today + timedelta(days=days), state=wf.ASSIGNED)
    finished = make_ticket(app, db)
    _set(db, finished, due_on=None, state=wf.CLOSED)
    db.commit()
    auth.login(people["reception"].username)

    def shown(query):
        page = client.get(f"/staff/feedback?{query}").get_data(as_text=True)
        codes = {page.find(ticket.code): name for name, ticket in
                 {**tickets, "finished": finished}.items() if ticket.code in page}
        return [codes[position] for position in sorted(codes)]

    assert shown("") == ["late", "late_too", "soon", "later"]
    assert shown("due=overdue") == ["late", "late_too"]
    assert shown("due=soon") == ["soon"]
    assert shown(f"state={wf.ASSIGNED}&due=soon") == ["soon"]
    assert shown("all=1") == ["late", "late_too", "soon", "later", "finished"]
    assert shown(f"state={wf.CLOSED}&all=1") == ["finished"]
    _set(db, tickets["late_too"], channel="hotline")
    db.commit()
    assert shown("channel=hotline") == ["late_too"]


def test_a_months_answers_are_listed_newest_answer_first(app, client, db):
    unit = make_unit(db)
    answered = {"early june": datetime(2026, 6, 5, 3, tzinfo=timezone.utc),
                "late june": datetime(2026, 6, 20, 3, tzinfo=timezone.utc),
                "july": datetime(2026, 7, 1, 3, tzinfo=timezone.utc),
                "last of june": datetime(2026, 6, 30, 16, 59, tzinfo=timezone.utc)}
    tickets = {name: make_ticket(app, db, consent_publish=True) for name in answered}
    for number, ticket in enumerate(tickets.values()):
        _answer(client, db, ticket.code, unit, answer="Đã xử lý.")
        act_on(client, db, ticket.code, "publish", public_question=f"Câu hỏi số {number}.",
               public_answer="Đã xử lý.")
    for name, when in answered.items():
        _set(db, tickets[name], answered_at=when)
    db.commit()
    client.post("/staff/logout")
    page = client.get("/feedback/published?year=2026&month=6").get_data(as_text=True)
    order = sorted((page.find(ticket.code), name) for name, ticket in tickets.items()
                   if ticket.code in page)
    # 30/06 16:59 UTC is 23:59 in Vietnam: still June; 01/07 is not
    assert [name for _, name in order] == ["last of june", "late june", "early june"]
