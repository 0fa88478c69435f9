"""Administration of staff users and units, and the audit log (admin only)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from portal.audit import AuditEntry
from portal.auth import role_required, two_factor
from portal.auth.forms import UnitForm, UserForm
from portal.auth.models import Unit, User
from portal.auth.roles import ADMIN
from portal.auth.services import (
    create_user,
    password_problem,
    save_unit,
    unit_code_taken,
    update_user,
    username_taken,
)
from portal.db import get_session
from portal.i18n import pick
from portal.pagination import page_number, paginate
from portal.text import query_text

bp = Blueprint("admin", __name__, url_prefix="/staff/admin")


def _user_form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user)
    if user is not None and request.method == "GET":
        form.roles.data = sorted(user.roles)
        form.unit_id.data = user.unit_id or 0
    units = get_session().scalars(Unit.ordered()).all()
    form.unit_id.choices = [SelectChoice(0, _("— no unit —"))] + [
        SelectChoice(unit.id, pick(unit.name, unit.name_en)) for unit in units]
    return form


def _check_user_form(form: UserForm, user: User | None) -> bool:
    """Field checks that need the database or depend on creating vs editing."""
    ok = form.validate_on_submit()
    if not ok:
        return False
    session = get_session()
    if user is None and username_taken(session, form.username.data):
        form.username.errors.append(_("This username is already taken."))
        ok = False
    if user is None and not form.password.data:
        form.password.errors.append(_("A new account needs a password."))
        ok = False
    if form.password.data and (problem := password_problem(form.password.data)):
        form.password.errors.append(problem)
        ok = False
    if user is not None and user.id == current_user.id:
        # Nobody can lock themselves out; since the acting admin stays, one admin always does.
        if ADMIN not in form.roles.data:
            form.roles.errors.append(_("You cannot remove your own administrator role."))
            ok = False
        if not form.active.data:
            form.active.errors.append(_("You cannot deactivate your own account."))
            ok = False
    return ok


@bp.get("/users")
@role_required(ADMIN)
def users():
    listed = get_session().scalars(select(User).order_by(User.username)).all()
    return render_template("admin/users.html", users=listed)


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(ADMIN)
def user_new():
    form = _user_form()
    if _check_user_form(form, None):
        session = get_session()
        user = create_user(session, username=form.username.data.strip(),
                           full_name=form.full_name.data.strip(), password=form.password.data,
                           email=form.email.data, unit=session.get(Unit, form.unit_id.data),
                           roles=form.roles.data, active=form.active.data)
        flash(_("Account %(username)s created.", username=user.username), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(ADMIN)
def user_edit(user_id: int):
    session = get_session()
    user = session.get(User, user_id) or abort(404)
    form = _user_form(user)
    del form.username  # a username never changes: the audit log keeps naming the same person
    if _check_user_form(form, user):
        update_user(session, user, full_name=form.full_name.data.strip(), email=form.email.data,
                    unit=session.get(Unit, form.unit_id.data), roles=form.roles.data,
                    active=form.active.data, password=form.password.data or None)
        flash(_("Account %(username)s saved.", username=user.username), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.post("/users/<int:user_id>/two-factor/reset")
@role_required(ADMIN)
def user_two_factor_reset(user_id: int):
    """Remove a user's second factor (a lost phone): they set it up again at their next
    sign-in if their role needs it; their sessions end."""
    session = get_session()
    user = session.get(User, user_id) or abort(404)
    if user.totp_secret is None:
        flash(_("%(username)s has no two-step sign-in to reset.", username=user.username),
              "info")
    else:
        two_factor.reset(session, user, actor=current_user)
        flash(_("Two-step sign-in of %(username)s was reset: they set it up again at their "
                "next sign-in.", username=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.get("/units")
@role_required(ADMIN)
def units():
    listed = get_session().scalars(Unit.ordered()).all()
    return render_template("admin/units.html", units=listed)


@bp.route("/units/new", methods=["GET", "POST"], defaults={"unit_id": None})
@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@role_required(ADMIN)
def unit_edit(unit_id: int | None):
    session = get_session()
    unit = None if unit_id is None else (session.get(Unit, unit_id) or abort(404))
    form = UnitForm(obj=unit)
    if form.validate_on_submit():
        if unit_code_taken(session, form.code.data.strip(), unit.id if unit else None):
            form.code.errors.append(_("Another unit already has this code."))
        else:
            save_unit(session, unit, code=form.code.data.strip(), name=form.name.data.strip(),
                      name_en=(form.name_en.data or "").strip(), active=form.active.data)
            flash(_("Unit saved."), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/unit_form.html", form=form, unit=unit)


@bp.get("/audit")
@role_required(ADMIN)
def audit_log():
    statement = select(AuditEntry).order_by(AuditEntry.id.desc())
    action = query_text(request.args.get("action"), 60)
    if action:
        statement = statement.where(AuditEntry.action == action)
    page = paginate(get_session(), statement, page_number(request.args.get("page")), 50)
    return render_template("admin/audit.html", page=page, action=action)
