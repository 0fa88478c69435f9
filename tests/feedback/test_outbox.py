"""The outbox: emails written with the change, sent by `send-outbox` to a real SMTP server on
loopback (aiosmtpd), kept and retried while the server is down, and the daily digest."""
import asyncio
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from feedback import notify
from feedback.models import OutboxMessage
from portal.db import utcnow
from tests.factories import make_ticket, make_unit, make_user


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app):
    """An SMTP server on loopback, not started: tests start and stop it."""
    port = _free_port()
    inbox = Inbox()
    loop = asyncio.new_event_loop()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, loop=loop)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False,
                      MAIL_FROM="gopy@example.vn")
    yield controller, inbox
    if getattr(controller, "_thread", None) is not None:
        controller.stop()
    loop.close()


def test_an_smtp_outage_loses_nothing_and_the_mail_goes_when_it_is_back(app, db, runner, smtp):
    controller, inbox = smtp
    ticket = make_ticket(app, db, email="hoa@example.vn")
    message = db.scalar(select(OutboxMessage))
    assert message.ticket_id == ticket.id and message.sent_at is None
    # the server is down: the attempt fails, the message waits for a later try, and the
    # command says so with its exit code (cron's monitoring notices)
    result = runner.invoke(args=["send-outbox"])
    assert result.exit_code == 2 and "sent 0, to retry 1" in result.output
    assert "could not reach the server, stopped: ConnectionRefusedError" in result.output
    db.expire_all()
    message = db.get(OutboxMessage, message.id)
    assert message.attempts == 1 and message.sent_at is None and message.last_error
    assert message.next_attempt_at > utcnow()
    # not due yet: nothing is tried
    assert "sent 0, to retry 0" in runner.invoke(args=["send-outbox"]).output
    controller.start()
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.commit()
    result = runner.invoke(args=["send-outbox"])
    assert "sent 1" in result.output
    db.expire_all()
    assert db.get(OutboxMessage, message.id).sent_at is not None
    (recipients, content), = inbox.messages
    assert recipients == ["hoa@example.vn"] and ticket.code in content
    # sent messages are never sent twice
    assert "sent 0" in runner.invoke(args=["send-outbox"]).output


def test_a_message_that_keeps_failing_is_given_up_and_can_be_retried(app, db, smtp, client,
                                                                     auth):
    make_ticket(app, db, email="hoa@example.vn")
    message = db.scalar(select(OutboxMessage))
    transport = notify.transport_from_config(app.config)
    for _ in range(len(notify.BACKOFF) + 1):
        message.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.commit()
        result = notify.send_due(db, transport)
    assert result.given_up == 1 and message.failed
    auth.as_role("admin")
    page = client.get("/staff/feedback/outbox?lang=en").get_data(as_text=True)
    assert "Given up" in page and "hoa@example.vn" in page
    client.post(f"/staff/feedback/outbox/{message.id}/retry")
    db.expire_all()
    assert not db.get(OutboxMessage, message.id).failed


def test_without_smtp_settings_mail_goes_to_the_log(app, db, runner, caplog):
    app.config["SMTP_HOST"] = ""
    make_ticket(app, db, email="hoa@example.vn")
    with caplog.at_level("INFO"):
        assert "sent 1" in runner.invoke(args=["send-outbox"]).output
    assert "hoa@example.vn" in caplog.text


def test_bad_options_of_send_outbox_are_refused(runner):
    result = runner.invoke(args=["send-outbox", "--limit", "0"])
    assert result.exit_code == 2 and "--limit" in result.output


def test_the_daily_digest_lists_each_units_overdue_tickets_for_its_handlers(app, db, runner):
    from datetime import date, datetime, timezone

    from feedback import services
    from portal.auth.roles import RECEPTION

    unit = make_unit(db, name="Phòng Đất đai")
    make_user(db, roles=["handler"], unit_id=unit.id, email="xuly@example.vn")
    reception = make_user(db, roles=[RECEPTION], email="tiepnhan@example.vn")
    waiting = make_ticket(app, db, email=None,
                          received_at=datetime(2026, 1, 5, 3, tzinfo=timezone.utc))
    assigned = make_ticket(app, db, email=None,
                           received_at=datetime(2026, 1, 5, 3, tzinfo=timezone.utc))
    with app.test_request_context():
        services.act(db, assigned, "accept", reception,
                     {"ticket_class": "competence", "unit_id": unit.id}, shown_version=None)
    assigned.due_on = assigned.answer_due_on = date(2026, 1, 26)  # accepted long ago
    db.commit()
    dry = runner.invoke(args=["feedback-digest", "--dry-run"])
    assert dry.exit_code == 0 and "2 digests (dry run" in dry.output
    assert db.scalar(select(OutboxMessage).where(OutboxMessage.recipient.like("%@example.vn")
                                                 & OutboxMessage.subject.like("%hạn%"))) is None
    result = runner.invoke(args=["feedback-digest"])
    assert "2 digests queued" in result.output
    db.expire_all()
    mails = {mail.recipient: mail for mail in db.scalars(select(OutboxMessage))}
    assert waiting.code in mails["tiepnhan@example.vn"].body
    assert assigned.code in mails["xuly@example.vn"].body
    assert "QUÁ HẠN" in mails["xuly@example.vn"].body
    assert "/staff/feedback/" in mails["xuly@example.vn"].body


def test_one_bad_message_does_not_stop_the_others(app, db):
    from feedback.models import OutboxMessage as Message

    class Picky(notify.Transport):
        sent = []

        def send(self, message):
            if "bad" in message.recipient:
                raise AttributeError("the mail library refused the address")
            self.sent.append(message.recipient)

    db.add_all([Message(recipient="bad@example.vn", subject="1", body="x"),
                Message(recipient="good@example.vn", subject="2", body="y")])
    db.commit()
    result = notify.send_due(db, Picky())
    assert (result.sent, result.failed) == (1, 1) and Picky.sent == ["good@example.vn"]


def test_a_run_leases_what_it_takes_so_a_second_run_does_not_send_it_again(app, db):
    from feedback.models import OutboxMessage as Message

    db.add(Message(recipient="hoa@example.vn", subject="s", body="b"))
    db.commit()
    taken = notify.claim_next(db, utcnow())
    assert taken is not None
    assert notify.claim_next(db, utcnow()) is None  # a parallel run finds nothing due


def test_a_message_held_by_a_sender_that_died_goes_within_two_minutes(app, db):
    """The run took the message and died before sending it (killed, out of memory): the
    next cron run after its lease (a minute later at most) sends it."""
    from feedback.models import OutboxMessage as Message

    class Sent(notify.Transport):
        def __init__(self):
            self.sent = []

        def send(self, message):
            self.sent.append(message.recipient)

    db.add(Message(recipient="hoa@example.vn", subject="s", body="b"))
    db.commit()
    died_at = utcnow()
    assert notify.claim_next(db, died_at) is not None  # …and nothing more of that run
    transport = Sent()
    assert notify.send_due(db, transport, now=died_at + timedelta(seconds=59)).sent == 0
    result = notify.send_due(db, transport, now=died_at + timedelta(minutes=2))
    assert result.sent == 1 and transport.sent == ["hoa@example.vn"]
    assert notify.LEASE + timedelta(minutes=1) <= timedelta(minutes=2), "cron every minute"


def test_an_unreachable_server_stops_the_run_and_the_health_check_shows_the_wait(
        app, db, client):
    from feedback.models import OutboxMessage as Message

    class MailDown(notify.Transport):
        tried, texts = 0, []

        def send(self, message):
            if message.channel == "sms":
                MailDown.texts.append(message.recipient)
                return
            MailDown.tried += 1
            raise ConnectionRefusedError(111, "Connection refused")

    assert client.get("/healthz").json["outbox"] == {"unsent": 0,
                                                    "oldest_unsent_seconds": None}
    db.add_all([Message(recipient=f"{n}@example.vn", subject="s", body="b",
                        created_at=utcnow() - timedelta(minutes=10)) for n in range(3)])
    db.add(Message(channel="sms", recipient="0905123456", subject="", body="b",
                   created_at=utcnow() - timedelta(minutes=1)))
    db.commit()
    result = notify.send_due(db, MailDown())
    assert MailDown.tried == 1, "the other emails would only wait for the same timeout"
    assert MailDown.texts == ["0905123456"], "text messages still go"
    assert result.failed == 1 and result.unreachable.startswith("ConnectionRefusedError")
    health = client.get("/healthz").json
    assert health["status"] == "ok" and health["outbox"]["unsent"] == 3
    assert 600 <= health["outbox"]["oldest_unsent_seconds"] < 700


@pytest.mark.parametrize("address", ["a@[b.cd", "x@example.com,postmaster", "a b@c.vn",
                                     "a@b", "<a@b.vn>", "a@b.vn\nBcc: c@d.vn"])
def test_addresses_that_could_break_a_mail_header_are_refused(client, db, address):
    from tests.factories import feedback_form

    response = client.post("/feedback/new?lang=en", data=feedback_form(email=address))
    assert response.status_code == 200 and "ten@example.com" in response.get_data(as_text=True)
    assert db.scalar(select(OutboxMessage)) is None
