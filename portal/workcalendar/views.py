"""/staff/admin/calendar: the administrator's working-day exceptions (admin only)."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.auth import role_required
from portal.auth.roles import ADMIN
from portal.db import get_session
from portal.workcalendar import services
from portal.workcalendar.forms import ExceptionForm
from portal.workcalendar.models import CalendarException
from portal.workdays import today_in_vietnam

bp = Blueprint("workcalendar", __name__, url_prefix="/staff/admin/calendar")


@bp.route("", methods=["GET", "POST"])
@role_required(ADMIN)
def exceptions():
    session = get_session()
    form = ExceptionForm()
    if form.validate_on_submit():
        if services.exception_on(session, form.day.data) is not None:
            form.day.errors.append(_("This day already has an exception; remove it first."))
        elif form.kind.data == "working" and form.day.data.weekday() < 5 and \
                services.working_calendar(session, form.day.data).is_working_day(form.day.data):
            form.kind.errors.append(_("This day is already a working day."))
        else:
            services.add_exception(session, form.day.data, form.kind.data, form.reason.data,
                                   current_user)
            flash(_("The exception was saved; deadlines from now on follow it."), "success")
            return redirect(url_for(".exceptions"))
    today = today_in_vietnam()
    calendar = services.working_calendar(session, today)
    upcoming = [today + timedelta(days=offset) for offset in range(0, 400)]
    holidays = [day for day in upcoming if day.weekday() < 5 and not calendar.is_working_day(day)]
    rows = session.scalars(select(CalendarException).order_by(CalendarException.day.desc()))
    return render_template("admin/calendar.html", form=form, rows=rows.all(), holidays=holidays,
                           working_weekends=[day for day in upcoming if day.weekday() >= 5
                                             and calendar.is_working_day(day)])


@bp.post("/<int:exception_id>/remove")
@role_required(ADMIN)
def remove(exception_id: int):
    session = get_session()
    row = session.get(CalendarException, exception_id)
    if row is None:
        abort(404)
    services.remove_exception(session, row)
    flash(_("The exception was removed."), "success")
    return redirect(url_for(".exceptions"))
