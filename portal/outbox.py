"""Email through the outbox, for packages that do not own it.

The outbox (a table written in the same transaction as the change it reports, sent by
``flask --app wsgi send-outbox``) lives in the feedback package, which registers its queueing
function here; the survey's alerts queue their emails through :func:`queue`, so the packages
still depend on portal only, never on each other (docs: ARCHITECTURE, "depend downward").
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy.orm import Session

KEY = "outbox"
BACKLOG_KEY = "outbox_backlog"


def register(app: Flask, queue_function: Callable, backlog_function: Callable) -> None:
    """``queue_function(session, recipient, subject, body)`` adds one message to the outbox;
    ``backlog_function(session)`` says how many wait and since when (for /healthz)."""
    app.extensions[KEY] = queue_function
    app.extensions[BACKLOG_KEY] = backlog_function


def backlog(session: Session) -> dict | None:
    """{"unsent": n, "oldest_unsent_seconds": s or None}, or None without an outbox."""
    backlog_function = current_app.extensions.get(BACKLOG_KEY)
    return backlog_function(session) if backlog_function else None


def queue(session: Session, recipient: str, subject: str, body: str, *,
          channel: str = "email"):
    """Queue one message in the caller's transaction: an email, or with ``channel="sms"`` a
    text message (``recipient`` a phone number, ``subject`` empty).

    :raise RuntimeError: when no package provides the outbox.
    """
    queue_function = current_app.extensions.get(KEY)
    if queue_function is None:
        raise RuntimeError("no outbox is registered (the feedback package provides it)")
    return queue_function(session, recipient, subject, body, channel=channel)
