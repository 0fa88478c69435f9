"""The satisfaction results as JSON (issue 14, point 2): the figures /results publishes, for a
year or a quarter, in a versioned shape. Nothing about a person: no comment, no officer."""
from __future__ import annotations

from flask import Blueprint, Flask, jsonify, request

from portal import api
from portal.db import get_session
from portal.i18n import _, _l
from portal.workdays import today_in_vietnam
from survey import queries, reports, screening, services

bp = Blueprint("survey_api", __name__)

SCHEMA = "results/1"  # a change of the shape gets a new number and a new path
FIRST_YEAR, LAST_YEAR = 2000, 2100  # a year still to come has no answers yet: zeros


def _figure(result) -> dict:
    """A rate as /results shows it: no percentage from too few answers."""
    shown = result.rate is not None and result.sufficient
    return {"n": result.n, "fewest": result.smallest_n, "sufficient": result.sufficient,
            "rate": result.rate if shown else None, "low": result.low if shown else None,
            "high": result.high if shown else None}


def _number(name: str, low: int, high: int):
    raw = request.args.get(name)
    if raw is None:
        return None  # left out: its default (an empty value is refused, as any non-number)
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise ValueError(name)
    return int(raw)


@bp.get("/api/v1/results")
def results():
    today = today_in_vietnam()
    try:
        year = _number("year", FIRST_YEAR, LAST_YEAR) or today.year
        quarter = _number("quarter", 1, 4)
    except ValueError as bad:
        return api.error(400, "bad_parameter", _("year: 2000 to 2100; quarter: 1 to 4"),
                         parameter=str(bad))
    start, end = reports.published_period(year, quarter)
    session = get_session()
    filters = queries.Filters(start=start, end=end)
    questionnaire = services.current_questionnaire(session)
    rules = reports.index_rules()
    figures = reports.figures(session, questionnaire, filters, rules)
    return jsonify({
        "schema": SCHEMA,
        "period": {"year": year, "quarter": quarter, "start": start.isoformat(),
                   "end": end.isoformat()},
        "rules": {"satisfied_levels": sorted(rules.satisfied_levels),
                  "min_sample": rules.min_sample},
        "responses": figures.responses,
        "left_out": {reason: number for reason, number in
                     queries.exclusions(session, filters).items()},
        "left_out_reasons": {reason: str(label) for reason, label in
                             screening.EXCLUSION_REASONS.items()},
        "overall": _figure(figures.overall.result),
        "dimensions": [{"code": dimension.code,
                        "name": {"vi": dimension.name, "en": dimension.name_en},
                        **_figure(result.result)} for dimension, result in figures.dimensions],
        "units": [{"code": unit.code, "name": {"vi": unit.name, "en": unit.name_en},
                   **_figure(result.result)}
                  for unit, result in reports.by_unit(session, questionnaire, filters, rules)],
    })


_NUMBER = {"type": ["number", "null"]}
_FIGURE = {
    "type": "object", "additionalProperties": False,
    "required": ["n", "fewest", "sufficient", "rate", "low", "high"],
    "properties": {
        "n": {"type": "integer", "minimum": 0},
        "fewest": {"type": "integer", "minimum": 0},
        "sufficient": {"type": "boolean"},
        "rate": {**_NUMBER, "description": _l("Percent of satisfied answers; null when there "
                                              "were too few answers to publish one")},
        "low": {**_NUMBER, "description": _l("Lower end of the 95-percent interval (percent)")},
        "high": {**_NUMBER, "description": _l("Upper end of the 95-percent interval (percent)")}}}
_NAME = {"type": "object", "required": ["vi", "en"], "additionalProperties": False,
         "properties": {"vi": {"type": "string"}, "en": {"type": ["string", "null"]}}}
_NAMED_FIGURE = {**_FIGURE, "required": [*_FIGURE["required"], "code", "name"],
                 "properties": {**_FIGURE["properties"], "code": {"type": "string"},
                                "name": _NAME}}
SCHEMAS = {"Figure": _FIGURE, "Results": {
    "type": "object", "additionalProperties": False,
    "required": ["schema", "period", "rules", "responses", "left_out", "left_out_reasons",
                 "overall", "dimensions", "units"],
    "properties": {
        "schema": {"const": SCHEMA},
        "period": {"type": "object", "additionalProperties": False,
                   "required": ["year", "quarter", "start", "end"],
                   "properties": {"year": {"type": "integer"},
                                  "quarter": {"type": ["integer", "null"]},
                                  "start": {"type": "string", "format": "date"},
                                  "end": {"type": "string", "format": "date"}}},
        "rules": {"type": "object", "additionalProperties": False,
                  "required": ["satisfied_levels", "min_sample"],
                  "properties": {"satisfied_levels": {"type": "array",
                                                      "items": {"type": "integer"}},
                                 "min_sample": {"type": "integer"}}},
        "responses": {"type": "integer", "minimum": 0},
        "left_out": {"type": "object", "additionalProperties": {"type": "integer"},
                     "description": _l("Answers left out of the figures, by reason")},
        "left_out_reasons": {"type": "object", "additionalProperties": {"type": "string"}},
        "overall": {"$ref": "#/components/schemas/Figure"},
        "dimensions": {"type": "array", "items": _NAMED_FIGURE},
        "units": {"type": "array", "items": _NAMED_FIGURE}}}}
PATHS = {"/api/v1/results": {"get": {
    "summary": _l("The published satisfaction results of a year or a quarter"),
    "description": _l("The figures of /results: the share of satisfied answers overall, by "
                      "dimension and by unit, with the answers left out and why."),
    "operationId": "results",
    "parameters": [
        {"name": "year", "in": "query", "required": False,
         "description": _l("2000 to 2100 (default: the current year)"),
         "schema": {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}},
        {"name": "quarter", "in": "query", "required": False,
         "description": _l("1 to 4 (default: the whole year)"),
         "schema": {"type": "integer", "minimum": 1, "maximum": 4}}],
    "responses": {
        "200": {"description": _l("The results"), "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Results"}}}},
        "400": api.error_response(_l("A parameter outside its range"))}}}}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    api.describe(app, PATHS, SCHEMAS)
