"""Commands for cron: ``send-outbox`` (every minute or so), ``feedback-digest`` and
``feedback-close-unanswered`` (daily)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from feedback import notify, queries, services
from feedback import workflow as wf
from feedback.models import Ticket
from feedback.services import deadline_rules
from portal.auth.models import Unit, User
from portal.auth.roles import HANDLER, RECEPTION
from portal.db import get_session, write_transaction
from portal.workcalendar.services import working_calendar
from portal.workdays import today_in_vietnam


@click.command("send-outbox")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 10_000),
              help="At most this many messages in one run.")
@with_appcontext
def send_outbox_command(limit: int):
    """Send the emails and text messages that are due; failures are retried later with
    growing pauses. Exits 2 when the mail server or SMS gateway could not be reached, 1 when
    a message was given up: cron's monitoring sees both."""
    transport = notify.transport_from_config(current_app.config)
    result = notify.send_due(get_session(), transport, limit=limit)
    click.echo(f"sent {result.sent}, to retry {result.failed}, given up {result.given_up}")
    if result.unreachable:
        click.echo(f"could not reach the server, stopped: {result.unreachable}", err=True)
        raise SystemExit(2)
    if result.given_up:
        raise SystemExit(1)


def _digest_groups(session, today, soon):
    """(recipients, unit name, tickets) for each unit with tickets due soon or overdue, and
    for reception the tickets still waiting to be classified or assigned."""
    open_tickets = session.scalars(
        select(Ticket).where(Ticket.state.in_(wf.OPEN_STATES), Ticket.due_on <= soon.column())
        .order_by(Ticket.due_on, Ticket.id)).all()
    users = session.scalars(select(User).where(User.active.is_(True),
                                               User.email.is_not(None))).all()
    waiting = [t for t in open_tickets if t.state in (wf.RECEIVED, wf.ACCEPTED)]
    if waiting:
        yield [u.email for u in users if u.has_role(RECEPTION)], None, waiting
    for unit in session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)):
        tickets = [t for t in open_tickets if t.unit_id == unit.id and t not in waiting]
        if tickets:
            yield ([u.email for u in users if u.unit_id == unit.id and u.has_role(HANDLER)],
                   unit, tickets)


@click.command("feedback-digest")
@click.option("--dry-run", is_flag=True, help="Print the digests instead of queueing them.")
@with_appcontext
def feedback_digest_command(dry_run: bool):
    """Queue one email per unit listing its tickets that are overdue or due soon."""
    session = get_session()
    today = today_in_vietnam()
    soon = queries.soon_until(working_calendar(session, today), today, deadline_rules())
    base = current_app.config.get("PUBLIC_BASE_URL") or "http://localhost"
    queued = 0
    with current_app.test_request_context("/", base_url=base):
        for recipients, unit, tickets in _digest_groups(session, today, soon):
            for recipient in sorted(set(recipients)):
                message = notify.queue_template(
                    session, recipient, "digest", "vi", unit=unit, tickets=tickets,
                    today=today, flag=lambda t: queries.due_flag(t, today, soon))
                queued += 1
                if dry_run:
                    click.echo(f"To: {recipient}\nSubject: {message.subject}\n\n{message.body}")
    if dry_run:
        session.rollback()
        click.echo(f"{queued} digests (dry run, nothing queued)")
    else:
        session.commit()
        click.echo(f"{queued} digests queued")


@click.command("feedback-close-unanswered")
@click.option("--dry-run", is_flag=True, help="List the tickets instead of closing them.")
@with_appcontext
def close_unanswered_command(dry_run: bool):
    """Close the tickets whose citizen did not send the information asked for by its day
    (daily, from cron); each citizen with an email is told."""
    write_transaction()  # reads the waiting tickets, then changes them, while the site runs
    session = get_session()
    base = current_app.config.get("PUBLIC_BASE_URL") or "http://localhost"
    with current_app.test_request_context("/", base_url=base):
        closed = services.close_unanswered(session, today_in_vietnam())
        for ticket in closed:
            click.echo(f"{ticket.code}: no reply by {ticket.reply_due_on:%d/%m/%Y}")
        if dry_run:
            session.rollback()
            click.echo(f"{len(closed)} tickets would be closed (dry run, nothing changed)")
        else:
            session.commit()
            click.echo(f"{len(closed)} tickets closed")


def init_app(app) -> None:
    app.cli.add_command(send_outbox_command)
    app.cli.add_command(feedback_digest_command)
    app.cli.add_command(close_unanswered_command)
