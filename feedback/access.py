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
ADMINISTRATORS = (ADMIN,)  # the outbox


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


def actions(ticket, user) -> list[wf.Transition]:
    """The actions ``user`` may take on ``ticket`` now, in the table's order."""
    return [rule for rule in wf.available_actions(ticket.state, user.roles)
            if may_take(ticket, user, rule)]


def may_correct(user) -> bool:
    return user.has_role(*DISPATCHERS)


def may_log(user) -> bool:
    return user.has_role(*INTAKE)
