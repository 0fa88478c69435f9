"""Duplicates: similar recent tickets suggested; a duplicate linked to its master keeps its
code and gets the master's answer; the published list shows the master once."""
import html

from sqlalchemy import select

from feedback import duplicates
from feedback import workflow as wf
from feedback.models import OutboxMessage, Ticket, TicketEvent
from tests.factories import act_as, make_ticket, sign_in_as

DUMP = ("Xe tải chở đất đổ trộm xuống mương thoát nước thôn Phước Lộc mỗi đêm, mương bị lấp, "
        "mưa là ngập ruộng lúa của bà con.")
DUMP_AGAIN = ("Đêm nào cũng có xe tải đổ đất trộm xuống mương thoát nước ở thôn Phước Lộc, "
              "ruộng lúa ngập khi mưa.")
OTHER = "Hồ sơ cấp giấy chứng nhận quyền sử dụng đất của tôi bị trễ hẹn ba tuần."


def test_similar_texts_are_found_and_loops_are_seen():
    assert duplicates.similarity(duplicates.words(DUMP), duplicates.words(DUMP_AGAIN)) >= \
        duplicates.THRESHOLD
    assert duplicates.similarity(duplicates.words(DUMP), duplicates.words(OTHER)) < 0.1
    found = duplicates.suggest(DUMP, 1, None, [(7, DUMP_AGAIN, 1, None), (8, OTHER, 1, None),
                                               (9, DUMP_AGAIN, 2, None)])
    assert [candidate.ticket_id for candidate in found] == [7]  # 9 is about another field
    links = {1: 2, 2: None}
    assert duplicates.would_loop(2, 1, links.get) and duplicates.would_loop(3, 3, links.get)
    assert not duplicates.would_loop(3, 1, links.get)


def test_a_duplicate_is_suggested_linked_and_answered_with_its_master(app, client, db, people):
    master = make_ticket(app, db, content=DUMP, email="first@example.vn")
    duplicate = make_ticket(app, db, content=DUMP_AGAIN, email="second@example.vn")
    unrelated = make_ticket(app, db, content=OTHER)
    sign_in_as(client, people["reception"])
    page = client.get(f"/staff/feedback/{duplicate.code}?lang=en").get_data(as_text=True)
    assert "look like this one" in page and master.code in page
    assert unrelated.code not in page

    def link(ticket, master_code):
        db.expire_all()
        return html.unescape(client.post(
            f"/staff/feedback/{ticket.code}/duplicate?lang=en", data={
                "master": master_code, "version": db.get(Ticket, ticket.id).version},
            follow_redirects=True).get_data(as_text=True))

    assert "cannot be a duplicate of itself" in link(duplicate, duplicate.code)
    assert "No ticket has the code" in link(duplicate, "PA-2026-999999Z")
    assert "its citizen will get that ticket's answer" in link(duplicate, master.code.lower())
    assert db.get(Ticket, duplicate.id).duplicate_of_id == master.id
    assert "in a loop" in link(master, duplicate.code)
    assert db.get(Ticket, master.id).duplicate_of_id is None
    third = make_ticket(app, db, content=DUMP)
    assert "Other tickets are linked to this one" in link(master, third.code)
    handlers = people["handler"]
    # the master is handled and answered: the duplicate's citizen gets the same answer
    act_as(client, people["reception"], master.code, "accept", ticket_class="competence",
           unit_id=people["unit"].id)
    act_as(client, handlers, master.code, "start")
    act_as(client, handlers, master.code, "draft", answer="Sở đã xử phạt và nạo vét mương.")
    act_as(client, handlers, master.code, "submit")
    act_as(client, people["secretariat"], master.code, "approve")
    assert act_as(client, people["secretariat"], master.code, "send").status_code == 302
    db.expire_all()
    copied = db.get(Ticket, duplicate.id)
    assert copied.state == wf.ANSWERED and copied.answer == "Sở đã xử phạt và nạo vét mương."
    assert copied.answer_round == 1 and copied.code != master.code
    mails = db.scalars(select(OutboxMessage).where(OutboxMessage.recipient ==
                                                   "second@example.vn")).all()
    assert any("Sở đã xử phạt" in mail.body for mail in mails)
    actions = db.scalars(select(TicketEvent.action).where(TicketEvent.ticket_id == duplicate.id))
    assert wf.ANSWER_WITH_MASTER in list(actions)
    # an answered ticket cannot be linked any more
    assert "already answered or closed" in link(copied, unrelated.code)
    # both published: the public list shows the master once
    for ticket in (master, duplicate):
        act_as(client, people["secretariat"], ticket.code, "publish")
    client.post("/staff/logout")
    listing = client.get("/feedback/published").get_data(as_text=True)
    assert master.code in listing and duplicate.code not in listing


def test_a_duplicate_can_be_unlinked(app, client, db, people):
    master = make_ticket(app, db, content=DUMP)
    duplicate = make_ticket(app, db, content=DUMP_AGAIN)
    sign_in_as(client, people["secretariat"])
    client.post(f"/staff/feedback/{duplicate.code}/duplicate",
                data={"master": master.code, "version": duplicate.version})
    db.expire_all()
    assert db.get(Ticket, duplicate.id).duplicate_of_id == master.id
    page = client.get(f"/staff/feedback/{duplicate.code}?lang=en").get_data(as_text=True)
    assert "A duplicate of" in page
    client.post(f"/staff/feedback/{duplicate.code}/duplicate",
                data={"master": "", "version": db.get(Ticket, duplicate.id).version})
    db.expire_all()
    assert db.get(Ticket, duplicate.id).duplicate_of_id is None
    sign_in_as(client, people["handler"])
    assert client.post(f"/staff/feedback/{duplicate.code}/duplicate",
                       data={"master": master.code}).status_code == 403


def test_a_similar_ticket_is_flagged_at_intake_and_linking_tells_the_citizen(
        app, client, db, people):
    master = make_ticket(app, db, content=DUMP)
    duplicate = make_ticket(app, db, content=DUMP_AGAIN, email="second@example.vn")
    assert db.get(Ticket, duplicate.id).suggested_duplicate_id == master.id
    assert db.get(Ticket, master.id).suggested_duplicate_id is None
    sign_in_as(client, people["reception"])
    queue = client.get("/staff/feedback?lang=en").get_data(as_text=True)
    row = queue[queue.index(duplicate.code):][:400]
    assert "possible duplicate" in row
    client.post(f"/staff/feedback/{duplicate.code}/duplicate",
                data={"master": master.code, "version": duplicate.version})
    db.expire_all()
    linked = db.get(Ticket, duplicate.id)
    assert linked.due_on is None  # its master's deadline runs for it
    [mail] = db.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == "second@example.vn", OutboxMessage.notice == "linked")).all()
    assert master.code in mail.body
    letter = client.get(f"/staff/feedback/{duplicate.code}/letters/linked")
    assert letter.status_code == 200 and master.code in letter.get_data(as_text=True)
