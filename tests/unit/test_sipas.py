"""The index engine against figures computed by hand."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.sipas import (
    IndexRules,
    combine,
    index,
    item_result,
    mean_of_rates,
    ranking,
    rate_of,
    wilson_interval,
)


def approx(value, digits=4):
    return pytest.approx(value, abs=10 ** -digits)


@pytest.mark.parametrize("successes, n, low, high", [
    # p = 0.5, n = 10: centre 0.5, half-width 1.96·√(0.025 + 0.009604) / 1.38415 = 0.26341
    (5, 10, 0.23659, 0.76341),
    # 0 of 10: centre = half-width = (1.96²/20) / 1.38415 = 0.13876
    (0, 10, 0.0, 0.27753),
    (10, 10, 0.72247, 1.0),
    # 30 of 40: p = .75, z²/n = .096036; centre (.75 + .048018)/1.096036 = .72810,
    # half 1.96·√(.0046875 + .00060022)/1.096036 = .13002
    (30, 40, 0.59808, 0.85812),
])
def test_wilson_interval_by_hand(successes, n, low, high):
    got_low, got_high = wilson_interval(successes, n)
    assert got_low == approx(low) and got_high == approx(high)


@pytest.mark.parametrize("successes, n", [(1, 0), (-1, 5), (6, 5)])
def test_wilson_interval_refuses_impossible_counts(successes, n):
    with pytest.raises(ValueError):
        wilson_interval(successes, n)


def test_item_figures_by_hand():
    # 10 × 5, 20 × 4, 5 × 3, 3 × 2, 2 × 1 and 4 "no answer"
    item = item_result("CC1", {5: 10, 4: 20, 3: 5, 2: 3, 1: 2, None: 4})
    assert item.n == 40 and item.not_applicable == 4 and item.satisfied == 30
    assert item.distribution == {1: 2, 2: 3, 3: 5, 4: 20, 5: 10}
    assert item.result.rate == 75.0
    assert item.mean == approx(153 / 40)  # (50 + 80 + 15 + 6 + 2) / 40 = 3.825
    assert item.result.low == approx(59.808, 2) and item.result.high == approx(85.812, 2)
    assert item.result.sufficient


def test_no_answer_is_excluded_not_counted_as_dissatisfied():
    item = item_result("PA1", {5: 3, None: 97})
    assert item.n == 3 and item.result.rate == 100.0 and not item.result.sufficient


def test_an_unanswered_item_has_no_rate():
    item = item_result("PA2", {None: 12})
    assert item.n == 0 and item.result.rate is None and item.mean is None
    assert not item.result.sufficient


def test_satisfied_levels_are_configurable():
    counts = {5: 10, 4: 20, 3: 10}
    assert item_result("X", counts, IndexRules(satisfied_levels=frozenset({5}))).result.rate \
        == 25.0
    assert item_result("X", counts, IndexRules(satisfied_levels=frozenset({3, 4, 5}))) \
        .result.rate == 100.0


@pytest.mark.parametrize("rules", [dict(satisfied_levels=frozenset()),
                                   dict(satisfied_levels=frozenset({6})),
                                   dict(min_sample=0)])
def test_bad_rules_are_refused(rules):
    with pytest.raises(ValueError):
        IndexRules(**rules)


@pytest.mark.parametrize("counts", [{0: 1}, {6: 1}, {"5": 1}, {5: -1}])
def test_bad_counts_are_refused(counts):
    with pytest.raises(ValueError):
        item_result("X", counts)


def test_minimum_sample_is_configurable_and_flags():
    counts = {5: 29}
    assert not item_result("X", counts).result.sufficient
    assert item_result("X", {5: 30}).result.sufficient
    assert item_result("X", counts, IndexRules(min_sample=10)).result.sufficient


def test_dimension_is_the_mean_of_item_rates_and_overall_the_mean_of_dimensions():
    structure = {"TIEP_CAN": ["TC1", "TC2"], "KET_QUA": ["KQ1"]}
    counts = {
        "TC1": {5: 40, 1: 10},  # 80 %
        "TC2": {4: 30, 2: 30},  # 50 %
        "KQ1": {5: 45, 3: 5},  # 90 %
    }
    overall = index(structure, counts)
    tiep_can, ket_qua = overall.parts
    assert tiep_can.result.rate == approx(65.0)  # (80 + 50) / 2, not pooled 70/110
    assert tiep_can.result.n == 55  # mean of 50 and 60
    assert ket_qua.result.rate == approx(90.0)
    assert overall.result.rate == approx(77.5)  # (65 + 90) / 2
    assert overall.result.sufficient
    assert overall.result.low < 77.5 < overall.result.high


def test_items_without_answers_do_not_pull_a_dimension_down():
    structure = {"PAKN": ["PA1", "PA2", "PA3"]}
    result = index(structure, {"PA1": {5: 40}, "PA2": {None: 40}})
    assert result.parts[0].result.rate == 100.0


def test_a_dimension_with_an_item_under_the_minimum_is_flagged():
    structure = {"D": ["A", "B"]}
    result = index(structure, {"A": {5: 100}, "B": {5: 5}})
    assert result.parts[0].result.rate == 100.0 and not result.parts[0].result.sufficient
    # The mean n (52) reaches 30, yet one statement has 5: the figure says the smaller one.
    assert result.parts[0].result.n == 52 and result.parts[0].result.smallest_n == 5
    assert result.result.smallest_n == 5 and not result.result.sufficient


@given(st.lists(st.integers(0, 80), min_size=1, max_size=6))
def test_a_group_is_sufficient_exactly_when_its_smallest_sample_is(sizes):
    structure = {"D": [f"I{number}" for number in range(len(sizes))]}
    counts = {f"I{number}": {4: size} for number, size in enumerate(sizes)}
    result = index(structure, counts).result
    answered = [size for size in sizes if size]
    if answered:
        assert result.smallest_n == min(answered)
        assert result.sufficient == (min(answered) >= 30)


def test_nothing_answered_gives_no_rate():
    result = index({"D": ["A"]}, {})
    assert result.result.rate is None and result.result.n == 0


def test_mean_of_no_parts():
    assert mean_of_rates("X", []).result.rate is None


def test_ranking_leaves_out_small_samples_and_sorts_best_first():
    rules = IndexRules()
    results = [("Q1", rate_of(40, 50, rules)), ("Q2", rate_of(29, 29, rules)),
               ("Q3", rate_of(45, 50, rules)), ("Q4", rate_of(0, 0, rules))]
    assert [ranked.key for ranked in ranking(results)] == ["Q3", "Q1"]


def test_combining_counters_by_volume_or_equally():
    busy, quiet = (90, 100), (10, 40)  # 90 % and 25 %
    assert combine([busy, quiet], weighting="volume").rate == approx(100 * 100 / 140)
    assert combine([busy, quiet], weighting="equal").rate == approx(57.5)
    with pytest.raises(ValueError):
        combine([busy], weighting="median")


@given(st.dictionaries(st.sampled_from([1, 2, 3, 4, 5, None]), st.integers(0, 10_000)))
def test_any_counts_give_a_rate_inside_its_interval(counts):
    item = item_result("X", counts)
    if item.result.rate is None:
        assert item.n == 0
    else:
        assert 0 <= item.result.low <= item.result.rate <= item.result.high <= 100


@given(st.lists(st.dictionaries(st.sampled_from([1, 2, 3, 4, 5, None]),
                                st.integers(0, 500)), min_size=1, max_size=6))
def test_overall_rate_stays_within_its_items(all_counts):
    structure = {f"D{i}": [f"I{i}"] for i in range(len(all_counts))}
    counts = {f"I{i}": c for i, c in enumerate(all_counts)}
    result = index(structure, counts)
    rates = [item_result("x", c).result.rate for c in all_counts]
    rates = [r for r in rates if r is not None]
    if rates:
        assert min(rates) - 1e-9 <= result.result.rate <= max(rates) + 1e-9
        assert result.result.low <= result.result.rate <= result.result.high


def test_equal_weighting_gives_each_counter_the_same_say():
    from survey.sipas import equal_weight_item, index_equal_groups

    busy = item_result("CC1", {5: 90, 1: 10})  # 90 % of 100
    quiet = item_result("CC1", {5: 10, 1: 30})  # 25 % of 40
    combined = equal_weight_item("CC1", [busy, quiet])
    assert combined.result.rate == approx(57.5) and combined.n == 140
    assert combined.distribution[5] == 100 and combined.satisfied == 100
    assert combined.result.low < 57.5 < combined.result.high
    result = index_equal_groups({"D": ["CC1"]}, {"Q1": {"CC1": {5: 90, 1: 10}},
                                                 "Q2": {"CC1": {5: 10, 1: 30}}})
    assert result.result.rate == approx(57.5)
    assert index({"D": ["CC1"]}, {"CC1": {5: 100, 1: 40}}).result.rate == approx(100 / 1.4)


def test_equal_weighting_skips_counters_without_answers():
    from survey.sipas import equal_weight_item

    combined = equal_weight_item("X", [item_result("X", {5: 30}), item_result("X", {None: 4})])
    assert combined.result.rate == 100.0 and combined.not_applicable == 4
    assert equal_weight_item("X", [item_result("X", {})]).result.rate is None
