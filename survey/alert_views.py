"""Staff pages of the alerts on ratings (issue 9, point 9): the alerts, one alert with its
comments and actions, and the rules."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import role_required
from portal.auth.models import Unit
from portal.auth.roles import ADMIN, LEADER, SECRETARIAT
from portal.db import get_session
from portal.pagination import page_number, paginate
from survey import alert_rules, alerts, queries
from survey.forms import AlertActionForm, AlertRuleForm
from survey.models import Alert, AlertRule

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
    page = paginate(get_session(), queries.alerts_for(current_user, closed),
                    page_number(request.args.get("page")), 50)
    return render_template("survey/alerts.html", page=page, closed=closed, **_helpers())


def _alert_or_404(alert_id: int) -> Alert:
    """:raise 404: unknown, or another unit's alert for a unit's leader."""
    found = get_session().get(Alert, alert_id)
    unit_id = queries.own_unit(current_user)
    if found is None or (unit_id is not None and unit_id != (
            found.rule.unit_id if found.rule.unit_id is not None
            else found.rule.counter.unit_id)):
        abort(404)
    return found


@bp.route("/<int:alert_id>", methods=["GET", "POST"])
@role_required(*ALERT_STAFF)
def alert(alert_id: int):
    session = get_session()
    found = _alert_or_404(alert_id)
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
            form.version.data = found.version  # the form shown again acts on what is shown
        except alerts.AlertClosed:
            problem, status = _("This alert is closed: nothing more can be done to it."), 409
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("survey_alerts.alert", alert_id=found.id))
    else:
        status = 400
    return render_template("survey/alert.html", alert=found, form=form, problem=problem,
                           **_helpers()), status


def _whole(value) -> int:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else -1


@bp.get("/rules")
@role_required(*RULE_MANAGERS)
def rules():
    return render_template("survey/alert_rules.html", rules=queries.alert_rules(get_session()),
                           **_helpers())


@bp.route("/rules/new", methods=["GET", "POST"], defaults={"rule_id": None})
@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
@role_required(*RULE_MANAGERS)
def rule_edit(rule_id: int | None):
    session = get_session()
    rule = None if rule_id is None else (session.get(AlertRule, rule_id) or abort(404))
    form = AlertRuleForm(obj=rule)
    form.offer(queries.active_counters(session), session.scalars(Unit.ordered()).all())
    if request.method == "GET":
        if rule is not None:
            form.scope.data = (f"counter:{rule.counter_id}" if rule.counter_id
                               else f"unit:{rule.unit_id}")
        else:
            form.kind.data = alert_rules.DISSATISFIED_SHARE
            for name, value in alert_rules.DEFAULTS[form.kind.data].items():
                form[name].data = value
    elif form.validate_on_submit():
        counter, unit = form.chosen_scope(session)
        alerts.save_rule(session, rule, kind=form.kind.data, counter=counter, unit=unit,
                         threshold=form.threshold.data, window_size=form.window_size.data,
                         min_responses=form.min_responses.data, active=form.active.data,
                         actor=current_user)
        flash(_("The rule is saved."), "success")
        return redirect(url_for("survey_alerts.rules"))
    return render_template("survey/alert_rule_form.html", form=form, rule=rule,
                           defaults=alert_rules.DEFAULTS, parameters=alert_rules.PARAMETERS)
