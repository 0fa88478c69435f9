"""Staff management of the disclosure content: procedures (and their import) and the hotline."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.auth import role_required
from portal.auth.roles import CONTENT_EDITORS
from portal.db import get_session
from portal.pages import queries, services
from portal.pages.forms import HotlineForm, ImportForm, ProcedureForm
from portal.pages.procedure_import import (
    CODE_PATTERN,
    COLUMNS,
    REQUIRED,
    parse_import,
    parse_process_text,
)
from portal.pagination import page_number, paginate
from portal.text import query_text

bp = Blueprint("pages_staff", __name__, url_prefix="/staff")


@bp.get("/procedures")
@role_required(*CONTENT_EDITORS)
def procedures():
    query = query_text(request.args.get("q"), 200)
    statement = queries.procedure_search(query, include_retired=True)
    page = paginate(get_session(), statement, page_number(request.args.get("page")), 50)
    return render_template("pages/staff_procedures.html", page=page, q=query)


def _procedure_or_404(code: str):
    if not CODE_PATTERN.match(code):
        abort(404)
    return queries.procedure_by_code(get_session(), code, include_retired=True) or abort(404)


def _form_for(procedure) -> ProcedureForm:
    if procedure is None:
        return ProcedureForm()
    data = {name: getattr(procedure, name) for name in ProcedureForm.copied_columns}
    data["field"] = procedure.field.name
    data["field_en"] = procedure.field.name_en
    data["internal_process"] = "\n".join(
        " | ".join((step.description, step.unit or "", step.duration or "")).rstrip(" |")
        for step in procedure.process_steps)
    return ProcedureForm(data=data)


@bp.route("/procedures/new", methods=["GET", "POST"], defaults={"code": None})
@bp.route("/procedures/<code>/edit", methods=["GET", "POST"])
@role_required(*CONTENT_EDITORS)
def procedure_edit(code: str | None):
    session = get_session()
    procedure = None if code is None else _procedure_or_404(code)
    form = _form_for(procedure)
    if procedure is not None:
        del form.code  # the code is in printed URLs and QR codes: it never changes
    if form.validate_on_submit():
        steps, problem = parse_process_text(form.internal_process.data)
        if problem:
            form.internal_process.errors.append(problem)
        if procedure is None and services.code_taken(session, form.code.data):
            form.code.errors.append(_("Another procedure already has this code."))
        if not form.errors:
            values = {name: field.data for name, field in form._fields.items()}
            values["code"] = procedure.code if procedure else values["code"]
            values["internal_process"] = steps
            procedure = services.save_procedure(session, procedure, values)
            flash(_("Procedure %(code)s saved.", code=procedure.code), "success")
            return redirect(url_for("pages_staff.procedures"))
    return render_template("pages/procedure_form.html", form=form, procedure=procedure)


@bp.post("/procedures/<code>/retire")
@role_required(*CONTENT_EDITORS)
def procedure_retire(code: str):
    procedure = _procedure_or_404(code)
    services.retire_procedure(get_session(), procedure)
    flash(_("Procedure %(code)s retired: it no longer shows in the public catalogue.",
            code=procedure.code), "success")
    return redirect(url_for("pages_staff.procedures"))


@bp.post("/procedures/<code>/restore")
@role_required(*CONTENT_EDITORS)
def procedure_restore(code: str):
    procedure = _procedure_or_404(code)
    services.restore_procedure(get_session(), procedure)
    flash(_("Procedure %(code)s is published again.", code=procedure.code), "success")
    return redirect(url_for("pages_staff.procedures"))


@bp.route("/procedures/import", methods=["GET", "POST"])
@role_required(*CONTENT_EDITORS)
def procedure_import():
    form = ImportForm()
    parsed = summary = None
    if form.validate_on_submit():
        upload = form.file.data
        # Read one byte past the limit: enough to know the file is too large.
        data = upload.stream.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
        parsed = parse_import(data, upload.filename or "",
                              max_bytes=current_app.config["IMPORT_MAX_BYTES"])
        if parsed.ok:
            summary = services.import_procedures(get_session(), parsed.rows,
                                                 dry_run=form.dry_run.data,
                                                 source=upload.filename or "upload")
    return render_template("pages/procedure_import.html", form=form, parsed=parsed,
                           summary=summary, import_columns=COLUMNS, import_required=REQUIRED)


@bp.route("/hotline", methods=["GET", "POST"])
@role_required(*CONTENT_EDITORS)
def hotline_edit():
    session = get_session()
    page = queries.hotline_page(session)
    form = HotlineForm(obj=page)
    numbers_error = None
    if form.validate_on_submit():
        numbers = [entry.data for entry in form.numbers.entries if entry.data["number"]]
        if any(not entry["label"] for entry in numbers):
            numbers_error = _("Every phone number needs a label.")
        elif not numbers:
            numbers_error = _("Publish at least one phone number.")
        else:
            values = {name: form[name].data for name in services.HOTLINE_COLUMNS}
            services.save_hotline(session, values, numbers)
            flash(_("The hotline page is updated."), "success")
            return redirect(url_for("pages.hotline"))
    return render_template("pages/hotline_form.html", form=form, numbers_error=numbers_error)
