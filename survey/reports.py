"""Figures for the dashboard and the published results: SQL counts (queries.py) turned into
the index (sipas.py), with the questionnaire's names attached."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import Unit, User
from survey import queries, sipas
from survey.models import Questionnaire


def index_rules() -> sipas.IndexRules:
    config = current_app.config
    return sipas.IndexRules(satisfied_levels=frozenset(config["SIPAS_SATISFIED_LEVELS"]),
                            min_sample=config["SIPAS_MIN_SAMPLE"])


@dataclass
class ExpectationRow:
    """One item of the expectation question ("what to improve first"): answers per value of
    its scale, and their mean (the higher, the more wanted)."""

    item: dict  # {"code", "vi", "en"}
    counts: dict[int, int]  # value -> answers, in the scale's order
    n: int
    mean: float | None


@dataclass
class Figures:
    overall: sipas.GroupResult
    dimensions: list[tuple[object, sipas.GroupResult]]  # (Dimension, result)
    items: dict[str, sipas.ItemResult]
    responses: int
    expectation: list[ExpectationRow]  # most wanted first; empty when never asked


def published_period(year: int, quarter: int | None) -> tuple[date, date]:
    """The first and last day of a year, or of its quarter 1-4, as /results publishes them."""
    if quarter:
        return (date(year, 3 * quarter - 2, 1),
                date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - timedelta(days=1))
    return date(year, 1, 1), date(year, 12, 31)


def figures(session: Session, questionnaire: Questionnaire, filters: queries.Filters,
            rules: sipas.IndexRules) -> Figures:
    shape = queries.structure(questionnaire)
    if current_app.config["SIPAS_WEIGHTING"] == "equal":
        by_counter = {key: counts for key, counts in
                      queries.answer_counts_by(session, filters, "counter").items()}
        overall = sipas.index_equal_groups(shape, by_counter, rules)
        counts = _summed(by_counter.values())
    else:
        counts = queries.answer_counts(session, filters)
        overall = sipas.index(shape, counts, rules)
    items = {item.code: item for dimension in overall.parts for item in dimension.parts}
    return Figures(overall=overall,
                   dimensions=list(zip(questionnaire.dimensions, overall.parts, strict=True)),
                   items=items, responses=queries.response_count(session, filters),
                   expectation=expectation_rows(questionnaire, counts))


def _summed(groups) -> dict[str, dict]:
    total: dict[str, dict] = {}
    for counts in groups:
        for code, levels in counts.items():
            for level, number in levels.items():
                total.setdefault(code, {})[level] = total.get(code, {}).get(level, 0) + number
    return total


def expectation_rows(questionnaire: Questionnaire, counts: dict) -> list[ExpectationRow]:
    """The expectation question's answers from the same counts as the index, most wanted
    first (by mean value); none when the version has no such question or nobody answered."""
    expectation = questionnaire.expectation or {}
    values = [level["value"] for level in expectation.get("scale", [])]
    rows = []
    for item in expectation.get("items", []):
        given = {value: counts.get(item["code"], {}).get(value, 0) for value in values}
        n = sum(given.values())
        mean = sum(value * number for value, number in given.items()) / n if n else None
        rows.append(ExpectationRow(item, given, n, mean))
    if not any(row.n for row in rows):
        return []
    return sorted(rows, key=lambda row: -(row.mean or 0))


def weakest_items(questionnaire: Questionnaire, result: Figures, limit: int = 5):
    """The lowest-rated statements among those with enough answers, worst first."""
    texts = {item.code: item for dimension in questionnaire.dimensions
             for item in dimension.items}
    ranked = sipas.ranking((code, item.result) for code, item in result.items.items())
    return [(texts[entry.key], result.items[entry.key]) for entry in reversed(ranked)][:limit]


def monthly_trend(session: Session, questionnaire: Questionnaire, filters: queries.Filters,
                  rules: sipas.IndexRules) -> list[tuple[str, sipas.GroupResult]]:
    shape = queries.structure(questionnaire)
    return [(month, sipas.index(shape, counts, rules))
            for month, counts in queries.monthly_counts(session, filters).items()]


def by_unit(session: Session, questionnaire: Questionnaire, filters: queries.Filters,
            rules: sipas.IndexRules) -> list[tuple[object, sipas.GroupResult]]:
    """Each unit with answers and its overall index, best first among those with enough
    answers, then the others (never ranked) by name."""
    shape = queries.structure(questionnaire)
    counts = queries.answer_counts_by(session, filters, "unit")
    units = {unit.id: unit for unit in session.scalars(
        select(Unit).where(Unit.id.in_([key[0] for key in counts])))}
    results = [(units[unit_id], sipas.index(shape, unit_counts, rules))
               for (unit_id,), unit_counts in counts.items()]
    ranked = [entry for entry in results if entry[1].result.sufficient]
    others = [entry for entry in results if not entry[1].result.sufficient]
    ranked.sort(key=lambda entry: -entry[1].result.rate)
    others.sort(key=lambda entry: entry[0].name)
    return ranked + others


@dataclass
class OfficerRow:
    officer: object  # User
    overall: sipas.GroupResult
    by_month: dict  # 'YYYY-MM' -> GroupResult (year summary only)


def by_officer(session: Session, questionnaire: Questionnaire, filters: queries.Filters,
               rules: sipas.IndexRules, *, monthly: bool) -> list[OfficerRow]:
    """Every officer credited with answers in the period: overall index, and with
    ``monthly`` one per month (the officer's year summary, plan item B.3.3)."""
    shape = queries.structure(questionnaire)
    months: dict = {}
    if monthly:  # the year's counts are its months' added up: one query, not two
        by_month: dict = {}
        for (officer_id, month_key), counts in queries.officer_counts(
                session, filters, monthly=True).items():
            months.setdefault(officer_id, {})[month_key] = sipas.index(shape, counts, rules)
            by_month.setdefault(officer_id, []).append(counts)
        totals = {(officer_id,): _summed(counts) for officer_id, counts in by_month.items()}
    else:
        totals = queries.officer_counts(session, filters, monthly=False)
    ids = [key[0] for key in totals]
    officers = {user.id: user for user in session.scalars(select(User).where(User.id.in_(ids)))}
    rows = [OfficerRow(officers[officer_id], sipas.index(shape, counts, rules),
                       dict(sorted(months.get(officer_id, {}).items())))
            for (officer_id,), counts in totals.items()]
    return sorted(rows, key=lambda row: row.officer.full_name)
