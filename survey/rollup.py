"""Keeping survey_tally in step with the responses: every response stored through any path
(the citizen's form, a factory, an import) adds its counts in the same transaction, under
the reason it is left out ('' while it counts); a decision that changes that reason moves
them. survey/tally.py says which cuts are kept."""
from __future__ import annotations

import json

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from portal.workdays import today_in_vietnam
from survey.models import Response
from survey.tally import ALL, CUTS, DAY, KEYS

LEVELS = range(6)  # 0 "no answer", 1-5 (the expectation question's scale uses 1-3)
RESPONSES = ""  # the item code under which responses that said something are counted
LEFT_OUT = "*"  # "*" + its reason: the item code under which a response left out is counted
UNKNOWN = "unknown"  # the reason of a response left out before reasons were kept
# A response counts as one when it says something to the survey: an answer or a comment (not
# one that only rated a dossier under TT 01/2018; those are counted by the evaluation).
SAYS_SOMETHING = ("(r.comment IS NOT NULL OR EXISTS (SELECT 1 FROM survey_answer s "
                  "WHERE s.response_id = r.id AND s.value IS NOT NULL))")


def says_something(response) -> bool:
    return response.comment is not None or any(
        answer.value is not None for answer in response.answers)


def exclusion_of(response) -> str:
    """The tally's key for whether ``response`` counts: '' or the main reason it does not."""
    return (response.exclusion or UNKNOWN) if response.flagged else ""


def rows_of(response, exclusion: str | None = None) -> list[tuple]:
    """The tally rows ``response`` adds, as (key…, item code, answers at each level) in the
    order of COLUMNS (``exclusion``: as left out for that reason ('' counted) instead of its
    own, to take away what an earlier state added). The answers of a response left out are
    kept apart from those counted, whatever the reason; the reason is the item code of the
    row that counts the response itself ("*inhuman")."""
    keys, items = _keys_and_items(response, exclusion)
    return [(*key, *item) for key in keys for item in items]


def _keys_and_items(response, exclusion: str | None) -> tuple[list[tuple], list[tuple]]:
    """The rows of ``response`` as a product: one key (cut, period, keys…, left out) per cut
    it counts in, times one (item code, answers at each level) per item, each sorted."""
    exclusion = exclusion_of(response) if exclusion is None else exclusion
    day = today_in_vietnam(response.submitted_at)
    levels: dict[str, list[int]] = {}
    for answer in response.answers:
        value = answer.value or 0
        if value not in LEVELS:
            raise ValueError(f"answer {answer.item_code}={value}: not a level the tally keeps")
        levels.setdefault(answer.item_code, [0] * len(LEVELS))[value] += 1
    if says_something(response):
        levels[RESPONSES] = [1] + [0] * (len(LEVELS) - 1)
    if exclusion:
        levels[LEFT_OUT + exclusion] = [1] + [0] * (len(LEVELS) - 1)
    given = {"counter_id": response.counter_id, "channel": response.channel,
             "procedure_field_id": response.procedure_field_id or 0,
             "officer_id": response.officer_id}
    keys = []
    for cut in CUTS:
        if "officer_id" in cut.keys and response.officer_id is None:
            continue  # the officer cuts count what was credited to someone
        keys.append((cut.number, day if cut.grain == DAY else day.replace(day=1),
                     *(given[name] if name in cut.keys else ALL[name] for name in KEYS),
                     bool(exclusion)))
    return sorted(keys), sorted((code, *numbers) for code, numbers in levels.items())


@event.listens_for(Session, "after_flush")
def _count_new_responses(session: Session, _flush_context) -> None:
    new = [obj for obj in session.new if isinstance(obj, Response)]
    if new:
        add(session, new)


COUNTS = tuple(f"n{level}" for level in LEVELS)
COLUMNS = ("cut", "period", *KEYS, "left_out", "item_code", *COUNTS)
_ON_CONFLICT = (f"ON CONFLICT ({', '.join(COLUMNS[:-len(COUNTS)])}) DO UPDATE SET "
                + ", ".join(f"{count} = survey_tally.{count} + excluded.{count}"
                            for count in COUNTS))
_KINDS = ("smallint", "date", "integer", "varchar", "integer", "integer", "boolean", "varchar",
          *["integer"] * len(COUNTS))  # each column's type in PostgreSQL
# SQLite: one row per parameter set (executemany, in process). PostgreSQL: every row in one
# statement, a column per array (unnest): one round trip and one plan, where executemany
# sent a statement per row (measured: most of a citizen's answer on PostgreSQL).
_UPSERTS = {
    "sqlite": f"INSERT INTO survey_tally ({', '.join(COLUMNS)}) "
              f"VALUES ({', '.join(['?'] * len(COLUMNS))}) {_ON_CONFLICT}",
    "postgresql": f"INSERT INTO survey_tally ({', '.join(COLUMNS)}) SELECT * FROM unnest("
                  + ", ".join(f"%s::{kind}[]" for kind in _KINDS) + f") {_ON_CONFLICT}",
}


def add(session: Session, responses, sign: int = 1, exclusion: str | None = None) -> None:
    """Add the responses' answers to the tally (``sign`` -1: take them away; ``exclusion``:
    as counted under that reason rather than their own)."""
    if len(responses) == 1 and sign == 1:  # a citizen's answer: its rows are distinct
        _upsert_product(session, *_keys_and_items(responses[0], exclusion))
    else:
        _upsert(session, _merged((row, sign) for response in responses
                                 for row in rows_of(response, exclusion)))


# One response's rows sent as its product (up to 14 keys and 20 items, not their 280 rows):
# the database makes the rows. Sending the rows cost a citizen's answer more CPU than
# everything else in it on PostgreSQL (the driver writing 2,800 array elements, measured).
_KEY_COLUMNS, _ITEM_COLUMNS = COLUMNS[:len(KEYS) + 3], COLUMNS[len(KEYS) + 3:]
_PRODUCTS = {
    # each key's and item's values taken out of the JSON once (materialized), not once per
    # row of the product: 4 times less work for the database (measured)
    "sqlite": "WITH " + ", ".join(
        f"{name} AS MATERIALIZED (SELECT key AS row_order, " + ", ".join(
            f"json_extract(value, '$[{n}]') AS {column}" for n, column in enumerate(columns))
        + " FROM json_each(?))" for name, columns in (("k", _KEY_COLUMNS), ("i", _ITEM_COLUMNS)))
    + f" INSERT INTO survey_tally ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} "
      f"FROM k, i WHERE true ORDER BY k.row_order, i.row_order {_ON_CONFLICT}",
    "postgresql": f"INSERT INTO survey_tally ({', '.join(COLUMNS)}) "
                  f"SELECT {', '.join(COLUMNS)} FROM unnest("
                  + ", ".join(f"%s::{kind}[]" for kind in _KINDS[:len(_KEY_COLUMNS)])
                  + f") WITH ORDINALITY AS k({', '.join(_KEY_COLUMNS)}, key_order) "
                  "CROSS JOIN unnest("
                  + ", ".join(f"%s::{kind}[]" for kind in _KINDS[len(_KEY_COLUMNS):])
                  + f") WITH ORDINALITY AS i({', '.join(_ITEM_COLUMNS)}, item_order) "
                  f"ORDER BY key_order, item_order {_ON_CONFLICT}",
}


def _upsert_product(session: Session, keys: list[tuple], items: list[tuple]) -> None:
    """Add every key × item row (keys and items sorted: the rows in _upsert's order)."""
    if not keys or not items:
        return
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "sqlite":
        connection.exec_driver_sql(_PRODUCTS[dialect], (json.dumps(
            [(cut, period.isoformat(), *rest) for cut, period, *rest in keys]),
            json.dumps(items)))
    else:
        connection.exec_driver_sql(_PRODUCTS[dialect], (
            *map(list, zip(*keys, strict=True)), *map(list, zip(*items, strict=True))))


def _merged(signed_rows) -> list[tuple]:
    """Rows with the same key added up (ON CONFLICT may touch a row only once a statement)."""
    merged: dict[tuple, list[int]] = {}
    for row, sign in signed_rows:
        total = merged.setdefault(row[:-len(COUNTS)], [0] * len(COUNTS))
        for level, number in enumerate(row[-len(COUNTS):]):
            total[level] += sign * number
    return [(*key, *numbers) for key, numbers in merged.items()]


def set_comment(session: Session, response: Response, comment: str | None) -> None:
    """Change a stored response's comment (de-identified, erased); when that changes whether
    it said something, its count of responses follows. The response is read again and held
    first, so the count moves from the state a concurrent decision left."""
    session.execute(select(Response.id).where(Response.id == response.id).with_for_update())
    session.refresh(response)
    said, rows = says_something(response), rows_of(response)
    response.comment = comment
    if says_something(response) != said:
        rows = rows if said else rows_of(response)  # the state that holds the count
        _upsert(session, _merged((row, -1 if said else 1) for row in rows
                                 if row[-len(COUNTS) - 1] == RESPONSES))


def _upsert(session: Session, rows: list[tuple]) -> None:
    """One statement through the driver itself (SQLAlchemy's handling of some 200 parameter
    sets cost more than the database's work, measured), its rows in one order so that
    every writer takes their locks in that order."""
    if not rows:
        return
    rows.sort()
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "sqlite":  # the date as SQLAlchemy's Date stores it there
        connection.exec_driver_sql(_UPSERTS[dialect], [
            (cut, period.isoformat(), *rest) for cut, period, *rest in rows])
    else:
        connection.exec_driver_sql(_UPSERTS[dialect], tuple(map(list, zip(*rows, strict=True))))


def move(session: Session, response, before: str) -> None:
    """``response``'s counts were kept under the reason ``before`` ('' = counted): keep them
    under its present one, in one upsert (two, in opposite orders, could deadlock with a
    decision moving another response the other way)."""
    if before != exclusion_of(response):
        _upsert(session, _merged([*((row, -1) for row in rows_of(response, before)),
                                  *((row, 1) for row in rows_of(response))]))


def rebuild(connection) -> None:
    """Recount the tally from the stored answers (after a bulk load that bypassed the ORM,
    or to repair it): the same counting as rows_of, in SQL. Only the cuts no other cut
    holds are counted from the answers; the others are summed from those (measured at
    1,000,000 responses: the answers are read twice instead of eight times)."""
    postgresql = connection.dialect.name == "postgresql"
    outside = connection.execute(text(
        f"SELECT item_code, value FROM survey_answer WHERE value < {LEVELS[0]} "
        f"OR value > {LEVELS[-1]}")).first()
    if outside is not None:
        raise ValueError(f"answer {outside[0]}={outside[1]}: not a level the tally keeps")
    if postgresql:  # answers stored meanwhile wait, rather than meet a half-filled table
        connection.execute(text("LOCK TABLE survey_tally IN EXCLUSIVE MODE"))
    connection.execute(text("DELETE FROM survey_tally"))
    built: list = []
    for cut in sorted(CUTS, key=lambda cut: (cut.grain != DAY, -len(cut.keys))):
        source = next((other for other in built if _holds(other, cut)), None)
        if source is None:
            _count_from_answers(connection, cut, postgresql)
        else:
            _sum_from(connection, cut, source, postgresql)
        built.append(cut)


def _holds(source, cut) -> bool:
    """Whether ``cut`` is ``source`` summed: its keys and grain are coarser, and both count
    the same responses (the officer cuts only those credited to someone)."""
    return (source.keys >= cut.keys and ("officer_id" in source.keys) == (
        "officer_id" in cut.keys) and (source.grain == DAY or cut.grain != DAY))


def _count_from_answers(connection, cut, postgresql: bool) -> None:
    if postgresql:
        period = "CAST(r.submitted_at + INTERVAL '7 hours' AS DATE)"
        if cut.grain != DAY:
            period = f"CAST(date_trunc('month', {period}) AS DATE)"
    else:
        period = "date(r.submitted_at, '+7 hours'" + (
            ")" if cut.grain == DAY else ", 'start of month')")
    given = {"counter_id": "r.counter_id", "channel": "r.channel",
             "procedure_field_id": "COALESCE(r.procedure_field_id, 0)",
             "officer_id": "r.officer_id"}
    grouped = [period] + [given[name] for name in KEYS if name in cut.keys] + ["r.flagged"]
    keys = ", ".join([period] + [given[name] if name in cut.keys else repr(ALL[name])
                                 for name in KEYS] + ["r.flagged"])
    officer = "AND r.officer_id IS NOT NULL" if "officer_id" in cut.keys else ""
    only_n0 = ", ".join(["count(*)"] + ["0"] * (len(LEVELS) - 1))
    for item, numbers, source, where, group_item in (
            ("a.item_code", ", ".join(
                f"SUM(CASE WHEN COALESCE(a.value, 0) = {level} THEN 1 ELSE 0 END)"
                for level in LEVELS),
             "survey_answer a JOIN survey_response r ON r.id = a.response_id", "1 = 1",
             ", a.item_code"),
            (f"'{RESPONSES}'", only_n0, "survey_response r", SAYS_SOMETHING, ""),
            (f"'{LEFT_OUT}' || COALESCE(NULLIF(r.exclusion, ''), '{UNKNOWN}')", only_n0,
             "survey_response r", "r.flagged", ", r.exclusion")):
        connection.execute(text(f"""
            INSERT INTO survey_tally ({", ".join(COLUMNS)})
            SELECT {cut.number}, {keys}, {item}, {numbers} FROM {source}
            WHERE {where} {officer} GROUP BY {", ".join(grouped)}{group_item}"""))


def _sum_from(connection, cut, source, postgresql: bool) -> None:
    period = "period"
    if cut.grain != source.grain:
        period = "CAST(date_trunc('month', period) AS DATE)" if postgresql \
            else "date(period, 'start of month')"
    kept = [name for name in KEYS if name in cut.keys]
    keys = ", ".join([period] + [name if name in cut.keys else repr(ALL[name])
                                 for name in KEYS])
    connection.execute(text(f"""
        INSERT INTO survey_tally ({", ".join(COLUMNS)})
        SELECT {cut.number}, {keys}, left_out, item_code,
               {", ".join(f"sum({count})" for count in COUNTS)}
        FROM survey_tally WHERE cut = {source.number}
        GROUP BY {", ".join([period, *kept])}, left_out, item_code"""))
