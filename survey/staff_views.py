"""Staff pages of the survey: counters, their QR codes and posters, dossier QR codes, the
dashboard and its exports."""
from __future__ import annotations

from datetime import date, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from portal import privacy, tabular
from portal.auth import role_required
from portal.auth.models import Unit, User
from portal.auth.roles import ADMIN, LEADER, RECEPTION, SECRETARIAT
from portal.db import get_session
from portal.i18n import pick
from portal.pages.queries import all_fields
from portal.pagination import page_number, paginate
from portal.qrcodes import public_url, qr_response
from portal.text import query_text, whole_number
from portal.workdays import today_in_vietnam
from survey import dossier_batch as dossier_batch_file
from survey import exports, queries, reports, services
from survey import instrument as instrument_checks
from survey.forms import (
    CounterForm,
    DossierBatchForm,
    DossierLinkForm,
    DutyForm,
    QuestionnaireUploadForm,
    ReviewForm,
    counter_choices,
)
from survey.models import (
    CHANNEL_LABELS,
    CHANNELS,
    ONE_STOP_BESIDES,
    ONE_STOP_INSTEAD,
    ONE_STOP_MODES,
    ONE_STOP_OFF,
    Counter,
    CounterDuty,
    Questionnaire,
)
from survey.models import Response as SurveyResponse
from survey.screening import EXCLUSION_REASONS
from survey.screening import describe as describe_signals

bp = Blueprint("survey_staff", __name__, url_prefix="/staff/survey",
               template_folder="templates")

COUNTER_MANAGERS = (ADMIN, SECRETARIAT)  # the secretariat runs the one-stop section
DOSSIER_ISSUERS = (RECEPTION, ADMIN)


def _counter_or_404(counter_id: int) -> Counter:
    return get_session().get(Counter, counter_id) or abort(404)


def survey_link(token: str) -> str:
    return public_url("survey.answer", token=token)


@bp.get("/counters")
@role_required(*COUNTER_MANAGERS)
def counters():
    listed = get_session().scalars(select(Counter).order_by(Counter.code)).all()
    return render_template("survey/staff_counters.html", counters=listed, survey_link=survey_link,
                           tablet_link=tablet_link)


@bp.route("/counters/new", methods=["GET", "POST"], defaults={"counter_id": None})
@bp.route("/counters/<int:counter_id>", methods=["GET", "POST"])
@role_required(*COUNTER_MANAGERS)
def counter_edit(counter_id: int | None):
    session = get_session()
    counter = None if counter_id is None else _counter_or_404(counter_id)
    form = CounterForm(obj=counter)
    form.unit_id.choices = [SelectChoice(unit.id, pick(unit.name, unit.name_en))
                            for unit in session.scalars(Unit.ordered())]
    if form.validate_on_submit():
        if services.counter_code_taken(session, form.code.data, counter.id if counter else None):
            form.code.errors.append(_("Another counter already has this code."))
        else:
            services.save_counter(session, counter, code=form.code.data, name=form.name.data,
                                  name_en=form.name_en.data,
                                  unit=session.get(Unit, form.unit_id.data),
                                  active=form.active.data)
            flash(_("Counter saved."), "success")
            return redirect(url_for("survey_staff.counters"))
    return render_template("survey/staff_counter_form.html", form=form, counter=counter)


@bp.post("/counters/<int:counter_id>/rotate")
@role_required(*COUNTER_MANAGERS)
def counter_rotate(counter_id: int):
    counter = _counter_or_404(counter_id)
    services.issue_counter_link(get_session(), counter)
    flash(_("Counter %(code)s has a new survey link: print its new QR code. The old one no "
            "longer works.", code=counter.code), "success")
    return redirect(url_for("survey_staff.counters"))


@bp.post("/counters/<int:counter_id>/revoke")
@role_required(*COUNTER_MANAGERS)
def counter_revoke(counter_id: int):
    counter = _counter_or_404(counter_id)
    services.revoke_counter_link(get_session(), counter)
    flash(_("The survey link of counter %(code)s no longer works.", code=counter.code),
          "success")
    return redirect(url_for("survey_staff.counters"))


@bp.post("/counters/<int:counter_id>/tablet")
@role_required(*COUNTER_MANAGERS)
def counter_tablet(counter_id: int):
    """Issue (or replace) the link of the counter's rating tablet."""
    counter = _counter_or_404(counter_id)
    if not counter.active:
        abort(404)
    rotated = counter.tablet_token is not None
    services.issue_tablet_link(get_session(), counter)
    flash(_("Counter %(code)s has a new tablet link: open it on the tablet. The old one no "
            "longer works.", code=counter.code) if rotated else
          _("Counter %(code)s has a tablet link: open it on the tablet.", code=counter.code),
          "success")
    return redirect(url_for("survey_staff.counters"))


@bp.post("/counters/<int:counter_id>/tablet/revoke")
@role_required(*COUNTER_MANAGERS)
def counter_tablet_revoke(counter_id: int):
    counter = _counter_or_404(counter_id)
    services.revoke_tablet_link(get_session(), counter)
    flash(_("The tablet link of counter %(code)s no longer works.", code=counter.code),
          "success")
    return redirect(url_for("survey_staff.counters"))


@bp.get("/counters/<int:counter_id>/tablet/qr.png")
@role_required(*COUNTER_MANAGERS)
def counter_tablet_qr(counter_id: int):
    """The tablet link as a QR code on the staff page, to open it on the tablet by scanning
    (never printed for citizens)."""
    counter = _counter_or_404(counter_id)
    if not counter.tablet_token or not counter.active:
        abort(404)
    return qr_response(tablet_link(counter.tablet_token), "png")


def tablet_link(token: str) -> str:
    return public_url("survey_tablet.page", token=token)


def _live_link(counter: Counter) -> str:
    """:raise 404: when the counter has no working survey link to print."""
    if not counter.token or not counter.active:
        abort(404)
    return survey_link(counter.token)


@bp.get("/counters/<int:counter_id>/qr.<any(png, svg):image_format>")
@role_required(*COUNTER_MANAGERS)
def counter_qr(counter_id: int, image_format: str):
    counter = _counter_or_404(counter_id)
    return qr_response(_live_link(counter), image_format, filename=f"qr-{counter.code}",
                       disposition="attachment")


@bp.get("/counters/<int:counter_id>/<any(poster, tent):layout>")
@role_required(*COUNTER_MANAGERS)
def counter_print(counter_id: int, layout: str):
    """A4 poster or A5 table tent, ready to print."""
    counter = _counter_or_404(counter_id)
    return render_template("survey/print_counter.html", counter=counter, layout=layout,
                           link=_live_link(counter))


@bp.route("/dossiers", methods=["GET", "POST"])
@role_required(*DOSSIER_ISSUERS)
def dossier_link():
    """Reception makes the single-use QR code printed on a dossier receipt."""
    session = get_session()
    form = DossierLinkForm()
    form.counter_id.choices = counter_choices(session)
    batch = DossierBatchForm(prefix="batch")
    batch.counter_id.choices = form.counter_id.choices
    link = created = None
    if form.submit_token.data and form.validate_on_submit():
        counter = session.get(Counter, form.counter_id.data)
        link, created = services.create_dossier_link(session, form.dossier_code.data, counter,
                                                     actor=current_user)
        if link.counter_id != counter.id:
            form.dossier_code.errors.append(_(
                "This dossier already has a survey link for counter %(code)s.",
                code=link.counter.code))
            link = None
    return render_template("survey/staff_dossier.html", form=form, batch=batch, link=link,
                           created=created, url=survey_link(link.token) if link else None)


@bp.post("/dossiers/batch")
@role_required(*DOSSIER_ISSUERS)
def dossier_batch():
    """Links for a whole CSV of dossiers at once, all or none, and a sheet to print."""
    session = get_session()
    form = DossierLinkForm()
    form.counter_id.choices = counter_choices(session)
    batch = DossierBatchForm(prefix="batch")
    batch.counter_id.choices = form.counter_id.choices
    problems = []
    if batch.validate_on_submit():
        rows, problems = dossier_batch_file.parse(batch.file.data.stream.read(1024 * 1024 + 1))
        default = session.get(Counter, batch.counter_id.data)
        if not problems:
            links = []
            try:
                links = services.create_dossier_links(session, rows, default, actor=current_user)
            except services.BatchProblems as error:
                problems = error.problems
            if not problems:
                return render_template("survey/dossier_sheet.html", links=links,
                                       survey_link=survey_link)
    return render_template("survey/staff_dossier.html", form=form, batch=batch, link=None,
                           batch_problems=problems, url=None), 200


@bp.get("/dossiers/<token>/qr.<any(png, svg):image_format>")
@role_required(*DOSSIER_ISSUERS)
def dossier_qr(token: str, image_format: str):
    target = services.resolve(get_session(), token[:16])
    if target is None or target.dossier is None:
        abort(404)
    return qr_response(survey_link(token), image_format)


DASHBOARD_READERS = (LEADER, SECRETARIAT, ADMIN)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return whole_number(value)


def dashboard_filters() -> tuple[queries.Filters, list[str]]:
    """The dashboard's filters from the query string, and a message for each one ignored."""
    problems = []
    today = today_in_vietnam()
    start, end = date(today.year, 1, 1), today
    try:
        if request.args.get("start"):
            start = date.fromisoformat(request.args["start"][:10])
        if request.args.get("end"):
            end = date.fromisoformat(request.args["end"][:10])
    except ValueError:
        problems.append(_("A date was not understood; showing this year so far."))
        start, end = date(today.year, 1, 1), today
    if start > end:
        problems.append(_("The start date was after the end date; they were swapped."))
        start, end = end, start
    channel = request.args.get("channel") or None
    filters = queries.Filters(
        start=start, end=end, unit_id=_int_arg("unit"), counter_id=_int_arg("counter"),
        officer_id=_int_arg("officer"), procedure_field_id=_int_arg("field"),
        channel=channel if channel in CHANNELS else None,
        include_flagged=request.args.get("flagged") == "1")
    return filters, problems


@bp.get("/")
@role_required(*DASHBOARD_READERS)
def dashboard():
    session = get_session()
    filters, problems = dashboard_filters()
    questionnaire = services.current_questionnaire(session)
    rules = reports.index_rules()
    figures = reports.figures(session, questionnaire, filters, rules)
    search = query_text(request.args.get("q"), 100)
    return render_template(
        "survey/dashboard.html", filters=filters, problems=problems, figures=figures,
        questionnaire=questionnaire, rules=rules,
        weakest=reports.weakest_items(questionnaire, figures),
        trend=reports.monthly_trend(session, questionnaire, filters, rules),
        comments=privacy.matching(queries.comments(session, filters, search), search,
                                  lambda response: response.comment), search=search,
        exclusions=queries.exclusions(session, filters), reasons=EXCLUSION_REASONS,
        channel_labels=CHANNEL_LABELS,
        units=session.scalars(Unit.ordered()).all(),
        counters=session.scalars(select(Counter).order_by(Counter.code)).all(),
        officers=queries.officers_with_answers(session), fields=all_fields(session))


@bp.get("/export/<any(responses, aggregates):kind>.<any(csv, xlsx):file_format>")
@role_required(*DASHBOARD_READERS)
def export(kind: str, file_format: str):
    """The dashboard's selection as a file: every response, or the aggregated figures."""
    filters, _problems = dashboard_filters()
    name = f"khao-sat-{kind}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.{file_format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    session = get_session()
    questionnaire = services.current_questionnaire(session)
    if kind == "aggregates":
        rows = exports.aggregate_rows(questionnaire, reports.figures(
            session, questionnaire, filters, reports.index_rules()))
    else:
        # Its own session: the rows are produced while the response streams out.
        export_session = current_app.extensions["db"].sessionmaker()
        rows = _closing(exports.response_rows(
            export_session, filters, exports.item_codes(session, questionnaire),
            masked_comments=not privacy.reads_verbatim()), export_session)
    if file_format == "csv":
        return Response(stream_with_context(tabular.csv_stream(rows)),
                        mimetype="text/csv", headers=headers)
    handle = tabular.xlsx_file(rows, kind)
    return send_file(handle, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _closing(rows, session):
    try:
        yield from rows
    finally:
        session.close()


@bp.get("/officers")
@role_required(*DASHBOARD_READERS)
def officer_report():
    """The monthly per-officer report (?month=YYYY-MM) or the year summary (?year=YYYY)."""
    session = get_session()
    today = today_in_vietnam()
    year_arg, month_arg = request.args.get("year", ""), request.args.get("month", "")
    if 2000 <= (whole_number(year_arg, 4) or 0) <= today.year:
        year, month = int(year_arg), None
        start, end = date(year, 1, 1), date(year, 12, 31)
    else:
        try:
            first = date.fromisoformat(f"{month_arg[:7]}-01") if month_arg else today
        except ValueError:
            first = today
        year, month = first.year, first.month
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    questionnaire = services.current_questionnaire(session)
    rules = reports.index_rules()
    rows = reports.by_officer(session, questionnaire, queries.Filters(start=start, end=end),
                              rules, monthly=month is None)
    return render_template("survey/officer_report.html", rows=rows, year=year, month=month,
                           start=start, end=end, rules=rules,
                           months=[f"{year}-{number:02d}" for number in range(1, 13)])


@bp.route("/counters/<int:counter_id>/duty", methods=["GET", "POST"])
@role_required(*COUNTER_MANAGERS)
def counter_duty(counter_id: int):
    """Who is on duty at the counter on which days: their answers are credited to them."""
    session = get_session()
    counter = _counter_or_404(counter_id)
    form = DutyForm()
    form.officer_id.choices = [
        SelectChoice(user.id, user.full_name) for user in session.scalars(
            select(User).where(User.active.is_(True)).order_by(User.full_name))]
    today = today_in_vietnam()
    if request.method == "GET":
        form.first_day.data = form.last_day.data = today
    elif form.validate_on_submit():
        try:
            added = services.assign_duty(
                session, counter, session.get(User, form.officer_id.data), form.first_day.data,
                form.last_day.data, weekdays_only=form.weekdays_only.data)
        except ValueError as error:
            target = form.last_day if str(error) == "reversed" else form.first_day
            target.errors.append(
                _("The last day is before the first day.") if str(error) == "reversed" else
                _("Assign at most %(n)s days at a time.", n=services.MAX_DUTY_DAYS))
        else:
            flash(ngettext("%(num)s day of duty added.", "%(num)s days of duty added.", added),
                  "success")
            return redirect(url_for("survey_staff.counter_duty", counter_id=counter.id))
    return render_template("survey/staff_duty.html", counter=counter, form=form,
                           duties=services.duties(session, counter, today - timedelta(days=7),
                                                  today + timedelta(days=60)), today=today)


@bp.post("/counters/<int:counter_id>/duty/<int:duty_id>/remove")
@role_required(*COUNTER_MANAGERS)
def counter_duty_remove(counter_id: int, duty_id: int):
    session = get_session()
    duty = session.get(CounterDuty, duty_id)
    if duty is None or duty.counter_id != counter_id:
        abort(404)
    services.remove_duty(session, duty)
    flash(_("Duty removed."), "success")
    return redirect(url_for("survey_staff.counter_duty", counter_id=counter_id))


REVIEW_LISTS = ("pending", "decided")


@bp.route("/flagged", methods=["GET", "POST"])
@role_required(ADMIN)
def flagged_responses():
    """The answers the checks left out, with their signals: an administrator counts one or
    confirms its exclusion, with a reason (issue 9, point 1). ``?show=decided`` lists the
    decisions made."""
    session = get_session()
    form, problem, status = ReviewForm(), None, 200
    if form.validate_on_submit():
        response = session.get(SurveyResponse, form.whole("response_id") or 0) or abort(404)
        try:
            services.review_response(session, response, count=form.decision.data == "count",
                                     reason=form.reason.data, actor=current_user,
                                     shown_version=form.whole("version") or 0)
        except services.StaleReview:
            problem, status = _("Someone else decided on this answer after your page was "
                                "shown: its decision is below. Nothing was changed."), 409
        else:
            flash(_("The answer is counted.") if form.decision.data == "count" else
                  _("The answer stays left out."), "success")
            return redirect(url_for("survey_staff.flagged_responses",
                                    show=request.args.get("show")))
    elif form.is_submitted():
        status = 400
    shown = request.args.get("show") if request.args.get("show") in REVIEW_LISTS else "pending"
    page = paginate(session, queries.review_list(shown), page_number(request.args.get("page")),
                    50)
    return render_template("survey/flagged.html", page=page, reasons=EXCLUSION_REASONS,
                           describe=describe_signals, shown=shown, form=form, problem=problem,
                           channel_labels=CHANNEL_LABELS), status


QUESTIONNAIRE_MAX_BYTES = 512 * 1024


@bp.route("/questionnaires", methods=["GET", "POST"])
@role_required(ADMIN)
def questionnaires():
    """The versions of the questionnaire; an admin publishes a new one from a file."""
    session = get_session()
    form = QuestionnaireUploadForm()
    problems = []
    if form.validate_on_submit():
        data = form.file.data.stream.read(QUESTIONNAIRE_MAX_BYTES + 1)
        if len(data) > QUESTIONNAIRE_MAX_BYTES:
            problems = [_("The file is larger than the limit of %(limit)s MB.", limit="0.5")]
        else:
            instrument, problems = instrument_checks.check(data)
        if not problems:
            try:
                questionnaire = services.publish_questionnaire(
                    session, instrument, make_current=form.make_current.data, actor=current_user)
            except ValueError:
                problems = [_("Version %(version)s exists already: give the new one another "
                              "version.", version=instrument["version"])]
            else:
                flash(_("Version %(version)s is published.", version=questionnaire.version),
                      "success")
                return redirect(url_for("survey_staff.questionnaires"))
    versions = session.scalars(select(Questionnaire).order_by(Questionnaire.id.desc())).all()
    answered = dict(session.execute(select(SurveyResponse.questionnaire_id, func.count())
                                    .group_by(SurveyResponse.questionnaire_id)).all())
    return render_template("survey/questionnaires.html", form=form, problems=problems,
                           versions=versions, answered=answered)


def _asked(questionnaire_id: int) -> tuple[Questionnaire, bool]:
    """The version and the ?ask=1 / ?ask=0 of a switch on it (404, 400 otherwise)."""
    questionnaire = get_session().get(Questionnaire, questionnaire_id) or abort(404)
    ask = request.args.get("ask")
    if ask not in ("0", "1"):
        abort(400)
    return questionnaire, ask == "1"


@bp.post("/questionnaires/<int:questionnaire_id>/one-stop")
@role_required(ADMIN)
def questionnaire_one_stop(questionnaire_id: int):
    """Whether the version asks the TT 01/2018 questions: ?mode=off, besides or instead."""
    questionnaire = get_session().get(Questionnaire, questionnaire_id) or abort(404)
    mode = request.args.get("mode")
    if mode not in ONE_STOP_MODES:
        abort(400)
    services.set_one_stop_mode(get_session(), questionnaire, mode, actor=current_user)
    flash({ONE_STOP_OFF: _("Version %(version)s no longer asks the TT 01/2018 questions.",
                           version=questionnaire.version),
           ONE_STOP_BESIDES: _("Version %(version)s now asks the TT 01/2018 questions after "
                               "the statements.", version=questionnaire.version),
           ONE_STOP_INSTEAD: _("Version %(version)s now asks the TT 01/2018 questions instead "
                               "of the statements on dossier links.",
                               version=questionnaire.version)}[mode], "success")
    return redirect(url_for("survey_staff.questionnaires"))


@bp.post("/questionnaires/<int:questionnaire_id>/expectation")
@role_required(ADMIN)
def questionnaire_expectation(questionnaire_id: int):
    """Ask (?ask=1) or stop asking (?ask=0) the version's SIPAS expectation question."""
    questionnaire, ask = _asked(questionnaire_id)
    try:
        services.set_ask_expectation(get_session(), questionnaire, ask, actor=current_user)
    except ValueError:
        abort(404)
    flash(_("Version %(version)s now asks what to improve first.",
            version=questionnaire.version) if ask else
          _("Version %(version)s no longer asks what to improve first.",
            version=questionnaire.version), "success")
    return redirect(url_for("survey_staff.questionnaires"))


@bp.post("/questionnaires/<int:questionnaire_id>/current")
@role_required(ADMIN)
def questionnaire_current(questionnaire_id: int):
    session = get_session()
    questionnaire = session.get(Questionnaire, questionnaire_id) or abort(404)
    services.make_questionnaire_current(session, questionnaire, actor=current_user)
    flash(_("New answers now use version %(version)s.", version=questionnaire.version),
          "success")
    return redirect(url_for("survey_staff.questionnaires"))
