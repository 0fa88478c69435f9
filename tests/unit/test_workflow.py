import pytest

from feedback import workflow as wf
from portal.auth.roles import ADMIN, HANDLER, LEADER, RECEPTION, ROLES, SECRETARIAT

DETAILS = {"refusal_reason": "unclear", "agency": "UBND xã", "dispatch_number": "12/CV",
           "dispatch_date": "2026-03-02", "ticket_class": wf.CLASS_COMPETENCE, "unit_id": 3,
           "reason": "Không đúng thẩm quyền của phòng", "answer": "Trả lời",
           "public_question": "Hỏi", "public_answer": "Đáp", "question": "Bản đồ vị trí?",
           "reply": "Gửi kèm bản đồ"}
EVERYONE = set(ROLES) | {wf.CITIZEN, wf.SYSTEM}


def test_the_whole_path_with_one_return_for_rework():
    steps = [(wf.ACCEPT, RECEPTION, wf.ACCEPTED), (wf.ASSIGN, RECEPTION, wf.ASSIGNED),
             (wf.START, HANDLER, wf.IN_PROGRESS), (wf.DRAFT, HANDLER, wf.DRAFTED),
             (wf.SUBMIT, HANDLER, wf.IN_REVIEW), (wf.RETURN, SECRETARIAT, wf.RETURNED),
             (wf.DRAFT, HANDLER, wf.DRAFTED), (wf.SUBMIT, HANDLER, wf.IN_REVIEW),
             (wf.APPROVE, SECRETARIAT, wf.APPROVED), (wf.SEND, SECRETARIAT, wf.ANSWERED),
             (wf.PUBLISH, SECRETARIAT, wf.PUBLISHED), (wf.UNPUBLISH, SECRETARIAT, wf.CLOSED),
             (wf.ARCHIVE, SECRETARIAT, wf.ARCHIVED)]
    state = wf.RECEIVED
    for action, role, expected in steps:
        state = wf.transition(state, action, {role}, DETAILS)
        assert state == expected


@pytest.mark.parametrize("action,target", [(wf.CLASSIFY_NOT_ACCEPTED, wf.NOT_ACCEPTED),
                                           (wf.FORWARD, wf.FORWARDED)])
def test_refused_and_forwarded_tickets_end_in_the_archive(action, target):
    state = wf.transition(wf.RECEIVED, action, {RECEPTION}, DETAILS)
    assert state == target
    assert wf.transition(state, wf.ARCHIVE, {SECRETARIAT}) == wf.ARCHIVED


def test_every_action_from_every_state_is_allowed_exactly_as_the_table_says():
    for action, rule in wf.TRANSITIONS.items():
        for state in wf.STATES:
            if state in rule.sources:
                assert wf.transition(state, action, rule.roles, DETAILS) == (
                    rule.target or state)  # None: the state stays
            else:
                with pytest.raises(wf.IllegalTransition):
                    wf.transition(state, action, EVERYONE, DETAILS)


def test_roles_outside_the_table_are_refused_and_leaders_only_review():
    for action, rule in wf.TRANSITIONS.items():
        state = next(iter(rule.sources))
        for role in EVERYONE - rule.roles:
            with pytest.raises(wf.RoleNotAllowed):
                wf.transition(state, action, {role}, DETAILS)
    # leaders only review answers a citizen contested (on their own page, texts masked)
    assert {rule.action for state in wf.STATES for rule in wf.available_actions(
        state, {LEADER})} == {wf.CONFIRM_ANSWER, wf.REWORK}
    assert all(rule.condition == wf.OPEN_REVIEW for rule in wf.TRANSITIONS.values()
               if LEADER in rule.roles)


def test_an_action_without_its_details_is_refused_naming_them():
    with pytest.raises(wf.MissingDetails) as error:
        wf.transition(wf.RECEIVED, wf.FORWARD, {RECEPTION},
                      {"agency": "UBND", "dispatch_number": ""})
    assert error.value.missing == ("dispatch_number", "dispatch_date")
    with pytest.raises(wf.MissingDetails):
        wf.transition(wf.IN_REVIEW, wf.RETURN, {SECRETARIAT}, {})
    with pytest.raises(wf.UnknownAction):
        wf.transition(wf.RECEIVED, "delete", {ADMIN})


def test_every_state_is_reachable_and_finished_states_are_not_open():
    reached, frontier = {wf.RECEIVED}, [wf.RECEIVED]
    while frontier:
        state = frontier.pop()
        for rule in wf.available_actions(state, EVERYONE):
            if rule.target is not None and rule.target not in reached:
                reached.add(rule.target)
                frontier.append(rule.target)
    assert reached == set(wf.STATES)
    assert wf.OPEN_STATES.isdisjoint({wf.NOT_ACCEPTED, wf.FORWARDED, wf.ARCHIVED, wf.NO_REPLY,
                                      wf.WAITING})  # waiting: the department's clock stands
    assert set(wf.STATE_LABELS) == set(wf.PUBLIC_STATE_LABELS) == set(wf.STATES)
    assert wf.ARCHIVED not in {t for rule in wf.TRANSITIONS.values() for t in rule.sources}
    # what is public can always be taken down: from published, only unpublishing, a leader's
    # confirmation (it stays) or rework (its effect unpublishes) of a contested answer
    assert [rule.action for rule in wf.TRANSITIONS.values()
            if wf.PUBLISHED in rule.sources] == [wf.UNPUBLISH, wf.CONFIRM_ANSWER, wf.REWORK]
    assert wf.TRANSITIONS[wf.CONFIRM_ANSWER].target is None


def test_every_action_is_declared_once_with_an_effect_the_service_knows_and_a_form():
    from feedback import services
    from feedback.forms import action_form_class

    declared = {rule.effect for rule in wf.TRANSITIONS.values() if rule.effect}
    assert declared == set(services.EFFECTS)  # no effect missing, none left unused
    for action, rule in wf.TRANSITIONS.items():
        form_class = action_form_class(action)
        for detail in rule.details:
            assert hasattr(form_class, detail.name), (action, detail.name)
        assert wf.missing_details(action, {}) == rule.required
    notices = {rule.notice for rule in wf.TRANSITIONS.values() if rule.notice}
    assert notices == {"accepted", "forwarded", "not_accepted", "answered", "info_requested",
                       "no_reply"}


def test_leaders_and_other_units_handlers_cannot_take_a_units_action():
    from types import SimpleNamespace

    from feedback import access

    ticket = SimpleNamespace(state=wf.ASSIGNED, unit_id=1)
    own = SimpleNamespace(roles={HANDLER}, unit_id=1, has_role=lambda *r: HANDLER in r)
    other = SimpleNamespace(roles={HANDLER}, unit_id=2, has_role=lambda *r: HANDLER in r)
    leader = SimpleNamespace(roles={LEADER}, unit_id=1, has_role=lambda *r: LEADER in r)
    assert [rule.action for rule in access.actions(ticket, own)] == [wf.START, wf.TRANSFER]
    assert access.actions(ticket, other) == [] and access.actions(ticket, leader) == []
    assert access.may_handle(ticket, own) and not access.may_handle(ticket, other)
    assert not access.may_handle(ticket, leader)
