"""Reading an import file (CSV or JSON) into rows with their line numbers. Pure: no Flask
request, no session. Used by the procedure import (docs/procedure-import.md) and the dossier
import (docs/dossier-import.md): each checks its own rows; this reads the file, its size, its
encoding and its columns, naming every problem with its line so that nothing is written unless
all is well."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l


@dataclass
class Problem:
    line: int  # CSV: line in the file (header = 1); JSON: item position (first = 1); 0: file
    message: str


@dataclass
class ParsedImport:
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def read_rows(data: bytes, filename: str, result: ParsedImport, *, max_bytes: int,
              required: tuple[str, ...], columns: tuple[str, ...], nothing,
              not_a_list) -> list[tuple[int, dict]]:
    """The rows of a .csv or .json file as (line, {column: raw value}); every problem is added
    to ``result`` (``nothing``: the message for a file without rows; ``not_a_list``: for a
    JSON file that is not a list)."""
    if len(data) > max_bytes:
        # Callers read at most max_bytes + 1, so the real size is unknown: say only the limit.
        result.problems.append(Problem(0, _l(
            "The file is larger than the limit of %(limit)s MB.", limit=megabytes(max_bytes))))
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        result.problems.append(Problem(line, _l(
            "The file is not UTF-8 text (first bad byte on this line). Save it as UTF-8 "
            "(\"CSV UTF-8\" in Excel) and try again.")))
        return []
    lower = filename.lower()
    if not text.strip():
        result.problems.append(Problem(0, nothing))
        return []
    if lower.endswith(".csv"):
        rows = _read_csv(text, result, required, columns)
    elif lower.endswith(".json"):
        rows = _read_json(text, result, columns, not_a_list)
    else:
        result.problems.append(Problem(0, _l("Choose a .csv or .json file.")))
        return []
    if not result.problems and not rows:
        result.problems.append(Problem(0, nothing))
    return rows


def check_rows(raw_rows: list[tuple[int, dict]], result: ParsedImport, check_row,
               twice) -> None:
    """Check each row with ``check_row(raw, line, problems)`` (a clean row or None) and keep
    the clean ones in ``result``, refusing a code seen before (``twice``: a message taking
    code and first); any problem empties the rows, since nothing is written then."""
    seen: dict[str, int] = {}
    for line, raw in raw_rows:
        row = check_row(raw, line, result.problems)
        if row is None:
            continue
        first = seen.setdefault(row["code"], line)
        if first != line:
            result.problems.append(Problem(line, twice(code=row["code"], first=first)))
            continue
        result.rows.append(row)
    if result.problems:
        result.rows = []


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".")


def _read_csv(text: str, result: ParsedImport, required: tuple[str, ...],
              columns: tuple[str, ...]) -> list[tuple[int, dict]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        return []
    missing = [name for name in required if name not in header]
    unknown = [name for name in header if name not in columns]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if missing:
        result.problems.append(Problem(1, _l("Missing columns: %(names)s.",
                                             names=", ".join(missing))))
    if unknown:
        result.problems.append(Problem(1, _l(
            "Unknown columns: %(names)s. The allowed columns are listed in the import guide.",
            names=", ".join(unknown))))
    if duplicated:
        result.problems.append(Problem(1, _l("Columns given twice: %(names)s.",
                                             names=", ".join(duplicated))))
    if result.problems:
        return []
    rows = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue  # blank line
            if len(cells) != len(header):
                result.problems.append(Problem(start, _l(
                    "This row has %(cells)s cells; the header has %(columns)s.",
                    cells=len(cells), columns=len(header))))
                continue
            rows.append((start, dict(zip(header, cells, strict=True))))
    except csv.Error as error:
        result.problems.append(Problem(line, _l("Unreadable CSV: %(error)s", error=str(error))))
    return rows


def _read_json(text: str, result: ParsedImport, columns: tuple[str, ...],
               not_a_list) -> list[tuple[int, dict]]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        result.problems.append(Problem(error.lineno, _l(
            "Not valid JSON: %(error)s (line %(line)s, column %(column)s).",
            error=error.msg, line=error.lineno, column=error.colno)))
        return []
    if not isinstance(items, list):
        result.problems.append(Problem(0, not_a_list))
        return []
    rows = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            result.problems.append(Problem(position, _l("Each item must be an object.")))
            continue
        unknown = sorted(key for key in item if key not in columns)
        if unknown:
            result.problems.append(Problem(position, _l("Unknown keys: %(names)s.",
                                                        names=", ".join(unknown))))
            continue
        rows.append((position, item))
    return rows
