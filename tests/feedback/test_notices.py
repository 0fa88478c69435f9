"""Notices that reach every citizen: text messages through a generic HTTP gateway (tested
against a real HTTP server on loopback, outage included), printed letters for those who reply
by post, and the 10-working-day notice measured on the first notice delivered on any channel."""
import http.server
import json
import re
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback import notify
from feedback.models import OutboxMessage, Ticket, TicketEvent
from portal.db import utcnow
from portal.demo import load_hotline
from portal.workdays import today_in_vietnam
from tests.factories import act_as, make_ticket, sign_in_as


class Gateway(http.server.ThreadingHTTPServer):
    """A stand-in SMS gateway on loopback: answers ``status`` (after ``delay`` seconds) and
    keeps what it was sent."""

    def __init__(self):
        self.status, self.delay, self.received = 200, 0.0, []
        gateway = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append((self.headers.get("Authorization"), json.loads(body)))
                time.sleep(gateway.delay)
                self.send_response(gateway.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/send"


@pytest.fixture
def gateway():
    server = Gateway()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _sms(db):
    return db.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms")
                      .order_by(OutboxMessage.id)).all()


def test_citizens_with_a_phone_get_text_messages_when_sms_are_configured(app, client, db, people):
    app.config["SMS_TRANSPORT"] = "off"
    make_ticket(app, db, phone="0905 111 222", email=None)
    assert _sms(db) == []  # off: nothing queued
    app.config["SMS_TRANSPORT"] = "log"
    ticket = make_ticket(app, db, phone="0905 111 333", email=None)
    [received] = _sms(db)
    assert received.recipient == "0905111333" and ticket.code in received.body
    assert ticket.pin in received.body and len(received.body) <= notify.SMS_MAX_LENGTH
    act_as(client, people["reception"], ticket.code, "accept", ticket_class="competence",
           unit_id=people["unit"].id)
    accepted = _sms(db)[-1]
    assert accepted.notice == "accepted" and ticket.code in accepted.body
    make_ticket(app, db, phone=None, email="chi@example.vn", reply_by_post=False)
    assert len(_sms(db)) == 2  # an email-only citizen gets no text message


def test_the_gateway_takes_each_message_once_and_an_outage_delays_it(app, db, gateway):
    app.config.update(SMS_TRANSPORT="log")
    ticket = make_ticket(app, db, phone="0905 222 444", email=None)
    db.commit()
    config = dict(app.config, SMS_TRANSPORT="http", SMS_URL=gateway.url, SMS_TOKEN="sekret",
                  SMS_SENDER="SoNNMT")
    transport = notify.transport_from_config(config)
    transport.sms.timeout = 0.5
    now = utcnow()
    gateway.status = 500  # the gateway fails
    result = notify.send_due(db, transport, now=now)
    assert result.sent == 0 and result.failed == 1
    [message] = _sms(db)
    assert message.sent_at is None and "500" in message.last_error
    assert message.next_attempt_at > now
    gateway.status, gateway.delay = 200, 2.0  # then hangs longer than the timeout
    result = notify.send_due(db, transport, now=message.next_attempt_at)
    assert result.failed == 1 and "reached" in db.get(OutboxMessage, message.id).last_error
    gateway.delay = 0
    later = db.get(OutboxMessage, message.id).next_attempt_at
    assert notify.send_due(db, transport, now=later).sent == 1
    assert notify.send_due(db, transport, now=later + timedelta(days=2)).sent == 0
    authorization, payload = gateway.received[-1]
    assert authorization == "Bearer sekret" and payload["to"] == "0905222444"
    assert payload["sender"] == "SoNNMT" and ticket.code in payload["text"]
    # tried three times; every try carries the same reference, so a gateway that did take
    # the one whose answer timed out can tell the retry is not a new message
    assert [sent["reference"] for _auth, sent in gateway.received] == [
        f"outbox-{message.id}"] * 3


def test_a_gateway_without_an_address_is_refused_with_a_reason(app):
    with pytest.raises(RuntimeError, match="SMS_URL"):
        notify.transport_from_config(dict(app.config, SMS_TRANSPORT="http", SMS_URL=""))


def test_the_first_notice_delivered_is_measured_against_ten_working_days(
        app, client, db, people):
    ticket = make_ticket(app, db, email="hoa@example.vn")
    act_as(client, people["reception"], ticket.code, "accept", ticket_class="competence",
           unit_id=people["unit"].id)
    assert db.get(Ticket, ticket.id).first_notice_at is None  # queued is not delivered
    sent_at = utcnow()
    notify.send_due(db, notify.LogTransport(), now=sent_at)
    db.expire_all()
    told = db.get(Ticket, ticket.id)
    assert told.first_notice_at == sent_at and told.notified_on_time is True
    # a classified ticket whose citizen was never told shows in the queue once overdue
    untold = make_ticket(app, db, email=None, phone="0905 333 555")
    act_as(client, people["reception"], untold.code, "refuse", refusal_reason="unclear")
    stored = db.get(Ticket, untold.id)
    stored.notify_due_on = today_in_vietnam() - timedelta(days=1)
    db.commit()
    sign_in_as(client, people["secretariat"])
    queue = client.get("/staff/feedback?due=notice&lang=en").get_data(as_text=True)
    assert untold.code in queue and ticket.code not in queue
    report = client.get("/staff/feedback/reports?lang=en").get_data(as_text=True)
    assert "late: 0 · not told, past the limit: 1" in report


def test_a_letter_prints_with_the_departments_header_and_posting_it_is_the_notice(
        app, client, db, people):
    load_hotline(db)
    ticket = make_ticket(app, db, email=None, phone=None, reply_by_post=True,
                         name="Phạm Văn Thư", address="thôn Phước Lộc, xã Diên Khánh")
    act_as(client, people["reception"], ticket.code, "accept", ticket_class="competence",
           unit_id=people["unit"].id)
    page = client.get(f"/staff/feedback/{ticket.code}?lang=en").get_data(as_text=True)
    assert "print each notice as a letter" in page
    letter = client.get(f"/staff/feedback/{ticket.code}/letters/accepted")
    text = letter.get_data(as_text=True)
    assert letter.status_code == 200 and re.search(r"css/letter\.[0-9a-f]{10}\.css", text)
    for expected in ("SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG TỈNH KHÁNH HÒA", "Kính gửi: Phạm Văn Thư",
                     "thôn Phước Lộc, xã Diên Khánh", ticket.code, ticket.pin,
                     "đã được thụ lý"):
        assert expected in text, expected
    assert "please do not reply" not in text and "vui lòng không trả lời" not in text
    viewed = db.scalars(select(TicketEvent.action).where(TicketEvent.ticket_id == ticket.id))
    assert "personal_data_viewed" in list(viewed)
    assert client.get(f"/staff/feedback/{ticket.code}/letters/answered").status_code == 404
    future = today_in_vietnam() + timedelta(days=2)
    refused = client.post(f"/staff/feedback/{ticket.code}/letters/accepted/posted?lang=en",
                          data={"posted_on": future.isoformat()}, follow_redirects=True)
    assert "nor in the future" in refused.get_data(as_text=True)
    assert db.get(Ticket, ticket.id).first_notice_at is None
    posted = client.post(f"/staff/feedback/{ticket.code}/letters/accepted/posted",
                         data={"posted_on": today_in_vietnam().isoformat()})
    assert posted.status_code == 302
    db.expire_all()
    stored = db.get(Ticket, ticket.id)
    assert today_in_vietnam(stored.first_notice_at) == today_in_vietnam()
    assert stored.notified_on_time is True
    page = client.get(f"/staff/feedback/{ticket.code}?lang=en").get_data(as_text=True)
    assert f"posted on {today_in_vietnam():%d/%m/%Y}" in page
    sign_in_as(client, people["leader"])
    assert client.get(f"/staff/feedback/{ticket.code}/letters/accepted").status_code == 403
