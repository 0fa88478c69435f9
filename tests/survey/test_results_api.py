"""The satisfaction results as JSON (issue 14, point 2): the figures of /results, no
percentage from too few answers, nothing about a person, and a JSON error for a bad
parameter."""
import pytest

from tests.factories import make_counter, make_unit, make_user
from tests.survey.test_dashboard import THIS_YEAR, fill


def _results(client, **query):
    return client.get("/api/v1/results", query_string=query)


def test_the_results_are_those_the_page_publishes(client, db):
    land, water = make_unit(db, name="Văn phòng Đăng ký đất đai", name_en="Land registry"), \
        make_unit(db, name="Phòng Nước")
    officer = make_user(db, roles=["reception"], full_name="Trần Thị Zelda")
    fill(db, make_counter(db, unit=land), 30, 5, officer=officer,
         comment="Nguyễn Văn Quý rất tốt, số 0905 123 456")
    fill(db, make_counter(db, unit=land), 10, 2)
    fill(db, make_counter(db, unit=water), 5, 1)
    fill(db, make_counter(db, unit=water), 2, 5, flagged=True, reasons=("inhuman",))
    response = _results(client, year=THIS_YEAR - 1)
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["schema"] == "results/1"
    assert body["period"] == {"year": THIS_YEAR - 1, "quarter": None,
                              "start": f"{THIS_YEAR - 1}-01-01", "end": f"{THIS_YEAR - 1}-12-31"}
    assert body["responses"] == 45 and body["left_out"] == {"inhuman": 2}
    assert body["rules"] == {"satisfied_levels": [4, 5], "min_sample": 30}
    # 30 of 45 answers at level 5 on every statement: 66.7 % overall, as the page shows
    page = client.get(f"/results?year={THIS_YEAR - 1}").get_data(as_text=True)
    assert '<p class="big-figure"><strong>66,7 %</strong></p>' in page
    assert round(body["overall"]["rate"], 1) == 66.7 and body["overall"]["n"] == 45
    assert body["overall"]["low"] < body["overall"]["rate"] < body["overall"]["high"]
    assert len(body["dimensions"]) == 5
    assert all(round(d["rate"], 1) == 66.7 for d in body["dimensions"])
    units = {unit["name"]["vi"]: unit for unit in body["units"]}
    assert units["Văn phòng Đăng ký đất đai"]["name"]["en"] == "Land registry"
    assert round(units["Văn phòng Đăng ký đất đai"]["rate"], 1) == 75.0
    # 5 answers: the page says "not enough answers", the interface gives no percentage
    assert units["Phòng Nước"] == {**units["Phòng Nước"], "n": 5, "sufficient": False,
                                   "rate": None, "low": None, "high": None}
    text = response.get_data(as_text=True)
    for personal in ("Zelda", "Quý", "Quy", "0905", "123 456"):
        assert personal not in text


def test_a_quarter_with_nothing_and_the_current_year_by_default(client, db):
    fill(db, make_counter(db), 3, 4)  # in March of last year
    quarter = _results(client, year=THIS_YEAR - 1, quarter=2).get_json()
    assert quarter["period"]["start"] == f"{THIS_YEAR - 1}-04-01"
    assert quarter["period"]["end"] == f"{THIS_YEAR - 1}-06-30"
    assert quarter["responses"] == 0 and quarter["units"] == [] and quarter["left_out"] == {}
    assert quarter["overall"]["rate"] is None and quarter["overall"]["n"] == 0
    assert _results(client).get_json()["period"]["year"] == THIS_YEAR
    coming = _results(client, year=THIS_YEAR + 1).get_json()  # nothing answered yet
    assert coming["responses"] == 0 and coming["overall"]["rate"] is None


@pytest.mark.parametrize("query, parameter", [
    ({"year": "abc"}, "year"), ({"year": "1999"}, "year"), ({"year": "2101"}, "year"),
    ({"year": "２０２５"}, "year"), ({"year": "-2025"}, "year"), ({"quarter": "5"}, "quarter"),
    ({"quarter": "0"}, "quarter"), ({"quarter": "1.5"}, "quarter"),
    ({"quarter": "\x00"}, "quarter"), ({"year": ""}, "year"), ({"quarter": " 1"}, "quarter")])
def test_a_parameter_outside_its_range_is_refused_in_json(client, query, parameter):
    response = _results(client, **query)
    assert response.status_code == 400 and response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == "bad_parameter" and error["parameter"] == parameter
    assert "quarter: 1 đến 4" in error["message"]  # Vietnamese, as every page
