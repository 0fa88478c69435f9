from survey.screening import BURST, HONEYPOT, STRAIGHT_LINE, TOO_FAST, flags

ALL_FOURS = {f"I{n}": 4 for n in range(19)}
MIXED = {**ALL_FOURS, "I0": 5, "I1": 3, "I2": None}


def test_an_ordinary_response_is_not_flagged():
    assert flags(MIXED, seconds=45, honeypot_filled=False, recent_from_same_client=0) == []


def test_a_filled_honeypot_is_flagged():
    assert flags(MIXED, seconds=45, honeypot_filled=True, recent_from_same_client=0) == [HONEYPOT]


def test_too_fast_is_flagged():
    assert flags(MIXED, seconds=3, honeypot_filled=False, recent_from_same_client=0) == [TOO_FAST]


def test_identical_answers_are_flagged_only_when_also_quick():
    assert flags(ALL_FOURS, seconds=20, honeypot_filled=False,
                 recent_from_same_client=0) == [STRAIGHT_LINE]
    assert flags(ALL_FOURS, seconds=90, honeypot_filled=False, recent_from_same_client=0) == []


def test_a_citizen_who_answers_only_a_few_statements_the_same_is_not_a_bot():
    few = {"I0": 5, "I1": 5, "I2": 5}
    assert flags(few, seconds=12, honeypot_filled=False, recent_from_same_client=0) == []


def test_a_burst_from_one_address_is_flagged_from_the_sixth_response():
    assert flags(MIXED, seconds=45, honeypot_filled=False, recent_from_same_client=4) == []
    assert flags(MIXED, seconds=45, honeypot_filled=False, recent_from_same_client=5) == [BURST]


def test_unknown_duration_is_not_held_against_anyone():
    assert flags(ALL_FOURS, seconds=None, honeypot_filled=False, recent_from_same_client=0) == []
