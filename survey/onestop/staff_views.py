"""Staff pages of the one-stop evaluation: the dossier import, the scoreboard with its
drill-down and exports, the units' quarterly declarations, the late dossiers and their
apology letters (Mẫu 04)."""
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
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal import tabular
from portal.auth import role_required
from portal.auth.models import Unit, User
from portal.auth.roles import ADMIN, HANDLER, LEADER, RECEPTION, SECRETARIAT
from portal.db import get_session, write_transaction
from portal.file_import import megabytes
from portal.pages.forms import ImportForm
from portal.pagination import page_number
from portal.text import whole_number
from portal.workcalendar.services import working_calendar
from portal.workdays import today_in_vietnam
from survey.onestop import dossier_import, queries, services
from survey.onestop.forms import ApologyForm, DeclarationForm, SchemeUploadForm
from survey.onestop.models import Dossier, SchemeVersion
from survey.onestop.scheme import DEFAULT as DEFAULT_SCHEME

bp = Blueprint("onestop_staff", __name__, url_prefix="/staff/one-stop",
               template_folder="../templates")

IMPORTERS = (SECRETARIAT, ADMIN)
READERS = (LEADER, SECRETARIAT, ADMIN)  # the scoreboard, its drill-down and exports
DECLARERS = (SECRETARIAT, ADMIN)
SCHEME_MAX_BYTES = 512 * 1024
# Late dossiers and apologies: the one-stop counter, the secretariat, and the handling unit's
# officers for their own unit's dossiers.
APOLOGISERS = (RECEPTION, HANDLER, SECRETARIAT, ADMIN)


@bp.route("/import", methods=["GET", "POST"])
@role_required(*IMPORTERS)
def dossier_import_page():
    form = ImportForm()
    parsed = summary = None
    session = get_session()
    if form.validate_on_submit():
        write_transaction()
        upload = form.file.data
        limit = current_app.config["IMPORT_MAX_BYTES"]
        # Read one byte past the limit: enough to know the file is too large.
        with upload.stream as stream:  # a large upload is a temporary file
            data = stream.read(limit + 1)
        parsed = services.read_import(session, data, upload.filename or "", max_bytes=limit)
        if parsed.ok:
            summary = services.import_dossiers(session, parsed.rows, dry_run=form.dry_run.data,
                                               source=upload.filename or "upload")
    return render_template("onestop/import.html", form=form, parsed=parsed, summary=summary,
                           kept=services.dossier_count(session),
                           import_columns=dossier_import.COLUMNS,
                           import_required=dossier_import.REQUIRED)


@bp.get("/scoreboard")
@role_required(*READERS)
def scoreboard():
    session = get_session()
    period = queries.period_from(request.args, today_in_vietnam())
    scheme = services.current_scheme()
    board = queries.scoreboard(session, period, scheme)
    file_format = request.args.get("format")
    if file_format in ("csv", "xlsx"):
        with force_locale("vi"):  # like the units' names and the ratings: the official text
            department = _("Whole department")
        table = queries.board_rows(board, period, scheme, department)
        name = f"danh-gia-mot-cua-{period.year}" + (f"-q{period.quarter}" if period.quarter else "")
        if file_format == "csv":
            response = Response(stream_with_context(tabular.csv_stream(table)),
                                mimetype="text/csv; charset=utf-8")
            response.headers["Content-Disposition"] = f"attachment; filename={name}.csv"
            return response
        return send_file(tabular.xlsx_file(table, name), as_attachment=True,
                         download_name=f"{name}.xlsx")
    return render_template("onestop/scoreboard.html", period=period, scheme=scheme, scores=board,
                           stale=services.stale_scores(session, scheme),
                           officers=queries.officers(session, period, scheme),
                           apologies=services.apologies_by_unit_month(
                               session, period.first_day, period.last_day),
                           years=queries.years(today_in_vietnam()),
                           may_declare=current_user.has_role(*DECLARERS))


def _unit_or_404(code: str) -> Unit:
    unit = get_session().scalar(select(Unit).where(Unit.code == code[:30]))
    if unit is None:
        abort(404)
    return unit


@bp.get("/scoreboard/<code>")
@role_required(*READERS)
def unit_dossiers(code: str):
    session = get_session()
    unit = _unit_or_404(code)
    period = queries.period_from(request.args, today_in_vietnam())
    page = page_number(request.args.get("page", ""))
    scheme = services.current_scheme()
    posted = {q: declaration.procedures_posted for q in period.quarters
              if (declaration := queries.declaration(session, unit, period.year, q))}
    return render_template("onestop/unit_dossiers.html", unit=unit, period=period,
                           scheme=scheme, page=queries.lost_dossiers(session, unit, period, page),
                           posted=posted)


@bp.route("/declarations/<code>", methods=["GET", "POST"])
@role_required(*DECLARERS)
def declaration(code: str):
    session = get_session()
    unit = _unit_or_404(code)
    period = queries.period_from(request.args, today_in_vietnam())
    if period.quarter is None:
        abort(404)
    kept = queries.declaration(session, unit, period.year, period.quarter)
    form = DeclarationForm(data={
        "all_through_counter": "yes" if kept.all_through_counter else "no",
        "settled_share": kept.settled_share,
        "procedures_posted": "yes" if kept.procedures_posted else "no"} if kept else None)
    if form.validate_on_submit():
        services.save_declaration(
            session, unit, period.year, period.quarter,
            all_through_counter=form.all_through_counter.data == "yes",
            settled_share=form.settled_share.data,
            procedures_posted=form.procedures_posted.data == "yes", actor=current_user)
        flash(_("The declaration of %(unit)s for quarter %(quarter)s/%(year)s is recorded.",
                unit=unit.name, quarter=period.quarter, year=period.year), "success")
        return redirect(url_for(".scoreboard", year=period.year, quarter=period.quarter))
    return render_template("onestop/declaration.html", unit=unit, period=period, form=form,
                           kept=kept)


def _own_unit_only() -> int | None:
    """A handler (without a wider role) sees their own unit's dossiers only."""
    if current_user.has_role(RECEPTION, SECRETARIAT, ADMIN):
        return None
    return current_user.unit_id or -1


def _dossier_or_404(code: str) -> Dossier:
    dossier = get_session().scalar(select(Dossier).where(Dossier.code == code[:60]))
    unit = _own_unit_only()
    if dossier is None or (unit is not None and dossier.unit_id != unit):
        abort(404)
    return dossier


@bp.get("/late")
@role_required(*APOLOGISERS)
def late():
    session = get_session()
    today = today_in_vietnam()
    due_by = working_calendar(session).add_working_days(today, 1)
    page = queries.late_dossiers(session, due_by, _own_unit_only(),
                                 page_number(request.args.get("page", "")))
    return render_template("onestop/late.html", today=today, due_by=due_by, page=page)


@bp.route("/dossiers/<path:code>/apology", methods=["GET", "POST"])
@role_required(*APOLOGISERS)
def apology(code: str):
    session = get_session()
    dossier = _dossier_or_404(code)
    form = ApologyForm()
    refusal = None
    if form.validate_on_submit():
        write_transaction()
        try:
            services.record_apology(session, dossier, reason=form.reason.data,
                                    new_due_on=form.new_due_on.data, actor=current_user,
                                    calendar=working_calendar(session))
        except services.ApologyRefused as error:
            refusal = str(error.args[0])
        else:
            flash(_("The apology is recorded; print the letter and hand or send it to the "
                    "citizen."), "success")
            return redirect(url_for(".apology_letter", code=dossier.code))
    return render_template("onestop/apology.html", dossier=dossier, form=form, refusal=refusal)


@bp.get("/dossiers/<path:code>/apology/letter")
@role_required(*APOLOGISERS)
def apology_letter(code: str):
    dossier = _dossier_or_404(code)
    if dossier.new_due_on is None:
        abort(404)
    return render_template("onestop/apology_letter.html", dossier=dossier)


@bp.route("/schemes", methods=["GET", "POST"])
@role_required(ADMIN)
def schemes():
    """The evaluation scheme's versions; an administrator publishes a new one from a file."""
    session = get_session()
    form = SchemeUploadForm()
    problems = []
    if form.validate_on_submit():
        write_transaction()
        with form.file.data.stream as stream:  # a large upload is a temporary file
            data = stream.read(SCHEME_MAX_BYTES + 1)
        if len(data) > SCHEME_MAX_BYTES:
            problems = [_("The file is larger than the limit of %(limit)s MB.",
                          limit=megabytes(SCHEME_MAX_BYTES))]
        else:
            scheme, problems = services.publish_scheme(session, data, actor=current_user)
        if not problems:
            flash(_("Scheme %(version)s is published and scores with it from now on.",
                    version=scheme.version), "success")
            return redirect(url_for(".schemes"))
    versions = session.scalars(select(SchemeVersion).order_by(SchemeVersion.id.desc())).all()
    return render_template("onestop/schemes.html", form=form, problems=problems,
                           versions=versions, current=services.current_scheme(session),
                           default_file=DEFAULT_SCHEME.name)


@bp.get("/officers/<int:user_id>")
@role_required(*READERS)
def officer_sheet(user_id: int):
    """An officer's printable sheet: the month (?year=&month=) or the year summary (?year=):
    survey index (the survey tally), one-stop score and rating, late dossiers, apologies."""
    from survey import reports as survey_reports
    from survey import services as survey_services
    from survey.queries import Filters

    session = get_session()
    officer = session.get(User, user_id) or abort(404)
    today = today_in_vietnam()
    period = queries.period_from(request.args, today)
    month_arg = whole_number(request.args.get("month", ""), 2) or 0
    month = month_arg if 1 <= month_arg <= 12 else None
    scheme = services.current_scheme(session)
    lines, total = queries.officer_year(session, officer, period.year, scheme)
    rules = survey_reports.index_rules()
    first = date(period.year, month or 1, 1)
    last = (date(period.year, 12, 31) if month is None else
            (date(period.year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)))
    survey_rows = survey_reports.by_officer(
        session, survey_services.current_questionnaire(session), Filters(start=first, end=last),
        rules, monthly=month is None)
    survey_row = next((row for row in survey_rows if row.officer.id == officer.id), None)
    return render_template(
        "onestop/officer_sheet.html", officer=officer, year=period.year, month=month,
        lines=lines, total=total, line=lines[month - 1] if month else None, scheme=scheme,
        rules=rules, survey_row=survey_row, first=first, last=last,
        late=queries.officer_late_dossiers(session, officer, first) if month else [],
        years=queries.years(today))
