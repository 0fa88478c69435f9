"""``/healthz``: liveness and database check, as JSON for load balancers and monitoring."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text

from portal import outbox
from portal.db import get_session

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz():
    """The database answers; and how many messages wait in the outbox, the oldest for how
    long (monitoring alerts when that grows: docs/operations.md)."""
    waiting = None
    try:
        get_session().execute(text("SELECT 1"))
        waiting = outbox.backlog(get_session())
        database = "ok"
    except Exception:  # any failure means "not healthy"; the log keeps the reason
        log.exception("health check: database unreachable")
        database = "error"
    healthy = database == "ok"
    response = jsonify(status="ok" if healthy else "error", database=database,
                       outbox=waiting)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
