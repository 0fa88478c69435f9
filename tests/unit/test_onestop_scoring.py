"""TT 01/2018 scoring on a small realistic set, computed by hand (DOMAIN.md §7).

Ten dossiers over two units, evaluated on 10/07/2026 for the second quarter of 2026:

Unit DD (land management), 6 dossiers                    I1  I2  I3  I4  I6  I7
  D1 due 10/04, returned 08/04                            2   2   2   2   2   2
  D2 due 15/04, returned 15/04, 1 supplement, 1 body      1   1   1   1   2   1
  D3 due 05/05, returned 07/05, 2 supplements, 2 bodies;  0   0   0   0   1   0
     cooperating unit TX early, DD itself late; its
     procedure no longer in the catalogue
  D4 due 20/05, returned 18/05, 1 supplement; the         1c  2   2c  1c  2   2c
     citizen answered I1 on time, I3 none, I4 one body,
     I7 helpful (c: the citizen's answer stands)
  D5 open, due 25/06 (past)                               0   0   2   2   2   0
  D6 due 01/06, returned 30/05, a verified complaint,     2   2   2   2   2   0
     the citizen rated I7 "helpful"
  sum / 6                                                 6   7   9   8   11  5
  score (half up, one decimal)                            1.0 1.2 1.5 1.3 1.8 0.8
  unit level: I5 all through the counter, 25 % settled there -> 2; I8 10 received, 9 on
  time, 1 late (90 %) -> 1; I9 30 % of procedures at level 3-4, 20 % online, none late -> 1
  total 1.0+1.2+1.5+1.3+2+1.8+0.8+1+1 = 11.6 -> Khá

Unit TS (fisheries), 4 dossiers
  D7 due 20/04, returned 10/04                            2   2   2   2   2   2
  D8 due 30/04, returned 29/04, 1 body                    2   2   2   1   2   2
  D9 due 10/05, returned 09/05, 1 supplement, 1 body      2   2   1   1   2   2
  D10 open, due 20/07 (not yet): 1 body                   -   -   2   1   2   -
  score                                                   2.0 2.0 1.8 1.3 2.0 2.0
     (I3 7/4 = 1.75 -> 1.8; I4 5/4 = 1.25 -> 1.3 half up, not 1.2)
  unit level: I5 10 % settled -> 1; I8 nothing received -> 2; I9 25 %, 35 %, none late -> 2
  total 2+2+1.8+1.3+1+2+2+2+2 = 16.1 -> Xuất sắc

Officers (indices 1, 3, 4, 7): o1 received D1, D2, D3: (8 + 4 + 0) / 3 = 4.0 -> 70 to under
100 %; o2 received D7, D8: (8 + 7) / 2 = 7.5 -> 100 %.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from survey.onestop import scheme as schemes
from survey.onestop.scoring import (
    CITIZEN,
    SYSTEM,
    DossierFacts,
    FeedbackCounts,
    Participant,
    UnitFacts,
    aggregate,
    feedback_points,
    officer_rating,
    officer_score,
    score_dossier,
    unit_rating,
)

SCHEME = schemes.load_default()
AS_OF = date(2026, 7, 10)


def d(day: int, month: int) -> date:
    return date(2026, month, day)


UNIT_DD = [
    DossierFacts("D1", "DD", d(10, 4), d(8, 4), officer="o1"),
    DossierFacts("D2", "DD", d(15, 4), d(15, 4), supplements=1, bodies_contacted=1,
                 officer="o1"),
    DossierFacts("D3", "DD", d(5, 5), d(7, 5), supplements=2, bodies_contacted=2,
                 participants=(Participant("TX", d(28, 4), d(27, 4)),
                               Participant("DD", d(5, 5), d(7, 5))),
                 in_catalogue=False, officer="o1"),
    DossierFacts("D4", "DD", d(20, 5), d(18, 5), supplements=1,
                 citizen={1: 1, 3: 2, 4: 1, 7: 2}),
    DossierFacts("D5", "DD", d(25, 6), None),
    DossierFacts("D6", "DD", d(1, 6), d(30, 5), verified_complaint=True, citizen={7: 2}),
]
UNIT_TS = [
    DossierFacts("D7", "TS", d(20, 4), d(10, 4), officer="o2"),
    DossierFacts("D8", "TS", d(30, 4), d(29, 4), bodies_contacted=1, officer="o2"),
    DossierFacts("D9", "TS", d(10, 5), d(9, 5), supplements=1, bodies_contacted=1),
    DossierFacts("D10", "TS", d(20, 7), None, bodies_contacted=1),
]
FACTS_DD = UnitFacts(settled_share=Decimal(25), all_through_counter=True,
                     feedback=FeedbackCounts(10, 9, 1), level34_share=Decimal(30),
                     online_share=Decimal(20), online_late=0)
FACTS_TS = UnitFacts(settled_share=Decimal(10), all_through_counter=True,
                     feedback=FeedbackCounts(0, 0, 0), level34_share=Decimal(25),
                     online_share=Decimal(35), online_late=0)


def points(facts: DossierFacts) -> list:
    score = score_dossier(facts, SCHEME, AS_OF)
    return [score.points[number].points for number in (1, 2, 3, 4, 6, 7)]


@pytest.mark.parametrize("facts,expected", list(zip(UNIT_DD + UNIT_TS, [
    [2, 2, 2, 2, 2, 2], [1, 1, 1, 1, 2, 1], [0, 0, 0, 0, 1, 0], [1, 2, 2, 1, 2, 2],
    [0, 0, 2, 2, 2, 0], [2, 2, 2, 2, 2, 0],
    [2, 2, 2, 2, 2, 2], [2, 2, 2, 1, 2, 2], [2, 2, 1, 1, 2, 2], [None, None, 2, 1, 2, None],
], strict=True)), ids=lambda value: getattr(value, "code", ""))
def test_each_dossier_scores_as_computed_by_hand(facts, expected):
    assert points(facts) == expected


def test_the_citizens_answer_stands_and_says_so():
    score = score_dossier(UNIT_DD[3], SCHEME, AS_OF)
    assert score.points[1].points == 1 and score.points[1].source == CITIZEN  # system: early
    assert score.points[2].source == SYSTEM  # index 2 is not the citizen's to rate
    # a verified complaint outweighs the citizen's "helpful"
    complained = score_dossier(UNIT_DD[5], SCHEME, AS_OF).points[7]
    assert complained.points == 0 and complained.source == SYSTEM


def test_units_aggregate_per_article_15_and_get_their_rating():
    dd = aggregate("DD", [score_dossier(f, SCHEME, AS_OF) for f in UNIT_DD], SCHEME, FACTS_DD)
    ts = aggregate("TS", [score_dossier(f, SCHEME, AS_OF) for f in UNIT_TS], SCHEME, FACTS_TS)
    assert {n: str(v) for n, v in dd.indices.items()} == {
        1: "1.0", 2: "1.2", 3: "1.5", 4: "1.3", 5: "2.0", 6: "1.8", 7: "0.8", 8: "1.0", 9: "1.0"}
    assert {n: str(v) for n, v in ts.indices.items()} == {
        1: "2.0", 2: "2.0", 3: "1.8", 4: "1.3", 5: "1.0", 6: "2.0", 7: "2.0", 8: "2.0", 9: "2.0"}
    assert (dd.total, dd.dossiers) == (Decimal("11.6"), 6)
    assert ts.total == Decimal("16.1")
    assert unit_rating(SCHEME, dd.total).vi == "Khá"
    assert unit_rating(SCHEME, ts.total).vi == "Xuất sắc"


def test_officers_are_scored_on_indices_1_3_4_7_of_the_dossiers_they_received():
    scores = [score_dossier(f, SCHEME, AS_OF) for f in UNIT_DD + UNIT_TS]
    o1 = officer_score([s for s in scores if s.officer == "o1"], SCHEME)
    o2 = officer_score([s for s in scores if s.officer == "o2"], SCHEME)
    assert (o1, o2) == (Decimal("4.0"), Decimal("7.5"))
    assert officer_rating(SCHEME, o1).code == "most"
    assert officer_rating(SCHEME, o2).code == "full"
    assert officer_score([], SCHEME) is None and officer_rating(SCHEME, None) is None


def test_a_unit_without_dossiers_shows_no_total_never_zero():
    empty = aggregate("XX", [], SCHEME, FACTS_TS)
    assert empty.dossiers == 0 and empty.total is None and empty.indices[1] is None
    assert unit_rating(SCHEME, empty.total) is None


def test_a_unit_level_index_not_known_leaves_the_total_open():
    score = aggregate("DD", [score_dossier(f, SCHEME, AS_OF) for f in UNIT_DD], SCHEME,
                      UnitFacts(feedback=FeedbackCounts(0, 0, 0)))
    assert score.indices[5] is None and score.indices[8] == 2 and score.total is None


@pytest.mark.parametrize("counts,expected", [
    (FeedbackCounts(0, 0, 0), 2),  # none received
    (FeedbackCounts(12, 12, 0), 2),  # all on time, none prolonged
    (FeedbackCounts(12, 12, 0, prolonged=1), 0),  # one prolonged
    (FeedbackCounts(10, 9, 1), 1),  # 90 %
    (FeedbackCounts(9, 8, 1), 0),  # 88.9 %
    (FeedbackCounts(20, 18, 1, prolonged=1), 0),  # 94.7 % but one prolonged
    (FeedbackCounts(3, 0, 0), 2),  # received, none due yet: nothing late
    (FeedbackCounts(4, 0, 4), 0),  # all open past their deadline
])
def test_index_8_edge_cases(counts, expected):
    assert feedback_points(counts) == expected


def test_a_dossier_open_past_its_day_is_late_and_before_it_is_not_scored():
    open_late = DossierFacts("X", "DD", d(1, 7), None)
    assert points(open_late)[0] == 0
    assert points(DossierFacts("Y", "DD", d(11, 7), None))[0] is None
    assert points(DossierFacts("Z", "DD", d(10, 7), None))[0] is None  # due today


def test_the_worst_participating_unit_gives_index_2():
    late_partner = DossierFacts("P", "DD", d(10, 5), d(9, 5), participants=(
        Participant("TX", d(1, 5), d(2, 5)), Participant("DD", d(10, 5), d(9, 5))))
    assert points(late_partner)[1] == 0
    on_time = DossierFacts("Q", "DD", d(10, 5), d(9, 5), participants=(
        Participant("TX", d(1, 5), d(1, 5)), Participant("DD", d(10, 5), d(9, 5))))
    assert points(on_time)[1] == 1
