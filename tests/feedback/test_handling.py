"""Handling a ticket through the staff pages: classify, assign, draft, review, answer,
publish; roles, conflicts, history and personal data."""
import re

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DatabaseError

from feedback.models import OutboxMessage, ReplyTemplate, Ticket, TicketEvent
from portal.audit import AppendOnlyError
from tests.factories import act_as, make_ticket, sign_in_as


def _handle_to_answered(client, db, people, ticket):
    assert act_as(client, people["reception"], ticket.code, "accept", ticket_class="competence",
                  unit_id=people["unit"].id).status_code == 302
    assert act_as(client, people["handler"], ticket.code, "start").status_code == 302
    assert act_as(client, people["handler"], ticket.code, "draft",
                  answer="Kính gửi bà Lê Thị Hoa, Sở đã kiểm tra và cấp giấy ngày 5/3.") \
        .status_code == 302
    assert act_as(client, people["handler"], ticket.code, "submit").status_code == 302
    assert act_as(client, people["secretariat"], ticket.code, "approve").status_code == 302
    assert act_as(client, people["secretariat"], ticket.code, "send").status_code == 302


def test_the_whole_handling_with_one_return_and_publication(app, client, db, people):
    ticket = make_ticket(app, db, consent_publish=True,
                         content="Tôi là Lê Thị Hoa, số nhà 45 Lê Lợi, điện thoại 0912345678; "
                                 "hồ sơ đất đai của tôi ở đường Trần Phú bị trễ hẹn.")
    code = ticket.code
    response = act_as(client, people["reception"], code, "accept", ticket_class="competence",
                      unit_id=people["unit"].id)
    assert response.status_code == 302
    stored = db.get(Ticket, ticket.id)
    assert stored.state == "assigned" and stored.answer_due_on and stored.due_on == \
        stored.answer_due_on
    assert act_as(client, people["handler"], code, "start").status_code == 302
    # the reply template is inserted without losing what was typed
    competence = db.scalar(select(ReplyTemplate).where(ReplyTemplate.outcome == "competence",
                                                      ReplyTemplate.language == "vi"))
    page = act_as(client, people["handler"], code, "draft", answer="Câu mở đầu của tôi.",
                  template=competence.id, insert_template="1")
    text_ = page.get_data(as_text=True)
    assert "Câu mở đầu của tôi." in text_ and "Sau khi xem xét, Sở trả lời" in text_
    assert db.get(Ticket, ticket.id).state == "in_progress"
    assert act_as(client, people["handler"], code, "draft",
                  answer="Kính gửi bà Lê Thị Hoa, hồ sơ đã được giải quyết.").status_code == 302
    assert act_as(client, people["handler"], code, "submit").status_code == 302
    returned = act_as(client, people["secretariat"], code, "return", reason="")
    assert returned.status_code == 400 and "This is needed here." in returned.get_data(
        as_text=True)
    assert act_as(client, people["secretariat"], code, "return",
                  reason="Cần nêu căn cứ pháp lý").status_code == 302
    assert db.get(Ticket, ticket.id).state == "returned"
    assert act_as(client, people["handler"], code, "draft",
                  answer="Kính gửi bà Lê Thị Hoa, căn cứ Điều 9 Nghị định số 20/2008/NĐ-CP, "
                         "hồ sơ đã được giải quyết.").status_code == 302
    assert act_as(client, people["handler"], code, "submit").status_code == 302
    assert act_as(client, people["secretariat"], code, "approve").status_code == 302
    assert act_as(client, people["secretariat"], code, "send").status_code == 302
    stored = db.get(Ticket, ticket.id)
    assert stored.state == "answered" and stored.answered_at and stored.on_time is True
    mails = db.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id)).all()
    assert len(mails) == 3  # received, accepted, answered
    # publication: masks prepared and highlighted for review
    prepared = client.get(f"/staff/feedback/{code}/publish").get_data(as_text=True)
    assert '<mark class="masked">[họ tên]</mark>' in prepared
    assert '<mark class="masked">[số điện thoại]</mark>' in prepared
    # a street named after a person is kept, and shown apart for a second look
    assert re.search(r'<mark class="kept"[^>]*>Trần Phú</mark>', prepared)
    assert "0912345678" not in prepared.split("Nội dung phản ánh công khai")[0]
    response = act_as(client, people["secretariat"], code, "publish",
                      public_question="[họ tên] phản ánh hồ sơ đất đai bị trễ hẹn.",
                      public_answer="Căn cứ Điều 9 Nghị định số 20/2008/NĐ-CP, hồ sơ đã được "
                                    "giải quyết.")
    assert response.status_code == 302
    public = client.get(f"/feedback/published/{code}").get_data(as_text=True)
    assert "hồ sơ đất đai bị trễ hẹn" in public and "Lê Thị Hoa" not in public
    assert "0912345678" not in public
    history = [event.action for event in db.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id))]
    assert history == ["received", "accept", "start", "draft", "submit", "return", "draft",
                       "submit", "approve", "send", "publish"]
    # unpublishing needs a reason
    assert act_as(client, people["secretariat"], code, "unpublish").status_code == 400
    assert act_as(client, people["secretariat"], code, "unpublish",
                  reason="Có thông tin chưa được che").status_code == 302
    assert client.get(f"/feedback/published/{code}").status_code == 404


def test_refusal_and_forwarding_tell_the_citizen_and_finish_on_time(app, client, db, people):
    refused, forwarded = make_ticket(app, db), make_ticket(app, db)
    assert act_as(client, people["reception"], refused.code, "refuse",
                  refusal_reason="identity").status_code == 302
    missing = act_as(client, people["reception"], forwarded.code, "forward",
                     agency="UBND phường Nha Trang")
    text_ = missing.get_data(as_text=True)
    assert missing.status_code == 400 and "UBND phường Nha Trang" in text_
    assert db.get(Ticket, forwarded.id).state == "received"
    assert act_as(client, people["reception"], forwarded.code, "forward",
                  agency="UBND phường Nha Trang", dispatch_number="12/STNMT",
                  dispatch_date="2026-03-02").status_code == 302
    for ticket, state in ((refused, "not_accepted"), (forwarded, "forwarded")):
        stored = db.get(Ticket, ticket.id)
        assert stored.state == state and stored.on_time is True and stored.due_on is None
    bodies = db.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id)).all()
    assert any("không đúng họ tên" in body for body in bodies)
    assert any("UBND phường Nha Trang" in body and "12/STNMT" in body for body in bodies)


def test_the_usual_action_comes_first_and_each_field_has_its_own_label(app, client, db, people):
    ticket = make_ticket(app, db)
    sign_in_as(client, people["reception"])
    page = client.get(f"/staff/feedback/{ticket.code}?lang=en").get_data(as_text=True)
    headings = re.findall(r'<h3 id="action-(\w+)">', page)
    assert headings == ["accept", "forward", "refuse"]
    refusal = page[page.index('id="action-refuse"'):]
    labels = re.findall(r"<label[^>]*>([^<]+)</label>", refusal)
    assert labels[:2] == ["Why it cannot be accepted",
                          "What the citizen should know (optional)"]
    # a required detail is marked for people; an unknown action changes nothing
    assert 'aria-required="true"' in refusal.split("What the citizen")[0]
    response = client.post(f"/staff/feedback/{ticket.code}/act", data={
        "action": "delete", "version": ticket.version})
    assert response.status_code == 409 and db.get(Ticket, ticket.id).state == "received"


def test_an_illegal_transition_is_refused_with_the_current_state(app, client, db, people):
    ticket = make_ticket(app, db)
    response = act_as(client, people["secretariat"], ticket.code, "approve")
    assert response.status_code == 409 and "current state" in response.get_data(as_text=True)
    assert db.get(Ticket, ticket.id).state == "received"


def test_a_stale_form_loses_nothing_typed_and_saves_nothing(app, client, db, people):
    ticket = make_ticket(app, db)
    act_as(client, people["reception"], ticket.code, "accept", ticket_class="competence",
           unit_id=people["unit"].id)
    act_as(client, people["handler"], ticket.code, "start")
    old_version = db.get(Ticket, ticket.id).version
    # someone else adds a note in between
    client.post(f"/staff/feedback/{ticket.code}/note",
                data={"note": "Đã gọi điện cho người dân", "version": str(old_version)})
    response = act_as(client, people["handler"], ticket.code, "draft",
                      answer="Bản trả lời dài tôi vừa gõ xong", version=old_version)
    text_ = response.get_data(as_text=True)
    assert response.status_code == 409 and "Someone else changed this ticket" in text_
    assert "Bản trả lời dài tôi vừa gõ xong" in text_
    stored = db.get(Ticket, ticket.id)
    assert stored.answer is None and stored.state == "in_progress"


def test_two_sessions_updating_one_ticket_cannot_both_win(app, db):
    """The version column turns a race between two commits into an error for the loser."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    ticket = make_ticket(app, db)
    first = Session(bind=db.connection(), join_transaction_mode="create_savepoint")
    second = Session(bind=db.connection(), join_transaction_mode="create_savepoint")
    mine, theirs = first.get(Ticket, ticket.id), second.get(Ticket, ticket.id)
    mine.answer = "A"
    first.flush()
    theirs.answer = "B"
    with pytest.raises(StaleDataError):
        second.flush()
    second.close()
    first.close()


def test_handlers_see_only_their_units_tickets_and_leaders_no_tickets(app, client, db, people,
                                                                      auth):
    ticket = make_ticket(app, db)
    act_as(client, people["reception"], ticket.code, "accept", ticket_class="conduct",
           unit_id=people["unit"].id)
    client.post("/staff/logout")
    auth.login(people["other_handler"].username)
    assert client.get(f"/staff/feedback/{ticket.code}").status_code == 403
    assert ticket.code not in client.get("/staff/feedback").get_data(as_text=True)
    client.post("/staff/logout")
    auth.login(people["handler"].username)
    assert ticket.code in client.get("/staff/feedback").get_data(as_text=True)
    client.post(f"/staff/feedback/{ticket.code}/act", data={
        "action": "start", "version": str(db.get(Ticket, ticket.id).version)})
    mine = client.get(f"/staff/feedback?officer={people['handler'].id}").get_data(as_text=True)
    assert ticket.code in mine and "Xử Lý" in mine
    assert ticket.code not in client.get(
        f"/staff/feedback?officer={people['other_handler'].id}").get_data(as_text=True)
    client.post("/staff/logout")
    auth.login(people["leader"].username)
    assert client.get("/staff/feedback").status_code == 403
    assert client.get(f"/staff/feedback/{ticket.code}").status_code == 403
    assert client.get("/staff/feedback/reports").status_code == 200


def test_every_view_of_the_senders_details_is_in_the_history(app, client, db, people, auth):
    ticket = make_ticket(app, db, name="Phạm Sentinel", phone="0987000111")
    auth.login(people["reception"].username)
    page = client.get(f"/staff/feedback/{ticket.code}").get_data(as_text=True)
    assert "Phạm Sentinel" not in page and "0987000111" not in page
    shown = client.post(f"/staff/feedback/{ticket.code}/contact").get_data(as_text=True)
    assert "Phạm Sentinel" in shown and "0987000111" in shown
    views = db.scalars(select(TicketEvent).where(TicketEvent.action == "personal_data_viewed"))
    assert [event.actor_id for event in views] == [people["reception"].id]


def test_the_history_is_append_only(app, db):
    ticket = make_ticket(app, db)
    event = db.scalar(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))
    event.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.flush()
    db.rollback()
    with pytest.raises(DatabaseError):
        with db.begin_nested():
            db.execute(update(TicketEvent).values(note="rewritten"))
    with pytest.raises(DatabaseError):
        with db.begin_nested():
            db.execute(text("DELETE FROM ticket_event"))


def test_staff_log_a_hotline_call_with_the_same_kind_of_code(app, client, db, people, auth):
    auth.login(people["reception"].username)
    response = client.post("/staff/feedback/new", data={
        "channel": "hotline", "received_on": "2026-03-02", "kind": "report",
        "content": "Người dân gọi điện phản ánh bộ phận một cửa hẹn trả kết quả sai ngày.",
        "name": "", "address": "", "phone": ""})
    assert response.status_code == 302
    ticket = db.scalar(select(Ticket).where(Ticket.channel == "hotline"))
    assert ticket.received_by_id == people["reception"].id and ticket.code.startswith("PA-2026-")
    assert ticket.classify_due_on.isoformat() == "2026-03-04"
    future = client.post("/staff/feedback/new?lang=en", data={
        "channel": "letter", "received_on": "2999-01-01", "kind": "report",
        "content": "Thư phản ánh về việc chậm trả kết quả hồ sơ đất đai."})
    assert "cannot be in the future" in future.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Ticket)) == 1


def test_bulk_assignment_assigns_waiting_tickets_and_names_the_others(app, client, db, people,
                                                                     auth):
    waiting, fresh = make_ticket(app, db), make_ticket(app, db)
    act_as(client, people["reception"], waiting.code, "accept", ticket_class="competence")
    response = client.post("/staff/feedback/assign", data={
        "ticket_ids": [str(waiting.id), str(fresh.id)], "unit_id": str(people["unit"].id)},
        follow_redirects=True)
    text_ = response.get_data(as_text=True)
    assert db.get(Ticket, waiting.id).state == "assigned"
    assert db.get(Ticket, fresh.id).state == "received" and fresh.code in text_


def test_the_queue_flags_overdue_tickets_and_filters_them(app, client, db, people, auth):
    from datetime import datetime, timezone

    late = make_ticket(app, db, received_at=datetime(2026, 1, 5, 3, tzinfo=timezone.utc))
    on_time = make_ticket(app, db)
    auth.login(people["reception"].username)
    page = client.get("/staff/feedback?due=overdue&lang=en").get_data(as_text=True)
    assert late.code in page and on_time.code not in page and "Overdue" in page
    found = client.get(f"/staff/feedback?q={on_time.code.lower()}").get_data(as_text=True)
    assert on_time.code in found and late.code not in found
    assert client.get("/staff/feedback?q=%27%20OR%201%3D1%20--&state=x&unit=abc").status_code \
        == 200


def test_corrections_are_in_the_history_and_web_content_stays_the_citizens(app, client, db,
                                                                           people, auth):
    from tests.factories import make_procedure

    procedure = make_procedure(db)
    transcribed = make_ticket(app, db, channel="hotline", phone=None,
                              content="Nội dung ghi lại từ cuộc gọi có lỗi chính tả nhỏ.")
    auth.login(people["reception"].username)
    form = client.get(f"/staff/feedback/{transcribed.code}/edit").get_data(as_text=True)
    assert "Nội dung ghi lại từ cuộc gọi" in form
    assert db.scalar(select(TicketEvent.actor_id).where(
        TicketEvent.action == "personal_data_viewed")) == people["reception"].id
    shown_version = db.get(Ticket, transcribed.id).version
    response = client.post(f"/staff/feedback/{transcribed.code}/edit", data={
        "version": str(shown_version), "kind": "proposal",
        "procedure": str(procedure.id), "procedure_field": "",
        "content": "Nội dung ghi lại từ cuộc gọi, đã sửa lỗi chính tả.",
        "name": "Lê Thị Hoa", "address": "45 Lê Lợi, phường Nha Trang",
        "phone": "0912 345 678", "email": "hoa@example.vn",
        "reason": "Người dân gọi lại bổ sung số điện thoại"})
    assert response.status_code == 302
    stored = db.get(Ticket, transcribed.id)
    assert stored.kind == "proposal" and stored.phone_digits == "0912345678"
    assert stored.procedure_id == procedure.id and "da sua loi" in stored.search_text
    event = db.scalar(select(TicketEvent).where(TicketEvent.action == "edit"))
    assert event.note == "Người dân gọi lại bổ sung số điện thoại"
    changed = event.details["changed"]
    assert changed["phone"] is None and changed["kind"] == {"from": "report", "to": "proposal"}
    # a stale correction keeps what was typed and saves nothing
    typed = "Bản sửa cũ hơn nữa, đủ hai mươi ký tự."
    stale = client.post(f"/staff/feedback/{transcribed.code}/edit?lang=en", data={
        "version": str(shown_version), "kind": "report", "content": typed,
        "name": "Lê Thị Hoa", "address": "45 Lê Lợi", "reason": "Sửa lại"})
    assert stale.status_code == 409 and typed in stale.get_data(as_text=True)
    assert db.get(Ticket, transcribed.id).kind == "proposal"
    # the web form's content is the citizen's own: it cannot be changed
    web = make_ticket(app, db)
    client.post(f"/staff/feedback/{web.code}/edit", data={
        "version": str(web.version), "kind": "report", "content": "Nội dung bị sửa bởi cán bộ.",
        "name": web.name, "address": web.address, "phone": web.phone, "email": web.email,
        "reason": "Thử"})
    assert db.get(Ticket, web.id).content == web.content
    missing_reason = client.post(f"/staff/feedback/{web.code}/edit?lang=en", data={
        "version": str(db.get(Ticket, web.id).version), "kind": "report", "name": "x",
        "address": "y", "reason": ""})
    assert "Say why the ticket is corrected." in missing_reason.get_data(as_text=True)
    client.post("/staff/logout")
    auth.login(people["handler"].username)
    assert client.get(f"/staff/feedback/{web.code}/edit").status_code == 403


def test_huge_ids_in_addresses_are_not_found_instead_of_crashing(app, client, db, people, auth):
    ticket = make_ticket(app, db)
    auth.login(people["reception"].username)
    huge = "9" * 30
    assert client.get(f"/staff/feedback/{ticket.code}/attachments/{huge}").status_code == 404
    response = client.post("/staff/feedback/assign", data={
        "ticket_ids": [huge, str(2**31)], "unit_id": str(people["unit"].id)})
    assert response.status_code == 302


def test_staff_intake_refuses_a_day_before_the_year_2000(app, client, db, people, auth):
    auth.login(people["reception"].username)
    response = client.post("/staff/feedback/new?lang=en", data={
        "channel": "letter", "received_on": "0999-01-01", "kind": "report",
        "content": "Thư phản ánh về việc chậm trả kết quả hồ sơ đất đai."})
    assert "too far in the past" in response.get_data(as_text=True)


def test_a_handlers_start_page_leads_to_the_queue(app, client, db, people, auth):
    auth.login(people["handler"].username)
    page = client.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/feedback"' in page
    assert 'href="/staff/feedback/reports"' not in page and 'href="/staff/admin/users"' not in page
