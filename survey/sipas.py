"""The satisfaction index, computed the SIPAS way (DOMAIN.md §3, sipas-instrument.yaml `index`).

Pure: no Flask, no database. Callers aggregate answers in SQL into counts per item and level
and hand them here. The result is the department's *internal* index computed the SIPAS way,
not the Ministry's official SIPAS index (that one comes from its own fieldwork).

- item rate: share of valid answers (levels 1-5; "no answer" excluded) at a satisfied level
  (4 and 5 by default), in percent, with n and a 95% Wilson interval;
- dimension rate: mean of its item rates; overall rate: mean of the dimension rates;
- fewer valid answers than the minimum sample (30 by default): shown, flagged as
  insufficient, never ranked.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

LEVELS = (1, 2, 3, 4, 5)
Z_95 = 1.959963984540054  # two-sided 95% normal quantile


@dataclass(frozen=True)
class IndexRules:
    """The configurable parts of the formula (the official one is not confirmed)."""

    satisfied_levels: frozenset[int] = frozenset({4, 5})
    min_sample: int = 30
    z: float = Z_95

    def __post_init__(self):
        if not self.satisfied_levels or not set(self.satisfied_levels) <= set(LEVELS):
            raise ValueError("satisfied_levels must be a non-empty subset of 1-5")
        if self.min_sample < 1:
            raise ValueError("min_sample must be at least 1")


@dataclass(frozen=True)
class Rate:
    """A percentage with its sample size and 95% interval (all in percent)."""

    n: int
    rate: float | None  # None when nothing was answered
    low: float | None
    high: float | None
    sufficient: bool  # n reaches the minimum sample: may be ranked and compared
    # The fewest valid answers behind the rate: n for a statement, the smallest n among the
    # statements of a dimension or the index. A group is sufficient exactly when this is.
    fewest: int | None = None

    @property
    def smallest_n(self) -> int:
        return self.n if self.fewest is None else self.fewest


@dataclass(frozen=True)
class ItemResult:
    code: str
    distribution: dict[int, int]  # level -> answers
    not_applicable: int  # "no answer / not applicable"
    mean: float | None  # mean level of the valid answers
    satisfied: int
    result: Rate

    @property
    def n(self) -> int:
        return self.result.n


@dataclass(frozen=True)
class GroupResult:
    """A dimension (mean of item rates) or the overall index (mean of dimension rates)."""

    code: str
    result: Rate
    parts: tuple = field(default=())


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for successes out of n, as proportions in [0, 1].

    :raise ValueError: for n < 1 or successes outside 0..n.
    """
    if n < 1 or not 0 <= successes <= n:
        raise ValueError("need 0 <= successes <= n and n >= 1")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # At 0 and n the exact bounds are 0 and 1; floating point would miss them by 1e-16.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def rate_of(satisfied: int, n: int, rules: IndexRules) -> Rate:
    if n == 0:
        return Rate(n=0, rate=None, low=None, high=None, sufficient=False)
    low, high = wilson_interval(satisfied, n, rules.z)
    return Rate(n=n, rate=100 * satisfied / n, low=100 * low, high=100 * high,
                sufficient=n >= rules.min_sample, fewest=n)


def item_result(code: str, counts: Mapping[int | None, int],
                rules: IndexRules = IndexRules()) -> ItemResult:
    """One statement's figures from its answer counts; key None counts "no answer".

    :raise ValueError: for a level outside 1-5 or a negative count.
    """
    distribution = {level: 0 for level in LEVELS}
    not_applicable = 0
    for level, count in counts.items():
        if count < 0:
            raise ValueError("counts cannot be negative")
        if level is None:
            not_applicable += count
        elif level in distribution:
            distribution[level] += count
        else:
            raise ValueError(f"level {level!r} is not on the 1-5 scale")
    n = sum(distribution.values())
    satisfied = sum(distribution[level] for level in rules.satisfied_levels)
    mean = sum(level * count for level, count in distribution.items()) / n if n else None
    return ItemResult(code=code, distribution=distribution, not_applicable=not_applicable,
                      mean=mean, satisfied=satisfied, result=rate_of(satisfied, n, rules))


def mean_of_rates(code: str, parts: Sequence, rules: IndexRules = IndexRules()) -> GroupResult:
    """The mean of the parts' rates (parts with no answers are left out).

    n is the mean sample size of the parts that count, rounded down; the interval is the
    Wilson interval of the mean rate at that n (an approximation: the parts share
    respondents, so their errors are not independent).
    """
    counted = [part for part in parts if part.result.rate is not None]
    if not counted:
        return GroupResult(code=code, result=Rate(0, None, None, None, False), parts=tuple(parts))
    rate = sum(part.result.rate for part in counted) / len(counted)
    n = sum(part.result.n for part in counted) // len(counted)
    if n == 0:
        return GroupResult(code, Rate(0, None, None, None, False), tuple(parts))
    low, high = wilson_interval(round(rate * n / 100), n, rules.z)
    # The interval must contain the rate itself even after rounding the success count.
    low, high = min(100 * low, rate), max(100 * high, rate)
    sufficient = all(part.result.sufficient for part in counted)
    fewest = min(part.result.smallest_n for part in counted)
    return GroupResult(code=code, result=Rate(n, rate, low, high, sufficient, fewest),
                       parts=tuple(parts))


def index(dimensions: Mapping[str, Sequence[str]], counts: Mapping[str, Mapping],
          rules: IndexRules = IndexRules()) -> GroupResult:
    """The whole index: ``dimensions`` maps a dimension code to its item codes (the
    questionnaire's structure); ``counts`` maps an item code to its answer counts."""
    dimension_results = []
    for dimension_code, item_codes in dimensions.items():
        items = [item_result(code, counts.get(code, {}), rules) for code in item_codes]
        dimension_results.append(mean_of_rates(dimension_code, items, rules))
    return mean_of_rates("OVERALL", dimension_results, rules)


@dataclass(frozen=True)
class Ranked:
    key: object
    result: Rate


def ranking(results: Iterable[tuple[object, Rate]]) -> list[Ranked]:
    """Best first; groups under the minimum sample are never ranked (left out)."""
    eligible = [Ranked(key, rate) for key, rate in results
                if rate.sufficient and rate.rate is not None]
    return sorted(eligible, key=lambda ranked: -ranked.result.rate)


def combine(groups: Sequence[tuple[int, int]], *, weighting: str,
            rules: IndexRules = IndexRules()) -> Rate:
    """One rate over several groups (e.g. counters), each given as (satisfied, n).

    weighting "volume": every answer counts the same (pooled). "equal": every group with
    answers counts the same, whatever its volume (a busy counter does not drown a quiet one).

    :raise ValueError: for an unknown weighting.
    """
    if weighting == "volume":
        return rate_of(sum(s for s, _ in groups), sum(n for _, n in groups), rules)
    if weighting == "equal":
        parts = [ItemResult("", {}, 0, None, s, rate_of(s, n, rules)) for s, n in groups]
        return mean_of_rates("", parts, rules).result
    raise ValueError("weighting must be 'volume' or 'equal'")


def equal_weight_item(code: str, per_group: Sequence[ItemResult],
                      rules: IndexRules = IndexRules()) -> ItemResult:
    """One item over several groups (counters) each counting the same, whatever its volume:
    the rate is the mean of the groups' rates; counts are summed. The interval is the Wilson
    interval of that rate at the summed n (an approximation)."""
    answered = [item for item in per_group if item.result.rate is not None]
    distribution = {level: sum(item.distribution[level] for item in per_group)
                    for level in LEVELS}
    n = sum(distribution.values())
    satisfied = sum(item.satisfied for item in per_group)
    not_applicable = sum(item.not_applicable for item in per_group)
    if not answered:
        return ItemResult(code, distribution, not_applicable, None, satisfied,
                          Rate(0, None, None, None, False))
    rate = sum(item.result.rate for item in answered) / len(answered)
    low, high = wilson_interval(round(rate * n / 100), n, rules.z)
    mean = sum(item.mean for item in answered) / len(answered)
    return ItemResult(code, distribution, not_applicable, mean, satisfied,
                      Rate(n, rate, min(100 * low, rate), max(100 * high, rate),
                           n >= rules.min_sample, n))


def index_equal_groups(dimensions: Mapping[str, Sequence[str]],
                       counts_by_group: Mapping[object, Mapping[str, Mapping]],
                       rules: IndexRules = IndexRules()) -> GroupResult:
    """:func:`index` with every group (counter) weighted equally at the item level."""
    dimension_results = []
    for dimension_code, item_codes in dimensions.items():
        items = [equal_weight_item(code, [item_result(code, counts.get(code, {}), rules)
                                          for counts in counts_by_group.values()], rules)
                 for code in item_codes]
        dimension_results.append(mean_of_rates(dimension_code, items, rules))
    return mean_of_rates("OVERALL", dimension_results, rules)
