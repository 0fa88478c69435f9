"""The rating tablet facing the citizen at a counter (NĐ 61/2018 Điều 29 k1 b: an electronic
rating device at the counter; issue 9, point 6).

Staff open /tablet/<token> on the tablet once. The page asks the same questions one step at a
time, thanks the citizen and starts again; an abandoned form is cleared after a while. Each
submission carries an id made by the tablet and is queued in the tablet's own storage until
the server confirms it, so a network outage loses nothing and a retry after a lost
confirmation stores nothing twice (the id is the response's nonce).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import MultiDict

from portal.db import get_session, utcnow
from portal.throttle import get_throttle
from portal.workdays import today_in_vietnam
from survey import nonce as nonces
from survey import screening, services, shared
from survey.forms import build_survey_form
from survey.links import normalise_token
from survey.models import Questionnaire

bp = Blueprint("survey_tablet", __name__, template_folder="templates")

SUBMISSION_ID = re.compile(r"^[A-Za-z0-9-]{16,64}$")
# A queued answer is stored with the time it was given, if that is within this window.
QUEUE_WINDOW = timedelta(days=7)
MAX_SECONDS = 24 * 3600


def _target(raw_token: str) -> services.Target:
    """:raise 404: for an unknown, revoked or retired tablet link."""
    token = normalise_token(raw_token)
    target = shared.resolve_tablet(get_session(), token) if token else None
    return target or abort(404)


@bp.get("/tablet/<token>")
def page(token: str):
    target = _target(token)
    if current_user.is_authenticated:  # a kiosk facing citizens must not carry a staff session
        return render_template("survey/tablet_signed_in.html"), 409
    config = current_app.config
    form, _officers = build_survey_form(get_session(), target, config, meta={"csrf": False})
    return render_template("survey/tablet.html", form=form, target=target,
                           idle_seconds=config["SURVEY_TABLET_IDLE_SECONDS"],
                           thanks_seconds=config["SURVEY_TABLET_THANKS_SECONDS"])


@bp.get("/tablet/<token>/csrf")
def csrf(token: str):
    """A fresh CSRF token: the tablet stays open for days, longer than one token lives."""
    _target(token)
    return jsonify(csrf_token=generate_csrf())


def _answered_at(milliseconds, now: datetime) -> datetime:
    """When the citizen answered, from the tablet's clock, if it is plausible; else now."""
    if isinstance(milliseconds, int) and not isinstance(milliseconds, bool):
        try:
            moment = datetime.fromtimestamp(milliseconds / 1000, timezone.utc)
        except (OverflowError, OSError, ValueError):
            return now
        if now - QUEUE_WINDOW <= moment <= now:
            return moment
    return now


@bp.post("/tablet/<token>/answers")
def answers(token: str):
    """One queued submission, as JSON: {"id", "questionnaire" (the version's id), "answered_at"
    (ms), "seconds", "answers": {field: value}}. 201 stored, 200 already stored (a retry),
    422 not acceptable (it never will be: the tablet drops it), 429 later please.

    A queued answer is judged as it was given: against its questionnaire version and the
    officers on duty that day; an officer no longer on the list is left out, not the answer.
    """
    target = _target(token)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(status="invalid", message="a JSON object is expected"), 400
    submission_id, fields, seconds = data.get("id"), data.get("answers"), data.get("seconds")
    if not isinstance(submission_id, str) or not SUBMISSION_ID.match(submission_id) \
            or not isinstance(fields, dict) \
            or not all(isinstance(key, str) and isinstance(value, str)
                       for key, value in fields.items()) \
            or not isinstance(seconds, int) or isinstance(seconds, bool) \
            or not 0 <= seconds <= MAX_SECONDS:
        return jsonify(status="invalid", message="id, seconds and answers are required"), 400
    session = get_session()
    now = utcnow()
    answered_at = _answered_at(data.get("answered_at"), now)
    version = data.get("questionnaire")
    questionnaire = session.get(Questionnaire, version) \
        if isinstance(version, int) and not isinstance(version, bool) and 0 < version < 2**31 \
        else None
    officers = shared.officers_on_duty(session, target.counter,
                                       today_in_vietnam(answered_at))
    form, officers = build_survey_form(
        session, target, current_app.config, questionnaire=questionnaire, officers=officers,
        all_expectation=True, formdata=_known_officer(MultiDict(fields), officers),
        meta={"csrf": False})
    if not form.validate():
        return jsonify(status="invalid", errors={name or "form": [str(error) for error in
                                                                  errors]
                                                 for name, errors in form.errors.items()}), 422
    throttle, limit = get_throttle(), current_app.config["SURVEY_LIMIT_PER_LINK"]
    if not throttle.take(limit, "survey-link", target.counter.tablet_token):
        return jsonify(status="later"), 429
    submission = form.submission(
        officers, nonce=f"tablet:{submission_id}", seconds=seconds, submitted_at=answered_at,
        honeypot_filled=bool(form.website.data),
        client_hash=nonces.client_hash(request.remote_addr))
    outcome = services.submit(session, target, form.questionnaire, submission,
                              screening.rules_from(current_app.config), now=now)
    if outcome.repeated:
        return jsonify(status="already"), 200
    return jsonify(status="stored"), 201


def _known_officer(fields: MultiDict, on_duty: list) -> MultiDict:
    """The fields without an officer who was not on duty that day (the answer is kept)."""
    if fields.get("officer") and fields["officer"] not in {str(user.id) for user in on_duty}:
        fields.pop("officer")
    return fields
