"""Exports of survey answers: raw responses and aggregates, as CSV (UTF-8 with BOM, for Excel)
and XLSX. Rows are produced a chunk at a time so a million responses never sit in memory."""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import redact
from portal.auth.models import Unit, User
from portal.pages.models import ProcedureField
from portal.tabular import neutralise
from portal.workdays import VIETNAM
from survey import queries
from survey.models import Answer, Counter, Questionnaire, Response

CHUNK = 1000
def item_codes(session: Session, questionnaire: Questionnaire) -> list[str]:
    """The current version's statement codes in order, its expectation question's codes,
    then codes only older versions used."""
    codes = questionnaire.statement_codes + [
        item["code"] for item in (questionnaire.expectation or {}).get("items", [])]
    older = session.scalars(select(Answer.item_code).distinct().order_by(Answer.item_code))
    return codes + [code for code in older if code not in codes]


def response_rows(session: Session, filters: queries.Filters, codes: list[str], *,
                  masked_comments: bool) -> Iterator:
    """The header, then one row per response (keyset-paged by id, answers fetched per chunk).
    ``masked_comments``: the comments with every personal detail masked, for readers who may
    not read citizens' words verbatim (:mod:`portal.privacy`)."""
    yield (["response_id", "submitted_at", "questionnaire_version", "channel", "unit",
            "counter", "officer", "procedure_field", "flagged", "flag_reasons", "seconds"]
           + codes + ["review", "signals", "comment"])
    versions = dict(session.execute(select(Questionnaire.id, Questionnaire.version)).all())
    counters = {counter.id: counter for counter in session.scalars(select(Counter))}
    units = dict(session.execute(select(Unit.id, Unit.code)).all())
    officers = dict(session.execute(select(User.id, User.username)).all())
    fields = dict(session.execute(select(ProcedureField.id, ProcedureField.name)).all())
    last_id = 0
    while True:
        chunk = session.scalars(queries.responses_statement(filters)
                                .where(Response.id > last_id).order_by(Response.id)
                                .limit(CHUNK)).all()
        if not chunk:
            return
        ids = [response.id for response in chunk]
        answers: dict[int, dict[str, int | None]] = {}
        for response_id, code, value in session.execute(
                select(Answer.response_id, Answer.item_code, Answer.value)
                .where(Answer.response_id.in_(ids))):
            answers.setdefault(response_id, {})[code] = value
        for response in chunk:
            counter = counters[response.counter_id]
            given = answers.get(response.id, {})
            yield ([response.id,
                    response.submitted_at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M"),
                    versions[response.questionnaire_id], response.channel,
                    units.get(counter.unit_id), counter.code,
                    officers.get(response.officer_id, ""),
                    fields.get(response.procedure_field_id, ""),
                    "yes" if response.flagged else "no",
                    " ".join(response.flag_reasons or []), response.seconds_to_answer]
                   # 1-5; "na" = "no answer"; empty = not asked in that version
                   + [("na" if given[code] is None else given[code]) if code in given else ""
                      for code in codes]
                   + [response.review or "", _signals(response.signals),
                      neutralise(redact.redact(response.comment).text if masked_comments
                                 else response.comment or "")])
        last_id = ids[-1]
        session.expunge_all()  # keep memory flat across chunks (a session of its own)


def _signals(signals: dict | None) -> str:
    """The screening signals as "answered=19 uniform=4 quick" (survey/screening.py)."""
    return " ".join(name if value is True else f"{name}={value}"
                    for name, value in (signals or {}).items())


def aggregate_rows(questionnaire: Questionnaire, figures) -> Iterator[list]:
    yield ["level", "code", "name", "n", "satisfied_percent", "interval_low", "interval_high",
           "sufficient", "n_1", "n_2", "n_3", "n_4", "n_5", "no_answer", "mean"]

    def rounded(value):
        return "" if value is None else round(value, 2)

    overall = figures.overall.result
    yield ["overall", "OVERALL", "", overall.n, rounded(overall.rate), rounded(overall.low),
           rounded(overall.high), overall.sufficient] + [""] * 7
    for dimension, result in figures.dimensions:
        rate = result.result
        yield (["dimension", dimension.code, dimension.name, rate.n, rounded(rate.rate),
                rounded(rate.low), rounded(rate.high), rate.sufficient] + [""] * 7)
        for item, item_result in zip(dimension.items, result.parts, strict=True):
            rate = item_result.result
            yield (["item", item.code, item.text, rate.n, rounded(rate.rate), rounded(rate.low),
                    rounded(rate.high), rate.sufficient]
                   + [item_result.distribution[level] for level in range(1, 6)]
                   + [item_result.not_applicable, rounded(item_result.mean)])
    # The expectation question ("what to improve first"): n_1.. count the values of its own
    # scale (3 = very much … 1 = a little); no satisfaction rate, the mean value instead.
    for row in figures.expectation:
        yield (["expectation", row.item["code"], row.item["vi"], row.n, "", "", "", ""]
               + [row.counts.get(value, 0) for value in range(1, 6)] + ["", rounded(row.mean)])
