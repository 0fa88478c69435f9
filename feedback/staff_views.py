"""Staff pages for feedback: the queue, intake from other channels, one ticket and its
workflow, publication, reports, the outbox."""
from __future__ import annotations

import io
from datetime import datetime, time

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
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from feedback import access, erasure, exports, notify, queries, replies, reports, services
from feedback import workflow as wf
from feedback.codes import FIRST_YEAR
from feedback.forms import (
    AttachmentForm,
    BulkAssignForm,
    EditForm,
    EraseForm,
    LetterPostedForm,
    NoteForm,
    ReplyTemplateForm,
    StaffIntakeForm,
    action_form_class,
)
from feedback.models import CHANNEL_WEB, Attachment, OutboxMessage, ReplyTemplate, Ticket
from feedback.views import checked_files, fill_choices, say_files_not_kept
from portal import audit, privacy, redact, tabular
from portal.auth import role_required
from portal.auth.models import Unit, User
from portal.auth.roles import HANDLER
from portal.db import get_session, utcnow
from portal.i18n import current_language, pick
from portal.pages.queries import all_fields
from portal.pagination import page_number, paginate
from portal.text import whole_number
from portal.workcalendar.services import working_calendar
from portal.workdays import VIETNAM, today_in_vietnam

bp = Blueprint("feedback_staff", __name__, url_prefix="/staff/feedback")

def _ticket(code: str) -> Ticket:
    """The ticket, if this user works on it.

    :raise 404: unknown code; a handler asking for another unit's ticket gets 403.
    """
    ticket = services.find_by_code(get_session(), code)
    if ticket is None:
        abort(404)
    if not access.may_handle(ticket, current_user):
        abort(403)
    return ticket


def _units():
    return get_session().scalars(select(Unit).where(Unit.active.is_(True))
                                 .order_by(Unit.name)).all()


def _unit_choices(blank: str | None = None):
    choices = [SelectChoice(str(unit.id), pick(unit.name, unit.name_en)) for unit in _units()]
    return ([SelectChoice("", blank)] if blank is not None else []) + choices


def _handlers(unit_id: int | None = None) -> list[User]:
    """Active handling officers (of one unit, if given)."""
    statement = select(User).where(User.active.is_(True), User.unit_id.is_not(None))
    if unit_id is not None:
        statement = statement.where(User.unit_id == unit_id)
    users = get_session().scalars(statement.order_by(User.full_name)).all()
    return [user for user in users if user.has_role(HANDLER)]


def _officer_choices():
    return [SelectChoice("", "—")] + [
        SelectChoice(str(user.id), f"{user.full_name} ({pick(user.unit.name, user.unit.name_en)})")
        for user in _handlers()]


def _deadline_context():
    today = today_in_vietnam()
    calendar = working_calendar(get_session(), today)
    return today, queries.soon_until(calendar, today, services.deadline_rules())


@bp.get("")
@role_required(*access.WORKERS)
def queue():
    filters = queries.QueueFilters.from_args(request.args)
    handler_only = access.queue_unit(current_user) is not None
    if handler_only:
        filters.unit_id = access.queue_unit(current_user)  # a handler: their unit's tickets
    today, soon = _deadline_context()
    page = paginate(get_session(), queries.queue_statement(filters, today, soon, get_session()),
                    page_number(request.args.get("page")), current_app.config["FEEDBACK_PER_PAGE"],
                    count_up_to=queries.COUNT_UP_TO)
    bulk = BulkAssignForm()
    bulk.unit_id.choices = _unit_choices(_("— choose a unit —"))
    return render_template(
        "feedback/staff/queue.html", page=page, filters=filters, today=today, soon=soon,
        due_flag=queries.due_flag, units=_units(), fields=all_fields(get_session()),
        officers=_handlers(current_user.unit_id if handler_only else None),
        bulk=bulk, can_assign=access.sees_every_ticket(current_user), handler_only=handler_only)


@bp.post("/assign")
@role_required(*access.DISPATCHERS)
def bulk_assign():
    form = BulkAssignForm()
    form.unit_id.choices = _unit_choices(_("— choose a unit —"))
    if not form.validate_on_submit() or not form.ticket_ids.data:
        flash(_("Tick the tickets to assign and choose a unit."), "error")
        return redirect(url_for(".queue"))
    session = get_session()
    done, skipped = 0, []
    ids = [number for number in form.ticket_ids.data if 0 < number < 2**31]
    for ticket in session.scalars(select(Ticket).where(Ticket.id.in_(ids))):
        # Only tickets waiting for assignment: moving one already assigned (perhaps a moment
        # ago, by someone else) is done on its own page, where the version is checked.
        if ticket.state != wf.ACCEPTED:
            skipped.append(ticket.code)
            continue
        services.act(session, ticket, wf.ASSIGN, current_user, {"unit_id": form.unit_id.data},
                     shown_version=None)
        done += 1
    flash(_("%(n)s tickets assigned.", n=done), "success")
    if skipped:
        flash(_("Not assigned (not waiting for assignment): %(codes)s",
                codes=", ".join(skipped)), "error")
    return redirect(url_for(".queue"))


@bp.route("/new", methods=["GET", "POST"])
@role_required(*access.INTAKE)
def intake():
    """Transcribe a call, a visit, a letter or an email (NĐ 20/2008 Điều 7 k2)."""
    form = StaffIntakeForm()
    fill_choices(form)
    if request.method == "GET":
        form.received_on.data = today_in_vietnam()
    if form.validate_on_submit():
        if form.received_on.data > today_in_vietnam():
            form.received_on.errors.append(_("The day of receipt cannot be in the future."))
        elif form.received_on.data.year < FIRST_YEAR:
            form.received_on.errors.append(_("The day of receipt is too far in the past."))
        elif (checked := checked_files(form)) is not None:
            received_at = utcnow() if form.received_on.data == today_in_vietnam() \
                else datetime.combine(form.received_on.data, time(8), VIETNAM)
            ticket = services.receive(get_session(), services.Intake(
                kind=form.kind.data, content=form.content.data, name=form.name.data or "",
                address=form.address.data or "", phone=form.phone.data or None,
                email=form.email.data or None, reply_by_post=form.reply_by_post.data,
                proposed_solution=form.proposed_solution.data,
                procedure_field_id=int(form.procedure_field.data)
                if form.procedure_field.data else None,
                procedure_id=int(form.procedure.data) if form.procedure.data else None,
                consent_publish=form.consent_publish.data, language="vi",
                channel=form.channel.data, files=checked, received_at=received_at,
                received_by=current_user))
            flash(_("Logged as %(code)s. Give the citizen this code.", code=ticket.code),
                  "success")
            return redirect(url_for(".ticket", code=ticket.code))
    if request.method == "POST":
        say_files_not_kept(form)
    return render_template("feedback/staff/intake.html", form=form)


def action_form(ticket: Ticket, action: str, formdata=None):
    """The form of one action (declared in feedback/workflow.py), with the units, officers
    and reply templates to choose from; shown fresh, or filled with what was sent."""
    form = action_form_class(action)(formdata=formdata)
    if "unit_id" in form:
        form.unit_id.choices = _unit_choices("—")
    if "officer_id" in form:
        form.officer_id.choices = _officer_choices()
    if "template" in form:
        form.template.choices = [SelectChoice("", "—")] + [
            SelectChoice(str(template.id), f"{template.title} ({template.language.upper()})")
            for template in queries.reply_templates(get_session(), ticket.procedure_field_id)]
    if formdata is None:
        form.action.data = action
        form.version.data = ticket.version
        if "answer" in form:
            form.answer.data = ticket.answer
    return form


def _render_ticket(ticket: Ticket, failed=None, *, status: int = 200,
                   show_contact: bool = False, error: str | None = None,
                   note_form: NoteForm | None = None, erase_form: EraseForm | None = None):
    """The ticket page: its facts, content, files, history, and a form for each action this
    user may take now (``failed``: the one just sent back with its errors)."""
    today, soon = _deadline_context()
    actions = access.actions(ticket, current_user)
    forms = {rule.action: action_form(ticket, rule.action) for rule in actions if not rule.page}
    if failed is not None and failed.rule.action in forms:
        forms[failed.rule.action] = failed
    note_form = note_form or NoteForm(formdata=None, version=ticket.version)
    note_form.version.data = ticket.version
    return render_template(
        "feedback/staff/ticket.html", ticket=ticket, forms=forms, note_form=note_form,
        attachment_form=AttachmentForm(formdata=None, version=ticket.version),
        actions=actions, history=queries.history(get_session(), ticket),
        due=queries.due_flag(ticket, today, soon), show_contact=show_contact,
        letters=services.letter_notices(ticket), today=today, error=error,
        erase_form=erase_form or EraseForm(formdata=None, version=ticket.version),
        cannot_erase=erasure.refusal(get_session(), ticket), erase_refusals=ERASE_REFUSALS,
        duplicates=queries.duplicates_of(get_session(), ticket),
        candidates=[] if ticket.duplicate_of_id or ticket.answer_round
        else queries.duplicate_candidates(get_session(), ticket)), status


@bp.get("/<code>")
@role_required(*access.WORKERS)
def ticket(code: str):
    return _render_ticket(_ticket(code))


@bp.post("/<code>/contact")
@role_required(*access.WORKERS)
def contact(code: str):
    """Show the sender's details: every view is written to the ticket's history."""
    ticket = _ticket(code)
    services.record_personal_data_view(get_session(), ticket, current_user)
    return _render_ticket(ticket, show_contact=True)


ERASE_REFUSALS = {
    "open": _l("This feedback is still being handled: its sender's details are needed for "
               "the answer. They can be erased once it is answered, closed or not accepted."),
    "review": _l("The citizen said the answer did not resolve the issue and a leader is "
                 "reviewing it: the sender's details can be erased once the review is done."),
    "erased": _l("The sender's personal data was already erased."),
}


@bp.post("/<code>/erase")
@role_required(*access.ERASERS)
def erase(code: str):
    """A citizen's request to erase their personal data: done at once, with its reason, in
    the history and the audit log (without the values)."""
    ticket = _ticket(code)
    session = get_session()
    form = EraseForm()
    if not form.validate_on_submit():
        return _render_ticket(ticket, erase_form=form, status=400, error=_(
            "Please correct the fields marked below."))
    try:
        services.check_version(ticket, form.version.data)
        erased = erasure.erase_ticket(session, ticket, utcnow(), by=erasure.BY_REQUEST,
                                      actor=current_user, reason=form.reason.data)
    except services.Conflict:
        session.refresh(ticket)
        form.version.data = ticket.version
        return _render_ticket(ticket, erase_form=form, status=409, error=_(
            "Someone else changed this ticket meanwhile. Nothing was erased; check it and "
            "send again."))
    except erasure.CannotErase as refusal:
        return _render_ticket(ticket, erase_form=form, status=409,
                              error=str(ERASE_REFUSALS[refusal.reason]))
    audit.record(session, "ticket.personal_data_erased", target_type="ticket",
                 target_id=ticket.code, details={"by": erasure.BY_REQUEST,
                                                 "attachments": erased.attachments,
                                                 "messages": erased.messages,
                                                 "events": erased.events})
    flash(_("The sender's personal data was erased; the texts and the history were "
            "de-identified."), "success")
    return redirect(url_for(".ticket", code=ticket.code))


@bp.post("/<code>/act")
@role_required(*access.WORKERS)
def act(code: str):
    ticket = _ticket(code)
    action = request.form.get("action", "")
    if action not in wf.TRANSITIONS:
        return _render_ticket(ticket, status=409, error=_(
            "This action is not possible in the ticket's current state (%(state)s).",
            state=wf.STATE_LABELS[ticket.state]))
    form = action_form(ticket, action, request.form)
    if request.form.get("insert_template") and "template" in form:
        template = get_session().get(ReplyTemplate, whole_number(form.template.data, 9) or 0)
        if template is None or not template.active:
            form.template.errors = [_("Choose a template.")]
            return _render_ticket(ticket, form, status=400)
        form.answer.data = replies.appended(form.answer.data, replies.fill(
            template.body, services.reply_values(get_session(), ticket, template.language)))
        return _render_ticket(ticket, form)
    if not form.validate_on_submit():
        return _render_ticket(ticket, form, status=400, error=_(
            "Please correct the fields marked below."))
    try:
        services.act(get_session(), ticket, action, current_user, form.details(),
                     shown_version=form.version.data)
    except (services.Conflict, StaleDataError):
        return _conflict(ticket, form)
    except services.LooksPersonal as refusal:
        return render_template("feedback/staff/publish.html", ticket=ticket, form=form,
                               segments=redact.segments, still_personal=refusal.found), 400
    except services.NotYourUnit:
        abort(403)
    except wf.MissingDetails as error:
        for name in error.missing:
            if name in form:
                form[name].errors = list(form[name].errors) + [_("This is needed here.")]
        return _render_ticket(ticket, form, status=400, error=_(
            "Please correct the fields marked below."))
    except wf.RoleNotAllowed:
        abort(403)
    except wf.IllegalTransition:
        return _render_ticket(ticket, form, status=409, error=_(
            "This action is not possible in the ticket's current state (%(state)s).",
            state=wf.STATE_LABELS[ticket.state]))
    flash(_("Done: %(action)s.", action=wf.TRANSITIONS[action].label), "success")
    return redirect(url_for(".ticket", code=ticket.code))


def _conflict(ticket: Ticket, form):
    """Someone acted first: show the ticket as it is now, with what this officer typed."""
    session = get_session()
    session.rollback()  # nothing of this request is kept
    ticket = session.get(Ticket, ticket.id, populate_existing=True)
    form.version.data = ticket.version
    return _render_ticket(ticket, form, status=409, error=_(
        "Someone else changed this ticket while you were working on it (see the history). "
        "Nothing was saved; what you typed is kept below. Check the ticket and send again."))


@bp.route("/<code>/edit", methods=["GET", "POST"])
@role_required(*access.DISPATCHERS)
def edit(code: str):
    """Correct a transcription, the field or procedure, or the sender's details. A citizen's
    own words sent through the website are theirs: only staff transcriptions are editable."""
    ticket = _ticket(code)
    if ticket.personal_data_erased_at is not None:
        flash(_("The sender's personal data was erased: the ticket can no longer be corrected "
                "and takes no new files."), "error")
        return redirect(url_for(".ticket", code=ticket.code))
    form = EditForm(obj=ticket if request.method == "GET" else None)
    del form.attachments, form.consent_publish  # files have their own form; consent is theirs
    fill_choices(form)
    if request.method == "GET":
        form.version.data = ticket.version
        form.procedure_field.data = str(ticket.procedure_field_id or "")
        form.procedure.data = str(ticket.procedure_id or "")
        # the form shows the sender's details: a view of personal data, like /contact
        services.record_personal_data_view(get_session(), ticket, current_user)
    editable_text = ticket.channel != CHANNEL_WEB
    if form.validate_on_submit():
        values = {name: form[name].data for name in services.EDITABLE
                  if name in form and name not in ("procedure_field_id", "procedure_id")}
        values["procedure_field_id"] = int(form.procedure_field.data) \
            if form.procedure_field.data else None
        values["procedure_id"] = int(form.procedure.data) if form.procedure.data else None
        if not editable_text:
            values.pop("content"), values.pop("proposed_solution")
        try:
            changed = services.edit(get_session(), ticket, current_user, values,
                                    shown_version=form.version.data, reason=form.reason.data)
        except (services.Conflict, StaleDataError):
            get_session().rollback()
            return render_template("feedback/staff/edit.html", ticket=ticket, form=form,
                                   editable_text=editable_text, error=_(
                "Someone else changed this ticket while you were editing. Nothing was saved; "
                "your corrections are kept below: check the ticket and save again.")), 409
        flash(_("Corrected: %(fields)s.", fields=", ".join(changed)) if changed
              else _("Nothing was changed."), "success")
        return redirect(url_for(".ticket", code=ticket.code))
    return render_template("feedback/staff/edit.html", ticket=ticket, form=form,
                           editable_text=editable_text, error=None)


@bp.post("/<code>/note")
@role_required(*access.WORKERS)
def note(code: str):
    ticket = _ticket(code)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render_ticket(ticket, note_form=form, status=400)
    try:
        services.check_version(ticket, form.version.data)
    except services.Conflict:
        get_session().refresh(ticket)
        return _render_ticket(ticket, note_form=form, status=409, error=_(
            "Someone else changed this ticket while you were writing. Your note is kept "
            "below: send it again."))
    services.add_note(get_session(), ticket, current_user, form.note.data)
    flash(_("The note was added."), "success")
    return redirect(url_for(".ticket", code=ticket.code))


@bp.post("/<code>/attachments")
@role_required(*access.WORKERS)
def add_attachments(code: str):
    ticket = _ticket(code)
    form = AttachmentForm()
    if ticket.personal_data_erased_at is not None:
        flash(_("The sender's personal data was erased: the ticket can no longer be corrected "
                "and takes no new files."), "error")
        return redirect(url_for(".ticket", code=ticket.code))
    try:
        services.check_version(ticket, form.version.data)
    except services.Conflict:
        flash(_("Someone else changed this ticket meanwhile. No file was added; check it and "
                "add them again."), "error")
        return redirect(url_for(".ticket", code=ticket.code))
    form.chosen_files = lambda: [upload for upload in (form.attachments.data or [])
                                 if upload and upload.filename]
    if not form.validate_on_submit() or not form.chosen_files():
        flash(_("Choose at least one file."), "error")
        return redirect(url_for(".ticket", code=ticket.code))
    if len(ticket.attachments) + len(form.chosen_files()) > 20:
        flash(_("A ticket keeps at most 20 files."), "error")
        return redirect(url_for(".ticket", code=ticket.code))
    checked = checked_files(form)
    if checked is None:
        flash(" ".join(form.attachments.errors), "error")
        return redirect(url_for(".ticket", code=ticket.code))
    services.add_attachments(get_session(), ticket, checked, current_user)
    flash(_("%(n)s files added.", n=len(checked)), "success")
    return redirect(url_for(".ticket", code=ticket.code))


@bp.get("/<code>/attachments/<int:attachment_id>")
@role_required(*access.WORKERS)
def attachment(code: str, attachment_id: int):
    """A file sent with the ticket (personal data: the download is logged)."""
    ticket = _ticket(code)
    row = get_session().get(Attachment, attachment_id)
    if row is None or row.ticket_id != ticket.id:
        abort(404)
    services.record_personal_data_view(get_session(), ticket, current_user)
    response = send_file(io.BytesIO(row.data), mimetype=row.content_type, as_attachment=True,
                         download_name=row.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<code>/duplicate")
@role_required(*access.DISPATCHERS)
def link_duplicate(code: str):
    """Link this ticket to the one handled for it (or unlink it, with an empty master)."""
    ticket = _ticket(code)
    session = get_session()
    version = whole_number(request.form.get("version", ""), 9)
    master_code = (request.form.get("master") or "").strip()
    try:
        if not master_code:
            services.unlink_duplicate(session, ticket, current_user, shown_version=version)
            flash(_("%(code)s is no longer linked as a duplicate.", code=ticket.code),
                  "success")
        else:
            master = services.find_by_code(session, master_code)
            if master is None:
                flash(_("No ticket has the code %(code)s.", code=master_code[:40]), "error")
                return redirect(url_for(".ticket", code=ticket.code))
            services.link_duplicate(session, ticket, master, current_user,
                                    shown_version=version)
            flash(_("%(code)s is linked as a duplicate of %(master)s: its citizen will get "
                    "that ticket's answer.", code=ticket.code, master=master.code), "success")
    except services.CannotLink as refusal:
        flash({"itself": _("A ticket cannot be a duplicate of itself."),
               "loop": _("That would link the two tickets to each other in a loop."),
               "finished": _("This ticket was already answered or closed: it cannot become a "
                             "duplicate."),
               "master": _("Other tickets are linked to this one: unlink them first, or "
                           "link this other ticket to it instead.")}[refusal.reason], "error")
    except (services.Conflict, StaleDataError):
        session.rollback()
        flash(_("Someone else changed this ticket meanwhile. Nothing was saved; check it and "
                "try again."), "error")
    return redirect(url_for(".ticket", code=ticket.code))


@bp.get("/<code>/letters/<notice>")
@role_required(*access.WORKERS)
def letter(code: str, notice: str):
    """A notice as an official letter on A4, for a citizen who replies by post (or has no
    email): the department's header from the hotline page, the code, the PIN, the text. The
    letter carries the sender's name and address: printing it is a view of personal data."""
    ticket = _ticket(code)
    if notice not in services.letter_notices(ticket):
        abort(404)
    services.record_personal_data_view(get_session(), ticket, current_user)
    with force_locale("vi"):  # official letters are in Vietnamese (NĐ 20/2008 Điều 7 k1)
        text = render_template(f"feedback/email/{notice}.txt", ticket=ticket, letter=True,
                               details=_notice_details(ticket, notice))
        subject, _newline, body = text.strip().partition("\n")
        return render_template("feedback/staff/letter.html", ticket=ticket, subject=subject,
                               body=body.strip(), today=today_in_vietnam(),
                               form=LetterPostedForm(formdata=None,
                                                     posted_on=today_in_vietnam()),
                               notice=notice)


def _notice_details(ticket: Ticket, notice: str) -> dict:
    """What a notice's text needs besides the ticket (the question asked, for a request)."""
    if notice == "linked" and ticket.duplicate_of:
        return {"master": ticket.duplicate_of.code}
    if notice == "info_requested":
        asked = [event for event in ticket.events if event.action == wf.REQUEST_INFO]
        return asked[-1].details if asked else {}
    return {}


@bp.post("/<code>/letters/<notice>/posted")
@role_required(*access.WORKERS)
def letter_posted(code: str, notice: str):
    ticket = _ticket(code)
    if notice not in services.letter_notices(ticket):
        abort(404)
    form = LetterPostedForm()
    if not form.validate_on_submit():
        flash(" ".join(map(str, form.posted_on.errors))
              or _("Give the day the letter was posted."),
              "error")
        return redirect(url_for(".ticket", code=ticket.code))
    try:
        services.record_letter(get_session(), ticket, notice, form.posted_on.data,
                               current_user)
    except services.BadPostingDate:
        flash(_("A letter cannot be posted before the feedback was received, nor in the "
                "future."), "error")
        return redirect(url_for(".ticket", code=ticket.code))
    flash(_("Recorded: the letter “%(notice)s” was sent by post on %(date)s.",
            notice=wf.NOTICE_LABELS[notice], date=form.posted_on.data.strftime("%d/%m/%Y")),
          "success")
    return redirect(url_for(".ticket", code=ticket.code))


@bp.get("/<code>/publish")
@role_required(*access.PUBLISHERS)
def prepare_publication(code: str):
    """The de-identified version for review: every mask highlighted, editable."""
    ticket = _ticket(code)
    form = action_form(ticket, wf.PUBLISH)
    known = {"known_names": [ticket.name], "known_addresses": [ticket.address]}
    question = "\n\n".join(part for part in (ticket.content, ticket.proposed_solution) if part)
    form.public_question.data = ticket.public_question or redact.redact(question, **known).text
    form.public_answer.data = ticket.public_answer or redact.redact(ticket.answer, **known).text
    return render_template("feedback/staff/publish.html", ticket=ticket, form=form,
                           segments=redact.segments, still_personal=())


@bp.get("/reviews")
@role_required(*access.REVIEWERS)
def reviews():
    """Answers citizens said did not resolve their issue, for a leader to review."""
    return render_template("feedback/staff/reviews.html", reviews=queries.open_reviews(
        get_session(), access.review_unit(current_user)), today=today_in_vietnam())


def _review_page(ticket: Ticket, failed=None, *, status: int = 200, error: str | None = None):
    """One contested answer as a leader reads it: the texts with personal data masked."""
    session = get_session()
    review = services.open_review(session, ticket)
    forms = {rule.action: action_form(ticket, rule.action) for rule in access.actions(
        ticket, current_user, {wf.OPEN_REVIEW} if review else set())
        if rule.action in (wf.CONFIRM_ANSWER, wf.REWORK)}
    if failed is not None and failed.rule.action in forms:
        forms[failed.rule.action] = failed
    known = {"known_names": [ticket.name], "known_addresses": [ticket.address]}
    return render_template(
        "feedback/staff/review.html", ticket=ticket, review=review, forms=forms, error=error,
        rating=queries.rating_of(session, ticket),
        texts={name: privacy.text_for(text, current_user, **known) for name, text in (
            ("content", ticket.content), ("proposed_solution", ticket.proposed_solution),
            ("answer", ticket.answer),
            ("comment", review.comment if review else None))}), status


def _reviewed_ticket(code: str) -> Ticket:
    ticket = services.find_by_code(get_session(), code)
    if ticket is None:
        abort(404)
    if not access.may_review(ticket, current_user):
        abort(403)
    return ticket


@bp.route("/reviews/<code>", methods=["GET", "POST"])
@role_required(*access.REVIEWERS)
def review(code: str):
    """Confirm the answer, or return it for rework (the ticket goes back to its unit)."""
    ticket = _reviewed_ticket(code)
    if request.method == "GET":
        return _review_page(ticket)
    action = request.form.get("action", "")
    if action not in (wf.CONFIRM_ANSWER, wf.REWORK):
        abort(400)
    form = action_form(ticket, action, request.form)
    if not form.validate_on_submit():
        return _review_page(ticket, form, status=400, error=_(
            "Please correct the fields marked below."))
    try:
        services.act(get_session(), ticket, action, current_user, form.details(),
                     shown_version=form.version.data)
    except (services.Conflict, StaleDataError):
        get_session().rollback()
        ticket = get_session().get(Ticket, ticket.id, populate_existing=True)
        form.version.data = ticket.version
        return _review_page(ticket, form, status=409, error=_(
            "Someone else changed this ticket meanwhile. Nothing was saved; check it and "
            "send again."))
    except wf.MissingDetails as error:
        for name in error.missing:
            form[name].errors = list(form[name].errors) + [_("This is needed here.")]
        return _review_page(ticket, form, status=400, error=_(
            "Please correct the fields marked below."))
    except wf.IllegalTransition:
        return _review_page(ticket, status=409, error=_(
            "This answer is not waiting for a review (any more)."))
    flash(_("Done: %(action)s.", action=wf.TRANSITIONS[action].label), "success")
    return redirect(url_for(".reviews"))


@bp.get("/templates")
@role_required(*access.TEMPLATE_EDITORS)
def reply_templates():
    return render_template("feedback/staff/templates.html",
                           templates=queries.all_reply_templates(get_session()),
                           outcomes=replies.OUTCOMES)


@bp.route("/templates/new", methods=["GET", "POST"], defaults={"template_id": None})
@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@role_required(*access.TEMPLATE_EDITORS)
def reply_template(template_id: int | None):
    """Write or change a reply template; its placeholders are checked before it is saved."""
    session = get_session()
    template = None if template_id is None else session.get(ReplyTemplate, template_id)
    if template_id is not None and template is None:
        abort(404)
    form = ReplyTemplateForm(obj=template if request.method == "GET" else None)
    form.procedure_field.choices = [SelectChoice("", _("Every field"))] + [
        SelectChoice(str(field.id), pick(field.name, field.name_en))
        for field in all_fields(session)]
    if request.method == "GET" and template is not None:
        form.procedure_field.data = str(template.procedure_field_id or "")
        form.version.data = template.version
    if form.validate_on_submit():
        values = {name: form[name].data for name in ("outcome", "language", "title", "body",
                                                     "active")}
        values["procedure_field_id"] = int(form.procedure_field.data) \
            if form.procedure_field.data else None
        try:
            services.save_reply_template(session, template, values, current_user,
                                         shown_version=form.version.data)
        except (services.Conflict, StaleDataError):
            session.rollback()
            return render_template("feedback/staff/template_form.html", form=form,
                                   template=template, placeholders=replies.PLACEHOLDERS,
                                   error=_("Someone else saved this template meanwhile. "
                                           "Nothing was saved; your text is kept below.")), 409
        flash(_("The template was saved."), "success")
        return redirect(url_for(".reply_templates"))
    return render_template("feedback/staff/template_form.html", form=form, template=template,
                           placeholders=replies.PLACEHOLDERS, error=None)


@bp.route("/reports")
@role_required(*access.REPORT_READERS)
def report():
    today = today_in_vietnam()
    year_arg, half_arg = request.args.get("year", ""), request.args.get("half", "")
    year = whole_number(year_arg, 4) or 0
    year = year if 2000 <= year <= today.year else today.year
    half = int(half_arg) if half_arg in ("1", "2") else (1 if today.month <= 6 else 2)
    config = current_app.config
    built = reports.build(get_session(), reports.six_months(year, half),
                          config["SIPAS_MIN_SAMPLE"])
    file_format = request.args.get("format")
    if file_format in ("csv", "xlsx"):
        name = f"bao-cao-pakn-{year}-{half}"
        if file_format == "csv":
            response = Response(stream_with_context(tabular.csv_stream(
                exports.report_rows(built))), mimetype="text/csv; charset=utf-8")
            response.headers["Content-Disposition"] = f"attachment; filename={name}.csv"
            return response
        return send_file(tabular.xlsx_file(exports.report_rows(built), name),
                         as_attachment=True, download_name=f"{name}.xlsx")
    return render_template("feedback/staff/report.html", report=built, year=year, half=half,
                           years=range(today.year, today.year - 6, -1))


@bp.get("/outbox")
@role_required(*access.ADMINISTRATORS)
def outbox():
    messages = paginate(get_session(), select(OutboxMessage).order_by(OutboxMessage.id.desc()),
                        page_number(request.args.get("page")), 50)
    return render_template("feedback/staff/outbox.html", page=messages,
                           language=current_language())


@bp.post("/outbox/<int:message_id>/retry")
@role_required(*access.ADMINISTRATORS)
def outbox_retry(message_id: int):
    message = get_session().get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    if message.erased_at is not None:
        flash(_("This message's recipient and text were erased: it cannot be sent again."),
              "error")
        return redirect(url_for(".outbox"))
    notify.retry(get_session(), message)
    flash(_("The message will be sent again at the next run."), "success")
    return redirect(url_for(".outbox"))


@bp.errorhandler(StaleDataError)
def _stale(_error):
    """Two officers committed at the same moment: the second gets the conflict page."""
    get_session().rollback()
    flash(_("Someone else changed this ticket at the same moment. Nothing of yours was "
            "saved: please check the ticket and try again."), "error")
    return redirect(request.referrer or url_for(".queue"))
