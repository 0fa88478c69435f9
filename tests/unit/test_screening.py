"""The screening rules (survey/screening.py): signals never exclude on their own; only strong
evidence does, and never for a dossier link's speed or uniformity."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.screening import (
    ADDRESS,
    DEVICE,
    HONEYPOT,
    INHUMAN,
    Evidence,
    ScreeningRules,
    describe,
    main_reason,
    rules_from,
    screen,
)

ALL_FOURS = {f"I{n}": 4 for n in range(19)}
MIXED = {**ALL_FOURS, "I0": 5, "I1": 3, "I2": None}


def evidence(answers=MIXED, seconds=45, channel="counter", **kwargs):
    kwargs.setdefault("device_earlier", 0)
    return Evidence(answers=answers, seconds=seconds, channel=channel, **kwargs)


def test_an_ordinary_response_counts_and_notes_what_was_measured():
    verdict = screen(evidence())
    assert not verdict.excluded and verdict.signals == {"answered": 18}


def test_a_quick_satisfied_citizen_is_counted_with_signals_only():
    # 19 taps of "4 Hài lòng" in 12 s: 0.63 s a tap, quick and uniform, but a person.
    verdict = screen(evidence(ALL_FOURS, seconds=12))
    assert not verdict.excluded
    assert verdict.signals == {"answered": 19, "uniform": 4, "quick": True}


@pytest.mark.parametrize("seconds, excluded", [(7, True), (8, False), (0, True), (None, False)])
def test_uniform_answers_faster_than_the_taps_can_be_made_are_left_out(seconds, excluded):
    # 19 taps at 0.4 s each take 7.6 s at least.
    verdict = screen(evidence(ALL_FOURS, seconds=seconds))
    assert verdict.exclusions == ((INHUMAN,) if excluded else ())


def test_speed_alone_without_uniform_answers_is_only_a_signal():
    verdict = screen(evidence(MIXED, seconds=3))
    assert not verdict.excluded and verdict.signals["quick"] is True


def test_a_few_identical_answers_are_not_uniform():
    few = {"I0": 5, "I1": 5, "I2": 5}
    verdict = screen(evidence(few, seconds=1))
    assert not verdict.excluded and "uniform" not in verdict.signals


def test_a_filled_honeypot_is_left_out_on_the_web():
    assert screen(evidence(honeypot_filled=True)).exclusions == (HONEYPOT,)
    assert screen(evidence(honeypot_filled=True, channel="dossier")).exclusions == (HONEYPOT,)


def test_repeats_from_one_browser_beyond_the_day_maximum_are_left_out():
    assert not screen(evidence(device_earlier=2)).excluded  # the third of the day counts
    assert screen(evidence(device_earlier=3)).exclusions == (DEVICE,)
    assert screen(evidence(device_earlier=2)).signals["device_earlier"] == 2


def test_an_office_behind_one_address_is_counted_up_to_a_high_ceiling():
    ten_citizens = [screen(evidence(address_earlier=number)) for number in range(10)]
    assert not any(verdict.excluded for verdict in ten_citizens)
    assert not screen(evidence(address_earlier=29)).excluded
    assert screen(evidence(address_earlier=30)).exclusions == (ADDRESS,)


def test_a_browser_without_cookies_is_noted_not_excluded():
    verdict = screen(evidence(device_earlier=None))
    assert not verdict.excluded and verdict.signals["no_cookie"] is True


def test_a_dossier_link_is_never_left_out_for_speed_uniformity_device_or_address():
    verdict = screen(evidence(ALL_FOURS, seconds=1, channel="dossier", device_earlier=50,
                              address_earlier=500))
    assert not verdict.excluded and verdict.signals["uniform"] == 4


def test_the_tablet_is_one_device_for_everyone_but_held_to_the_other_rules():
    many = evidence(channel="tablet", device_earlier=None, address_earlier=29)
    assert not screen(many).excluded and "no_cookie" not in screen(many).signals
    assert screen(evidence(ALL_FOURS, seconds=2, channel="tablet")).exclusions == (INHUMAN,)
    # Someone who copied the tablet's link floods it from one address.
    flood = evidence(channel="tablet", address_earlier=30)
    assert screen(flood).exclusions == (ADDRESS,)
    assert screen(evidence(channel="tablet", honeypot_filled=True)).exclusions == (HONEYPOT,)


def test_paper_forms_keyed_in_by_staff_are_never_left_out():
    verdict = screen(evidence(ALL_FOURS, seconds=None, channel="paper", device_earlier=None,
                              address_earlier=999, honeypot_filled=True))
    assert not verdict.excluded and "no_cookie" not in verdict.signals


def test_thresholds_come_from_the_settings():
    rules = rules_from({"SURVEY_SECONDS_PER_TAP": 1.0, "SURVEY_UNIFORM_MIN_ANSWERS": 5,
                        "SURVEY_DEVICE_MAX_PER_DAY": 1, "SURVEY_ADDRESS_MAX_PER_HOUR": 100})
    assert screen(evidence(ALL_FOURS, seconds=12), rules).exclusions == (INHUMAN,)
    assert screen(evidence(device_earlier=1), rules).exclusions == (DEVICE,)
    assert not screen(evidence(address_earlier=50), rules).excluded


@pytest.mark.parametrize("bad", [dict(seconds_per_tap=-1), dict(device_max_per_day=0),
                                 dict(address_max_per_hour=0), dict(uniform_min_answers=0)])
def test_bad_thresholds_are_refused(bad):
    with pytest.raises(ValueError):
        ScreeningRules(**bad)


def test_the_main_reason_is_the_most_decisive():
    assert main_reason([ADDRESS, HONEYPOT]) == HONEYPOT
    assert main_reason(["too_fast"]) == "too_fast"
    assert main_reason([]) is None and main_reason(None) is None


def test_signals_are_described_in_words(app):
    with app.test_request_context("/?lang=en"):
        words = describe({"answered": 19, "uniform": 4, "address_earlier": 9})
    assert words == ["every answer at level 4", "9 earlier answers for this counter from this "
                     "address within an hour"]


@given(st.dictionaries(st.sampled_from([f"I{n}" for n in range(19)]),
                       st.one_of(st.none(), st.integers(1, 5))),
       st.one_of(st.none(), st.integers(0, 600)), st.integers(0, 20), st.integers(0, 20))
def test_without_strong_evidence_nothing_is_left_out(answers, seconds, device, address):
    verdict = screen(Evidence(answers=answers, seconds=seconds, channel="counter",
                              device_earlier=min(device, 2), address_earlier=address))
    given = [value for value in answers.values() if value is not None]
    impossible = (seconds is not None and len(given) >= 10 and len(set(given)) == 1
                  and seconds < 0.4 * len(given))
    assert verdict.excluded == impossible
