"""The handling workflow of a feedback ticket (NĐ 20/2008 Điều 9; QĐ 31/2021 Điều 46). Pure.

One table declares every action once: which roles may take it from which states, the state it
leads to, the details it asks for, the notice the citizen gets and the effect the service
applies. The service (:func:`feedback.services.act`) looks the action up; the ticket page's
forms are generated from it. :func:`transition` is the only way a state changes; it raises a
named error when the table forbids it or a required detail is missing.

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
WAITING = "waiting_citizen"
NO_REPLY = "no_reply"
DRAFTED = "drafted"
IN_REVIEW = "in_review"
RETURNED = "returned"
APPROVED = "approved"
ANSWERED = "answered"
PUBLISHED = "published"
CLOSED = "closed"
ARCHIVED = "archived"

STATES = (RECEIVED, NOT_ACCEPTED, FORWARDED, ACCEPTED, ASSIGNED, IN_PROGRESS, WAITING, DRAFTED,
          IN_REVIEW, RETURNED, APPROVED, ANSWERED, PUBLISHED, CLOSED, NO_REPLY, ARCHIVED)

STATE_LABELS = {
    RECEIVED: _l("Received"),
    NOT_ACCEPTED: _l("Not accepted"),
    FORWARDED: _l("Forwarded to another agency"),
    ACCEPTED: _l("Accepted, awaiting assignment"),
    ASSIGNED: _l("Assigned to a unit"),
    IN_PROGRESS: _l("Being handled"),
    WAITING: _l("Waiting for the citizen's information"),
    DRAFTED: _l("Answer drafted"),
    IN_REVIEW: _l("Answer under review"),
    RETURNED: _l("Answer returned for rework"),
    APPROVED: _l("Answer approved"),
    ANSWERED: _l("Answered"),
    PUBLISHED: _l("Answered and published"),
    CLOSED: _l("Answered, not published"),
    NO_REPLY: _l("Closed: the citizen did not send the information"),
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
    WAITING: _l("Waiting for information from you"),
    DRAFTED: _l("Accepted, being handled"),
    IN_REVIEW: _l("Accepted, being handled"),
    RETURNED: _l("Accepted, being handled"),
    APPROVED: _l("Accepted, being handled"),
    ANSWERED: _l("Answered"),
    PUBLISHED: _l("Answered"),
    CLOSED: _l("Answered"),
    NO_REPLY: _l("Closed: the information asked for was not received in time"),
    ARCHIVED: _l("Finished"),
}

# What the citizen's history says of the steps that are not a public state.
PUBLIC_EVENT_LABELS = {
    "request_info": _l("Information asked from you"),
    "citizen_reply": _l("Your information was received; the handling goes on"),
    "rated": _l("You rated the answer"),
    "confirm_answer": _l("The answer was reviewed and confirmed by a leader"),
    "rework": _l("The answer is being reworked after your rating"),
}

# The notices a citizen gets (feedback/templates/feedback/email and sms), also printable as
# letters for those who reply by post.
NOTICE_LABELS = {
    "received": _l("Receipt"),
    "accepted": _l("Accepted for handling"),
    "not_accepted": _l("Not accepted"),
    "forwarded": _l("Forwarded to the competent agency"),
    "linked": _l("Handled with the same matter"),
    "info_requested": _l("Information asked for"),
    "answered": _l("The answer"),
    "no_reply": _l("Closed for lack of a reply"),
}

# History lines that are not workflow actions.
EVENT_LABELS = {
    "received": _l("Received and logged"),
    "note": _l("Internal note"),
    "personal_data_viewed": _l("Viewed the sender's details"),
    "attachment": _l("Added files"),
    "edit": _l("Corrected"),
    "rated": _l("The citizen rated the answer"),
    "letter_posted": _l("Letter sent by post"),
    "duplicate_linked": _l("Linked as a duplicate"),
    "duplicate_unlinked": _l("No longer a duplicate"),
    "personal_data_erased": _l("The sender's personal data was erased"),
    "attachments_erased": _l("The files were deleted (retention period)"),
}
ERASED_BY_LABELS = {
    "retention": _l("at the end of the retention period"),
    "request": _l("at the citizen's request"),
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
REQUEST_INFO = "request_info"
CITIZEN_REPLY = "citizen_reply"
RECORD_REPLY = "record_reply"
CLOSE_NO_REPLY = "close_no_reply"
CONFIRM_ANSWER = "confirm_answer"
REWORK = "rework"
ANSWER_WITH_MASTER = "answered_with_master"

# Who else takes actions: the citizen on the look-up page, and the portal itself (a command).
CITIZEN = "citizen"
SYSTEM = "system"
# History lines without an officer that the portal itself wrote (the others: the citizen).
PORTAL_EVENTS = frozenset({"close_no_reply", "answer_with_master", "personal_data_erased",
                           "attachments_erased"})

# Kinds of detail an action asks for; feedback/forms.py builds one form field per kind.
REFUSAL_REASON = "refusal_reason"  # one of REFUSAL_REASONS
TICKET_CLASS = "ticket_class"  # conduct of officials or within competence
LINE = "line"  # one line of text
DATE = "date"
UNIT = "unit"  # an active unit
OFFICER = "officer"  # an active officer of that unit
PARAGRAPH = "paragraph"  # a reason or an explanation
ANSWER = "answer"  # the answer to the citizen, with the reply templates
PUBLIC_TEXT = "public_text"  # a de-identified text for publication
CONFIRM = "confirm"  # a tick box


@dataclass(frozen=True)
class Detail:
    """One detail an action carries: its name (the form field and the key the service reads),
    its kind, its label on the ticket page, and whether the action needs it."""

    name: str
    kind: str
    label: object
    required: bool = False
    max_length: int | None = None  # for text kinds: the stored column's size


@dataclass(frozen=True)
class Transition:
    """One action, declared once: who may take it, from which states, to which state, what
    it asks for, which notice the citizen gets (an email template of feedback/templates/
    feedback/email) and which effect the service applies besides the state
    (``feedback.services.EFFECTS``). ``page``: taken on a page of its own (publication)."""

    action: str
    sources: frozenset[str]
    target: str | None  # None: the state does not change
    roles: frozenset[str]
    label: object
    details: tuple[Detail, ...] = ()
    notice: str | None = None
    effect: str | None = None
    page: str | None = None
    condition: str | None = None  # offered only when it holds (feedback.access.actions)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(detail.name for detail in self.details if detail.required)


def _t(action, sources, target, roles, label, details=(), *, notice=None, effect=None,
       page=None, condition=None) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), label,
                      tuple(details), notice, effect, page, condition)


# Conditions an action may need besides the state.
OPEN_REVIEW = "open_review"  # a citizen said the answer did not resolve the issue


_INTAKE = (RECEPTION, ADMIN)
_DISPATCH = (RECEPTION, SECRETARIAT, ADMIN)
_HANDLING = (HANDLER, ADMIN)
_REVIEW = (SECRETARIAT, ADMIN)

_UNIT = Detail("unit_id", UNIT, _l("Unit"), required=True)
_OFFICER = Detail("officer_id", OFFICER, _l("Officer (optional)"))
_REASON = Detail("reason", PARAGRAPH, _l("Reason"), required=True)

# In the order the ticket page shows them: the usual action first.
TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    _t(ACCEPT, [RECEIVED], ACCEPTED, _INTAKE, _l("Accept"), (
        Detail("ticket_class", TICKET_CLASS, _l("Class"), required=True),
        Detail("unit_id", UNIT, _l("Assign to a unit (optional)")), _OFFICER),
       notice="accepted", effect="accept"),
    _t(FORWARD, [RECEIVED], FORWARDED, _INTAKE, _l("Forward to another agency"), (
        Detail("agency", LINE, _l("Competent agency"), required=True, max_length=300),
        Detail("dispatch_number", LINE, _l("Dispatch number"), required=True, max_length=100),
        Detail("dispatch_date", DATE, _l("Dispatch date"), required=True)),
       notice="forwarded", effect="forward"),
    _t(CLASSIFY_NOT_ACCEPTED, [RECEIVED], NOT_ACCEPTED, _INTAKE, _l("Do not accept"), (
        Detail("refusal_reason", REFUSAL_REASON, _l("Why it cannot be accepted"),
               required=True),
        Detail("reason", PARAGRAPH, _l("What the citizen should know (optional)"))),
       notice="not_accepted", effect="refuse"),
    _t(ASSIGN, [ACCEPTED, ASSIGNED], ASSIGNED, _DISPATCH, _l("Assign"), (_UNIT, _OFFICER),
       effect="assign"),
    _t(START, [ASSIGNED], IN_PROGRESS, _HANDLING, _l("Start handling"), effect="start"),
    _t(TRANSFER, [ASSIGNED, IN_PROGRESS], ASSIGNED, (HANDLER, *_DISPATCH),
       _l("Transfer to another unit"), (_UNIT, _REASON), effect="assign"),
    _t(DRAFT, [IN_PROGRESS, DRAFTED, RETURNED], DRAFTED, _HANDLING, _l("Save the draft answer"),
       (Detail("answer", ANSWER, _l("Answer to the citizen"), required=True),),
       effect="draft"),
    _t(REQUEST_INFO, [IN_PROGRESS], WAITING, (HANDLER, *_DISPATCH),
       _l("Ask the citizen for information"), (
           Detail("question", PARAGRAPH, _l("What the citizen must send or explain"),
                  required=True),), notice="info_requested", effect="request_info"),
    _t(RECORD_REPLY, [WAITING], IN_PROGRESS, (HANDLER, *_DISPATCH),
       _l("Record the citizen's reply (call, letter, visit)"), (
           Detail("reply", PARAGRAPH, _l("What the citizen replied"), required=True),),
       effect="resume"),
    _t(CITIZEN_REPLY, [WAITING], IN_PROGRESS, (CITIZEN,), _l("The citizen replied"), (
        Detail("reply", PARAGRAPH, _l("Your reply"), required=True),), effect="resume"),
    _t(CLOSE_NO_REPLY, [WAITING], NO_REPLY, (SYSTEM,),
       _l("Closed: no reply from the citizen in time"), notice="no_reply", effect="no_reply"),
    _t(SUBMIT, [DRAFTED], IN_REVIEW, _HANDLING, _l("Submit for review")),
    _t(APPROVE, [IN_REVIEW], APPROVED, _REVIEW, _l("Approve")),
    _t(RETURN, [IN_REVIEW], RETURNED, _REVIEW, _l("Return for rework"), (_REASON,)),
    _t(SEND, [APPROVED], ANSWERED, _REVIEW, _l("Send the answer to the citizen"),
       notice="answered", effect="send"),
    # The public texts are needed only with the sender's consent: checked by the effect.
    _t(PUBLISH, [ANSWERED], PUBLISHED, _REVIEW, _l("Publish"), (
        Detail("public_question", PUBLIC_TEXT, _l("Published question (de-identified)")),
        Detail("public_answer", PUBLIC_TEXT, _l("Published answer (de-identified)")),
        Detail("checked_as_is", CONFIRM, _l(
            "I read it again: what is highlighted below is not personal data; publish it as "
            "it is."))),
       effect="publish", page="feedback_staff.prepare_publication"),
    _t(CLOSE, [ANSWERED], CLOSED, _REVIEW, _l("Close without publishing"), (_REASON,)),
    _t(UNPUBLISH, [PUBLISHED], CLOSED, _REVIEW, _l("Unpublish"), (_REASON,),
       effect="unpublish"),
    # A duplicate gets the answer sent for the ticket it is linked to.
    _t(ANSWER_WITH_MASTER, [RECEIVED, ACCEPTED, ASSIGNED, IN_PROGRESS, WAITING, DRAFTED,
                            IN_REVIEW, RETURNED, APPROVED], ANSWERED, (SYSTEM,),
       _l("Answered with the ticket it duplicates"), notice="answered",
       effect="answer_with_master"),
    # A citizen said the answer did not resolve the issue: a leader reviews it.
    _t(CONFIRM_ANSWER, [ANSWERED, PUBLISHED, CLOSED], None, (LEADER, ADMIN),
       _l("Confirm the answer"), (
           Detail("reason", PARAGRAPH, _l("Why the answer stands"), required=True),),
       effect="confirm_answer", condition=OPEN_REVIEW),
    _t(REWORK, [ANSWERED, PUBLISHED, CLOSED], RETURNED, (LEADER, ADMIN),
       _l("Return the answer for rework"), (
           Detail("reason", PARAGRAPH, _l("What the new answer must address"), required=True),),
       effect="rework", condition=OPEN_REVIEW),
    # A published ticket is not archived: it stays public until someone unpublishes it,
    # which must stay possible (a personal detail found late).
    _t(ARCHIVE, [NOT_ACCEPTED, FORWARDED, CLOSED, NO_REPLY], ARCHIVED, _REVIEW, _l("Archive")),
)}

# States in which the ticket waits for the department (deadlines run); the rest are done.
OPEN_STATES = frozenset({RECEIVED, ACCEPTED, ASSIGNED, IN_PROGRESS, DRAFTED, IN_REVIEW,
                         RETURNED, APPROVED})
ANSWERED_STATES = frozenset({ANSWERED, PUBLISHED, CLOSED})


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
    return state if rule.target is None else rule.target


def missing_details(action: str, details: dict) -> tuple[str, ...]:
    rule = TRANSITIONS.get(action)
    return tuple(name for name in (rule.required if rule else ())
                 if details.get(name) in (None, "", []))


def available_actions(state: str, roles) -> list[Transition]:
    """The actions these roles can take from this state, in the table's order."""
    roles = set(roles)
    return [rule for rule in TRANSITIONS.values() if state in rule.sources and rule.roles & roles]
