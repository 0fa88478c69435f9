"""Alerts on ratings (issue 9, point 9): rules per counter or unit, alerts raised and emailed
to the unit's leaders through the outbox, acknowledged, commented and closed; no second alert
while one is open; a closed alert needs new answers to come back."""
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from feedback.models import OutboxMessage
from portal.audit import AuditEntry
from portal.db import utcnow
from survey import alert_rules, alerts
from survey.models import Alert, AlertRule
from survey.reports import index_rules
from survey.services import current_questionnaire
from tests.factories import ITEM_CODES, make_counter, make_response, make_user


def rule(db, counter=None, unit=None, kind=alert_rules.DISSATISFIED_SHARE, **values):
    made = AlertRule(kind=kind, counter=counter, unit=unit,
                     **{**alert_rules.DEFAULTS[kind], **values})
    made.created_at = utcnow() - timedelta(days=30)
    db.add(made)
    db.commit()
    return made


def answered(db, counter, level, number=1, *, ago=timedelta(hours=1), **fields):
    for _ in range(number):
        make_response(db, counter, {code: level for code in ITEM_CODES},
                      when=utcnow() - ago, **fields)
    db.commit()


def evaluate(app, db, minutes=0):
    with app.test_request_context():
        raised = alerts.evaluate(db, current_questionnaire(db), index_rules(),
                                 now=utcnow() + timedelta(minutes=minutes))
    db.commit()
    return raised


def an_open_alert(app, db, counter=None):
    """A counter rated badly five times under a "30% dissatisfied over 5" rule: its alert."""
    counter = counter or make_counter(db)
    rule(db, counter=counter, threshold=30, window_size=5)
    answered(db, counter, 1, 5)
    [raised] = evaluate(app, db)
    return raised


def mails(db):
    return db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


@pytest.mark.parametrize("kind, values, expected", [
    (alert_rules.DISSATISFIED_SHARE, {"threshold": 30, "window_size": 20}, {}),
    (alert_rules.DISSATISFIED_SHARE, {"threshold": -5, "window_size": 20},
     {"threshold": "range"}),
    (alert_rules.DISSATISFIED_SHARE, {"threshold": 30, "window_size": 2},
     {"window_size": "range"}),
    (alert_rules.INDEX_BELOW, {"threshold": 70, "window_size": 7},
     {"min_responses": "missing"}),
    (alert_rules.HIGH_WEEK, {"threshold": 101, "window_size": 7, "min_responses": 0},
     {"threshold": "range", "min_responses": "range"}),
    (alert_rules.ONE_WITH_COMMENT, {}, {}),
])
def test_rule_parameters_are_checked_per_kind(kind, values, expected):
    assert alert_rules.problems(kind, values) == expected


@pytest.mark.parametrize("kind, measure, expected", [
    (alert_rules.DISSATISFIED_SHARE, alert_rules.Measure(20, 100, 30), True),
    (alert_rules.DISSATISFIED_SHARE, alert_rules.Measure(20, 100, 29), False),
    (alert_rules.DISSATISFIED_SHARE, alert_rules.Measure(19, 100, 90), False),  # too few yet
    (alert_rules.INDEX_BELOW, alert_rules.Measure(10, rate=69.9), True),
    (alert_rules.INDEX_BELOW, alert_rules.Measure(10, rate=70.0), False),
    (alert_rules.INDEX_BELOW, alert_rules.Measure(9, rate=10.0), False),
    (alert_rules.INDEX_BELOW, alert_rules.Measure(10, rate=None), False),
    (alert_rules.HIGH_WEEK, alert_rules.Measure(20, rate=95.0), True),
    (alert_rules.HIGH_WEEK, alert_rules.Measure(19, rate=100.0), False),
    (alert_rules.ONE_WITH_COMMENT, alert_rules.Measure(1, flagged_responses=(7,)), True),
    (alert_rules.ONE_WITH_COMMENT, alert_rules.Measure(), False),
])
def test_when_a_rule_trips(kind, measure, expected):
    values = SimpleNamespace(threshold=30, window_size=20, min_responses=10) \
        if kind == alert_rules.DISSATISFIED_SHARE else SimpleNamespace(
            threshold=70 if kind == alert_rules.INDEX_BELOW else 95, window_size=7,
            min_responses=10 if kind == alert_rules.INDEX_BELOW else 20)
    assert alert_rules.tripped(kind, values, measure) is expected


def test_a_bad_counter_raises_one_alert_emailed_to_its_units_leaders(app, db):
    counter = make_counter(db, code="Q21")
    leader = make_user(db, roles=["leader"], unit_id=counter.unit_id, email="ld@so.vn")
    make_user(db, roles=["leader"], email="gd@so.vn")  # department leader: not needed
    make_user(db, roles=["leader"], unit_id=counter.unit_id)  # no email
    watched = rule(db, counter=counter, threshold=30, window_size=10)
    answered(db, counter, 4, 7)
    assert evaluate(app, db) == []
    answered(db, counter, 1, 3, ago=timedelta(minutes=30))  # 3 of the last 10 at level 1
    [raised] = evaluate(app, db)
    assert raised.rule_id == watched.id and raised.state == "open" and not raised.positive
    assert raised.figures["responses"] == 10 and raised.figures["dissatisfied"] == 57
    [mail] = mails(db)
    assert mail.recipient == leader.email
    assert mail.subject == "[Cổng góp ý] Cảnh báo: Q21 — " + counter.name
    assert "30% câu trả lời không hài lòng trở lên" in mail.body
    assert f"https://gopy.example.vn/staff/survey/alerts/{raised.id}" in mail.body
    answered(db, counter, 1, 5, ago=timedelta(minutes=10))
    assert evaluate(app, db, 5) == [], "no second alert while one is open"
    assert len(mails(db)) == 1


def test_after_closing_a_rule_needs_new_answers(app, db):
    counter = make_counter(db)
    make_user(db, roles=["secretariat"], email="vp@so.vn")  # nobody leads the unit
    watched = rule(db, counter=counter, threshold=30, window_size=5)
    answered(db, counter, 2, 5)
    [first] = evaluate(app, db)
    assert mails(db)[0].recipient == "vp@so.vn"
    staff = make_user(db, roles=["secretariat"])
    alerts.close(db, first, staff, first.version, "Đã nhắc nhở quầy.")
    db.commit()
    assert first.open_key is None
    assert evaluate(app, db, 1) == [], "the same answers do not raise it again"
    answered(db, counter, 1, 4, ago=timedelta(seconds=-30))
    assert evaluate(app, db, 2) == [], "four new answers: not yet the last five"
    answered(db, counter, 1, 1, ago=timedelta(seconds=-40))
    [second] = evaluate(app, db, 3)
    assert second.rule_id == watched.id and second.id != first.id


def test_index_rules_bad_and_good_news_per_unit(app, db):
    counter = make_counter(db)
    other = make_counter(db, unit=counter.unit)
    rule(db, unit=counter.unit, kind=alert_rules.INDEX_BELOW, threshold=70, window_size=7,
         min_responses=10)
    rule(db, unit=counter.unit, kind=alert_rules.HIGH_WEEK, threshold=95, window_size=7,
         min_responses=5)
    answered(db, counter, 5, 5)
    [good] = evaluate(app, db)
    assert good.positive and good.figures["rate"] == 100.0
    answered(db, other, 2, 6, ago=timedelta(days=2))
    answered(db, counter, 3, 4, ago=timedelta(days=10))  # outside the week
    [bad] = evaluate(app, db)
    assert not bad.positive and bad.figures["responses"] == 11
    assert round(bad.figures["rate"], 1) == 45.5


def test_a_very_dissatisfied_with_a_comment_and_nothing_from_left_out_answers(
        app, auth, client, db):
    counter = make_counter(db)
    answered(db, counter, 1, comment="Cũ, trước khi có quy tắc")
    auth.as_role("secretariat")
    client.post("/staff/survey/alerts/rules/new", data={
        "scope": f"counter:{counter.id}", "kind": "one_with_comment", "active": "y"})
    watched = db.scalar(select(AlertRule))
    answered(db, counter, 1, comment="Bị loại", flagged=True)
    answered(db, counter, 1)  # no comment
    answered(db, counter, 2, comment="Chờ lâu")  # no 1
    assert evaluate(app, db) == []
    answered(db, counter, 1, comment="Cán bộ quát nạt")
    [raised] = evaluate(app, db)
    assert len(raised.figures["response_ids"]) == 1 and watched.id == raised.rule_id
    # Another arrives while the alert is open: added to it, no second alert, no second email.
    answered(db, counter, 1, comment="Lại bị quát", ago=timedelta(days=3))  # a paper form
    assert evaluate(app, db, 1) == []
    db.refresh(raised)
    assert len(raised.figures["response_ids"]) == 2
    # One more just before the alert is closed, before the next check: reported after.
    answered(db, counter, 1, comment="Lần thứ ba")
    alerts.close(db, raised, make_user(db, roles=["secretariat"]), raised.version, "Đã nhắc.")
    db.commit()
    [again] = evaluate(app, db, 2)
    assert len(again.figures["response_ids"]) == 1
    assert evaluate(app, db, 3) == [], "each is reported once"


def act(client, alert, action, text="", version=None):
    return client.post(f"/staff/survey/alerts/{alert.id}", data={
        "action": action, "text": text,
        "version": alert.version if version is None else version})


def test_staff_acknowledge_comment_and_close_an_alert(app, auth, client, db):
    raised = an_open_alert(app, db)
    leader = auth.as_role("leader")
    listing = client.get("/staff/survey/alerts").get_data(as_text=True)
    assert f'href="/staff/survey/alerts/{raised.id}"' in listing and "đang mở" in listing
    assert act(client, raised, "acknowledge").status_code == 302
    db.refresh(raised)
    assert raised.state == "acknowledged" and raised.acknowledged_by_id == leader.id
    assert act(client, raised, "comment", "Quầy thiếu người buổi sáng.").status_code == 302
    db.refresh(raised)
    assert act(client, raised, "close", "Đã bổ sung cán bộ.").status_code == 302
    db.refresh(raised)
    assert raised.state == "closed" and raised.open_key is None
    page = client.get(f"/staff/survey/alerts/{raised.id}").get_data(as_text=True)
    assert "Quầy thiếu người buổi sáng." in page and "Đã bổ sung cán bộ." in page
    assert 'name="action"' not in page, "a closed alert takes no more action"
    actions = db.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "survey_alert").order_by(AuditEntry.id)).all()
    assert actions == ["survey_alert.raise", "survey_alert.acknowledge",
                       "survey_alert.comment", "survey_alert.close"]
    closed = client.get("/staff/survey/alerts?show=closed").get_data(as_text=True)
    assert f'href="/staff/survey/alerts/{raised.id}"' in closed


def test_bad_actions_say_why_and_change_nothing(app, auth, client, db):
    raised = an_open_alert(app, db)
    auth.as_role("secretariat")
    shown = raised.version
    assert act(client, raised, "acknowledge").status_code == 302
    stale = act(client, raised, "close", "Muộn", version=shown)
    assert stale.status_code == 409
    assert "Người khác đã xử lý cảnh báo này" in stale.get_data(as_text=True)
    db.refresh(raised)
    no_text = act(client, raised, "close")
    assert no_text.status_code == 400 and "Xin ghi điều đã tìm thấy hoặc đã làm." in \
        no_text.get_data(as_text=True)
    assert act(client, raised, "delete", "x").status_code == 400
    assert act(client, raised, "comment", "x" * 2001).status_code == 400
    db.refresh(raised)
    assert raised.state == "acknowledged" and len(raised.notes) == 1
    assert act(client, raised, "close", "Xong").status_code == 302
    db.refresh(raised)
    again = act(client, raised, "comment", "Thêm")
    assert again.status_code == 409 and "Cảnh báo này đã đóng" in again.get_data(as_text=True)
    assert client.post("/staff/survey/alerts/999999", data={}).status_code == 404


def test_rules_are_made_with_checked_values_by_secretariat_and_admin(auth, client, db):
    counter = make_counter(db, code="Q31")
    auth.as_role("secretariat")
    form = client.get("/staff/survey/alerts/rules/new").get_data(as_text=True)
    assert 'value="30"' in form and 'value="20"' in form
    good = client.post("/staff/survey/alerts/rules/new", data={
        "scope": f"counter:{counter.id}", "kind": "dissatisfied_share", "threshold": "25",
        "window_size": "15", "min_responses": "99", "active": "y"})
    assert good.status_code == 302
    made = db.scalar(select(AlertRule))
    assert (made.counter_id, made.threshold, made.window_size, made.min_responses) == \
        (counter.id, 25, 15, None)
    assert db.scalar(select(AuditEntry.action).where(
        AuditEntry.target_type == "survey_alert_rule")) == "survey_alert_rule.create"
    page = client.get("/staff/survey/alerts/rules").get_data(as_text=True)
    assert "Q31" in page and "25% câu trả lời không hài lòng trở lên" in page
    client.post(f"/staff/survey/alerts/rules/{made.id}", data={
        "scope": f"unit:{counter.unit_id}", "kind": "one_with_comment"})
    db.refresh(made)
    assert made.unit_id == counter.unit_id and made.counter_id is None and not made.active
    assert made.threshold is None
    auth.logout()
    auth.as_role("leader")
    assert client.get("/staff/survey/alerts/rules").status_code == 403


@pytest.mark.parametrize("data, message", [
    ({"threshold": "-5"}, "Từ 1 đến 100."),
    ({"threshold": "150"}, "Từ 1 đến 100."),
    ({"threshold": ""}, "Loại quy tắc này cần giá trị này."),
    ({"window_size": "abc"}, "Phải là số nguyên."),
    ({"kind": "whatever"}, "Lựa chọn không hợp lệ."),
    ({"scope": ""}, "Xin chọn một quầy hoặc một đơn vị."),
    ({"scope": "counter:999999"}, "Lựa chọn không hợp lệ."),
    ({"kind": "index_below", "min_responses": ""}, "Loại quy tắc này cần giá trị này."),
])
def test_bad_rules_are_refused_with_a_message(auth, client, db, data, message):
    counter = make_counter(db)
    auth.as_role("admin")
    result = client.post("/staff/survey/alerts/rules/new", data={
        "scope": f"counter:{counter.id}", "kind": "dissatisfied_share", "threshold": "30",
        "window_size": "20", "min_responses": "10", "active": "y", **data})
    assert result.status_code == 200 and message in result.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(AlertRule)) == 0


def test_the_command_checks_the_rules_and_queues_the_emails(runner, db):
    counter = make_counter(db)
    make_user(db, roles=["leader"], unit_id=counter.unit_id, email="ld@so.vn")
    rule(db, counter=counter, threshold=30, window_size=5)
    answered(db, counter, 2, 5)
    result = runner.invoke(args=["survey-alerts"])
    assert result.exit_code == 0 and "1 alerts raised" in result.output
    assert db.scalar(select(func.count()).select_from(Alert)) == 1
    assert [mail.recipient for mail in mails(db)] == ["ld@so.vn"]
    assert "0 alerts raised" in runner.invoke(args=["survey-alerts"]).output


def test_a_units_leader_sees_and_acts_on_their_units_alerts_only(app, auth, client, db):
    ours = make_counter(db)
    mine, other = an_open_alert(app, db, ours), an_open_alert(app, db)
    auth.as_role("leader", unit_id=ours.unit_id)
    listing = client.get("/staff/survey/alerts").get_data(as_text=True)
    assert f"/staff/survey/alerts/{mine.id}" in listing
    assert f"/staff/survey/alerts/{other.id}" not in listing
    assert client.get(f"/staff/survey/alerts/{other.id}").status_code == 404
    assert act(client, other, "acknowledge").status_code == 404
    assert act(client, mine, "acknowledge").status_code == 302
    auth.logout()
    auth.as_role("leader")  # the department's leader: every unit
    listing = client.get("/staff/survey/alerts").get_data(as_text=True)
    assert f"/staff/survey/alerts/{other.id}" in listing


def test_a_stale_page_shown_again_acts_on_the_current_version(app, auth, client, db):
    raised = an_open_alert(app, db)
    auth.as_role("secretariat")
    shown = raised.version
    act(client, raised, "acknowledge")
    stale = act(client, raised, "comment", "Ghi chú", version=shown)
    page = stale.get_data(as_text=True)
    db.refresh(raised)
    assert stale.status_code == 409 and f'name="version" type="hidden" value="{raised.version}"' \
        in page
    assert act(client, raised, "comment", "Ghi chú").status_code == 302


def test_the_command_needs_the_public_address_for_its_links(runner, app, db):
    app.config["PUBLIC_BASE_URL"] = ""
    result = runner.invoke(args=["survey-alerts"])
    assert result.exit_code != 0 and "PUBLIC_BASE_URL" in result.output
