"""Reading a batch of dossier codes (CSV) for single-use survey QR codes. Pure.

One dossier per line: ``dossier_code`` and optionally ``counter`` (a counter code). A header
line naming those columns may come first. UTF-8, with or without BOM; ',' or ';'.
"""
from __future__ import annotations

import csv
import io

from flask_babel import lazy_gettext as _l

MAX_ROWS = 500
CODE_MAX = 60


def parse(data: bytes) -> tuple[list[tuple[int, str, str | None]], list[tuple[int, object]]]:
    """(line, dossier code, counter code or None) for each row, and (line, problem) pairs."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [(0, _l("The file is not UTF-8 text."))]
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""),
                        delimiter=";" if first_line.count(";") > first_line.count(",") else ",")
    rows, problems, seen = [], [], {}
    for cells in reader:
        line = reader.line_num
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if line == 1 and cells[0].lower() in ("dossier_code", "ma_ho_so", "mã hồ sơ"):
            continue
        code = cells[0]
        counter = cells[1] if len(cells) > 1 and cells[1] else None
        if len(cells) > 2 and any(cells[2:]):
            problems.append((line, _l("Write at most two columns: dossier code and counter.")))
        elif len(code) > CODE_MAX or not code.isprintable():
            problems.append((line, _l("A dossier code has 1-60 printable characters.")))
        elif code in seen:
            problems.append((line, _l("Dossier %(code)s appears twice (first at line %(first)s).",
                                      code=code, first=seen[code])))
        else:
            seen[code] = line
            rows.append((line, code, counter))
    if not rows and not problems:
        problems.append((0, _l("The file has no dossier codes in it.")))
    if len(rows) > MAX_ROWS:
        problems.append((0, _l("At most %(n)s dossiers at a time.", n=MAX_ROWS)))
    return rows, problems
