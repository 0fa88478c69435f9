"""Who may see and act on feedback tickets: decided here, asked by the views, the service and
the templates (``access`` in every feedback template).

- Reception, the secretariat and admins work on every ticket; a handler only on the tickets
  assigned to their own unit. Whoever works on a ticket may see its sender's details (each view
  is recorded in the history) — nobody else, leaders included.
- An action is open to a user when the workflow table gives it to one of their roles; when only
  the handler role gives it, the ticket must be their unit's.
- Leaders read the reports (figures, no personal data).
"""
from __future__ import annotations

from feedback import workflow as wf
from portal.auth.roles import ADMIN, HANDLER, LEADER, RECEPTION, SECRETARIAT

WORKERS = (RECEPTION, HANDLER, SECRETARIAT, ADMIN)  # the queue and the tickets they handle
DISPATCHERS = (RECEPTION, SECRETARIAT, ADMIN)  # every ticket; assign; correct
INTAKE = (RECEPTION, ADMIN)  # log a call, a visit or a letter
PUBLISHERS = (SECRETARIAT, ADMIN)  # prepare and publish the de-identified version
REPORT_READERS = (LEADER, SECRETARIAT, ADMIN)
REVIEWERS = (LEADER, ADMIN)  # answers a citizen said did not resolve the issue
TEMPLATE_EDITORS = (SECRETARIAT, ADMIN)  # the reply templates
ADMINISTRATORS = (ADMIN,)  # the outbox
ERASERS = (SECRETARIAT, ADMIN)  # a citizen's request to erase their personal data


def sees_every_ticket(user) -> bool:
    return user.has_role(*DISPATCHERS)


def queue_unit(user) -> int | None:
    """The unit whose tickets alone this user's queue shows (a handler's), or None for all."""
    return None if sees_every_ticket(user) else (user.unit_id or -1)


def may_handle(ticket, user) -> bool:
    """Whether ``user`` works on this ticket, and so may see it and who sent it."""
    if sees_every_ticket(user):
        return True
    return user.has_role(HANDLER) and ticket.unit_id is not None \
        and ticket.unit_id == user.unit_id


def may_take(ticket, user, rule: wf.Transition) -> bool:
    """Whether ``user`` may take ``rule`` on ``ticket`` (the state aside)."""
    granted = set(user.roles) & rule.roles
    if not granted:
        return False
    return granted != {HANDLER} or (ticket.unit_id is not None
                                    and ticket.unit_id == user.unit_id)


def actions(ticket, user, conditions=frozenset()) -> list[wf.Transition]:
    """The actions ``user`` may take on ``ticket`` now, in the table's order; an action with a
    condition only when it is among ``conditions`` (e.g. an open review)."""
    return [rule for rule in wf.available_actions(ticket.state, user.roles)
            if may_take(ticket, user, rule)
            and (rule.condition is None or rule.condition in conditions)]


def review_recipients(session, ticket) -> list[str]:
    """Who is told that a citizen found an answer unresolved: the leaders of the ticket's
    unit, else the department's leaders (without a unit)."""
    from sqlalchemy import select

    from portal.auth.models import User

    leaders = [user for user in session.scalars(select(User).where(
        User.active.is_(True), User.email.is_not(None))) if user.has_role(LEADER)]
    own = [user.email for user in leaders if ticket.unit_id and user.unit_id == ticket.unit_id]
    return sorted(set(own or [user.email for user in leaders if user.unit_id is None]))


def review_unit(user) -> int | None:
    """The unit whose contested answers a leader reviews (None: every unit)."""
    return None if user.has_role(ADMIN) or user.unit_id is None else user.unit_id


def may_review(ticket, user) -> bool:
    """Leaders review the answers citizens said did not resolve their issue: a unit's leader
    those of the unit, the department's leaders (and admins) all."""
    return user.has_role(*REVIEWERS) and review_unit(user) in (None, ticket.unit_id)


def may_correct(user) -> bool:
    return user.has_role(*DISPATCHERS)


def may_log(user) -> bool:
    return user.has_role(*INTAKE)
