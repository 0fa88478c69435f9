"""The handling workflow of a feedback ticket (NĐ 20/2008 Điều 9; QĐ 31/2021 Điều 46). Pure.

One table says which action moves a ticket from which states to which state, and which roles
may take it. :func:`transition` is the only way a state changes; it raises a named error when
the table forbids it. What each action needs (a reason, an agency, a unit) is checked by
:func:`missing_details`, so the service and the forms agree.

    received ─ classify ─┬─ not accepted (reason; citizen told) ───────────────┐
                         ├─ forwarded (agency, dispatch number, date) ──────────┤
                         └─ accepted (conduct of officials | within competence) │
    accepted ─ assign (unit [, officer]) → assigned ─ start → in progress       │
    in progress ─ transfer (unit, reason) → assigned                            │
    in progress | returned ─ draft → drafted ─ submit → in review               │
    in review ─ return (reason) → returned | approve → approved                 │
    approved ─ send → answered ─ publish → published | close (reason) → closed  │
    published ─ unpublish (reason) → closed                                     │
    not accepted | forwarded | closed ─ archive → archived ◄────────────────────┘
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.auth.roles import ADMIN, HANDLER, LEADER, RECEPTION, SECRETARIAT

# States
RECEIVED = "received"
NOT_ACCEPTED = "not_accepted"
FORWARDED = "forwarded"
ACCEPTED = "accepted"
ASSIGNED = "assigned"
IN_PROGRESS = "in_progress"
DRAFTED = "drafted"
IN_REVIEW = "in_review"
RETURNED = "returned"
APPROVED = "approved"
ANSWERED = "answered"
PUBLISHED = "published"
CLOSED = "closed"
ARCHIVED = "archived"

STATES = (RECEIVED, NOT_ACCEPTED, FORWARDED, ACCEPTED, ASSIGNED, IN_PROGRESS, DRAFTED,
          IN_REVIEW, RETURNED, APPROVED, ANSWERED, PUBLISHED, CLOSED, ARCHIVED)

STATE_LABELS = {
    RECEIVED: _l("Received"),
    NOT_ACCEPTED: _l("Not accepted"),
    FORWARDED: _l("Forwarded to another agency"),
    ACCEPTED: _l("Accepted, awaiting assignment"),
    ASSIGNED: _l("Assigned to a unit"),
    IN_PROGRESS: _l("Being handled"),
    DRAFTED: _l("Answer drafted"),
    IN_REVIEW: _l("Answer under review"),
    RETURNED: _l("Answer returned for rework"),
    APPROVED: _l("Answer approved"),
    ANSWERED: _l("Answered"),
    PUBLISHED: _l("Answered and published"),
    CLOSED: _l("Answered, not published"),
    ARCHIVED: _l("Archived"),
}

# What a citizen sees when looking up a ticket: the internal stages are not their business.
PUBLIC_STATE_LABELS = {
    RECEIVED: _l("Received, being classified"),
    NOT_ACCEPTED: _l("Not accepted"),
    FORWARDED: _l("Forwarded to the competent agency"),
    ACCEPTED: _l("Accepted, being handled"),
    ASSIGNED: _l("Accepted, being handled"),
    IN_PROGRESS: _l("Accepted, being handled"),
    DRAFTED: _l("Accepted, being handled"),
    IN_REVIEW: _l("Accepted, being handled"),
    RETURNED: _l("Accepted, being handled"),
    APPROVED: _l("Accepted, being handled"),
    ANSWERED: _l("Answered"),
    PUBLISHED: _l("Answered"),
    CLOSED: _l("Answered"),
    ARCHIVED: _l("Finished"),
}

# History lines that are not workflow actions.
EVENT_LABELS = {
    "received": _l("Received and logged"),
    "note": _l("Internal note"),
    "personal_data_viewed": _l("Viewed the sender's details"),
    "attachment": _l("Added files"),
    "edit": _l("Corrected"),
}

# Classes of NĐ 20/2008 Điều 9
CLASS_NOT_ACCEPTED = "not_accepted"
CLASS_CONDUCT = "conduct"
CLASS_COMPETENCE = "competence"
CLASS_FORWARDED = "outside"
CLASSES = (CLASS_NOT_ACCEPTED, CLASS_CONDUCT, CLASS_COMPETENCE, CLASS_FORWARDED)
CLASS_LABELS = {
    CLASS_NOT_ACCEPTED: _l("Not accepted (does not meet the requirements)"),
    CLASS_CONDUCT: _l("Conduct of officials"),
    CLASS_COMPETENCE: _l("Within the department's competence"),
    CLASS_FORWARDED: _l("Outside its competence: forwarded"),
}

# Why a feedback is not accepted: the requirements of NĐ 20/2008 Điều 7 (and Điều 1's scope).
REFUSAL_REASONS = {
    "unclear": _l("The content is not clear enough to be handled."),
    "identity": _l("The sender's name, address or phone number (or postal address) is missing "
                   "or not genuine."),
    "language": _l("It is not written in Vietnamese."),
    "complaint": _l("It is a complaint or a denunciation, which follows its own procedure."),
    "duplicate": _l("It repeats a feedback that was already handled or is being handled."),
}

# Actions
CLASSIFY_NOT_ACCEPTED = "refuse"
FORWARD = "forward"
ACCEPT = "accept"
ASSIGN = "assign"
START = "start"
TRANSFER = "transfer"
DRAFT = "draft"
SUBMIT = "submit"
RETURN = "return"
APPROVE = "approve"
SEND = "send"
PUBLISH = "publish"
CLOSE = "close"
UNPUBLISH = "unpublish"
ARCHIVE = "archive"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    label: object


def _t(action, sources, target, roles, label) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), label)


_INTAKE = (RECEPTION, ADMIN)
_DISPATCH = (RECEPTION, SECRETARIAT, ADMIN)
_HANDLING = (HANDLER, ADMIN)
_REVIEW = (SECRETARIAT, ADMIN)

TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    _t(CLASSIFY_NOT_ACCEPTED, [RECEIVED], NOT_ACCEPTED, _INTAKE, _l("Do not accept")),
    _t(FORWARD, [RECEIVED], FORWARDED, _INTAKE, _l("Forward to another agency")),
    _t(ACCEPT, [RECEIVED], ACCEPTED, _INTAKE, _l("Accept")),
    _t(ASSIGN, [ACCEPTED, ASSIGNED], ASSIGNED, _DISPATCH, _l("Assign")),
    _t(START, [ASSIGNED], IN_PROGRESS, _HANDLING, _l("Start handling")),
    _t(TRANSFER, [ASSIGNED, IN_PROGRESS], ASSIGNED, (HANDLER, *_DISPATCH),
       _l("Transfer to another unit")),
    _t(DRAFT, [IN_PROGRESS, DRAFTED, RETURNED], DRAFTED, _HANDLING, _l("Save the draft answer")),
    _t(SUBMIT, [DRAFTED], IN_REVIEW, _HANDLING, _l("Submit for review")),
    _t(RETURN, [IN_REVIEW], RETURNED, _REVIEW, _l("Return for rework")),
    _t(APPROVE, [IN_REVIEW], APPROVED, _REVIEW, _l("Approve")),
    _t(SEND, [APPROVED], ANSWERED, _REVIEW, _l("Send the answer to the citizen")),
    _t(PUBLISH, [ANSWERED], PUBLISHED, _REVIEW, _l("Publish")),
    _t(CLOSE, [ANSWERED], CLOSED, _REVIEW, _l("Close without publishing")),
    _t(UNPUBLISH, [PUBLISHED], CLOSED, _REVIEW, _l("Unpublish")),
    # A published ticket is not archived: it stays public until someone unpublishes it,
    # which must stay possible (a personal detail found late).
    _t(ARCHIVE, [NOT_ACCEPTED, FORWARDED, CLOSED], ARCHIVED, _REVIEW, _l("Archive")),
)}

# Details each action must carry (the service stores them; the forms ask for them).
REQUIRED_DETAILS = {
    CLASSIFY_NOT_ACCEPTED: ("refusal_reason",),
    FORWARD: ("agency", "dispatch_number", "dispatch_date"),
    ACCEPT: ("ticket_class",),
    ASSIGN: ("unit_id",),
    TRANSFER: ("unit_id", "reason"),
    DRAFT: ("answer",),
    RETURN: ("reason",),
    CLOSE: ("reason",),
    UNPUBLISH: ("reason",),
    # PUBLISH needs the public texts only with the sender's consent: checked by the service.
}

# States in which the ticket waits for the department (deadlines run); the rest are done.
OPEN_STATES = frozenset({RECEIVED, ACCEPTED, ASSIGNED, IN_PROGRESS, DRAFTED, IN_REVIEW,
                         RETURNED, APPROVED})
ANSWERED_STATES = frozenset({ANSWERED, PUBLISHED, CLOSED})

# Who may see a citizen's name, address, phone, email and attachments (leaders see figures).
PERSONAL_DATA_ROLES = frozenset({RECEPTION, HANDLER, SECRETARIAT, ADMIN})
# Who may work on tickets at all (leaders read the statistics only).
STAFF_ROLES = frozenset({RECEPTION, HANDLER, SECRETARIAT, ADMIN, LEADER})


class WorkflowError(Exception):
    """Base of the named refusals."""


class UnknownAction(WorkflowError):
    pass


class IllegalTransition(WorkflowError):
    """The action is not possible from the ticket's current state."""


class RoleNotAllowed(WorkflowError):
    """None of the user's roles may take this action."""


class MissingDetails(WorkflowError):
    def __init__(self, missing: tuple[str, ...]):
        super().__init__(", ".join(missing))
        self.missing = missing


def transition(state: str, action: str, roles, details: dict | None = None) -> str:
    """The state after ``action``, if the table allows it from ``state`` for ``roles`` and
    ``details`` carry what the action needs.

    :raise UnknownAction, IllegalTransition, RoleNotAllowed, MissingDetails:
    """
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise UnknownAction(action)
    if state not in rule.sources:
        raise IllegalTransition(f"{action} is not possible from {state}")
    if not rule.roles & set(roles):
        raise RoleNotAllowed(action)
    missing = missing_details(action, details or {})
    if missing:
        raise MissingDetails(missing)
    return rule.target


def missing_details(action: str, details: dict) -> tuple[str, ...]:
    return tuple(name for name in REQUIRED_DETAILS.get(action, ())
                 if details.get(name) in (None, "", []))


def available_actions(state: str, roles) -> list[Transition]:
    """The actions these roles can take from this state, in the table's order."""
    roles = set(roles)
    return [rule for rule in TRANSITIONS.values() if state in rule.sources and rule.roles & roles]
