"""Paper questionnaires: printing numbered batches, and keying the returned forms in (issue 9,
point 7). Services flush, never commit; a page of forms is stored whole or not at all."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import audit
from portal.auth.models import User
from portal.db import utcnow
from portal.workdays import VIETNAM, today_in_vietnam
from survey import paper, screening, services
from survey.models import CHANNEL_PAPER, Counter, PaperBatch, Questionnaire, Response
from survey.onestop import services as onestop
from survey.onestop.dossier_import import CODE as DOSSIER_CODE

MAX_BATCH = 200  # forms printed at once: one print job a browser handles well
PAPER_SIZES = ("A4", "A5")


LAST_SERIAL = 10 ** paper.SERIAL_DIGITS - 1


class NumbersUsedUp(Exception):
    """Every six-digit form number was given (a million forms)."""


def create_batch(session: Session, counter: Counter, count: int, paper_size: str,
                 actor: User | None = None) -> PaperBatch:
    """Number a new batch of forms for ``counter``, after every number given before, with the
    current questionnaire's statements (and its expectation question if it is asked).

    :raise ValueError: for a count outside 1..MAX_BATCH or an unknown paper size.
    :raise NumbersUsedUp: when the numbers would go past 999999.
    """
    if not 1 <= count <= MAX_BATCH or paper_size not in PAPER_SIZES:
        raise ValueError("count or size")
    questionnaire = services.current_questionnaire(session)
    one_stop = onestop.printed_questions(onestop.current_scheme(session)) \
        if questionnaire.asks_one_stop else None
    for _attempt in range(5):  # two batches numbered at the same moment: the second retries
        last = session.scalar(select(func.max(PaperBatch.first_serial + PaperBatch.count - 1)))
        if (last or 0) + count > LAST_SERIAL:
            raise NumbersUsedUp
        batch = PaperBatch(counter=counter, questionnaire=questionnaire,
                           first_serial=(last or 0) + 1, count=count, paper_size=paper_size,
                           with_expectation=bool(questionnaire.expectation_items),
                           one_stop=one_stop, created_by_id=actor.id if actor is not None
                           else None)
        savepoint = session.begin_nested()
        try:
            session.add(batch)
            session.flush()
        except IntegrityError:
            savepoint.rollback()
            continue
        savepoint.commit()
        break
    else:
        raise RuntimeError("could not number a batch")
    audit.record(session, "paper_batch.create", target_type="counter", target_id=counter.code,
                 actor=actor, details={"from": paper.form_number(batch.first_serial),
                                       "to": paper.form_number(batch.last_serial),
                                       "size": paper_size})
    return batch


def active_counter(session: Session, counter_id: int) -> Counter:
    """:raise ValueError: when no active counter has this id (the form offers only those)."""
    counter = session.get(Counter, counter_id)
    if counter is None or not counter.active:
        raise ValueError("counter")
    return counter


current_questionnaire = services.current_questionnaire


def dossier_questions_printed(session: Session) -> bool:
    """Whether any batch printed the questions about a dossier (the entry page then offers
    their columns; without them a clerk tabs through fewer boxes)."""
    return session.scalar(select(PaperBatch.id).where(PaperBatch.one_stop.is_not(None))
                          .limit(1)) is not None


def batch_of(session: Session, serial: int) -> PaperBatch | None:
    return session.scalar(select(PaperBatch).where(
        PaperBatch.first_serial <= serial,
        PaperBatch.first_serial + PaperBatch.count > serial))


def statement_codes(questionnaire: Questionnaire) -> list[str]:
    return questionnaire.statement_codes


def expectation_codes(batch: PaperBatch) -> list[str]:
    if not batch.with_expectation:
        return []
    return [item["code"] for item in (batch.questionnaire.expectation or {}).get("items", [])]


@dataclass
class Row:
    """One returned form as the clerk typed it (1-based ``line`` on the entry page)."""

    line: int
    number: str
    answers: str
    expectation: str = ""
    comment: str = ""
    dossier_code: str = ""
    one_stop: str = ""  # one digit per TT 01/2018 question printed: the box ticked, 0 = none

    @property
    def empty(self) -> bool:
        return not (self.number or self.answers or self.expectation or self.comment
                    or self.dossier_code or self.one_stop)


class EntryProblems(Exception):
    """Nothing was stored: (line, message) for every problem found."""

    def __init__(self, problems):
        super().__init__("paper forms refused")
        self.problems = problems


def _check(session: Session, row: Row, collected_on: date, seen: dict) -> tuple | str:
    """(batch, serial, answers, expectations, (dossier code, TT 01 points)) for a good row,
    else the message."""
    if not row.number:
        return _l("The form number is missing.")
    try:
        serial = paper.parse_number(row.number)
    except paper.BadNumber as error:
        if error.reason == "check":
            return _l("Form number %(number)s does not check: look for a typing mistake.",
                      number=row.number)
        return _l("%(number)s is not a form number (six digits, a dash and a check digit, "
                  "e.g. 000123-7).", number=row.number)
    number = paper.form_number(serial)
    if serial in seen:
        return _l("Form %(number)s is also on line %(line)s.", number=number, line=seen[serial])
    seen[serial] = row.line
    batch = batch_of(session, serial)
    if batch is None:
        return _l("Form %(number)s was not printed in any batch.", number=number)
    entered = session.scalar(select(Response.submitted_at).where(Response.paper_serial == serial))
    if entered is not None:
        return _l("Form %(number)s was entered already (answers of %(day)s).", number=number,
                  day=today_in_vietnam(entered).strftime("%d/%m/%Y"))
    if collected_on < today_in_vietnam(batch.created_at):
        return _l("Form %(number)s was printed on %(day)s, after the collection date.",
                  number=number, day=today_in_vietnam(batch.created_at).strftime("%d/%m/%Y"))
    codes = statement_codes(batch.questionnaire)
    try:
        answers = paper.parse_digits(row.answers, codes, 5)
    except ValueError as error:
        problem = error.args[0]
        if problem.kind == "count":
            return _l("%(typed)s answers typed; the form has %(needed)s statements (type 0 for "
                      "no answer).", typed=problem.typed, needed=len(codes))
        return _l("Statement %(position)s has %(digit)s: type 1 to 5, or 0 for no answer.",
                  position=problem.position, digit=problem.digit)
    expectations = {}
    kv_codes = expectation_codes(batch)
    if row.expectation and not kv_codes:
        return _l("This form has no question about what to improve: leave that column empty.")
    if kv_codes and row.expectation:
        highest = max(level["value"] for level in batch.questionnaire.expectation["scale"])
        try:
            given = paper.parse_digits(row.expectation, kv_codes, highest)
        except ValueError as error:
            problem = error.args[0]
            if problem.kind == "count":
                return _l("%(typed)s digits typed for what to improve; the form lists "
                          "%(needed)s (type 0 for no answer).", typed=problem.typed,
                          needed=len(kv_codes))
            return _l("What to improve, item %(position)s, has %(digit)s: type 1 to "
                      "%(highest)s, or 0 for no answer.", position=problem.position,
                      digit=problem.digit, highest=highest)
        expectations = {code: value for code, value in given.items() if value is not None}
    dossier = _dossier_answers(session, row, batch, number, seen)
    if not isinstance(dossier, tuple):  # the message
        return dossier
    if all(value is None for value in answers.values()) and not expectations \
            and not row.comment and not dossier[1]:
        return _l("Nothing is answered on form %(number)s: there is nothing to enter.",
                  number=number)
    return batch, serial, answers, expectations, dossier


def _dossier_answers(session: Session, row: Row, batch: PaperBatch, number: str,
                     seen: dict) -> tuple[str | None, dict[str, int]] | LazyString:
    """The dossier code and the TT 01/2018 points of a row ({} when none was ticked), else
    the message. A dossier is rated once, whatever the channel: the first rating stands."""
    if not (row.dossier_code or row.one_stop):
        return None, {}
    if not batch.one_stop:
        return _l("Form %(number)s has no questions about a dossier: leave the dossier columns "
                  "empty.", number=number)
    if not row.dossier_code:
        return _l("Type the dossier code written on form %(number)s: the answers about a "
                  "dossier count only with it.", number=number)
    code = row.dossier_code.strip()
    if not DOSSIER_CODE.match(code):
        return _l("%(code)s is not a dossier code (letters, digits and . _ / -, at most 60).",
                  code=code)
    questions = batch.one_stop
    no_answer = _l("Form %(number)s has a dossier code but no answer about the dossier: type "
                   "the boxes ticked, or leave the code out.", number=number)
    if not row.one_stop:
        return no_answer
    try:
        ticked = paper.parse_choices(row.one_stop, [len(q["options"]) for q in questions])
    except ValueError as error:
        problem = error.args[0]
        if problem.kind == "count":
            return _l("%(typed)s digits typed about the dossier; the form asks %(needed)s "
                      "questions (type 0 for no answer).", typed=problem.typed,
                      needed=len(questions))
        return _l("Question %(position)s about the dossier has %(digit)s: type the box ticked "
                  "(1 to %(highest)s), or 0 for no answer.", position=problem.position,
                  digit=problem.digit, highest=len(questions[problem.position - 1]["options"]))
    points = {question["rule"]: question["options"][box - 1]["points"]
              for question, box in zip(questions, ticked, strict=True) if box}
    if not points:
        return no_answer
    code = onestop.typed_dossier_code(session, code)
    key = ("dossier", code.upper())
    if key in seen:
        return _l("Dossier %(code)s is also on line %(line)s.", code=code, line=seen[key])
    seen[key] = row.line
    if onestop.dossier_rated(session, code):
        return _l("Dossier %(code)s was rated already (by its QR code, a tablet or another "
                  "form): the first rating stands. Leave the dossier columns empty.", code=code)
    return code, points


def enter_forms(session: Session, rows: list[Row], collected_on: date,
                actor: User) -> list[Response]:
    """Store the returned forms of one entry page: all of them, or none.

    :raise EntryProblems: listing (line, message) for every bad row.
    :raise ValueError: for a collection date in the future, or no form at all.
    """
    if collected_on > today_in_vietnam():
        raise ValueError("future")
    filled = [row for row in rows if not row.empty]
    if not filled:
        raise ValueError("nothing")
    checked, problems, seen = [], [], {}
    for row in filled:
        result = _check(session, row, collected_on, seen)
        if isinstance(result, tuple):
            checked.append((row, *result))
        else:
            problems.append((row.line, result))
    if problems:
        raise EntryProblems(problems)
    # Keyed in later, answered on the day the forms were collected (noon, Vietnam time; now,
    # if they are keyed in that morning).
    when = min(datetime.combine(collected_on, time(12), VIETNAM), utcnow())
    stored = []
    for row, batch, serial, answers, expectations, (dossier_code, points) in checked:
        outcome = services.submit(
            session, services.Target(batch.counter, channel=CHANNEL_PAPER), batch.questionnaire,
            services.Submission(answers=answers, expectations=expectations,
                                nonce=f"paper:{serial}", seconds=None,
                                comment=row.comment or None, submitted_at=when,
                                one_stop=points, dossier_code=dossier_code,
                                paper_serial=serial, paper_batch_id=batch.id),
            screening.ScreeningRules())
        if outcome.one_stop_kept is False:  # rated by its QR code a moment ago
            raise EntryProblems([(row.line, _l(
                "Dossier %(code)s was rated already (by its QR code, a tablet or another "
                "form): the first rating stands. Leave the dossier columns empty.",
                code=dossier_code))])
        if outcome.repeated:  # another clerk entered it a moment ago
            raise EntryProblems([(row.line, _l(
                "Form %(number)s was entered already (answers of %(day)s).",
                number=paper.form_number(serial),
                day=today_in_vietnam(outcome.response.submitted_at).strftime("%d/%m/%Y")))])
        stored.append(outcome.response)
    session.flush()
    audit.record(session, "paper_forms.enter", target_type="paper_batch",
                 target_id=",".join(sorted({str(batch.id) for _, batch, *_ in checked})),
                 actor=actor, details={"forms": [paper.form_number(serial)
                                                 for _, _, serial, *_ in checked],
                                       "collected_on": collected_on.isoformat()})
    return stored
