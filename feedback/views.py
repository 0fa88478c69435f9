"""Public feedback pages: send (/feedback/new), look up (/feedback/track), and the published
results (/feedback/published, one result, the Atom feed, open data). No account, ever."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from feedback import attachments as files
from feedback import exports, queries, services
from feedback import workflow as wf
from feedback.forms import CitizenReplyForm, FeedbackForm, RatingForm, TrackForm
from feedback.models import CHANNEL_WEB, KIND_REPORT, Ticket
from portal.db import commit_despite_client_error, get_session
from portal.i18n import current_language, pick
from portal.pages.models import Procedure
from portal.pages.queries import all_fields
from portal.pagination import page_number
from portal.text import whole_number
from portal.throttle import get_throttle

bp = Blueprint("feedback", __name__, template_folder="templates")

RECEIPTS_KEY = "feedback_receipts"
SURVEY_RESPONSE_KEY = "survey_response"  # set by the survey's thank-you flow


def fill_choices(form) -> None:
    session_ = get_session()
    form.procedure_field.choices = [SelectChoice("", _("— choose if you know —"))] + [
        SelectChoice(str(field.id), pick(field.name, field.name_en))
        for field in all_fields(session_)]
    procedures = session_.execute(
        select(Procedure.id, Procedure.code, Procedure.name, Procedure.name_en)
        .where(Procedure.retired_at.is_(None)).order_by(Procedure.name)).all()
    form.procedure.choices = [SelectChoice("", _("— choose if you know —"))] + [
        SelectChoice(str(row.id), f"{pick(row.name, row.name_en)} ({row.code})")
        for row in procedures]


def checked_files(form) -> list[files.CheckedFile] | None:
    """The uploads, checked by content; None (with the field's errors set) if any is refused."""
    checked, problems = [], []
    for upload in form.chosen_files():
        try:
            checked.append(files.check(upload.filename, upload.read()))
        except files.RejectedFile as error:
            problems.append(_file_problem(upload.filename, error.reason))
    if problems:
        form.attachments.errors = list(form.attachments.errors) + problems
        return None
    return checked


def say_files_not_kept(form) -> None:
    """A form shown again with errors cannot keep the files a browser sent with it: say so
    plainly beside the field, naming them, so that they are chosen again."""
    names = [(upload.filename or "").rsplit("/", 1)[-1][:80] for upload in form.chosen_files()]
    if names:
        form.attachments.errors = list(form.attachments.errors) + [_(
            "The files you chose were not kept because the form had to be corrected: choose "
            "them again before sending (%(names)s).", names=", ".join(names))]


def _file_problem(filename: str, reason: str) -> str:
    name = (filename or "").rsplit("/", 1)[-1][:80]
    if reason == "size":
        return _("“%(name)s” is larger than 10 MB.", name=name)
    if reason == "empty":
        return _("“%(name)s” is empty.", name=name)
    if reason == "damaged":
        return _("“%(name)s” could not be read; it may be damaged.", name=name)
    return _("“%(name)s” is not a PDF, JPEG, PNG or Word (DOCX) file.", name=name)


def _survey_response():
    """The survey response this browser just sent, when the form was opened from its
    thank-you page (only that one: a visitor cannot attach someone else's)."""
    from survey.models import Response as SurveyResponse

    wanted = request.values.get("from_survey", "")
    own = session.get(SURVEY_RESPONSE_KEY)
    if whole_number(wanted) is None or own != whole_number(wanted):
        return None
    response = get_session().get(SurveyResponse, own)
    if response is None or get_session().scalar(
            select(Ticket.id).where(Ticket.survey_response_id == response.id)):
        return None
    return response


@bp.route("/feedback/new", methods=["GET", "POST"])
def new():
    form = FeedbackForm()
    fill_choices(form)
    survey_response = _survey_response()
    if request.method == "GET" and survey_response is not None:
        form.kind.data = KIND_REPORT
        form.content.data = survey_response.comment or ""
        form.from_survey.data = str(survey_response.id)
    if form.validate_on_submit():
        if form.website.data:  # the honeypot: people never see it
            form.website.errors = [_("Leave this field empty.")]
        elif (checked := checked_files(form)) is not None:
            limit = current_app.config["FEEDBACK_LIMIT_PER_ADDRESS"]
            address = request.remote_addr or ""
            if not get_throttle().take(limit, "feedback-ip", address):
                return render_template("feedback/new.html", form=form, error=_(
                    "Many feedbacks were sent from your connection in a short time. Your text "
                    "is kept below: please try again later or call the hotline.")), 429
            return _receive(form, checked, survey_response)
    if request.method == "POST":
        say_files_not_kept(form)
    return render_template("feedback/new.html", form=form, error=None,
                           from_survey=survey_response is not None)


def _receive(form, checked, survey_response):
    intake = services.Intake(
        kind=form.kind.data, content=form.content.data, name=form.name.data,
        address=form.address.data, phone=form.phone.data or None, email=form.email.data or None,
        reply_by_post=form.reply_by_post.data, proposed_solution=form.proposed_solution.data,
        procedure_field_id=int(form.procedure_field.data) if form.procedure_field.data else None,
        procedure_id=int(form.procedure.data) if form.procedure.data else None,
        consent_publish=form.consent_publish.data, language=current_language(),
        channel=CHANNEL_WEB, files=checked)
    session_ = get_session()
    if survey_response is not None:
        ticket = services.create_from_survey(session_, survey_response, intake)
    else:
        ticket = services.receive(session_, intake)
    session[RECEIPTS_KEY] = ([ticket.code] + [
        code for code in session.get(RECEIPTS_KEY, []) if code != ticket.code])[:10]
    return redirect(url_for(".receipt", code=ticket.code))


@bp.get("/feedback/receipt/<code>")
def receipt(code: str):
    """The receipt, only in the browser that sent it (anyone else: the lookup page)."""
    if code not in session.get(RECEIPTS_KEY, []):
        return redirect(url_for(".track"))
    ticket = services.find_by_code(get_session(), code)
    if ticket is None:
        abort(404)
    return render_template("feedback/receipt.html", ticket=ticket)


def _tracked(ticket: Ticket, code: str, contact: str, *, status: int = 200,
             reply_form: CitizenReplyForm | None = None, rating_form: RatingForm | None = None,
             notice: str | None = None, error: str | None = None):
    """The ticket's page as its citizen sees it: status, answer, history, and what they can
    do now (send the information asked for; rate the answer)."""
    carried = {"code": ticket.code, "contact": contact}
    reply_form = reply_form or CitizenReplyForm(formdata=None, **carried)
    rating_form = rating_form or RatingForm(formdata=None, **carried)
    response = current_app.make_response((render_template(
        "feedback/track.html", form=TrackForm(formdata=None), ticket=ticket, error=error,
        notice=notice, history=queries.public_history(ticket),
        question=queries.information_request(ticket), reply_form=reply_form,
        rating=queries.rating_of(get_session(), ticket), rating_form=rating_form,
        may_rate=ticket.answer_round > 0 and ticket.state in wf.ANSWERED_STATES), status))
    response.headers["Cache-Control"] = "private, no-store"  # the citizen's own page
    return response


def _checked_lookup(code: str, contact: str) -> tuple[Ticket | None, Response | None]:
    """The ticket for this code and contact, or the refusal to show (throttled per address,
    like the look-up form: a wrong pair and an unknown code look the same)."""
    limit = current_app.config["FEEDBACK_LOOKUP_FAILURES"]
    address = request.remote_addr or ""
    throttle = get_throttle()
    # the look-up takes its place before the check (simultaneous guesses cannot all pass) and
    # gives it back when it finds the ticket: only failures count
    if not throttle.take(limit, "feedback-lookup", address):
        return None, (render_template("feedback/track.html", form=TrackForm(), ticket=None,
                                      error=_("Too many lookups failed from your connection. "
                                              "Please wait an hour, or call the hotline with "
                                              "your code.")), 429)
    ticket = services.lookup(get_session(), code, contact)
    if ticket is not None:
        throttle.give_back(limit, "feedback-lookup", address)
    else:
        commit_despite_client_error()
        return None, (render_template("feedback/track.html", form=TrackForm(), ticket=None,
                                      error=_("No feedback matches this code and this phone "
                                              "number, email or PIN. Check both: the code is "
                                              "on your receipt, e.g. PA-2026-000123K.")), 404)
    return ticket, None


def _citizen_step(form, form_name: str):
    """(ticket, None) when the code and contact carried by ``form`` match and the form is
    valid; else (None, the page to answer with)."""
    ticket, refusal = _checked_lookup(form.code.data or "", form.contact.data or "")
    if refusal is not None:
        return None, refusal
    if not form.validate_on_submit():
        return None, _tracked(ticket, form.code.data, form.contact.data, status=400,
                              error=_("Please correct the fields marked below."),
                              **{form_name: form})
    return ticket, None


@bp.route("/feedback/track", methods=["GET", "POST"])
def track():
    form = TrackForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:40]  # the link in a notice fills the code in
    if not form.validate_on_submit():
        return render_template("feedback/track.html", form=form, ticket=None, error=None)
    ticket, refusal = _checked_lookup(form.code.data, form.contact.data)
    if refusal is not None:
        return refusal
    return _tracked(ticket, form.code.data, form.contact.data)


@bp.post("/feedback/track/reply")
def track_reply():
    """The citizen sends the information they were asked for; the clock runs again."""
    form = CitizenReplyForm()
    ticket, refusal = _citizen_step(form, "reply_form")
    if refusal is not None:
        return refusal
    try:
        services.citizen_reply(get_session(), ticket, form.reply.data)
    except wf.WorkflowError:
        return _tracked(ticket, form.code.data, form.contact.data, status=409, error=_(
            "This feedback is not waiting for information from you (any more): nothing was "
            "sent. Its status is below."))
    return _tracked(ticket, form.code.data, form.contact.data, notice=_(
        "Thank you: your information was received and the handling goes on."))


@bp.post("/feedback/track/rate")
def track_rate():
    """The citizen says whether the answer resolved their issue (once per answer)."""
    form = RatingForm()
    ticket, refusal = _citizen_step(form, "rating_form")
    if refusal is not None:
        return refusal
    try:
        services.rate_answer(get_session(), ticket, form.resolved.data == "yes",
                             form.comment.data)
    except services.AlreadyRated:
        return _tracked(ticket, form.code.data, form.contact.data, status=409, error=_(
            "This answer was already rated: one rating per answer."))
    except services.NothingToRate:
        return _tracked(ticket, form.code.data, form.contact.data, status=409, error=_(
            "There is no answer to rate yet."))
    return _tracked(ticket, form.code.data, form.contact.data, notice=_(
        "Thank you for your rating.") if form.resolved.data == "yes" else _(
        "Thank you. A leader of the department will review the answer and you will hear "
        "from us."))


@bp.get("/feedback/published")
def published():
    filters = queries.PublicFilters.from_args(request.args)
    page = queries.published_page(get_session(), filters, page_number(request.args.get("page")),
                                  current_app.config["FEEDBACK_PER_PAGE"])
    return render_template("feedback/published.html", page=page, filters=filters,
                           fields=all_fields(get_session()), years=queries.published_years(
                               get_session()))


@bp.get("/feedback/published/<code>")
def published_one(code: str):
    ticket = queries.published_ticket(get_session(), code)
    if ticket is None:
        abort(404)
    return render_template("feedback/published_one.html", ticket=ticket)


@bp.get("/feedback/published.atom")
def feed():
    tickets = queries.latest_published(get_session(), 50)
    body = render_template("feedback/published.atom.xml", tickets=tickets)
    return Response(body, mimetype="application/atom+xml")


@bp.get("/feedback/published.<any(csv, json):fmt>")
def open_data(fmt: str):
    """Open data: every published result, streamed (no personal data, no internal notes)."""
    rows = exports.published_rows()
    if fmt == "csv":
        body, mimetype = exports.csv_stream(rows), "text/csv; charset=utf-8"
    else:
        body, mimetype = exports.json_stream(rows), "application/json"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=phan-anh-kien-nghi.{fmt}"
    return response
