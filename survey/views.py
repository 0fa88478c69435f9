"""The citizen's survey at /q/<token> (no account, no name asked) and the published results."""
from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from portal.db import get_session, read_first, start_writing
from portal.text import whole_number
from portal.throttle import get_throttle
from portal.workdays import today_in_vietnam
from survey import nonce as nonces
from survey import queries, reports, screening, services, shared
from survey.forms import build_survey_form
from survey.links import normalise_token
from survey.models import Response

bp = Blueprint("survey", __name__, template_folder="templates")

LAST_RESPONSE_KEY = "survey_response"


def _lookup(raw_token: str):
    """The normalised token and its live target (None: unknown, revoked or retired)."""
    token = normalise_token(raw_token)
    return token, (shared.resolve(get_session(), token) if token else None)


def _invalid_link():
    return render_template("survey/invalid.html"), 404


@bp.route("/q/<token>", methods=["GET", "POST"])
def answer(token: str):
    if request.method == "POST":
        read_first()  # SQLite: answers overlap until they store (start_writing in _store)
    token, target = _lookup(token)
    if target is None:
        return _invalid_link()
    session_ = get_session()
    if target.dossier is not None and services.dossier_already_rated(session_, target.dossier):
        return render_template("survey/already_rated.html")
    form, officers = build_survey_form(session_, target, current_app.config)
    if request.method == "GET":
        form.nonce.data = nonces.issue(token)
    elif form.validate_on_submit():
        return _store(token, target, form, officers)
    return _with_device_cookie(
        render_template("survey/form.html", form=form, target=target, error=None))


def _with_device_cookie(page):
    """The page as a response carrying the browser's random survey cookie (made on the first
    visit), by which repeated answers from one browser are counted."""
    response = make_response(page)
    if nonces.valid_device_id(request.cookies.get(nonces.DEVICE_COOKIE)) is None:
        response.set_cookie(nonces.DEVICE_COOKIE, nonces.new_device_id(),
                            max_age=nonces.DEVICE_COOKIE_MAX_AGE, httponly=True,
                            samesite="Lax", secure=request.is_secure)
    return response


def _store(token, target, form, officers):
    session_ = get_session()
    try:
        seconds = nonces.check(form.nonce.data or "", token)
    except nonces.BadNonce:
        form.nonce.data = nonces.issue(token)
        return render_template("survey/form.html", form=form, target=target, error=_(
            "This form was open too long or was not sent from this page. Your answers are "
            "kept below: please press Send again.")), 400
    throttle, config = get_throttle(), current_app.config
    address = request.remote_addr or ""
    if not throttle.take_all((config["SURVEY_LIMIT_PER_LINK"], ("survey-link", token)),
                             (config["SURVEY_LIMIT_PER_ADDRESS"], ("survey-ip", address))):
        return render_template("survey/form.html", form=form, target=target, error=_(
            "Many answers are arriving at once. Your answers are kept below: please wait a "
            "minute and press Send again.")), 429
    submission = form.submission(
        officers, nonce=form.nonce.data, seconds=seconds,
        honeypot_filled=bool(form.website.data), client_hash=nonces.client_hash(address),
        device_hash=nonces.device_hash(request.cookies.get(nonces.DEVICE_COOKIE)))
    start_writing(session_)
    if shared.resolve(session_, token) is None:  # retired or revoked while it was checked
        return _invalid_link()
    outcome = services.submit(session_, target, form.questionnaire, submission,
                              screening.rules_from(current_app.config))
    if outcome.already_rated:
        return render_template("survey/already_rated.html")
    session[LAST_RESPONSE_KEY] = outcome.response_id
    return redirect(url_for("survey.thanks", token=token))


@bp.get("/q/<token>/thanks")
def thanks(token: str):
    token, target = _lookup(token)
    if target is None:
        return _invalid_link()
    response = None
    response_id = session.get(LAST_RESPONSE_KEY)
    if isinstance(response_id, int):
        response = get_session().get(Response, response_id)
    low = response is not None and response.rated_low
    return render_template("survey/thanks.html", low=low, response=response,
                           feedback_open="feedback.new" in current_app.view_functions)


@bp.get("/results")
def results():
    """Published satisfaction results (NĐ 61/2018 Điều 32): by dimension and by unit, for a
    quarter or a year; no free text, nothing about a person."""
    session_ = get_session()
    today = today_in_vietnam()
    year = request.args.get("year", "")
    year = whole_number(year, 4) or 0
    year = year if 2000 <= year <= today.year else today.year
    quarter = request.args.get("quarter", "")
    quarter = int(quarter) if quarter in ("1", "2", "3", "4") else None
    start, end = reports.published_period(year, quarter)
    filters = queries.Filters(start=start, end=end)
    questionnaire = services.current_questionnaire(session_)
    rules = reports.index_rules()
    return render_template(
        "survey/results.html", year=year, quarter=quarter, start=start, end=end, rules=rules,
        figures=reports.figures(session_, questionnaire, filters, rules),
        exclusions=queries.exclusions(session_, filters),
        reasons=screening.EXCLUSION_REASONS,
        units=reports.by_unit(session_, questionnaire, filters, rules),
        years=range(today.year, max(today.year - 5, 2000) - 1, -1))
