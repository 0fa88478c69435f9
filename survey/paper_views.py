"""Staff pages for paper questionnaires (NĐ 61/2018 Điều 29 k1 a, k4: paper forms, and help
for people who do not use a phone): print numbered batches per counter, key the returned forms
in (issue 9, point 7)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import role_required
from portal.auth.roles import ADMIN, RECEPTION, SECRETARIAT
from portal.db import get_session
from portal.qrcodes import inline_svg
from portal.workdays import today_in_vietnam
from survey import paper, paper_services, queries
from survey.forms import PAPER_ROWS, PaperBatchForm, PaperEntryForm, counter_choices
from survey.models import PaperBatch

bp = Blueprint("survey_paper", __name__, url_prefix="/staff/survey/paper",
               template_folder="templates")

PAPER_STAFF = (RECEPTION, SECRETARIAT, ADMIN)


@bp.route("", methods=["GET", "POST"])
@role_required(*PAPER_STAFF)
def batches():
    """The printed batches, and a new one."""
    session = get_session()
    form = PaperBatchForm()
    form.counter_id.choices = counter_choices(session)
    if form.validate_on_submit():
        try:
            counter = paper_services.active_counter(session, form.counter_id.data)
        except ValueError:
            abort(404)  # retired since the page was shown
        try:
            batch = paper_services.create_batch(session, counter, form.count.data,
                                                form.paper_size.data, actor=current_user)
        except paper_services.NumbersUsedUp:
            form.count.errors.append(_("The form numbers are used up (999999): ask the "
                                       "administrator."))
        else:
            return redirect(url_for("survey_paper.print_batch", batch_id=batch.id))
    listed, entered = queries.paper_batches(session)
    return render_template("survey/paper_batches.html", form=form, batches=listed,
                           entered=entered, number=paper.form_number)


@bp.get("/<int:batch_id>/print")
@role_required(*PAPER_STAFF)
def print_batch(batch_id: int):
    """Every form of the batch, one to a page, ready to print."""
    batch = get_session().get(PaperBatch, batch_id) or abort(404)
    forms = [(paper.form_number(serial), inline_svg(paper.form_number(serial)))
             for serial in range(batch.first_serial, batch.last_serial + 1)]
    with force_locale("vi"):  # handed to citizens: in Vietnamese, whatever the staff reads
        return render_template("survey/paper_print.html", batch=batch, forms=forms,
                               expectation_codes=paper_services.expectation_codes(batch),
                               two_sided=batch.paper_size == "A5" or bool(
                                   paper_services.expectation_codes(batch) or batch.one_stop))


@bp.route("/entry", methods=["GET", "POST"])
@role_required(*PAPER_STAFF)
def entry():
    """Key in returned forms: one row per form, digits only; the page is stored whole or not
    at all."""
    session = get_session()
    form = PaperEntryForm()
    problems, status = {}, 200
    if request.method == "GET":
        form.collected_on.data = today_in_vietnam()
    elif form.validate_on_submit():
        rows = [paper_services.Row(line, **row.data) for line, row in
                enumerate(form.rows, start=1)]
        try:
            stored = paper_services.enter_forms(session, rows, form.collected_on.data,
                                                actor=current_user)
        except paper_services.EntryProblems as error:
            problems, status = dict(error.problems), 422
        except ValueError as error:
            form.collected_on.errors.append(
                _("The collection day cannot be in the future.") if str(error) == "future"
                else _("Type at least one form before saving."))
            status = 422
        else:
            flash(ngettext("%(num)s form was entered.", "%(num)s forms were entered.",
                           len(stored)), "success")
            return redirect(url_for("survey_paper.entry"))
    else:
        status = 422
    while len(form.rows) < PAPER_ROWS:
        form.rows.append_entry()
    return render_template("survey/paper_entry.html", form=form, problems=problems,
                           statements=len(paper_services.statement_codes(
                               paper_services.current_questionnaire(session))),
                           dossier_columns=paper_services.dossier_questions_printed(session)
                           or any(row.dossier_code.data or row.one_stop.data
                                  for row in form.rows)), status
