"""The import file checks (docs/procedure-import.md): every bad row named with its line."""
import csv
import io
import json

import pytest

from portal.pages.procedure_import import COLUMNS, REQUIRED, parse_import

LIMIT = 10 * 1024 * 1024


def row(**overrides):
    values = {
        "code": "1.004227", "name": "Cấp giấy phép khai thác nước dưới đất",
        "field": "Tài nguyên nước", "level": "một phần",
        "processing_body": "Sở Nông nghiệp và Môi trường", "steps": "Bước 1: nộp hồ sơ",
        "method": "Trực tiếp", "dossier": "- Đơn", "dossier_quantity": "01 bộ",
        "time_limit": "23 ngày làm việc", "subjects": "Tổ chức, cá nhân",
        "result": "Giấy phép", "legal_basis": "Luật Tài nguyên nước 2023",
    }
    values.update(overrides)
    return values


def to_csv(rows, columns=None, delimiter=","):
    columns = columns or list(rows[0])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter,
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def messages(result):
    return [(problem.line, str(problem.message)) for problem in result.problems]


def test_a_good_csv_is_read_with_types_converted():
    data = to_csv([row(postal_return="có", time_limit_days="23", steps="- Bước 1\n- Bước 2",
                       internal_process="Tiếp nhận | Bộ phận Một cửa | 4 giờ\nThẩm định")])
    result = parse_import(data, "a.csv", max_bytes=LIMIT)
    assert result.ok, messages(result)
    [parsed] = result.rows
    assert parsed["level"] == "partial"
    assert parsed["postal_return"] is True
    assert parsed["time_limit_days"] == 23
    assert parsed["internal_process"] == [
        {"step": "Tiếp nhận", "unit": "Bộ phận Một cửa", "duration": "4 giờ"},
        {"step": "Thẩm định", "unit": "", "duration": ""}]
    assert parsed["steps"] == "- Bước 1\n- Bước 2"


def test_utf8_with_bom_and_semicolons_and_crlf_are_accepted():
    data = b"\xef\xbb\xbf" + to_csv([row()], delimiter=";").replace(b"\n", b"\r\n")
    result = parse_import(data, "EXCEL.CSV", max_bytes=LIMIT)
    assert result.ok, messages(result)
    assert result.rows[0]["code"] == "1.004227"


def test_json_accepts_lists_of_lines_and_step_objects():
    item = row(steps=["- Bước 1", "- Bước 2"], time_limit_days=23, internal_process=[
        {"step": "Tiếp nhận", "unit": "Một cửa", "duration": "4 giờ"}])
    result = parse_import(json.dumps([item]).encode(), "x.json", max_bytes=LIMIT)
    assert result.ok, messages(result)
    assert result.rows[0]["steps"] == "- Bước 1\n- Bước 2"
    assert result.rows[0]["time_limit_days"] == 23


def test_missing_and_unknown_columns_are_reported_on_the_header_line():
    data = to_csv([{"code": "1", "name": "x", "colour": "red"}])
    result = parse_import(data, "a.csv", max_bytes=LIMIT)
    assert not result.ok and result.rows == []
    found = messages(result)
    assert found[0][0] == 1 and "Missing columns" in found[0][1] and "legal_basis" in found[0][1]
    assert found[1] == (1, "Unknown columns: colour. The allowed columns are listed in the "
                           "import guide.")


def test_each_bad_row_is_reported_with_its_line_and_nothing_is_kept():
    rows = [row(code="1.1"), row(code="1.2", name=""), row(code="1.3"),
            row(code="bad code!"), row(code="1.5", level="cao"), row(code="1.6"),
            row(code="1.7", postal_return="maybe")]
    rows[5]["time_limit_days"] = "-3"
    for one in rows:
        one.setdefault("time_limit_days", "")
        one.setdefault("postal_return", "")
    result = parse_import(to_csv(rows), "a.csv", max_bytes=LIMIT)
    assert result.rows == []
    assert messages(result) == [
        (3, "name is required."),
        (5, "code may hold only letters, digits, '.', '-' and '_'."),
        (6, "level must be 'toàn trình', 'một phần' or empty."),
        (7, "time_limit_days must be a whole number from 0 to 365."),
        (8, "postal_return must be 'có' or 'không'."),
    ]


def test_line_numbers_count_multi_line_cells():
    rows = [row(code="1.1", steps="a\nb\nc"), row(code="1.2", result="")]
    result = parse_import(to_csv(rows), "a.csv", max_bytes=LIMIT)
    assert messages(result) == [(5, "result is required.")]


def test_duplicate_codes_name_the_first_line():
    result = parse_import(to_csv([row(), row()]), "a.csv", max_bytes=LIMIT)
    assert messages(result) == [(3, "Code 1.004227 appears twice in the file (first at 2).")]


def test_every_required_column_is_enforced():
    for column in REQUIRED:
        result = parse_import(to_csv([row(**{column: "  "})]), "a.csv", max_bytes=LIMIT)
        assert messages(result) == [(2, f"{column} is required.")], column


def test_too_long_values_are_refused():
    result = parse_import(to_csv([row(name="x" * 501, steps="y" * 20_001)]), "a.csv",
                          max_bytes=LIMIT)
    assert messages(result) == [(2, "name is longer than 500 characters."),
                                (2, "steps is longer than 20000 characters.")]


def test_a_row_with_extra_cells_is_refused():
    data = to_csv([row()]) + b"a,b\n"
    result = parse_import(data, "a.csv", max_bytes=LIMIT)
    assert messages(result) == [(3, "This row has 2 cells; the header has 13.")]


def test_not_utf8_points_at_the_line():
    data = to_csv([row()]).replace("Cấp".encode(), "C\xe1p".encode("latin-1"))
    result = parse_import(data, "a.csv", max_bytes=LIMIT)
    [(line, message)] = messages(result)
    assert line == 2 and message.startswith("The file is not UTF-8 text")


def test_too_large_a_file_is_refused_before_reading():
    result = parse_import(b"x" * 1025, "a.csv", max_bytes=1024)
    assert messages(result) == [(0, "The file is larger than the limit of 0 MB.")]
    big = parse_import(b"x" * (20 * 1024 * 1024), "a.csv", max_bytes=LIMIT)
    assert messages(big) == [(0, "The file is larger than the limit of 10 MB.")]


@pytest.mark.parametrize("data, expected", [
    (b"", "The file has no procedures in it."),
    (b"[]", "The file has no procedures in it."),
    (b'{"code": 1}', "The JSON file must hold a list of procedures."),
])
def test_empty_or_wrong_shaped_json(data, expected):
    result = parse_import(data, "a.json", max_bytes=LIMIT)
    assert expected in [message for _, message in messages(result)]


def test_broken_json_gives_its_position():
    result = parse_import(b'[\n{"code": }', "a.json", max_bytes=LIMIT)
    [(line, message)] = messages(result)
    assert line == 2 and message.startswith("Not valid JSON")


def test_json_items_must_be_objects_with_known_keys_and_text_values():
    items = [row(), "text", row(code="1.9", colour="x"), row(code="2.0", name=["a", 3]),
             row(code="2.1", internal_process=[{"step": "a", "extra": 1}])]
    result = parse_import(json.dumps(items).encode(), "a.json", max_bytes=LIMIT)
    assert messages(result) == [
        (2, "Each item must be an object."),
        (3, "Unknown keys: colour."),
        (4, "name must be text."),
        (5, "internal_process: each step needs only text keys step, unit and duration."),
    ]


def test_other_file_types_are_refused():
    result = parse_import(b"x", "a.xlsx", max_bytes=LIMIT)
    assert messages(result) == [(0, "Choose a .csv or .json file.")]


def test_internal_process_lines_need_a_description_and_at_most_three_parts():
    bad = parse_import(to_csv([row(internal_process=" | Một cửa | 4 giờ")]), "a.csv",
                       max_bytes=LIMIT)
    assert messages(bad) == [(2, "internal_process: every step needs a description.")]
    bad = parse_import(to_csv([row(internal_process="a | b | c | d")]), "a.csv",
                       max_bytes=LIMIT)
    assert messages(bad) == [(2, "internal_process: write each step as "
                                 "'description | unit | duration'.")]


def test_all_documented_columns_are_accepted():
    full = row(name_en="Licence", field_en="Water resources", level="toàn trình",
               postal_return="x", postal_fee="20.000 đ", time_limit_days="0",
               forms="Mẫu 01", requirements="Không", fees="Không", decision="QĐ 1",
               internal_process="")
    assert set(full) == set(COLUMNS)
    result = parse_import(to_csv([full]), "a.csv", max_bytes=LIMIT)
    assert result.ok, messages(result)
    assert result.rows[0]["level"] == "full"


def test_json_booleans_are_accepted_for_postal_return():
    result = parse_import(json.dumps([row(postal_return=True), row(code="1.2",
                                     postal_return=False)]).encode(), "a.json", max_bytes=LIMIT)
    assert result.ok, messages(result)
    assert [r["postal_return"] for r in result.rows] == [True, False]


def test_a_step_may_not_contain_the_separator():
    item = row(internal_process=[{"step": "Tiếp nhận | kiểm tra", "unit": "", "duration": ""}])
    result = parse_import(json.dumps([item]).encode(), "a.json", max_bytes=LIMIT)
    assert messages(result) == [
        (1, "internal_process: a step may not contain '|' or a line break.")]
