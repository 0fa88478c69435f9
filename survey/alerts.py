"""Alerts on ratings (issue 9, point 9): measuring each rule over the answers it may look at,
raising an alert and emailing the unit's leader through the outbox, and the staff's
acknowledge, comment and close. ``flask --app wsgi survey-alerts`` (cron) evaluates the rules.
Services flush, never commit."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import audit, outbox
from portal.auth.models import Unit, User
from portal.auth.roles import LEADER, SECRETARIAT
from portal.db import claim_version, utcnow
from portal.qrcodes import public_url
from survey import alert_rules, queries, sipas
from survey.models import (
    ALERT_ACKNOWLEDGED,
    ALERT_CLOSED,
    ALERT_OPEN,
    Alert,
    AlertNote,
    AlertRule,
    Answer,
    Counter,
    Item,
    Questionnaire,
    Response,
)

MAX_LISTED = 20  # responses named in one alert


class StaleAlert(Exception):
    """The alert changed after the page was shown."""


class AlertClosed(Exception):
    """Nothing more can be done to a closed alert."""


def _in_scope(statement, rule: AlertRule):
    if rule.counter_id is not None:
        return statement.where(Response.counter_id == rule.counter_id)
    return statement.where(Response.counter_id.in_(
        select(Counter.id).where(Counter.unit_id == rule.unit_id)))


def last_response_id(session: Session) -> int:
    return session.scalar(select(func.max(Response.id))) or 0


def _counted(rule: AlertRule, now: datetime, up_to: int | None = None):
    """The ids of the responses the rule may judge: counted ones, in its scope, after its
    watermark (and up to ``up_to``)."""
    statement = select(Response.id).where(Response.flagged.is_(False),
                                          Response.submitted_at <= now,
                                          Response.id > rule.after_response_id)
    if up_to is not None:
        statement = statement.where(Response.id <= up_to)
    return _in_scope(statement, rule)


def measure(session: Session, rule: AlertRule, questionnaire: Questionnaire,
            index_rules: sipas.IndexRules, now: datetime,
            up_to: int | None = None) -> alert_rules.Measure:
    statements = select(Item.code).distinct().scalar_subquery()
    if rule.kind == alert_rules.DISSATISFIED_SHARE:
        ids = list(session.scalars(_counted(rule, now)
                                   .order_by(Response.submitted_at.desc(), Response.id.desc())
                                   .limit(rule.window_size)))
        levels = dict(session.execute(
            select(Answer.value, func.count()).where(
                Answer.response_id.in_(ids), Answer.item_code.in_(statements),
                Answer.value.is_not(None)).group_by(Answer.value)).all())
        return alert_rules.Measure(
            responses=len(ids), answers=sum(levels.values()),
            dissatisfied=sum(levels.get(level, 0) for level in alert_rules.DISSATISFIED_LEVELS))
    if rule.kind == alert_rules.ONE_WITH_COMMENT:
        ids = session.scalars(
            _counted(rule, now, up_to).where(Response.comment.is_not(None), Response.id.in_(
                select(Answer.response_id).where(Answer.value == 1,
                                                  Answer.item_code.in_(statements))))
            .order_by(Response.id).limit(MAX_LISTED)).all()
        return alert_rules.Measure(responses=len(ids), flagged_responses=tuple(ids))
    ids = _counted(rule, now).where(
        Response.submitted_at >= now - timedelta(days=rule.window_size))
    counts: dict[str, dict] = {}
    for code, value, number in session.execute(
            select(Answer.item_code, Answer.value, func.count())
            .where(Answer.response_id.in_(ids), Answer.item_code.in_(statements))
            .group_by(Answer.item_code, Answer.value)):
        counts.setdefault(code, {})[value] = number
    result = sipas.index(queries.structure(questionnaire), counts, index_rules)
    responses = session.scalar(select(func.count()).select_from(ids.subquery()))
    return alert_rules.Measure(responses=responses, rate=result.result.rate)


def recipients(session: Session, rule: AlertRule) -> list[str]:
    """The emails of the unit's leaders; without any, the department's leaders (no unit);
    without any, the secretariat."""
    unit_id = rule.unit_id if rule.unit_id is not None else rule.counter.unit_id
    users = session.scalars(select(User).where(User.active.is_(True),
                                               User.email.is_not(None))).all()
    for wanted in ((lambda user: user.has_role(LEADER) and user.unit_id == unit_id),
                   (lambda user: user.has_role(LEADER) and user.unit_id is None),
                   (lambda user: user.has_role(SECRETARIAT))):
        emails = sorted({user.email for user in users if wanted(user)})
        if emails:
            return emails
    return []


def evaluate(session: Session, questionnaire: Questionnaire, index_rules: sipas.IndexRules,
             now: datetime | None = None) -> list[Alert]:
    """Raise an alert for every active rule whose condition holds and that has none open;
    queue its emails. A "very dissatisfied with a comment" found while its rule's alert is
    open is added to that alert instead. Returns the alerts raised."""
    now = now or utcnow()
    up_to = last_response_id(session)
    raised = []
    open_alerts = {alert.rule_id: alert for alert in session.scalars(
        select(Alert).where(Alert.open_key.is_not(None)))}
    for rule in session.scalars(select(AlertRule).where(AlertRule.active.is_(True))
                                .order_by(AlertRule.id)):
        if rule.id in open_alerts and rule.kind != alert_rules.ONE_WITH_COMMENT:
            continue
        found = measure(session, rule, questionnaire, index_rules, now, up_to)
        if rule.kind == alert_rules.ONE_WITH_COMMENT:
            rule.after_response_id = max(rule.after_response_id, up_to)  # each reported once
            if found.flagged_responses and rule.id in open_alerts:
                still_open = open_alerts[rule.id]
                still_open.figures = {**still_open.figures, "response_ids": [
                    *still_open.figures.get("response_ids", []), *found.flagged_responses]}
                continue
        if not alert_rules.tripped(rule.kind, rule, found):
            continue
        alert = Alert(rule=rule, open_key=str(rule.id), raised_at=now,
                      positive=rule.kind in alert_rules.POSITIVE, figures={
                          "responses": found.responses, "answers": found.answers,
                          "dissatisfied": found.dissatisfied, "rate": found.rate,
                          "response_ids": list(found.flagged_responses)})
        savepoint = session.begin_nested()
        try:
            session.add(alert)
            session.flush()
        except IntegrityError:  # another run raised it a moment ago
            savepoint.rollback()
            continue
        savepoint.commit()
        audit.record(session, "survey_alert.raise", target_type="survey_alert",
                     target_id=alert.id, details={"rule": rule.id, "figures": alert.figures})
        _email(session, alert)
        raised.append(alert)
    session.flush()
    return raised


def _email(session: Session, alert: Alert) -> None:
    with force_locale("vi"):
        text = render_template("survey/email/alert.txt", alert=alert, rule=alert.rule,
                               condition=alert_rules.condition, finding=alert_rules.finding,
                               link=public_url("survey_alerts.alert", alert_id=alert.id))
    subject, _, body = text.strip().partition("\n")
    for recipient in recipients(session, alert.rule):
        outbox.queue(session, recipient, subject.strip(), body.strip() + "\n")


def _act(session: Session, alert: Alert, actor: User, shown_version: int, action: str,
         text: str | None) -> None:
    if alert.state == ALERT_CLOSED:
        raise AlertClosed
    claim_version(session, alert, Alert.version, shown_version, StaleAlert)
    now = utcnow()
    if action == "acknowledge" and alert.state == ALERT_OPEN:
        alert.state, alert.acknowledged_by_id, alert.acknowledged_at = \
            ALERT_ACKNOWLEDGED, actor.id, now
    elif action == "close":
        alert.state, alert.closed_by_id, alert.closed_at = ALERT_CLOSED, actor.id, now
        alert.open_key = None  # the rule may raise a new one, on new answers
        if alert.rule.kind != alert_rules.ONE_WITH_COMMENT:  # those are each reported once
            alert.rule.after_response_id = last_response_id(session)
    session.add(AlertNote(alert_id=alert.id, author_id=actor.id, at=now, action=action,
                          text=text or None))
    session.flush()
    audit.record(session, f"survey_alert.{action}", target_type="survey_alert",
                 target_id=alert.id, actor=actor, details={"text": text} if text else None)


def acknowledge(session: Session, alert: Alert, actor: User, shown_version: int,
                text: str | None = None) -> None:
    """:raise StaleAlert, AlertClosed:"""
    _act(session, alert, actor, shown_version, "acknowledge", text)


def comment(session: Session, alert: Alert, actor: User, shown_version: int,
            text: str) -> None:
    """:raise StaleAlert, AlertClosed:"""
    _act(session, alert, actor, shown_version, "comment", text)


def close(session: Session, alert: Alert, actor: User, shown_version: int, text: str) -> None:
    """:raise StaleAlert, AlertClosed:"""
    _act(session, alert, actor, shown_version, "close", text)


def save_rule(session: Session, rule: AlertRule | None, *, kind: str, counter: Counter | None,
              unit: Unit | None, threshold: int | None, window_size: int | None,
              min_responses: int | None, active: bool, actor: User) -> AlertRule:
    """Create or change a rule (the form has checked its values against
    :func:`survey.alert_rules.problems`); the parameters its kind does not use are cleared."""
    creating = rule is None
    rule = rule or AlertRule(created_by_id=actor.id)
    if kind == alert_rules.ONE_WITH_COMMENT and rule.kind != kind:
        # Comments given before the rule existed are not news.
        rule.after_response_id = last_response_id(session)
    used = alert_rules.PARAMETERS[kind]
    rule.kind, rule.counter, rule.unit, rule.active = kind, counter, unit, active
    rule.counter_id = counter.id if counter is not None else None
    rule.unit_id = unit.id if unit is not None else None
    rule.threshold = threshold if "threshold" in used else None
    rule.window_size = window_size if "window_size" in used else None
    rule.min_responses = min_responses if "min_responses" in used else None
    session.add(rule)
    session.flush()
    audit.record(session, "survey_alert_rule.create" if creating else "survey_alert_rule.update",
                 target_type="survey_alert_rule", target_id=rule.id, actor=actor,
                 details={"kind": kind, "counter": counter.code if counter else None,
                          "unit": unit.code if unit else None, "threshold": rule.threshold,
                          "window_size": rule.window_size,
                          "min_responses": rule.min_responses, "active": active})
    return rule
