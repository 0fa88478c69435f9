"""Applying the screening rules again to every stored answer (``flask --app wsgi
survey-rescreen``), then recounting the rollups: after the rules changed (issue 9 replaced
the first version's), or after an administrator changed a threshold.

The stored facts are replayed in the order the answers arrived: the seconds, the answers to
the statements, the channel, the keyed hashes of browser and address (repeats are counted over
the same windows as at submission), and a filled hidden field (kept from the stored reasons or
signals). Answers an administrator decided on keep that decision. Flushes, never commits.
"""
from __future__ import annotations

from collections import Counter as Tally
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select, tuple_, update
from sqlalchemy.orm import Session

from survey import rollup, screening
from survey.models import Answer, Item, Response
from survey.services import ADDRESS_WINDOW, DEVICE_WINDOW

CHUNK = 5000


@dataclass
class RescreenResult:
    examined: int = 0
    decided: int = 0  # left as an administrator decided
    now_counted: int = 0  # left out before, counted now
    now_excluded: int = 0  # counted before, left out now
    changed_signals: int = 0
    excluded_by_reason: Tally = field(default_factory=Tally)


class _Window:
    """How many events each key had in [moment - width, moment), the same window as at
    submission (services.earlier_answers); events come in time order."""

    def __init__(self, width):
        self.width = width
        self.events: dict[object, deque] = defaultdict(deque)

    def earlier(self, key, moment: datetime) -> int | None:
        if not key:
            return None
        events = self.events[key]
        while events and events[0] < moment - self.width:
            events.popleft()
        count = len(events)
        for earlier in reversed(events):  # same instant: not "earlier" at submission either
            if earlier < moment:
                break
            count -= 1
        events.append(moment)
        return count

    def forget_before(self, moment: datetime) -> None:
        for key in [key for key, events in self.events.items()
                    if not events or events[-1] <= moment - self.width]:
            del self.events[key]


def _statement_codes(session: Session) -> dict[int, set[str]]:
    codes: dict[int, set[str]] = defaultdict(set)
    for questionnaire_id, code in session.execute(select(Item.questionnaire_id, Item.code)):
        codes[questionnaire_id].add(code)
    return codes


def rescreen(session: Session, rules: screening.ScreeningRules,
             on_progress=lambda _done: None) -> RescreenResult:
    """Screen every stored response again and recount the survey tally; ``on_progress(n)``
    after each chunk of ``n`` responses."""
    result = RescreenResult()
    statements = _statement_codes(session)
    devices, addresses = _Window(DEVICE_WINDOW), _Window(ADDRESS_WINDOW)
    columns = (Response.id, Response.submitted_at, Response.questionnaire_id, Response.counter_id,
               Response.seconds_to_answer, Response.channel, Response.flag_reasons,
               Response.signals, Response.device_hash, Response.client_hash, Response.review,
               Response.flagged)
    last = None
    while True:
        statement = select(*columns).order_by(Response.submitted_at, Response.id).limit(CHUNK)
        if last is not None:
            statement = statement.where(tuple_(Response.submitted_at, Response.id) > last)
        rows = session.execute(statement).all()
        if not rows:
            break
        answers: dict[int, dict[str, int | None]] = defaultdict(dict)
        for response_id, code, value in session.execute(
                select(Answer.response_id, Answer.item_code, Answer.value)
                .where(Answer.response_id.in_([row.id for row in rows]))):
            answers[response_id][code] = value
        changes = [_rescreen_one(row, answers[row.id], statements, devices, addresses, rules,
                                 result) for row in rows]
        changes = [change for change in changes if change]
        if changes:  # an administrator deciding meanwhile wins: decided rows are left alone
            session.connection().execute(
                update(Response.__table__).where(Response.__table__.c.id == bindparam("row"),
                                                 Response.__table__.c.review.is_(None))
                .values(flagged=bindparam("flagged"), flag_reasons=bindparam("flag_reasons"),
                        exclusion=bindparam("exclusion"), signals=bindparam("signals")),
                changes)
        last = (rows[-1].submitted_at, rows[-1].id)
        on_progress(len(rows))
        devices.forget_before(rows[-1].submitted_at)
        addresses.forget_before(rows[-1].submitted_at)
    session.flush()
    rollup.rebuild(session.connection())
    return result


def _rescreen_one(row, given, statements, devices, addresses, rules, result) -> dict | None:
    result.examined += 1
    old_reasons = list(row.flag_reasons or [])
    evidence = screening.Evidence(
        answers={code: value for code, value in given.items()
                 if code in statements[row.questionnaire_id]},
        seconds=row.seconds_to_answer, channel=row.channel,
        honeypot_filled=screening.HONEYPOT in old_reasons or bool(
            (row.signals or {}).get("honeypot")),
        device_earlier=devices.earlier(row.device_hash, row.submitted_at),
        address_earlier=addresses.earlier(
            (row.client_hash, row.counter_id) if row.client_hash else None,
            row.submitted_at) or 0)
    verdict = screening.screen(evidence, rules)
    if row.review is not None:  # an administrator's decision stands
        result.decided += 1
        if row.flagged:
            result.excluded_by_reason[screening.main_reason(old_reasons) or "unknown"] += 1
        return None
    if verdict.excluded:
        result.excluded_by_reason[screening.main_reason(verdict.exclusions)] += 1
    if verdict.excluded == row.flagged and list(verdict.exclusions) == old_reasons \
            and verdict.signals == row.signals:
        return None
    if verdict.excluded != row.flagged:
        if verdict.excluded:
            result.now_excluded += 1
        else:
            result.now_counted += 1
    else:
        result.changed_signals += 1
    return {"row": row.id, "flagged": verdict.excluded,
            "flag_reasons": list(verdict.exclusions) or None,
            "exclusion": screening.main_reason(verdict.exclusions), "signals": verdict.signals}
