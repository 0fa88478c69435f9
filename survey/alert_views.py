"""Staff pages of the alerts on ratings (issue 9, point 9): the alerts, one alert with its
comments and actions, and the rules."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from portal.auth import role_required
from portal.auth.models import Unit
from portal.auth.roles import ADMIN, LEADER, SECRETARIAT
from portal.db import get_session
from portal.i18n import pick
from portal.pagination import page_number, paginate
from survey import alert_rules, alerts
from survey.forms import AlertActionForm, AlertRuleForm
from survey.models import ALERT_CLOSED, Alert, AlertRule, Counter

bp = Blueprint("survey_alerts", __name__, url_prefix="/staff/survey/alerts",
               template_folder="templates")

ALERT_STAFF = (LEADER, SECRETARIAT, ADMIN)  # told by email; acknowledge, comment, close
RULE_MANAGERS = (SECRETARIAT, ADMIN)


def _helpers() -> dict:
    return {"condition": alert_rules.condition, "finding": alert_rules.finding,
            "kinds": alert_rules.KINDS}


@bp.get("")
@role_required(*ALERT_STAFF)
def listing():
    """Alerts still open or acknowledged (newest first); ``?show=closed`` the closed ones."""
    closed = request.args.get("show") == "closed"
    statement = select(Alert).where((Alert.state == ALERT_CLOSED) if closed
                                    else (Alert.state != ALERT_CLOSED))
    page = paginate(get_session(), statement.order_by(Alert.raised_at.desc(), Alert.id.desc()),
                    page_number(request.args.get("page")), 50)
    return render_template("survey/alerts.html", page=page, closed=closed, **_helpers())


@bp.route("/<int:alert_id>", methods=["GET", "POST"])
@role_required(*ALERT_STAFF)
def alert(alert_id: int):
    session = get_session()
    found = session.get(Alert, alert_id) or abort(404)
    form, problem, status = AlertActionForm(), None, 200
    if request.method == "GET":
        form.version.data = found.version
    elif form.validate_on_submit():
        act = {"acknowledge": alerts.acknowledge, "comment": alerts.comment,
               "close": alerts.close}[form.action.data]
        try:
            act(session, found, current_user, _whole(form.version.data), form.text.data)
        except alerts.StaleAlert:
            problem, status = _("Someone else acted on this alert after your page was shown: "
                                "see below. Nothing was changed."), 409
        except alerts.AlertClosed:
            problem, status = _("This alert is closed: nothing more can be done to it."), 409
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("survey_alerts.alert", alert_id=found.id))
    else:
        status = 400
    if status != 200:
        form.version.data = form.version.data or found.version
    return render_template("survey/alert.html", alert=found, form=form, problem=problem,
                           **_helpers()), status


def _whole(value) -> int:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else -1


@bp.get("/rules")
@role_required(*RULE_MANAGERS)
def rules():
    listed = get_session().scalars(select(AlertRule).order_by(AlertRule.id)).all()
    return render_template("survey/alert_rules.html", rules=listed, **_helpers())


@bp.route("/rules/new", methods=["GET", "POST"], defaults={"rule_id": None})
@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
@role_required(*RULE_MANAGERS)
def rule_edit(rule_id: int | None):
    session = get_session()
    rule = None if rule_id is None else (session.get(AlertRule, rule_id) or abort(404))
    form = AlertRuleForm(obj=rule)
    counters = session.scalars(select(Counter).where(Counter.active.is_(True))
                               .order_by(Counter.code)).all()
    units = session.scalars(Unit.ordered()).all()
    form.scope.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(f"counter:{counter.id}", _("Counter %(code)s — %(name)s", code=counter.code,
                                                name=pick(counter.name, counter.name_en)))
        for counter in counters] + [
        SelectChoice(f"unit:{unit.id}", _("Unit: %(name)s", name=pick(unit.name, unit.name_en)))
        for unit in units]
    form.kind.choices = [SelectChoice(kind, label) for kind, label in alert_rules.KINDS.items()]
    if request.method == "GET":
        if rule is not None:
            form.scope.data = (f"counter:{rule.counter_id}" if rule.counter_id
                               else f"unit:{rule.unit_id}")
        else:
            form.kind.data = alert_rules.DISSATISFIED_SHARE
            for name, value in alert_rules.DEFAULTS[form.kind.data].items():
                form[name].data = value
    elif form.validate_on_submit():
        kind_of_scope, _colon, scope_id = form.scope.data.partition(":")
        target = session.get(Counter if kind_of_scope == "counter" else Unit, int(scope_id))
        alerts.save_rule(session, rule, kind=form.kind.data,
                         counter=target if kind_of_scope == "counter" else None,
                         unit=target if kind_of_scope == "unit" else None,
                         threshold=form.threshold.data, window_size=form.window_size.data,
                         min_responses=form.min_responses.data, active=form.active.data,
                         actor=current_user)
        flash(_("The rule is saved."), "success")
        return redirect(url_for("survey_alerts.rules"))
    return render_template("survey/alert_rule_form.html", form=form, rule=rule,
                           defaults=alert_rules.DEFAULTS, parameters=alert_rules.PARAMETERS)
