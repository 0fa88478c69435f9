"""Survey actions: survey links for counters and dossiers, and storing a citizen's answers.
Services flush, never commit."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import audit
from portal.auth.models import User
from portal.db import claim_version, utcnow
from survey import rollup, screening
from survey.links import new_token
from survey.models import (
    CHANNEL_COUNTER,
    CHANNEL_DOSSIER,
    CHANNEL_TABLET,
    ONE_STOP_MODES,
    REVIEW_COUNTED,
    REVIEW_EXCLUDED,
    Answer,
    Counter,
    CounterDuty,
    Dimension,
    DossierLink,
    Item,
    Questionnaire,
    Response,
)


def current_questionnaire(session: Session) -> Questionnaire:
    """The version new responses answer (seeded by the migrations, so there always is one)."""
    return session.scalars(select(Questionnaire).where(Questionnaire.current.is_(True))
                           .order_by(Questionnaire.id.desc()).limit(1)).one()


def _unused_token(session: Session) -> str:
    while True:  # a collision in 59 bits is rare, but every kind of link must stay distinct
        token = new_token()
        taken = session.scalar(select(Counter.id).where(
            (Counter.token == token) | (Counter.tablet_token == token))) or \
            session.scalar(select(DossierLink.id).where(DossierLink.token == token))
        if not taken:
            return token


# A counter's two links: (token column, issued-at column, audit action prefix).
_LINKS = {"survey": ("token", "token_issued_at", "counter.link"),
          "tablet": ("tablet_token", "tablet_token_issued_at", "counter.tablet")}


def _issue(session: Session, counter: Counter, kind: str) -> str:
    column, issued_at, action = _LINKS[kind]
    rotated = getattr(counter, column) is not None
    setattr(counter, column, _unused_token(session))
    setattr(counter, issued_at, utcnow())
    session.flush()
    audit.record(session, f"{action}_rotated" if rotated else f"{action}_issued",
                 target_type="counter", target_id=counter.code)
    return getattr(counter, column)


def _revoke(session: Session, counter: Counter, kind: str) -> None:
    column, _issued_at, action = _LINKS[kind]
    if getattr(counter, column) is not None:
        setattr(counter, column, None)
        session.flush()
        audit.record(session, f"{action}_revoked", target_type="counter",
                     target_id=counter.code)


def issue_counter_link(session: Session, counter: Counter) -> str:
    """Give the counter a new survey link; the old one (if any) stops working."""
    return _issue(session, counter, "survey")


def revoke_counter_link(session: Session, counter: Counter) -> None:
    _revoke(session, counter, "survey")


def issue_tablet_link(session: Session, counter: Counter) -> str:
    """Give the counter's tablet a new link; the old one (if any) stops working at once."""
    return _issue(session, counter, "tablet")


def revoke_tablet_link(session: Session, counter: Counter) -> None:
    _revoke(session, counter, "tablet")


@dataclass
class Target:
    """What a survey link points at: a counter, and for a dossier link the dossier too."""

    counter: Counter
    dossier: DossierLink | None = None
    channel: str = CHANNEL_COUNTER

    def __post_init__(self):
        if self.dossier is not None:
            self.channel = CHANNEL_DOSSIER


def resolve(session: Session, token: str) -> Target | None:
    """The live target of a token; None for unknown, revoked, or an inactive counter."""
    counter = session.scalar(select(Counter).where(Counter.token == token))
    if counter is not None:
        return Target(counter) if counter.active else None
    dossier = session.scalar(select(DossierLink).where(DossierLink.token == token))
    if dossier is not None and dossier.counter.active:
        return Target(dossier.counter, dossier)
    return None


def resolve_tablet(session: Session, token: str) -> Target | None:
    """The counter whose tablet link this is; None for unknown, revoked or retired."""
    counter = session.scalar(select(Counter).where(Counter.tablet_token == token))
    if counter is None or not counter.active:
        return None
    return Target(counter, channel=CHANNEL_TABLET)


def dossier_already_rated(session: Session, dossier: DossierLink) -> bool:
    return session.scalar(select(Response.id).where(
        Response.dossier_link_id == dossier.id)) is not None


def create_dossier_link(session: Session, dossier_code: str, counter: Counter,
                        actor: User | None = None) -> tuple[DossierLink, bool]:
    """The single-use link of a dossier: made once, returned again for a reprint.

    :return: the link, and whether it was made now.
    """
    existing = session.scalar(select(DossierLink).where(DossierLink.dossier_code == dossier_code))
    if existing is not None:
        return existing, False
    link = DossierLink(token=_unused_token(session), dossier_code=dossier_code, counter=counter,
                       created_by_id=actor.id if actor is not None else None)
    session.add(link)
    session.flush()
    audit.record(session, "dossier_link.create", target_type="dossier", target_id=dossier_code,
                 actor=actor, details={"counter": counter.code})
    return link, True


def officers_on_duty(session: Session, counter: Counter, day: date) -> list[User]:
    return list(session.scalars(
        select(User).join(CounterDuty, CounterDuty.user_id == User.id)
        .where(CounterDuty.counter_id == counter.id, CounterDuty.day == day,
               User.active.is_(True))
        .order_by(User.full_name)))


@dataclass
class Submission:
    """What the citizen sent, already checked by the form."""

    answers: dict[str, int | None]  # item code -> 1..5 or None ("no answer")
    nonce: str
    seconds: int | None
    comment: str | None = None
    procedure_field_id: int | None = None
    officer_id: int | None = None
    gender: str | None = None
    age_group: str | None = None
    honeypot_filled: bool = False
    client_hash: str | None = None  # keyed hash of the address
    device_hash: str | None = None  # keyed hash of the browser's random cookie; None: none
    submitted_at: datetime | None = None  # when it was answered, if not now (tablet queue)
    expectations: dict[str, int] = field(default_factory=dict)  # the expectation question
    one_stop: dict[str, int] = field(default_factory=dict)  # TT 01 rule -> the citizen's points
    dossier_code: str | None = None  # the dossier they rate, written on a paper form or tablet
    paper_serial: int | None = None  # a paper form's number in its batch, and the batch
    paper_batch_id: int | None = None


@dataclass
class Outcome:
    response_id: int | None  # the response stored (or stored before, when repeated)
    repeated: bool = False  # the same form sent again: nothing new was stored
    already_rated: bool = False  # the dossier had its answer already
    one_stop_kept: bool | None = None  # the TT 01 answers kept (False: the dossier's came first)
    session: Session | None = field(default=None, repr=False, compare=False)

    @property
    def response(self) -> Response | None:
        """The response, loaded when asked for (a citizen's answer never needs it)."""
        return None if self.response_id is None else self.session.get(Response, self.response_id)


@dataclass
class _Stored:
    """What the rollups count of a response just inserted (survey/rollup.py reads these)."""

    submitted_at: datetime
    counter_id: int
    channel: str
    procedure_field_id: int | None
    officer_id: int | None
    comment: str | None
    answers: list
    flagged: bool
    exclusion: str | None


@dataclass
class _Answer:
    item_code: str
    value: int | None


DEVICE_WINDOW = timedelta(hours=24)
ADDRESS_WINDOW = timedelta(hours=1)


_RESPONSES = Response.__table__
_ANSWERS = Answer.__table__


def _count_since(window_name: str, *conditions):
    return select(func.count()).select_from(_RESPONSES).where(
        *conditions, _RESPONSES.c.submitted_at >= bindparam(window_name),
        _RESPONSES.c.submitted_at < bindparam("now")).scalar_subquery()


# The statement of earlier_answers for each pair of (browser known, address known), built
# once: a Core statement built anew for each answer costs more than running it.
_EARLIER = {
    (device, address): select(*(query.label(name) for name, query, wanted in (
        ("device", _count_since("device_since",
                                _RESPONSES.c.device_hash == bindparam("device_hash")), device),
        ("address", _count_since("address_since",
                                 _RESPONSES.c.client_hash == bindparam("client_hash"),
                                 _RESPONSES.c.counter_id == bindparam("counter_id")), address))
        if wanted))
    for device in (True, False) for address in (True, False) if device or address}


def earlier_answers(session: Session, device_hash: str | None, client_hash: str | None,
                    counter_id: int, now: datetime) -> tuple[int | None, int]:
    """How many responses came from this browser in the last 24 hours (None: no cookie to
    count by), and for this counter from this address in the last hour, in one statement."""
    if not device_hash and not client_hash:
        return None, 0
    row = session.connection().execute(_EARLIER[bool(device_hash), bool(client_hash)], {
        "device_hash": device_hash, "client_hash": client_hash, "counter_id": counter_id,
        "now": now, "device_since": now - DEVICE_WINDOW,
        "address_since": now - ADDRESS_WINDOW}).one()
    counted = row._asdict()
    return counted.get("device"), counted.get("address") or 0


def submit(session: Session, target: Target, questionnaire: Questionnaire,
           submission: Submission, rules: screening.ScreeningRules,
           now: datetime | None = None) -> Outcome:
    """Store one response exactly once, screened (survey/screening.py).

    A replayed nonce returns the response it made; a second answer for a dossier, even from
    a simultaneous submit, is refused by the database's unique constraint and reported as
    already rated. Both happen in a SAVEPOINT, so the caller's transaction stays usable.
    """
    now = submission.submitted_at or now or utcnow()
    nonce_digest = hashlib.sha256(submission.nonce.encode()).hexdigest()
    if target.dossier is not None:
        # A replay is told from a second rating of the dossier before the dossier is checked;
        # elsewhere the nonce's unique index finds a replay at the insert, a statement saved.
        earlier = session.scalar(select(Response.id).where(Response.nonce == nonce_digest))
        if earlier is not None:
            return Outcome(earlier, repeated=True, session=session)
        if dossier_already_rated(session, target.dossier):
            return Outcome(None, already_rated=True, session=session)
    device_earlier, address_earlier = earlier_answers(
        session, submission.device_hash, submission.client_hash, target.counter.id, now)
    verdict = screening.screen(screening.Evidence(
        answers=submission.answers, seconds=submission.seconds, channel=target.channel,
        honeypot_filled=submission.honeypot_filled, device_earlier=device_earlier,
        address_earlier=address_earlier), rules)
    stored = _Stored(submitted_at=now, counter_id=target.counter.id, channel=target.channel,
                     procedure_field_id=submission.procedure_field_id,
                     officer_id=submission.officer_id, comment=submission.comment or None,
                     answers=[_Answer(code, value) for code, value in
                              [*submission.answers.items(), *submission.expectations.items()]],
                     flagged=verdict.excluded,
                     exclusion=screening.main_reason(verdict.exclusions))
    # Written with Core, not through the ORM's unit of work (measured: the flush of a
    # response and its 19 answers was the largest cost of a citizen's answer); the rollups
    # are counted here, as the ORM's flush counts the responses other paths add.
    savepoint = session.begin_nested()
    try:
        response_id = session.connection().execute(
            insert(_RESPONSES).returning(_RESPONSES.c.id), dict(
            questionnaire_id=questionnaire.id, counter_id=stored.counter_id,
            officer_id=stored.officer_id, channel=stored.channel,
            dossier_link_id=target.dossier.id if target.dossier is not None else None,
            paper_serial=submission.paper_serial, paper_batch_id=submission.paper_batch_id,
            nonce=nonce_digest, submitted_at=now, seconds_to_answer=submission.seconds,
            comment=stored.comment, procedure_field_id=stored.procedure_field_id,
            gender=submission.gender, age_group=submission.age_group,
            flagged=stored.flagged, flag_reasons=list(verdict.exclusions) or None,
            exclusion=stored.exclusion, signals=verdict.signals,
            client_hash=submission.client_hash, device_hash=submission.device_hash)
        ).scalar_one()
    except IntegrityError:
        savepoint.rollback()
        earlier = session.scalar(select(Response.id).where(Response.nonce == nonce_digest))
        if earlier is not None:
            return Outcome(earlier, repeated=True, session=session)
        if target.dossier is not None and dossier_already_rated(session, target.dossier):
            return Outcome(None, already_rated=True, session=session)
        raise  # not a second answer (e.g. its officer deleted meanwhile): an error, not "rated"
    if stored.answers:
        session.connection().execute(insert(_ANSWERS), [
            {"response_id": response_id, "item_code": answer.item_code, "value": answer.value}
            for answer in stored.answers])
    rollup.add(session, [stored])
    savepoint.commit()
    dossier_code = target.dossier.dossier_code if target.dossier is not None \
        else submission.dossier_code
    kept = None
    if dossier_code and submission.one_stop and not verdict.excluded:
        from survey.onestop import services as onestop  # the evaluation reads these answers

        if target.dossier is None:  # typed on a tablet: as the records spell it
            dossier_code = onestop.typed_dossier_code(session, dossier_code)
        kept = onestop.record_citizen_ratings(session, dossier_code, submission.one_stop,
                                              response_id)
    return Outcome(response_id, one_stop_kept=kept, session=session)


class StaleReview(Exception):
    """The response was decided by someone else after the page was shown."""


def review_response(session: Session, response: Response, *, count: bool, reason: str,
                    actor: User, shown_version: int) -> None:
    """An administrator counts a left-out answer, or leaves one out (confirming the rules'
    exclusion, or excluding a counted one); the rollups follow in the same transaction.

    :raise StaleReview: when ``shown_version`` is not the response's current review version.
    """
    claim_version(session, response, Response.review_version, shown_version, StaleReview)
    # Read again now that the row is held: a re-screening committed meanwhile may have
    # changed whether it counted, and the tally must move from where it really was.
    session.refresh(response)
    counted_as = rollup.exclusion_of(response)
    if count:
        response.flagged, response.exclusion = False, None
    else:
        reasons = list(response.flag_reasons or [])
        if not response.flagged:
            reasons.append(screening.ADMIN)
        response.flagged, response.flag_reasons = True, reasons
        response.exclusion = screening.main_reason(reasons)
    response.review = REVIEW_COUNTED if count else REVIEW_EXCLUDED
    response.review_reason, response.reviewed_by_id = reason, actor.id
    response.reviewed_at = utcnow()
    session.flush()
    rollup.move(session, response, counted_as)
    audit.record(session, "survey_response.count" if count else "survey_response.exclude",
                 target_type="survey_response", target_id=response.id, actor=actor,
                 details={"reason": reason, "rules": response.flag_reasons,
                          "signals": response.signals})


def save_counter(session: Session, counter: Counter | None, *, code: str, name: str,
                 name_en: str | None, unit, active: bool) -> Counter:
    """Create or update a counter; a new (or re-activated) one gets its survey link."""
    creating = counter is None
    if creating:
        counter = Counter()
    counter.code, counter.name, counter.name_en = code, name, name_en or None
    counter.unit, counter.active = unit, active
    session.add(counter)
    session.flush()
    audit.record(session, "counter.create" if creating else "counter.update",
                 target_type="counter", target_id=counter.code,
                 details={"name": name, "unit": unit.code, "active": active})
    if counter.active and counter.token is None and creating:
        issue_counter_link(session, counter)
    return counter


def counter_code_taken(session: Session, code: str, except_id: int | None = None) -> bool:
    query = select(Counter.id).where(func.lower(Counter.code) == code.lower())
    if except_id is not None:
        query = query.where(Counter.id != except_id)
    return session.scalar(query) is not None


MAX_DUTY_DAYS = 92


def assign_duty(session: Session, counter: Counter, officer: User, first_day: date,
                last_day: date, *, weekdays_only: bool) -> int:
    """Put an officer on duty at a counter for every day of a range; returns the days added
    (days already assigned are kept as they are).

    :raise ValueError: for a reversed range or one longer than MAX_DUTY_DAYS.
    """
    if last_day < first_day:
        raise ValueError("reversed")
    if (last_day - first_day).days + 1 > MAX_DUTY_DAYS:
        raise ValueError("too long")
    existing = set(session.scalars(select(CounterDuty.day).where(
        CounterDuty.counter_id == counter.id, CounterDuty.user_id == officer.id,
        CounterDuty.day.between(first_day, last_day))))
    added = 0
    day = first_day
    while day <= last_day:
        if day not in existing and not (weekdays_only and day.weekday() >= 5):
            session.add(CounterDuty(counter_id=counter.id, user_id=officer.id, day=day))
            added += 1
        day += timedelta(days=1)
    session.flush()
    audit.record(session, "counter.duty_assigned", target_type="counter", target_id=counter.code,
                 details={"officer": officer.username, "from": first_day.isoformat(),
                          "to": last_day.isoformat(), "days": added})
    return added


def remove_duty(session: Session, duty: CounterDuty) -> None:
    session.delete(duty)
    session.flush()
    audit.record(session, "counter.duty_removed", target_type="counter",
                 target_id=str(duty.counter_id),
                 details={"officer": duty.user.username, "day": duty.day.isoformat()})


def duties(session: Session, counter: Counter, first_day: date, last_day: date):
    return session.scalars(select(CounterDuty).where(
        CounterDuty.counter_id == counter.id, CounterDuty.day.between(first_day, last_day))
        .order_by(CounterDuty.day)).all()


def publish_questionnaire(session: Session, instrument: dict, *, make_current: bool,
                          actor: User | None = None) -> Questionnaire:
    """Store a checked instrument (survey/instrument.py) as a new version.

    :raise ValueError: when the version exists already.
    """
    if session.scalar(select(Questionnaire.id).where(
            Questionnaire.version == instrument["version"])):
        raise ValueError("version exists")
    instruction = instrument.get("instruction") or {}
    questionnaire = Questionnaire(
        version=instrument["version"], title=instrument["title"]["vi"],
        title_en=instrument["title"].get("en"), instruction=instruction.get("vi"),
        instruction_en=instruction.get("en"), scale=instrument["scale"], current=False,
        expectation=instrument.get("expectation"),
        ask_expectation=bool(instrument.get("ask_expectation")))
    for position, entry in enumerate(instrument["dimensions"], start=1):
        dimension = Dimension(code=entry["code"], position=position, name=entry["vi"],
                              name_en=entry.get("en"), short_name=entry.get("vi_short"),
                              short_name_en=entry.get("en_short"), note=entry.get("vi_note"),
                              note_en=entry.get("en_note"))
        dimension.items = [Item(code=item["code"], position=index, text=item["vi"],
                                text_en=item.get("en"), questionnaire=questionnaire)
                           for index, item in enumerate(entry["items"], start=1)]
        questionnaire.dimensions.append(dimension)
    session.add(questionnaire)
    session.flush()
    audit.record(session, "questionnaire.publish", target_type="questionnaire",
                 target_id=questionnaire.version, actor=actor)
    if make_current:
        make_questionnaire_current(session, questionnaire, actor=actor)
    return questionnaire


def set_one_stop_mode(session: Session, questionnaire: Questionnaire, mode: str,
                      actor: User | None = None) -> None:
    """Whether this version asks the TT 01/2018 questions: not at all, besides the statements,
    or, on dossier links, instead of them (models.ONE_STOP_MODES).

    :raise ValueError: for another mode.
    """
    if mode not in ONE_STOP_MODES:
        raise ValueError(mode)
    questionnaire.one_stop_mode = mode
    session.flush()
    audit.record(session, "questionnaire.one_stop", target_type="questionnaire",
                 target_id=questionnaire.version, actor=actor, details={"mode": mode})


def set_ask_expectation(session: Session, questionnaire: Questionnaire, ask: bool,
                        actor: User | None = None) -> None:
    """Ask (or stop asking) the version's expectation question after the statements.

    :raise ValueError: when the version has no expectation question.
    """
    if ask and not questionnaire.expectation:
        raise ValueError("no expectation question")
    questionnaire.ask_expectation = ask
    session.flush()
    audit.record(session, "questionnaire.expectation_on" if ask
                 else "questionnaire.expectation_off", target_type="questionnaire",
                 target_id=questionnaire.version, actor=actor)


def make_questionnaire_current(session: Session, questionnaire: Questionnaire,
                               actor: User | None = None) -> None:
    """New responses answer this version; responses to others keep theirs."""
    for other in session.scalars(select(Questionnaire).where(Questionnaire.current.is_(True))):
        other.current = False
    session.flush()
    questionnaire.current = True
    session.flush()
    audit.record(session, "questionnaire.make_current", target_type="questionnaire",
                 target_id=questionnaire.version, actor=actor)


class BatchProblems(Exception):
    def __init__(self, problems):
        super().__init__("batch refused")
        self.problems = problems


def create_dossier_links(session: Session, rows, default_counter: Counter,
                         actor: User | None = None) -> list[DossierLink]:
    """Links for (line, dossier code, counter code or None) rows: all made, or none.

    :raise BatchProblems: listing (line, message) for unknown counters and dossiers that
        already have a link at another counter.
    """
    counters = {counter.code.lower(): counter for counter in
                session.scalars(select(Counter).where(Counter.active.is_(True)))}
    problems, wanted = [], []
    for line, code, counter_code in rows:
        counter = default_counter if counter_code is None else counters.get(counter_code.lower())
        if counter is None:
            problems.append((line, _l("No active counter has the code %(code)s.",
                                      code=counter_code)))
            continue
        existing = session.scalar(select(DossierLink).where(DossierLink.dossier_code == code))
        if existing is not None and existing.counter_id != counter.id:
            problems.append((line, _l("Dossier %(dossier)s already has a link for counter "
                                      "%(code)s.", dossier=code, code=existing.counter.code)))
            continue
        wanted.append((code, counter))
    if problems:
        raise BatchProblems(problems)
    return [create_dossier_link(session, code, counter, actor)[0] for code, counter in wanted]


def deidentify_old_comments(session: Session, now: datetime, dry_run: bool) -> int:
    """Replace the survey comments older than RETENTION_SURVEY_COMMENT_DAYS by their
    de-identified text (names, phone numbers, ID numbers, addresses masked): what citizens
    said stays for the reports, who they are or named does not. Returns how many."""
    from flask import current_app

    from portal.redact import redact

    days = current_app.config["RETENTION_SURVEY_COMMENT_DAYS"]
    if not days:
        return 0
    statement = select(Response).where(
        Response.comment.is_not(None), Response.comment_deidentified_at.is_(None),
        Response.submitted_at < now - timedelta(days=days)).order_by(Response.id)
    if dry_run:
        return session.scalar(select(func.count()).select_from(
            statement.order_by(None).subquery())) or 0
    done = 0
    for responses in session.scalars(statement.execution_options(yield_per=500)).partitions():
        for response in responses:
            rollup.set_comment(session, response, redact(response.comment).text or None)
            response.comment_deidentified_at = now
            done += 1
        session.flush()
    return done
