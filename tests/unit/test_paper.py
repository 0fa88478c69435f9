"""Paper form numbers and typed rows (survey/paper.py)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.paper import BadNumber, check_digit, form_number, parse_digits, parse_number


def test_numbers_carry_a_luhn_check_digit():
    assert form_number(1) == "000001-8"
    assert form_number(123) == "000123-0"
    assert form_number(7992739871) == "7992739871-3"  # the textbook Luhn example
    assert check_digit(7992739871) == 3


@pytest.mark.parametrize("typed", ["000123-0", "0001230", "123-0", "1230", " 000123 0 ",
                                   "000 123-0"])
def test_a_number_may_be_typed_many_ways(typed):
    assert parse_number(typed) == 123


@pytest.mark.parametrize("typed, reason", [
    ("", "shape"), ("12a4", "shape"), ("1", "shape"), ("12345678", "shape"), ("0000000", "shape"),
    ("000123-1", "check"), ("000132-0", "check"), ("１２３０", "shape"),
])
def test_bad_numbers_say_why(typed, reason):
    with pytest.raises(BadNumber) as error:
        parse_number(typed)
    assert error.value.reason == reason


@given(st.integers(1, 999_999), st.integers(0, 5), st.integers(1, 9))
def test_every_single_mistyped_digit_is_caught(serial, position, shift):
    digits = list(form_number(serial).replace("-", ""))
    position = position % len(digits)
    digits[position] = str((int(digits[position]) + shift) % 10)
    with pytest.raises(BadNumber):
        parse_number("".join(digits))


def test_a_row_of_digits_maps_to_the_codes_in_order():
    assert parse_digits("40 5", ["A", "B", "C"], 5) == {"A": 4, "B": None, "C": 5}


@pytest.mark.parametrize("typed, kind, position, digit", [
    ("45", "count", 0, ""), ("4545", "count", 0, ""), ("476", "digit", 2, "7"),
    ("4x5", "digit", 2, "x"), ("4-5", "digit", 2, "-"),
])
def test_a_bad_row_says_where(typed, kind, position, digit):
    with pytest.raises(ValueError) as error:
        parse_digits(typed, ["A", "B", "C"], 5)
    problem = error.value.args[0]
    assert (problem.kind, problem.position, problem.digit) == (kind, position, digit)
