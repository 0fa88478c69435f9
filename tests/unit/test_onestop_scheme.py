"""The versioned one-stop evaluation scheme (survey/onestop/scheme.py): the shipped TT 01/2018
scheme, and every problem of a bad one named."""
from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest

from survey.onestop import scheme as schemes

RAW = json.loads(schemes.DEFAULT.read_text(encoding="utf-8"))


def check(raw) -> tuple:
    scheme, problems = schemes.check(json.dumps(raw).encode())
    return scheme, [str(problem) for problem in problems]


def test_the_shipped_scheme_is_tt01_2018_with_nine_indices_out_of_18():
    scheme = schemes.load_default()
    assert scheme.version == "TT01-2018" and len(scheme.indices) == 9
    assert scheme.max_total == 18
    assert [i.number for i in scheme.dossier_indices] == [1, 2, 3, 4, 6, 7]
    assert [i.number for i in scheme.citizen_indices] == [1, 3, 4, 7]
    assert [band.vi for band in scheme.unit_ratings] == [
        "Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]
    assert [(band.minimum, band.code) for band in scheme.officer_ratings] == [
        (Decimal(5), "full"), (Decimal("3.5"), "most"), (Decimal(0), "under")]


@pytest.mark.parametrize("total,rating", [
    ("18", "Xuất sắc"), ("15.0", "Xuất sắc"), ("14.9", "Tốt"), ("12", "Tốt"), ("11.9", "Khá"),
    ("9", "Khá"), ("8.9", "Trung bình"), ("6", "Trung bình"), ("5.9", "Yếu"), ("0", "Yếu")])
def test_rating_bands_follow_the_thresholds(total, rating):
    scheme = schemes.load_default()
    assert schemes.rating(scheme.unit_ratings, Decimal(total)).vi == rating


def test_a_scheme_with_overlapping_bands_and_a_missing_index_names_every_problem():
    raw = copy.deepcopy(RAW)
    raw["unit_ratings"][2]["min"] = 12  # Khá starts where Tốt starts
    raw["unit_ratings"][-1]["min"] = 1  # totals below 1 without a rating
    del raw["indices"][4]  # index 5 missing: 6 follows 4
    scheme, problems = check(raw)
    assert scheme is None
    assert any("overlap" in p for p in problems)
    assert any("lowest must start at 0" in p for p in problems)
    assert any("numbered 1, 2, 3" in p and "found 6" in p for p in problems)


@pytest.mark.parametrize("change,message", [
    (lambda r: r["indices"][0].update(rule="guesswork"), "unknown rule guesswork"),
    (lambda r: r["indices"][1].update(rule="time_vs_due"), "used twice"),
    (lambda r: r["indices"][0].update(level="unit"), "scored per dossier"),
    (lambda r: r["indices"][7]["params"].update(partial=101), "from 0 to 100"),
    (lambda r: r["indices"][7]["params"].update(partial=95, full=90), "must not exceed"),
    (lambda r: r["indices"][7].update(params={}), "params must be exactly"),
    (lambda r: r["indices"][1].update(citizen=r["indices"][0]["citizen"]),
     "citizens do not rate"),
    (lambda r: r["indices"][0]["citizen"]["options"][1].update(points=2), "own points"),
    (lambda r: r["indices"][2].update(en=""), "Vietnamese and English"),
    (lambda r: r.update(officer_indices=[5]), "officer_indices"),
    (lambda r: r["unit_ratings"][0].update(min=19), "above the maximum total"),
    (lambda r: r.update(version="TT 01 / 2018"), "version"),
    (lambda r: r.update(title={"vi": "x"}), "title"),
    (lambda r: r.update(unit_ratings=[]), "at least two ratings"),
])
def test_each_bad_part_of_a_scheme_is_named(change, message):
    raw = copy.deepcopy(RAW)
    change(raw)
    scheme, problems = check(raw)
    assert scheme is None and any(message in p for p in problems), problems


@pytest.mark.parametrize("data", [b"\xff\xfe not json", b"[1, 2]", b"{"])
def test_a_file_that_is_not_a_scheme_object_is_refused(data):
    scheme, problems = schemes.check(data)
    assert scheme is None and problems


def test_a_2025_scheme_can_change_thresholds_without_code():
    raw = copy.deepcopy(RAW)
    raw["version"] = "TT03-2025"
    raw["indices"][7]["params"] = {"full": 95, "partial": 80}
    raw["unit_ratings"][0]["min"] = 16
    scheme, problems = check(raw)
    assert problems == [] and scheme.by_rule("feedback_on_time").params["partial"] == 80
