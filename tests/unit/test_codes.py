import pytest

from feedback.codes import CHECK_LETTERS, BadCode, check_letter, make_code, normalise_code


def test_code_has_the_published_shape():
    code = make_code(2026, 123)
    assert code.startswith("PA-2026-000123") and len(code) == 15
    assert code[-1] in CHECK_LETTERS and code[-1] not in "IOQ"


def test_typed_codes_are_normalised():
    code = make_code(2026, 123)
    for typed in (code.lower(), code.replace("-", ""), " " + code.replace("-", " - ") + " ",
                  code.replace("-", ".")):
        assert normalise_code(typed) == code


@pytest.mark.parametrize("number", [1, 123, 999_999, 5_555_555])
def test_every_single_digit_mistake_is_refused(number):
    code = make_code(2026, number)
    digits = [index for index, char in enumerate(code) if char.isdigit()]
    for index in digits:
        for replacement in "0123456789":
            if replacement == code[index]:
                continue
            wrong = code[:index] + replacement + code[index + 1:]
            with pytest.raises(BadCode):
                normalise_code(wrong)


def test_every_swap_of_neighbouring_digits_is_refused():
    for number in (123, 908_172, 112_358):
        code = make_code(2026, number)
        body = code[3:7] + code[8:14]
        for index in range(len(body) - 1):
            if body[index] == body[index + 1]:
                continue
            swapped = body[:index] + body[index + 1] + body[index] + body[index + 2:]
            with pytest.raises(BadCode):
                normalise_code(f"PA-{swapped[:4]}-{swapped[4:]}{code[-1]}")


@pytest.mark.parametrize("raw", ["", "PA-2026", "PA-2026-000123", "XX-2026-000123A",
                                 "PA-2026-000000" + check_letter(2026, 0), "PA-26-000123A",
                                 "PA-2026-00012A", "' OR 1=1 --"])
def test_things_that_are_not_codes_are_refused(raw):
    with pytest.raises(BadCode):
        normalise_code(raw)
