"""The loop that closes for every citizen: a look-up PIN, asking the citizen for information
(the clock stops, then moves on by the paused working days), the citizen's rating of each
answer, and a leader's review of an answer the citizen said did not resolve the issue."""
from datetime import date, timedelta

from sqlalchemy import select

from feedback import services
from feedback import workflow as wf
from feedback.codes import PIN_ALPHABET, normalise_pin
from feedback.models import AnswerRating, OutboxMessage, Ticket, TicketEvent
from portal.db import utcnow
from portal.workdays import today_in_vietnam, vietnam_calendar
from tests.factories import act_as, feedback_form, make_ticket, make_user, sign_in_as


def _stored(db, ticket) -> Ticket:
    db.expire_all()
    return db.get(Ticket, ticket.id)


def _track(client, code, contact, path="", **fields):
    return client.post(f"/feedback/track{path}?lang=en",
                       data={"code": code, "contact": contact, **fields})


def _to_in_progress(client, db, people, **ticket_fields):
    ticket = make_ticket(client.application, db, **ticket_fields)
    assert act_as(client, people["reception"], ticket.code, "accept", ticket_class="competence",
                  unit_id=people["unit"].id).status_code == 302
    assert act_as(client, people["handler"], ticket.code, "start").status_code == 302
    return ticket


def _answer(client, people, code, text="Kính gửi ông bà, Sở trả lời như sau."):
    for user, action, fields in ((people["handler"], "draft", {"answer": text}),
                                 (people["handler"], "submit", {}),
                                 (people["secretariat"], "approve", {}),
                                 (people["secretariat"], "send", {})):
        assert act_as(client, user, code, action, **fields).status_code == 302, action
    client.post("/staff/logout")


def test_every_ticket_gets_a_pin_that_opens_it_like_a_phone_number(app, client, db):
    response = client.post("/feedback/new", data=feedback_form(phone="", email="",
                                                              reply_by_post="y"))
    assert response.status_code == 302
    ticket = db.scalar(select(Ticket))
    assert len(ticket.pin) == 6 and set(ticket.pin) <= set(PIN_ALPHABET)
    receipt = client.get(response.location).get_data(as_text=True)
    assert ticket.pin in receipt
    # any case, with spaces or a dash, as people type it
    spaced = f"{ticket.pin[:3].lower()}-{ticket.pin[3:]}"
    found = _track(client, ticket.code, spaced).get_data(as_text=True)
    assert "Received, being classified" in found
    wrong = ticket.pin[:5] + ("X" if ticket.pin[5] != "X" else "Y")
    assert _track(client, ticket.code, wrong).status_code == 404
    assert normalise_pin("0O1IL5") is None and normalise_pin("ABC") is None


def test_asking_for_information_stops_the_clock_and_the_reply_moves_the_deadline(
        app, client, db, people):
    ticket = _to_in_progress(client, db, people)
    due = _stored(db, ticket).answer_due_on
    asked = act_as(client, people["handler"], ticket.code, "request_info", question="")
    assert asked.status_code == 400 and "This is needed here." in asked.get_data(as_text=True)
    assert act_as(client, people["handler"], ticket.code, "request_info",
                  question="Xin gửi bản chụp sơ đồ thửa đất.").status_code == 302
    waiting = _stored(db, ticket)
    assert waiting.state == wf.WAITING and waiting.due_on is None and waiting.reply_due_on
    mail = db.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert "Xin gửi bản chụp sơ đồ thửa đất." in mail.body and ticket.code in mail.subject
    # four working days pass while the citizen looks for the map
    calendar = vietnam_calendar([date.today().year - 1, date.today().year,
                                 date.today().year + 1])
    today = today_in_vietnam()
    start = today - timedelta(days=1)
    while calendar.working_days_between(start, today) < 4:
        start -= timedelta(days=1)
    _stored(db, ticket).waiting_since = utcnow() - (today - start)
    db.commit()
    client.post("/staff/logout")
    page = _track(client, ticket.code, ticket.phone).get_data(as_text=True)
    assert "Information needed from you" in page and "sơ đồ thửa đất" in page
    empty = _track(client, ticket.code, ticket.phone, "/reply", reply="")
    assert empty.status_code == 400 and _stored(db, ticket).state == wf.WAITING
    sent = _track(client, ticket.code, ticket.phone, "/reply", reply="Đã gửi sơ đồ qua bưu điện.")
    assert sent.status_code == 200 and "your information was received" in sent.get_data(
        as_text=True)
    resumed = _stored(db, ticket)
    assert resumed.state == wf.IN_PROGRESS and resumed.paused_days == 4
    assert resumed.answer_due_on == calendar.add_working_days(due, 4)
    assert resumed.due_on == resumed.answer_due_on
    # a second reply, to a ticket no longer waiting, is refused and changes nothing
    again = _track(client, ticket.code, ticket.phone, "/reply", reply="Gửi thêm lần nữa.")
    assert again.status_code == 409
    events = db.scalars(select(TicketEvent.action).where(TicketEvent.ticket_id == ticket.id))
    assert list(events).count(wf.CITIZEN_REPLY) == 1
    # a wrong contact never reaches the reply
    assert _track(client, ticket.code, "0999999999", "/reply", reply="x" * 10).status_code == 404


def test_staff_record_a_reply_by_phone_and_silence_closes_the_ticket(app, client, db, people):
    called = _to_in_progress(client, db, people)
    silent = _to_in_progress(client, db, people)
    for ticket in (called, silent):
        assert act_as(client, people["handler"], ticket.code, "request_info",
                      question="Xin cho biết số thửa.").status_code == 302
    assert act_as(client, people["reception"], called.code, "record_reply",
                  reply="Công dân gọi điện: thửa số 45.").status_code == 302
    assert _stored(db, called).state == wf.IN_PROGRESS
    _stored(db, silent).reply_due_on = today_in_vietnam() - timedelta(days=1)
    db.commit()
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["feedback-close-unanswered", "--dry-run"])
    assert silent.code in listed.output and _stored(db, silent).state == wf.WAITING
    result = runner.invoke(args=["feedback-close-unanswered"])
    assert result.exit_code == 0 and "1 tickets closed" in result.output
    closed = _stored(db, silent)
    assert closed.state == wf.NO_REPLY and closed.finished_at and closed.on_time is None
    assert db.scalar(select(OutboxMessage).where(
        OutboxMessage.ticket_id == silent.id, OutboxMessage.subject.contains("đã được kết thúc")))
    public = _track(client, silent.code, silent.phone).get_data(as_text=True)
    assert "not received in time" in public


def test_the_citizen_rates_each_answer_once_and_no_opens_a_leaders_review(
        app, client, db, people):
    people["leader"].email = "leader@example.vn"
    people["leader"].unit_id = people["unit"].id
    other_leader = make_user(db, roles=["leader"], unit_id=people["other_unit"].id)
    db.commit()
    ticket = _to_in_progress(client, db, people, name="Trần Zzsender",
                             content="Hàng xóm Lê Văn Zzneighbour gọi 0911 222 333 đổ rác.")
    client.post("/staff/logout")
    # nothing to rate before an answer is sent
    early = _track(client, ticket.code, ticket.phone, "/rate", resolved="no")
    assert early.status_code == 409 and not db.scalar(select(AnswerRating))
    _answer(client, people, ticket.code, "Kính gửi ông Trần Zzsender, Sở đã xử lý.")
    page = _track(client, ticket.code, ticket.phone).get_data(as_text=True)
    assert "Did this answer resolve your issue?" in page
    mail = db.scalars(select(OutboxMessage).where(OutboxMessage.ticket_id == ticket.id)
                      .order_by(OutboxMessage.id.desc())).first()
    assert "đã giải quyết được vấn đề của bạn chưa?" in mail.body
    missing = _track(client, ticket.code, ticket.phone, "/rate", resolved="")
    assert missing.status_code == 400 and "Choose yes or no." in missing.get_data(as_text=True)
    rated = _track(client, ticket.code, ticket.phone, "/rate", resolved="no",
                   comment="Rác vẫn còn, gọi 0911 222 333 hỏi lại.")
    assert rated.status_code == 200 and "A leader of the department" in rated.get_data(
        as_text=True)
    twice = _track(client, ticket.code, ticket.phone, "/rate", resolved="yes")
    assert twice.status_code == 409
    rating = db.scalar(select(AnswerRating))
    assert not rating.resolved and rating.review_state == "open" and rating.review_due_on
    assert rating.unit_id == people["unit"].id
    assert db.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "leader@example.vn"))
    # the unit's leader reads the case with personal data masked; another unit's may not
    sign_in_as(client, other_leader)
    assert client.get(f"/staff/feedback/reviews/{ticket.code}").status_code == 403
    assert ticket.code not in client.get("/staff/feedback/reviews").get_data(as_text=True)
    sign_in_as(client, people["leader"])
    assert ticket.code in client.get("/staff/feedback/reviews").get_data(as_text=True)
    review = client.get(f"/staff/feedback/reviews/{ticket.code}?lang=en").get_data(as_text=True)
    assert "đổ rác" in review and "Rác vẫn còn" in review
    for probe in ("Zzsender", "Zzneighbour", "0911 222 333"):
        assert probe not in review, probe
    assert client.get(f"/staff/feedback/{ticket.code}").status_code == 403  # no contact page
    no_reason = client.post(f"/staff/feedback/reviews/{ticket.code}", data={
        "action": "rework", "version": _stored(db, ticket).version, "reason": ""})
    assert no_reason.status_code == 400 and _stored(db, ticket).state == wf.ANSWERED
    returned = client.post(f"/staff/feedback/reviews/{ticket.code}", data={
        "action": "rework", "version": _stored(db, ticket).version,
        "reason": "Cần kiểm tra lại hiện trường."})
    assert returned.status_code == 302
    reworked = _stored(db, ticket)
    assert reworked.state == wf.RETURNED and reworked.answer_due_on >= today_in_vietnam()
    assert db.scalar(select(AnswerRating)).review_state == "returned"
    again = client.post(f"/staff/feedback/reviews/{ticket.code}", data={
        "action": "confirm_answer", "version": reworked.version, "reason": "Đúng."})
    assert again.status_code == 409  # nothing left to review
    # a new answer: the citizen may rate it too, and says it is resolved this time
    _answer(client, people, ticket.code, "Sở đã kiểm tra lại và xử lý dứt điểm.")
    assert _stored(db, ticket).answer_round == 2
    assert _track(client, ticket.code, ticket.phone, "/rate",
                  resolved="yes").status_code == 200
    ratings = db.scalars(select(AnswerRating).order_by(AnswerRating.id)).all()
    assert [(r.answer_round, r.resolved) for r in ratings] == [(1, False), (2, True)]
    # the report counts them as the measured SIPAS dimension 5 (too few for a share)
    sign_in_as(client, people["secretariat"])
    report = client.get("/staff/feedback/reports?lang=en").get_data(as_text=True)
    assert "Answers rated by citizens" in report and "insufficient sample (n = 2" in report


def test_a_leader_confirms_an_answer_that_stands(app, client, db, people):
    ticket = _to_in_progress(client, db, people)
    _answer(client, people, ticket.code)
    with app.test_request_context():
        services.rate_answer(db, _stored(db, ticket), False, None)
    db.commit()
    sign_in_as(client, people["leader"])  # a leader without a unit reviews every unit's
    confirmed = client.post(f"/staff/feedback/reviews/{ticket.code}", data={
        "action": "confirm_answer", "version": _stored(db, ticket).version,
        "reason": "Câu trả lời đúng quy định."})
    assert confirmed.status_code == 302
    assert _stored(db, ticket).state == wf.ANSWERED
    assert db.scalar(select(AnswerRating)).review_state == "confirmed"
    public = _track(client, ticket.code, ticket.phone).get_data(as_text=True)
    assert "reviewed and confirmed by a leader" in public
    assert "You said this answer did not resolve your issue" in public
