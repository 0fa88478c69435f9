"""Erasure of a feedback sender's personal data (issue 12, point 7; DOMAIN.md §8): at a
citizen's request (secretariat, administrator) and at the end of the retention period (the
daily ``retention`` command). Nothing of the erased values stays anywhere in the database,
the append-only history included; the de-identified texts and the figures stay."""
import io
import re
import warnings
from datetime import timedelta

import pytest
from sqlalchemy import MetaData, select, text, update
from sqlalchemy.exc import DatabaseError, SAWarning

from feedback import erasure, services
from feedback import workflow as wf
from feedback.models import (
    AnswerRating,
    Attachment,
    OutboxMessage,
    Ticket,
    TicketEvent,
)
from portal.audit import AuditEntry as AuditLog
from portal.db import utcnow
from portal.text import fold
from survey.models import Response
from tests.factories import (
    act_as,
    feedback_form,
    make_counter,
    make_response,
    make_ticket,
    make_user,
    sign_in_as,
)

# A sender no heuristic would recognise as a name or an address: only knowing them erases them.
NAME = "Xylo Quortzé"
ADDRESS = "77 Zentinel Alley, phường Lộc Thọ"
PHONE = "0977 431 862"
EMAIL = "xylo.q@sentinel.test"
PDF = b"%PDF-1.4\n% Xylo Quortze CCCD 0977431862\n%%EOF\n"
# What must not be found anywhere afterwards, folded (lower case, no accents), and the digits.
SENTINELS = ("xylo", "quortze", "zentinel", "sentinel.test")
DIGITS = "977431862"


def _stored(db, ticket) -> Ticket:
    db.expire_all()
    return db.get(Ticket, ticket.id)


def _answered_ticket(client, db, people):
    """A ticket that went the whole way, leaving the sender's details in every place they
    can go: its texts, a file, the questions and replies in the history, a correction, a
    note, the messages sent, the rating's comment."""
    data = feedback_form(
        name=NAME, address=ADDRESS, phone=PHONE, email=EMAIL,
        content=f"Tôi là {NAME.upper()}, ở {ADDRESS}. Hồ sơ đất của tôi trễ hẹn hai tuần; "
                "gọi tôi theo số 0977.431.862 hoặc +84 977 431 862.",
        proposed_solution=f"Trả lời qua {EMAIL.upper()}.")
    data["attachments"] = [(io.BytesIO(PDF), "xylo-quortze-cccd.pdf")]
    assert client.post("/feedback/new", data=data,
                       content_type="multipart/form-data").status_code == 302
    ticket = db.scalar(select(Ticket))
    code = ticket.code
    # as if sent on from the survey's thank-you page: the comment is linked to the ticket
    survey_answer = make_response(db, make_counter(db), {"S1": 2},
                                  comment=f"Chậm quá. Xylo Quortzé, {PHONE}.")
    db.flush()
    ticket.survey_response_id = survey_answer.id
    db.commit()
    assert act_as(client, people["reception"], code, "accept", ticket_class="competence",
                  unit_id=people["unit"].id).status_code == 302
    assert act_as(client, people["handler"], code, "start").status_code == 302
    scanned = client.post(f"/staff/feedback/{code}/attachments", data={
        "attachments": [(io.BytesIO(PDF), "NguyenXyloQuortze_CCCD.pdf")]},
        content_type="multipart/form-data")
    assert scanned.status_code == 302 and len(_stored(db, ticket).attachments) == 2
    assert act_as(client, people["handler"], code, "request_info",
                  question="Ông xylo quortze vui lòng gửi sơ đồ thửa đất.").status_code == 302
    with client.application.test_request_context():
        services.citizen_reply(db, _stored(db, ticket),
                               "Tôi, Xylo Quortze (ĐT 097 743 1862), gửi kèm sơ đồ.")
        db.commit()
        services.edit(db, _stored(db, ticket), people["reception"],
                      {"content": _stored(db, ticket).content + f" Nhà {ADDRESS}."},
                      shown_version=None, reason=f"Ông {NAME} bổ sung qua điện thoại")
        services.add_note(db, _stored(db, ticket), people["handler"],
                          f"Đã gọi {PHONE} cho ông Quortzé.")
    db.commit()
    for user, action, fields in (
            (people["handler"], "draft", {"answer": f"Kính gửi ông {NAME}, Sở trả lời..."}),
            (people["handler"], "submit", {}), (people["secretariat"], "approve", {}),
            (people["secretariat"], "send", {})):
        assert act_as(client, user, code, action, **fields).status_code == 302, action
    with client.application.test_request_context():
        services.rate_answer(db, _stored(db, ticket), True, f"Cảm ơn, {NAME} hài lòng.")
    db.commit()
    sign_in_as(client, people["secretariat"])
    assert client.post(f"/staff/feedback/{code}/contact").status_code == 200
    return _stored(db, ticket)


def _every_value(db):
    """Every value of every column of every table, as text (bytes read as Latin-1)."""
    metadata = MetaData()
    with warnings.catch_warnings():  # the tables are wanted, not the indexes on expressions
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based",
                                SAWarning)
        metadata.reflect(bind=db.get_bind())
    for table in metadata.sorted_tables:
        for row in db.execute(select(table)).all():
            for column, value in zip(table.columns, row, strict=True):
                if value is None:
                    continue
                value = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                yield f"{table.name}.{column.name}", value


def _leftovers(db) -> list[str]:
    found = []
    for where, value in _every_value(db):
        folded = fold(value)
        if any(sentinel in folded for sentinel in SENTINELS) \
                or DIGITS in re.sub(r"\D", "", value):
            found.append(f"{where}: {value[:120]}")
    return found


def _erase(client, code, version=None, **fields):
    data = {"reason": "Thư đề nghị ngày 20/11 của người gửi, nhận tại bộ phận một cửa.",
            "confirm": "y", **fields}
    if version is not None:
        data["version"] = str(version)
    return client.post(f"/staff/feedback/{code}/erase?lang=en", data=data)


def test_a_citizens_request_erases_every_copy_of_their_details(app, client, db, people):
    ticket = _answered_ticket(client, db, people)
    assert len(_leftovers(db)) > 10, "the sweep finds the details before the erasure"
    assert db.scalar(select(OutboxMessage).where(OutboxMessage.recipient == EMAIL))
    sign_in_as(client, people["secretariat"])
    page = client.get(f"/staff/feedback/{ticket.code}?lang=en").get_data(as_text=True)
    assert "The citizen asks for their personal data to be erased" in page

    response = _erase(client, ticket.code, ticket.version,
                      reason=f"Ông {NAME} gửi thư ngày 20/11 đề nghị xóa dữ liệu.")
    assert response.status_code == 302
    assert _leftovers(db) == []
    erased = _stored(db, ticket)
    assert (erased.name, erased.address, erased.phone, erased.email, erased.pin) \
        == ("", "", None, None, None)
    assert erased.personal_data_erased_at is not None
    # The citizen's words and the answer stay, de-identified; the figures stay.
    assert "Hồ sơ đất của tôi trễ hẹn hai tuần" in erased.content
    assert "[họ tên]" in erased.content and "[số điện thoại]" in erased.content
    assert erased.proposed_solution == "Trả lời qua [email]."
    assert erased.answer.startswith("Kính gửi ông [họ tên]")
    assert erased.state == wf.ANSWERED and erased.on_time is True and erased.answer_round == 1
    assert db.scalar(select(Attachment)) is None
    assert db.get(Response, erased.survey_response_id).comment \
        == "Chậm quá. [họ tên], [số điện thoại]."
    rating = db.scalar(select(AnswerRating))
    assert rating.resolved is True and "hài lòng" in rating.comment
    messages = db.scalars(select(OutboxMessage)).all()
    assert messages and all(m.recipient == "" and m.body == "" and m.erased_at
                            for m in messages)
    assert all(erased.code in m.subject for m in messages if m.notice)
    # The history keeps every line, who and when; the texts are de-identified once.
    events = db.scalars(select(TicketEvent).order_by(TicketEvent.id)).all()
    actions = [event.action for event in events]
    assert actions[-1] == erasure.EVENT and "citizen_reply" in actions and "edit" in actions
    reply = next(event for event in events if event.action == "citizen_reply")
    assert "gửi kèm sơ đồ" in reply.details["reply"] and reply.erased_at is not None
    last = events[-1]
    assert last.actor_id == people["secretariat"].id and "[họ tên]" in last.note
    assert last.details == {"by": "request", "events": last.details["events"],
                            "attachments": 2, "messages": len(messages)}
    uploaded = next(event for event in events if event.action == "attachment")
    assert uploaded.details == {"files": ["[tệp].pdf"]}
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "ticket.personal_data_erased"))
    assert entry.target_id == ticket.code and entry.details["attachments"] == 2

    shown = client.get(f"/staff/feedback/{ticket.code}?lang=en").get_data(as_text=True)
    assert "personal data was erased on" in shown and "Letters to the citizen" not in shown
    assert "request" in shown and "2 files deleted" in shown and "4 messages erased" in shown
    assert "Correct the ticket" not in shown
    # Nothing personal can be added back: no correction, no new file.
    refused = client.get(f"/staff/feedback/{ticket.code}/edit?lang=en")
    assert refused.status_code == 302
    assert client.post(f"/staff/feedback/{ticket.code}/edit", data={
        "name": NAME, "phone": PHONE, "version": str(erased.version)}).status_code == 302
    assert client.post(f"/staff/feedback/{ticket.code}/attachments", data={
        "attachments": [(io.BytesIO(PDF), "xylo.pdf")]},
        content_type="multipart/form-data").status_code == 302
    assert _leftovers(db) == [] and db.scalar(select(Attachment)) is None
    assert "Show the sender" not in shown and "Add files" not in shown
    assert "De-identified on" in shown
    assert client.get(f"/staff/feedback/{ticket.code}/letters/received").status_code == 404
    # The citizen can no longer find it with the phone or email they gave.
    client.post("/staff/logout")
    for contact in (PHONE, EMAIL):
        assert client.post("/feedback/track?lang=en", data={
            "code": ticket.code, "contact": contact}).status_code == 404


def test_erasure_is_refused_while_the_ticket_is_handled_or_reviewed(app, client, db, people):
    ticket = make_ticket(app, db)
    sign_in_as(client, people["secretariat"])
    page = client.get(f"/staff/feedback/{ticket.code}?lang=en").get_data(as_text=True)
    assert "still being handled" in page and "Erase the personal data" not in page
    refused = _erase(client, ticket.code)
    assert refused.status_code == 409
    assert "still being handled" in refused.get_data(as_text=True)
    assert _stored(db, ticket).name == "Lê Thị Hoa"
    # answered, then the citizen says "not resolved": a leader reviews it
    act_as(client, people["reception"], ticket.code, "accept", ticket_class="competence",
           unit_id=people["unit"].id)
    for user, action, fields in (
            (people["handler"], "start", {}), (people["handler"], "draft", {"answer": "Trả lời."}),
            (people["handler"], "submit", {}), (people["secretariat"], "approve", {}),
            (people["secretariat"], "send", {})):
        assert act_as(client, user, ticket.code, action, **fields).status_code == 302
    with app.test_request_context():
        services.rate_answer(db, _stored(db, ticket), False, "Chưa giải quyết.")
    db.commit()
    sign_in_as(client, people["secretariat"])
    refused = _erase(client, ticket.code)
    assert refused.status_code == 409 and "a leader is reviewing it" in refused.get_data(
        as_text=True)
    assert _stored(db, ticket).personal_data_erased_at is None
    assert db.scalar(select(TicketEvent).where(TicketEvent.action == erasure.EVENT)) is None
    assert db.scalar(select(TicketEvent).where(TicketEvent.erased_at.is_not(None))) is None


def _finished_ticket(app, db, days_ago=0, **fields):
    ticket = make_ticket(app, db, **fields)
    ticket.state, ticket.ticket_class = wf.NOT_ACCEPTED, wf.CLASS_NOT_ACCEPTED
    ticket.finished_at = utcnow() - timedelta(days=days_ago)
    db.commit()
    return ticket


@pytest.mark.parametrize(("fields", "message"), [
    ({"reason": ""}, "This field is required."),
    ({"reason": "   xin   "}, "Write at least 10 characters"),
    ({"confirm": ""}, "Tick the box to confirm."),
])
def test_an_erasure_request_without_its_reason_or_confirmation_changes_nothing(
        app, client, db, people, fields, message):
    ticket = _finished_ticket(app, db)
    sign_in_as(client, people["secretariat"])
    response = _erase(client, ticket.code, **fields)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _stored(db, ticket).personal_data_erased_at is None


def test_an_erasure_request_is_for_the_secretariat_and_once(app, client, db, people):
    ticket = _finished_ticket(app, db)
    for role in ("reception", "handler", "leader"):
        sign_in_as(client, people[role])
        assert _erase(client, ticket.code).status_code == 403, role
    sign_in_as(client, people["secretariat"])
    assert _erase(client, "PA-2026-999999X").status_code == 404
    stale = _erase(client, ticket.code, version=ticket.version - 1)
    assert stale.status_code == 409 and "Nothing was erased" in stale.get_data(as_text=True)
    assert _stored(db, ticket).personal_data_erased_at is None
    assert _erase(client, ticket.code).status_code == 302
    again = _erase(client, ticket.code)
    assert again.status_code == 409 and "already erased" in again.get_data(as_text=True)
    assert len(db.scalars(select(TicketEvent).where(
        TicketEvent.action == erasure.EVENT)).all()) == 1


def test_the_history_may_be_de_identified_once_and_changed_no_other_way(app, db):
    ticket = _finished_ticket(app, db)
    event = db.scalar(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))
    for forbidden in ({"action": "note", "erased_at": utcnow()},  # what happened
                      {"actor_id": None, "at": utcnow(), "erased_at": utcnow()},
                      {"note": "rewritten"}):  # without marking it erased
        with pytest.raises(DatabaseError), db.begin_nested():
            db.execute(update(TicketEvent).where(TicketEvent.id == event.id).values(**forbidden))
    with db.begin_nested():
        db.execute(update(TicketEvent).where(TicketEvent.id == event.id)
                   .values(note="[họ tên]", details={}, erased_at=utcnow()))
    with pytest.raises(DatabaseError), db.begin_nested():  # once only
        db.execute(update(TicketEvent).where(TicketEvent.id == event.id)
                   .values(note="rewritten again", erased_at=utcnow()))
    with pytest.raises(DatabaseError), db.begin_nested():
        db.execute(text("DELETE FROM ticket_event"))


def test_retention_erases_what_is_past_its_time_and_nothing_else(app, db, people, runner):
    old = _finished_ticket(app, db, days_ago=800)
    recent = _finished_ticket(app, db, days_ago=100, name="Người Mới")
    open_ticket = make_ticket(app, db)
    open_ticket.received_at = utcnow() - timedelta(days=900)
    reviewed = _finished_ticket(app, db, days_ago=800, name="Đang Xét")
    reviewed.state, reviewed.answer_round = wf.ANSWERED, 1
    db.add(AnswerRating(ticket_id=reviewed.id, answer_round=1, resolved=False,
                        review_state="open"))
    for ticket in (old, recent):
        db.add(Attachment(ticket_id=ticket.id, filename="a.pdf", content_type="application/pdf",
                          size=3, sha256="0" * 64, data=b"%PD"))
    db.add(OutboxMessage(recipient="cu@example.vn", subject="Cũ", body="Kính gửi",
                         sent_at=utcnow() - timedelta(days=120),
                         created_at=utcnow() - timedelta(days=120)))
    db.add(OutboxMessage(recipient="cho@example.vn", subject="Chờ", body="Kính gửi",
                         created_at=utcnow() - timedelta(days=120)))  # not sent yet: kept
    # finished long ago, but its citizen rated the answer and it was reworked since
    reworked = _finished_ticket(app, db, days_ago=800, name="Làm Lại")
    reworked.answered_at = utcnow() - timedelta(days=3)
    # finished long ago, with a message to its citizen still to send
    unsent = _finished_ticket(app, db, days_ago=800, name="Chưa Gửi")
    db.add(OutboxMessage(recipient="chuagui@example.vn", subject="Chờ gửi", body="Kính gửi",
                         ticket_id=unsent.id))
    for ticket in (old, recent, reviewed, reworked):  # their receipts went out long ago
        for message in db.scalars(select(OutboxMessage).where(
                OutboxMessage.ticket_id == ticket.id)):
            message.sent_at = message.created_at = utcnow() - timedelta(days=800)
    db.commit()
    app.config.update(RETENTION_TICKET_DAYS=730, RETENTION_ATTACHMENT_DAYS=90,
                      RETENTION_MESSAGE_DAYS=90)

    dry = runner.invoke(args=["retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "tickets' personal data: 1 would be erased" in dry.output
    assert "tickets' attachments: 2 would be deleted" in dry.output
    assert _stored(db, old).personal_data_erased_at is None

    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert result.output == dry.output.replace("would be ", ""), "the dry run counts the same"
    assert _stored(db, reworked).name == "Làm Lại" and _stored(db, unsent).name == "Chưa Gửi"
    assert "tickets' attachments: 2 deleted" in result.output
    assert "tickets' personal data: 1 erased" in result.output
    assert (_stored(db, old).name, _stored(db, old).personal_data_erased_at is not None) \
        == ("", True)
    assert _stored(db, recent).name == "Người Mới" and not db.scalars(select(Attachment)).all()
    assert db.get(Ticket, open_ticket.id).name and db.get(Ticket, reviewed.id).name == "Đang Xét"
    by_recipient = {m.subject: m for m in db.scalars(select(OutboxMessage))}
    assert by_recipient["Cũ"].recipient == "" and by_recipient["Cũ"].body == ""
    assert by_recipient["Chờ"].recipient == "cho@example.vn"
    files_event = db.scalar(select(TicketEvent).where(
        TicketEvent.ticket_id == recent.id, TicketEvent.action == erasure.ATTACHMENTS_EVENT))
    assert files_event.details == {"by": "retention", "attachments": 1}
    entry = db.scalars(select(AuditLog).where(AuditLog.action == "retention.run")).all()[-1]
    assert entry.details["tickets' personal data"] == 1
    assert "Người Mới" not in str(entry.details)
    again = runner.invoke(args=["retention"])
    assert "tickets' personal data: 0 erased" in again.output, "once is enough"


def test_retention_zero_keeps_everything_and_bad_settings_stop_with_one_line(
        app, db, runner, monkeypatch):
    old = _finished_ticket(app, db, days_ago=5000)
    app.config.update(RETENTION_TICKET_DAYS=0, RETENTION_ATTACHMENT_DAYS=0,
                      RETENTION_MESSAGE_DAYS=0)
    result = runner.invoke(args=["retention"])
    assert "tickets' personal data: 0 erased" in result.output
    assert _stored(db, old).name == "Lê Thị Hoa"
    from portal.config import SettingsError, from_environment

    for name in ("RETENTION_TICKET_DAYS", "RETENTION_ATTACHMENT_DAYS",
                 "RETENTION_MESSAGE_DAYS", "RETENTION_DOSSIER_DAYS"):
        monkeypatch.setenv(name, "-1")
        with pytest.raises(SettingsError, match=name):
            from_environment("/tmp")
        monkeypatch.delenv(name)


def test_an_erased_message_is_not_sent_and_cannot_be_sent_again(app, client, db, people):
    ticket = _finished_ticket(app, db)
    waiting = db.scalar(select(OutboxMessage).where(OutboxMessage.ticket_id == ticket.id))
    assert waiting is not None and waiting.sent_at is None
    sign_in_as(client, people["secretariat"])
    assert _erase(client, ticket.code).status_code == 302
    db.expire_all()
    message = db.get(OutboxMessage, waiting.id)
    assert message.failed and message.sent_at is None and message.recipient == ""
    from feedback import notify

    assert notify.claim_next(db, utcnow()) is None
    sign_in_as(client, make_user(db, roles=["admin"]))
    outbox = client.get("/staff/feedback/outbox?lang=en").get_data(as_text=True)
    assert "erased on" in outbox and "Send again" not in outbox
    refused = client.post(f"/staff/feedback/outbox/{message.id}/retry?lang=en")
    assert refused.status_code == 302
    db.expire_all()
    assert db.get(OutboxMessage, message.id).failed


def test_erasing_a_master_also_erases_its_sender_from_the_answer_copied_to_duplicates(
        app, client, db, people):
    master = make_ticket(app, db, name=NAME, phone=PHONE, email=EMAIL)
    duplicate = make_ticket(app, db, name="Lê Văn Khác", email="khac@example.vn")
    with app.test_request_context():
        services.link_duplicate(db, duplicate, master, people["reception"], shown_version=None)
    db.commit()
    act_as(client, people["reception"], master.code, "accept", ticket_class="competence",
           unit_id=people["unit"].id)
    for user, action, fields in (
            (people["handler"], "start", {}),
            (people["handler"], "draft", {"answer": f"Kính gửi ông {NAME} và các công dân."}),
            (people["handler"], "submit", {}), (people["secretariat"], "approve", {}),
            (people["secretariat"], "send", {})):
        assert act_as(client, user, master.code, action, **fields).status_code == 302
    copied = _stored(db, duplicate)
    assert NAME in copied.answer and copied.state == wf.ANSWERED
    assert _erase(client, master.code).status_code == 302
    assert _leftovers(db) == []
    copied = _stored(db, duplicate)
    assert copied.answer == "Kính gửi ông [họ tên] và các công dân."
    assert copied.name == "Lê Văn Khác" and copied.personal_data_erased_at is None
    assert db.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == "khac@example.vn", OutboxMessage.notice == "answered"))


def test_files_sent_from_a_page_left_open_while_the_ticket_changed_are_refused(
        app, client, db, people):
    ticket = make_ticket(app, db)
    sign_in_as(client, people["reception"])
    response = client.post(f"/staff/feedback/{ticket.code}/attachments?lang=en", data={
        "attachments": [(io.BytesIO(PDF), "scan.pdf")], "version": str(ticket.version - 1)},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Someone else changed this ticket meanwhile. No file was added" in response.get_data(
        as_text=True)
    assert db.scalar(select(Attachment)) is None
