"""One-stop evaluation actions: importing dossier records (and, later steps, apologies).
Services flush, never commit: the request or command commits once."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import audit
from portal.auth.models import Unit, User
from portal.db import utcnow
from portal.file_import import ParsedImport, Problem
from portal.pages.models import Procedure
from portal.workdays import VIETNAM, today_in_vietnam
from survey.onestop import scoring
from survey.onestop.dossier_import import Known, parse_import
from survey.onestop.models import (
    CHANNEL_ONLINE,
    IN_PROGRESS,
    ApologyMonth,
    CitizenRating,
    Declaration,
    Dossier,
    DossierParticipant,
    OfficerMonth,
    SchemeVersion,
    UnitMonth,
)
from survey.onestop.scheme import Scheme, load_default
from survey.onestop.scheme import check as check_scheme

CHUNK = 500  # codes per IN (…): under every database's parameter limit
APOLOGY = ("apology_on", "apology_reason", "new_due_on", "apology_month")


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    dry_run: bool


def known_codes(session: Session) -> Known:
    """The unit codes (upper case), procedure codes and staff user names a file may name."""
    return Known(
        units={code.upper(): id_ for code, id_ in session.execute(select(Unit.code, Unit.id))},
        procedures=dict(session.execute(select(Procedure.code, Procedure.id)).all()),
        officers=dict(session.execute(select(User.username, User.id)).all()),
        retired=_retired(session))


def _retired(session: Session) -> dict:
    """When each retired procedure left the catalogue."""
    return dict(session.execute(select(Procedure.id, Procedure.retired_at).where(
        Procedure.retired_at.is_not(None))).all())


def read_import(session: Session, data: bytes, filename: str, *,
                max_bytes: int) -> ParsedImport:
    """Read and check a dossier file against the catalogue, the units, the staff and the
    dossiers already kept: a row may not set a second new date on a dossier whose return date
    was already re-set (NĐ 61/2018 Điều 19 k9: once only)."""
    parsed = parse_import(data, filename, known_codes(session), max_bytes=max_bytes)
    if not parsed.ok:
        return parsed
    apologised = [row for row in parsed.rows if row["new_due_on"]]
    kept: dict[str, object] = {}
    codes = [row["code"] for row in apologised]
    for start in range(0, len(codes), CHUNK):
        kept.update(session.execute(select(Dossier.code, Dossier.new_due_on).where(
            Dossier.code.in_(codes[start:start + CHUNK]),
            Dossier.new_due_on.is_not(None))).all())
    for row in apologised:
        if row["code"] in kept and kept[row["code"]] != row["new_due_on"]:
            parsed.problems.append(Problem(row["line"], _l(
                "Dossier %(code)s already has a new date (%(date)s): the return date may be "
                "re-set only once (NĐ 61/2018 Article 19.9).", code=row["code"],
                date=kept[row["code"]].strftime("%d/%m/%Y"))))
    if parsed.problems:
        parsed.rows = []
    return parsed


def import_dossiers(session: Session, rows: list[dict], *, dry_run: bool,
                    source: str) -> ImportSummary:
    """Upsert checked rows by dossier code, their cooperating units replaced. With dry_run,
    count what would change and write nothing.

    The caller has refused the whole file if any row was bad; this writes every row or (on a
    database error) none, in the caller's single transaction. It writes in bulk (one
    statement per kind and chunk), so that 10,000 dossiers import in seconds.
    """
    codes = [row["code"] for row in rows]
    existing: dict[str, int] = {}
    months = set()  # the months whose figures change: where the dossiers were and will be
    apology_months = set()
    for start in range(0, len(codes), CHUNK):
        chunk = codes[start:start + CHUNK]
        for code, id_, month, apology_month in session.execute(select(
                Dossier.code, Dossier.id, Dossier.scored_month, Dossier.apology_month)
                .where(Dossier.code.in_(chunk))):
            existing[code] = id_
            months.add(month)
            apology_months.add(apology_month)
    summary = ImportSummary(created=len(rows) - len(existing), updated=len(existing),
                            dry_run=dry_run)
    if dry_run or not rows:
        return summary
    now, scheme, today = utcnow(), current_scheme(session), today_in_vietnam()
    retired = _retired(session)
    citizen = citizen_ratings(session, codes)
    for row in rows:
        row["scored"] = _scored(row, scheme, today, retired, citizen.get(row["code"]))
        months.add(row["scored"]["scored_month"])
        if row["apology_on"]:
            apology_months.add(row["apology_on"].replace(day=1))
    new = [_values(row, now) for row in rows if row["code"] not in existing]
    if new:
        session.execute(insert(Dossier), new)
    changed = [{"id": existing[row["code"]], **_values(row, now)}
               for row in rows if row["code"] in existing]
    if changed:
        # a file without an apology keeps the one recorded (in the portal or an earlier file)
        for has_apology in (True, False):
            batch = [values if has_apology else {
                key: value for key, value in values.items() if key not in APOLOGY}
                for values in changed if (values["new_due_on"] is not None) == has_apology]
            if batch:
                session.execute(update(Dossier), batch)
        ids = [values["id"] for values in changed]
        for start in range(0, len(ids), CHUNK):
            session.execute(delete(DossierParticipant).where(
                DossierParticipant.dossier_id.in_(ids[start:start + CHUNK])))
    with_participants = [row for row in rows if row["participants"]]
    if with_participants:
        wanted = [row["code"] for row in with_participants]
        ids_by_code: dict[str, int] = {}
        for start in range(0, len(wanted), CHUNK):
            ids_by_code.update(session.execute(select(Dossier.code, Dossier.id).where(
                Dossier.code.in_(wanted[start:start + CHUNK]))).all())
        session.execute(insert(DossierParticipant), [
            {"dossier_id": ids_by_code[row["code"]], **participant}
            for row in with_participants for participant in row["participants"]])
    session.expire_all()  # objects loaded before the bulk statements are stale now
    refresh_months(session, months - {None})
    refresh_apology_months(session, apology_months - {None})
    audit.record(session, "onestop.import", target_type="dossier",
                 details={"source": source[:200], "created": summary.created,
                          "updated": summary.updated})
    return summary


def _values(row: dict, now) -> dict:
    """The columns of a checked row."""
    returned = row["returned_at"]
    return {
        "code": row["code"], "procedure_id": row["procedure_id"], "unit_id": row["unit_id"],
        "received_at": row["received_at"], "due_at": row["due_at"], "returned_at": returned,
        "received_on": row["received_at"].astimezone(VIETNAM).date(),
        "due_on": row["due_at"].astimezone(VIETNAM).date(),
        "returned_on": returned.astimezone(VIETNAM).date() if returned else None,
        "channel": row["channel"], "status": row["status"],
        "supplements": row["supplements"], "bodies_contacted": row["bodies_contacted"],
        "verified_complaint": row["verified_complaint"], "officer_id": row["officer_id"],
        "apology_on": row["apology_on"], "apology_reason": row["apology_reason"],
        "apology_month": row["apology_on"].replace(day=1) if row["apology_on"] else None,
        "new_due_on": row["new_due_on"], "citizen_name": row["citizen_name"],
        "citizen_email": row["citizen_email"], "citizen_phone": row["citizen_phone"],
        "imported_at": now, **row["scored"],
    }


def _scored(row: dict, scheme: Scheme, today: date, retired: dict,
            citizen: dict[str, int] | None = None) -> dict:
    """The stored score of a checked row (scoring.stored_points); ``citizen``: the citizen's
    own points by rule."""
    numbers = {index.rule: index.number for index in scheme.citizen_indices}
    received, due, returned = (row[name].astimezone(VIETNAM) if row[name] else None
                               for name in ("received_at", "due_at", "returned_at"))
    retired_at = retired.get(row["procedure_id"])
    facts = scoring.DossierFacts(
        code=row["code"], unit=str(row["unit_id"]), due_on=due.date(),
        returned_on=returned.date() if returned else None, supplements=row["supplements"],
        bodies_contacted=row["bodies_contacted"], participants=tuple(
            scoring.Participant(str(p["unit_id"]), p["due_on"], p["done_on"])
            for p in row["participants"]),
        verified_complaint=row["verified_complaint"],
        in_catalogue=retired_at is None or retired_at > received, posted=False,
        officer=str(row["officer_id"]) if row["officer_id"] else None,
        citizen={numbers[rule]: points for rule, points in (citizen or {}).items()
                 if rule in numbers})
    return scoring.stored_points(facts, row["status"], scheme, today)


def citizen_ratings(session: Session, codes: list[str]) -> dict[str, dict[str, int]]:
    """The citizens' own points of these dossiers: {code: {rule: points}}. A code typed on
    paper or a tablet matches whatever its case ("hs-1" is the dossier "HS-1")."""
    ratings: dict[str, dict[str, int]] = {}
    for start in range(0, len(codes), CHUNK):
        asked = {code.upper(): code for code in codes[start:start + CHUNK]}
        for code, rule, points in session.execute(
                select(CitizenRating.dossier_code, CitizenRating.rule, CitizenRating.points)
                .where(func.upper(CitizenRating.dossier_code).in_(list(asked)))):
            ratings.setdefault(asked[code.upper()], {})[rule] = points
    return ratings


def dossier_rated(session: Session, dossier_code: str) -> bool:
    """Whether the citizen rated this dossier already (by its QR code, a paper form or a
    tablet): the first rating stands."""
    return session.scalar(select(CitizenRating.id).where(
        func.upper(CitizenRating.dossier_code) == dossier_code.upper()).limit(1)) is not None


def typed_dossier_code(session: Session, typed: str) -> str:
    """A dossier code as a citizen or clerk typed it, spelt as the imported records spell it
    when they hold it in any case; else as typed, in capitals (codes are printed so)."""
    typed = typed.strip()
    return session.scalar(select(Dossier.code).where(
        func.upper(Dossier.code) == typed.upper()).limit(1)) or typed.upper()


def record_citizen_ratings(session: Session, dossier_code: str, points: dict[str, int],
                           response_id: int) -> bool:
    """Keep a citizen's own points for their dossier and, if its record is imported already,
    score it again with them; a later import reads them. Once per dossier: when it was rated
    already (or is being rated at this moment by another channel), nothing is kept and this
    returns False."""
    if dossier_rated(session, dossier_code):
        return False
    savepoint = session.begin_nested()
    try:
        session.add_all([CitizenRating(dossier_code=dossier_code, rule=rule, points=value,
                                       response_id=response_id)
                         for rule, value in points.items()])
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        return False
    savepoint.commit()
    dossier_id = session.scalar(select(Dossier.id).where(
        func.upper(Dossier.code) == dossier_code.upper()))
    if dossier_id is not None:
        rescore(session, ids=[dossier_id])
    return True


def printed_questions(scheme: Scheme) -> list[dict]:
    """The citizen's questions as a paper form prints them and a clerk keys them in: kept
    with the batch, so forms printed under one scheme are read with its options (the digit
    typed is the option's place, 1-based)."""
    return [{"rule": index.rule, "vi": index.citizen.vi, "en": index.citizen.en,
             "options": [{"points": option.points, "vi": option.vi, "en": option.en}
                         for option in index.citizen.options]}
            for index in scheme.citizen_indices]


def _rescore_statement(everything: bool, ids: list[int] | None):
    statement = select(Dossier).order_by(Dossier.id)
    if ids is not None:
        return statement.where(Dossier.id.in_(ids))
    if not everything:
        statement = statement.where(Dossier.status == IN_PROGRESS, Dossier.scored_on.is_(None),
                                    Dossier.due_on < today_in_vietnam())
    return statement


def rescore_count(session: Session, *, everything: bool = False) -> int:
    """How many dossiers :func:`rescore` would score (for a progress bar)."""
    return session.scalar(select(func.count()).select_from(
        _rescore_statement(everything, None).order_by(None).subquery())) or 0


def rescore(session: Session, *, everything: bool = False, ids: list[int] | None = None,
            on_progress=lambda _done: None) -> int:
    """Score again the dossiers whose score changes with time: those still open whose promised
    day has passed since they were scored (late now). With ``everything``, every dossier (after
    a new scheme). Run daily (``flask --app wsgi onestop-rescore``); returns how many;
    ``on_progress(n)`` after each chunk of ``n`` dossiers."""
    scheme, today, retired = current_scheme(session), today_in_vietnam(), _retired(session)
    statement = _rescore_statement(everything, ids)
    changed, months = [], set()
    for dossiers in session.scalars(statement.execution_options(yield_per=CHUNK)).partitions():
        citizen = citizen_ratings(session, [dossier.code for dossier in dossiers])
        for dossier in dossiers:
            row = {"code": dossier.code, "unit_id": dossier.unit_id,
                   "procedure_id": dossier.procedure_id, "status": dossier.status,
                   "received_at": dossier.received_at, "due_at": dossier.due_at,
                   "returned_at": dossier.returned_at, "supplements": dossier.supplements,
                   "bodies_contacted": dossier.bodies_contacted,
                   "verified_complaint": dossier.verified_complaint,
                   "officer_id": dossier.officer_id, "participants": [
                       {"unit_id": p.unit_id, "due_on": p.due_on, "done_on": p.done_on}
                       for p in dossier.participants]}
            scored = _scored(row, scheme, today, retired, citizen.get(dossier.code))
            months |= {dossier.scored_month, scored["scored_month"]}
            changed.append({"id": dossier.id, **scored})
        on_progress(len(dossiers))
    for start in range(0, len(changed), CHUNK):
        session.execute(update(Dossier), changed[start:start + CHUNK])
    session.expire_all()
    refresh_months(session, months - {None})
    return len(changed)


_SCHEMES: dict[str, Scheme] = {}  # checked schemes by their content


def current_scheme(session: Session | None = None) -> Scheme:
    """The scheme scores use: the version an administrator published last as current, or
    the shipped TT 01/2018 one while none is."""
    from portal.db import get_session

    session = session or get_session()
    row = session.execute(select(SchemeVersion.id, SchemeVersion.content).where(
        SchemeVersion.current.is_(True)).order_by(SchemeVersion.id.desc()).limit(1)).first()
    if row is None:
        return load_default()
    text = json.dumps(row.content, sort_keys=True)
    if text not in _SCHEMES:
        scheme, problems = check_scheme(text.encode())
        if scheme is None:  # pragma: no cover - only checked files are stored
            raise ValueError(f"stored scheme {row.id} is not valid: {problems}")
        _SCHEMES[text] = scheme
    return _SCHEMES[text]


RESCORE_IN_REQUEST = 20_000  # more dossiers than this: rescored by the command, not the page


def publish_scheme(session: Session, data: bytes, *, actor: User) -> tuple[Scheme | None, list]:
    """Check a scheme file and publish it as the current version, scoring the kept dossiers
    again with it when they are few enough (else ``onestop-rescore --all`` does it).

    :return: the scheme and no problems, or None and every problem (nothing stored).
    """
    scheme, problems = check_scheme(data)
    if scheme is None:
        return None, problems
    if session.scalar(select(SchemeVersion.id).where(SchemeVersion.version == scheme.version)) \
            or scheme.version == load_default().version:
        return None, [_l("Version %(version)s exists already: give the new scheme another "
                         "version.", version=scheme.version)]
    session.execute(update(SchemeVersion).values(current=False))
    session.add(SchemeVersion(version=scheme.version, content=json.loads(data.decode(
        "utf-8-sig")), current=True, published_by_id=actor.id))
    session.flush()
    audit.record(session, "onestop.scheme", target_type="scheme", target_id=scheme.version,
                 actor=actor)
    if dossier_count(session) <= RESCORE_IN_REQUEST:
        rescore(session, everything=True)
    return scheme, []


def stale_scores(session: Session, scheme: Scheme) -> int:
    """Dossiers whose kept points were computed with another scheme than ``scheme``."""
    # two ranges of the index rather than "!=": nothing to read when all are current
    return sum(session.scalar(select(func.count(Dossier.id)).where(condition)) or 0
               for condition in (Dossier.scheme_version < scheme.version,
                                 Dossier.scheme_version > scheme.version))


def refresh_months(session: Session, months: set[date]) -> None:
    """Recount the units' and officers' figures of these months from the dossiers' stored
    points (one grouped INSERT … SELECT per table)."""
    if not months:
        return
    months = sorted(months)
    session.execute(delete(UnitMonth).where(UnitMonth.month.in_(months)))
    session.execute(delete(OfficerMonth).where(OfficerMonth.month.in_(months)))
    columns = ["unit_id", "month", "dossiers"]
    values = [Dossier.unit_id, Dossier.scored_month, func.count(Dossier.id)]
    for column in scoring.STORED_RULES.values():
        name = column.removeprefix("pt_")
        columns += [f"sum_{name}", f"n_{name}"]
        values += [func.coalesce(func.sum(getattr(Dossier, column)), 0),
                   func.count(getattr(Dossier, column))]
    online = Dossier.channel == CHANNEL_ONLINE
    columns += ["online", "online_late", "lost"]
    values += [func.sum(case((online, 1), else_=0)),
               func.sum(case((online & (Dossier.pt_time == 0), 1), else_=0)),
               func.sum(case((Dossier.lost_points.is_(True), 1), else_=0))]
    session.execute(insert(UnitMonth).from_select(columns, select(*values).where(
        Dossier.scored_month.in_(months)).group_by(Dossier.unit_id, Dossier.scored_month)))
    session.execute(insert(OfficerMonth).from_select(
        ["officer_id", "unit_id", "month", "dossiers", "scored", "points"],
        select(Dossier.officer_id, Dossier.unit_id, Dossier.scored_month, func.count(Dossier.id),
               func.count(Dossier.pt_officer), func.coalesce(func.sum(Dossier.pt_officer), 0))
        .where(Dossier.scored_month.in_(months), Dossier.officer_id.is_not(None))
        .group_by(Dossier.officer_id, Dossier.unit_id, Dossier.scored_month)))


def dossier_count(session: Session) -> int:
    return session.scalar(select(func.count(Dossier.id))) or 0


def save_declaration(session: Session, unit: Unit, year: int, quarter: int, *,
                     all_through_counter: bool, settled_share, procedures_posted: bool,
                     actor: User) -> Declaration:
    """Record (or correct) a unit's declaration for a quarter; audited with its values."""
    declaration = session.scalar(select(Declaration).where(
        Declaration.unit_id == unit.id, Declaration.year == year,
        Declaration.quarter == quarter))
    if declaration is None:
        declaration = Declaration(unit_id=unit.id, year=year, quarter=quarter)
        session.add(declaration)
    declaration.all_through_counter = all_through_counter
    settled_share = Decimal(settled_share).quantize(Decimal("0.1"))
    declaration.settled_share = settled_share
    declaration.procedures_posted = procedures_posted
    declaration.declared_by_id = actor.id
    declaration.declared_at = utcnow()
    session.flush()
    audit.record(session, "onestop.declare", target_type="unit", target_id=unit.code,
                 details={"year": year, "quarter": quarter,
                          "all_through_counter": all_through_counter,
                          "settled_share": str(settled_share),
                          "procedures_posted": procedures_posted})
    return declaration


class ApologyRefused(Exception):
    """An apology that may not be recorded; the message says why."""


def record_apology(session: Session, dossier: Dossier, *, reason: str, new_due_on: date,
                   actor: User, calendar, today: date | None = None) -> None:
    """Record the apology for a late dossier and its new date (Mẫu 04; NĐ 61/2018 Điều 19
    k9), audit it and tell the citizen through the outbox when an email or phone is known.

    :raise ApologyRefused: the dossier is not open, already has a new date (the return date
    may be re-set only once), or the new date is not a working day after the promised one.
    """
    today = today or today_in_vietnam()
    if dossier.new_due_on is not None:
        raise ApologyRefused(_l(
            "Dossier %(code)s already has a new date (%(date)s): the return date may be re-set "
            "only once (NĐ 61/2018 Article 19.9).", code=dossier.code,
            date=dossier.new_due_on.strftime("%d/%m/%Y")))
    if dossier.status != IN_PROGRESS:
        raise ApologyRefused(_l("Only a dossier still in progress can be given a new date."))
    if new_due_on <= max(dossier.due_on, today) or not calendar.is_working_day(new_due_on):
        raise ApologyRefused(_l("The new date must be a working day after the promised date "
                                "and after today."))
    dossier.apology_on, dossier.apology_reason = today, reason
    dossier.apology_month, dossier.new_due_on = today.replace(day=1), new_due_on
    session.flush()
    refresh_apology_months(session, {dossier.apology_month})
    audit.record(session, "onestop.apology", target_type="dossier", target_id=dossier.code,
                 actor=actor, details={"new_due_on": new_due_on.isoformat()})
    _tell_citizen(session, dossier)


def _tell_citizen(session: Session, dossier: Dossier) -> None:
    """The apology and the new date, by email and by SMS when the citizen gave them (in
    Vietnamese: the records do not say the citizen's language)."""
    from flask import current_app, render_template
    from flask_babel import force_locale

    from portal import outbox

    with force_locale("vi"):
        if dossier.citizen_email:
            text = render_template("onestop/email/apology.txt", dossier=dossier)
            subject, _, body = text.strip().partition("\n")
            outbox.queue(session, dossier.citizen_email, subject.strip(), body.strip() + "\n")
        if dossier.citizen_phone and current_app.config.get("SMS_TRANSPORT") in ("log", "http"):
            text = " ".join(render_template("onestop/sms/apology.txt", dossier=dossier).split())
            outbox.queue(session, dossier.citizen_phone, "", text[:480], channel="sms")


def refresh_apology_months(session: Session, months: set[date]) -> None:
    """Recount the apologies of these months per unit (one grouped INSERT … SELECT)."""
    if not months:
        return
    session.execute(delete(ApologyMonth).where(ApologyMonth.month.in_(sorted(months))))
    session.execute(insert(ApologyMonth).from_select(
        ["unit_id", "month", "apologies"],
        select(Dossier.unit_id, Dossier.apology_month, func.count(Dossier.id))
        .where(Dossier.apology_month.in_(sorted(months)))
        .group_by(Dossier.unit_id, Dossier.apology_month)))


def apologies_by_unit_month(session: Session, first: date, last: date) -> dict:
    """Apologies recorded in the months from ``first`` to ``last``: {(unit id, month): n}."""
    return {(unit_id, month): count for unit_id, month, count in session.execute(
        select(ApologyMonth.unit_id, ApologyMonth.month, ApologyMonth.apologies)
        .where(ApologyMonth.month >= first.replace(day=1), ApologyMonth.month <= last))}


def erase_old_citizens(session: Session, now, dry_run: bool) -> int:
    """Erase the citizen's name, email and phone of the dossiers returned more than
    RETENTION_DOSSIER_DAYS ago (they serve the apology letter and its messages only); the
    apology's reason loses them too. The points and counts stay. An import that brings them
    back is erased again by the next run. Returns how many dossiers."""
    from datetime import timedelta

    from flask import current_app

    from portal import redact

    days = current_app.config["RETENTION_DOSSIER_DAYS"]
    if not days:
        return 0
    statement = select(Dossier).where(
        Dossier.returned_on < today_in_vietnam(now) - timedelta(days=days),
        Dossier.citizen_name.is_not(None) | Dossier.citizen_email.is_not(None)
        | Dossier.citizen_phone.is_not(None)).order_by(Dossier.id)
    if dry_run:
        return session.scalar(select(func.count()).select_from(
            statement.order_by(None).subquery())) or 0
    done = 0
    for dossiers in session.scalars(statement.execution_options(yield_per=500)).partitions():
        for dossier in dossiers:
            person = redact.Known(
                names=tuple(filter(None, [dossier.citizen_name])),
                phones=tuple(filter(None, [dossier.citizen_phone])),
                emails=tuple(filter(None, [dossier.citizen_email])))
            dossier.apology_reason = redact.erase(dossier.apology_reason, person,
                                                  heuristics=False)
            dossier.citizen_name = dossier.citizen_email = dossier.citizen_phone = None
            done += 1
        session.flush()
    return done
