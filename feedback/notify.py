"""Emails and text messages (SMS) through an outbox table.

A change that must tell someone writes an :class:`OutboxMessage` in the same transaction, so
the message exists exactly when the change does. ``flask --app wsgi send-outbox`` (cron, every
minute or so) sends what is due, each message on its channel; a failure is retried with growing
pauses, so an SMTP or SMS-gateway outage delays messages and loses none. Without ``SMTP_HOST``
(development) emails go to the log; SMS go out only when ``SMS_TRANSPORT`` says how ("log", or
"http" for a generic HTTP SMS gateway at ``SMS_URL``).
"""
from __future__ import annotations

import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from feedback.models import OutboxMessage, Ticket
from portal.db import utcnow

log = logging.getLogger(__name__)

# The notices that tell the citizen how their feedback was classified (Luật Tiếp công dân
# 2013 Điều 28 k1: within 10 working days); the first delivered is measured.
CLASSIFICATION_NOTICES = frozenset({"accepted", "not_accepted", "forwarded", "linked"})

# Pauses before the 2nd, 3rd, … attempt; after the last the message is marked failed.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15),
           timedelta(hours=1), timedelta(hours=3), timedelta(hours=6), timedelta(hours=12),
           timedelta(hours=24))


EMAIL, SMS = "email", "sms"
SMS_MAX_LENGTH = 480  # three concatenated segments of Vietnamese text without diacritics


def queue(session: Session, recipient: str, subject: str, body: str,
          ticket_id: int | None = None, *, channel: str = EMAIL,
          notice: str | None = None) -> OutboxMessage:
    message = OutboxMessage(recipient=recipient, subject=subject[:300], body=body,
                            ticket_id=ticket_id, channel=channel, notice=notice)
    session.add(message)
    return message


def queue_template(session: Session, recipient: str, template: str, language: str,
                   ticket_id: int | None = None, *, notice: str | None = None,
                   **context) -> OutboxMessage:
    """Render ``feedback/email/<template>.txt`` in ``language``: its first line is the
    subject, the rest the body."""
    with force_locale(language):
        text = render_template(f"feedback/email/{template}.txt", **context)
    subject, _, body = text.strip().partition("\n")
    return queue(session, recipient, subject.strip(), body.strip() + "\n", ticket_id,
                 notice=notice)


def queue_sms(session: Session, phone: str, template: str, language: str,
              ticket_id: int | None = None, *, notice: str | None = None,
              **context) -> OutboxMessage:
    """Render ``feedback/sms/<template>.txt`` in ``language`` as one short text message."""
    with force_locale(language):
        text = " ".join(render_template(f"feedback/sms/{template}.txt", **context).split())
    return queue(session, phone, "", text[:SMS_MAX_LENGTH], ticket_id, channel=SMS,
                 notice=notice)


class Transport:
    def send(self, message: OutboxMessage) -> None:
        raise NotImplementedError


class LogTransport(Transport):
    """Development: the message goes to the log instead of a mail server."""

    def send(self, message: OutboxMessage) -> None:
        log.info("email to %s: %s\n%s", message.recipient, message.subject, message.body)


@dataclass
class SmtpTransport(Transport):
    host: str
    port: int
    sender: str
    sender_name: str = ""
    username: str = ""
    password: str = ""
    starttls: bool = True
    timeout: float = 8  # per network step: see LEASE

    def send(self, message: OutboxMessage) -> None:
        email = EmailMessage()
        email["From"] = formataddr((self.sender_name, self.sender)) if self.sender_name \
            else self.sender
        email["To"] = message.recipient
        email["Subject"] = message.subject
        email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}")
        email.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(email)


class SmsLogTransport(Transport):
    """Development: the text message goes to the log instead of an SMS gateway."""

    def send(self, message: OutboxMessage) -> None:
        log.info("SMS to %s: %s", message.recipient, message.body)


class GatewayError(RuntimeError):
    """The SMS gateway refused the message or could not be reached."""


class GatewayUnreachable(GatewayError):
    """The SMS gateway could not be reached at all."""


@dataclass
class HttpSmsTransport(Transport):
    """A generic HTTP SMS gateway: POST ``{"to", "text", "sender"}`` as JSON to ``url`` with
    a bearer token; any 2xx answer means accepted, anything else (or no answer within
    ``timeout``) is a failure the outbox retries later."""

    url: str
    token: str = ""
    sender: str = ""
    timeout: float = 10  # see LEASE

    def send(self, message: OutboxMessage) -> None:
        payload = json.dumps({"to": message.recipient, "text": message.body,
                              "sender": self.sender, "reference": f"outbox-{message.id}"})
        request = urllib.request.Request(
            self.url, data=payload.encode(), method="POST",
            headers={"Content-Type": "application/json",
                     **({"Authorization": f"Bearer {self.token}"} if self.token else {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as error:
            raise GatewayError(f"the gateway answered {error.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise GatewayUnreachable(f"the gateway could not be reached: {error}") from None
        if not 200 <= status < 300:
            raise GatewayError(f"the gateway answered {status}")


@dataclass
class ChannelTransport(Transport):
    """Each message on its own channel's transport."""

    email: Transport
    sms: Transport

    def send(self, message: OutboxMessage) -> None:
        (self.sms if message.channel == SMS else self.email).send(message)


def sms_enabled(config) -> bool:
    return config.get("SMS_TRANSPORT") in ("log", "http")


def transport_from_config(config) -> Transport:
    if not config.get("SMTP_HOST"):
        email: Transport = LogTransport()
    else:
        email = SmtpTransport(host=config["SMTP_HOST"], port=config["SMTP_PORT"],
                              sender=config["MAIL_FROM"],
                              sender_name=config.get("MAIL_FROM_NAME", ""),
                              username=config.get("SMTP_USERNAME", ""),
                              password=config.get("SMTP_PASSWORD", ""),
                              starttls=config["SMTP_STARTTLS"])
    sms: Transport = SmsLogTransport()
    if config.get("SMS_TRANSPORT") == "http":
        if not str(config.get("SMS_URL", "")).startswith(("https://", "http://")):
            raise RuntimeError("SMS_TRANSPORT=http needs SMS_URL, the gateway's address, "
                               "e.g. SMS_URL=https://sms.example.vn/api/send")
        sms = HttpSmsTransport(url=config["SMS_URL"], token=config.get("SMS_TOKEN", ""),
                               sender=config.get("SMS_SENDER", ""))
    return ChannelTransport(email=email, sms=sms)


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0  # this run; they will be retried
    given_up: int = 0
    unreachable: str | None = None  # the server could not be reached: why (the run stopped)


# How long a run holds the message it is sending: another run (cron every minute) leaves it
# alone meanwhile, so nothing is sent twice; a run that died mid-send holds it no longer than
# this, so it goes at the next run after. The transports' timeouts are per network step (an
# SMTP conversation has about seven: connect, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA), so
# they are kept short (SMTP 8 s, SMS 10 s) for a whole send to stay well inside the lease.
LEASE = timedelta(seconds=60)


def claim_next(session: Session, now: datetime, skip_channels=()) -> OutboxMessage | None:
    """Take the next due message (not of ``skip_channels``) and commit its lease at once (its
    row locked while taking it on PostgreSQL; SQLite serialises writers anyway)."""
    statement = (select(OutboxMessage)
                 .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed.is_(False),
                        OutboxMessage.next_attempt_at <= now)
                 .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1)
                 .with_for_update(skip_locked=True))
    if skip_channels:
        statement = statement.where(OutboxMessage.channel.not_in(list(skip_channels)))
    message = session.scalar(statement)
    if message is not None:
        message.next_attempt_at = now + LEASE
    session.commit()
    return message


def _unreachable(error: Exception) -> bool:
    """The server could not be reached at all (not: it refused this one message)."""
    if isinstance(error, (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected,
                          GatewayUnreachable)):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def send_due(session: Session, transport: Transport, now: datetime | None = None,
             limit: int = 200) -> SendResult:
    """Send the messages that are due, one lease at a time; commit after each, so a crash
    mid-run neither loses nor repeats what was already sent (the message it was sending is
    retried once its lease ends). When a channel's server cannot be reached the run stops
    sending on that channel (its other messages would only wait for the same timeout) and
    goes on with the other channel."""
    clock = (lambda: now) if now is not None else utcnow
    result, down = SendResult(), set()
    for _number in range(limit):
        message = claim_next(session, clock(), down)
        if message is None:
            break
        message.attempts += 1
        try:
            transport.send(message)
        except Exception as error:  # noqa: BLE001 - one bad message must not stop the rest
            moment = clock()
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts > len(BACKOFF):
                message.failed = True
                result.given_up += 1
                log.error("giving up on outbox message %s: %s", message.id, error)
            else:
                message.next_attempt_at = moment + BACKOFF[message.attempts - 1]
                result.failed += 1
                log.warning("outbox message %s not sent (attempt %s): %s", message.id,
                            message.attempts, error)
            if _unreachable(error):
                result.unreachable = message.last_error
                down.add(message.channel)
        else:
            message.sent_at = clock()
            message.last_error = None
            result.sent += 1
            _delivered(session, message, message.sent_at)
        session.flush()
        # Erased while it was being sent (feedback/erasure.py): an error may name the recipient.
        session.execute(update(OutboxMessage).where(
            OutboxMessage.id == message.id, OutboxMessage.erased_at.is_not(None))
            .values(last_error=None).execution_options(synchronize_session=False))
        session.commit()
    return result


def backlog(session: Session) -> dict:
    """How many messages wait to be sent (not given up), and how long the oldest has."""
    count, oldest = session.execute(
        select(func.count(OutboxMessage.id), func.min(OutboxMessage.created_at))
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed.is_(False))).one()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=timezone.utc)
    return {"unsent": count, "oldest_unsent_seconds":
            int((utcnow() - oldest).total_seconds()) if oldest is not None else None}


def _delivered(session: Session, message: OutboxMessage, now: datetime) -> None:
    """A classification notice delivered is the citizen's first notice, if none came first.
    (A plain UPDATE: it is a fact about delivery, not a change an officer's open form should
    be refused for, so the ticket's version stays.)"""
    if message.notice in CLASSIFICATION_NOTICES and message.ticket_id is not None:
        session.execute(update(Ticket).where(
            Ticket.id == message.ticket_id, Ticket.first_notice_at.is_(None))
            .values(first_notice_at=now).execution_options(synchronize_session=False))


def retry(session: Session, message: OutboxMessage) -> None:
    """An administrator sends a given-up message again."""
    message.failed = False
    message.attempts = 0
    message.next_attempt_at = utcnow()
