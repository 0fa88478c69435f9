"""TT 01/2018 scoring (DOMAIN.md §7): points per dossier and per unit, the aggregation of
Điều 15, ratings. Pure: plain values in, plain values out; the thresholds come from a
:class:`~survey.onestop.scheme.Scheme`.

Each index is worth 2, 1 or 0 points. A dossier is scored on the dossier-level indices
(1, 2, 3, 4, 6, 7 in TT 01), a unit on the unit-level ones (5, 8, 9). A unit's score on a
dossier-level index is the sum of its dossiers' points divided by their number, rounded half up
to one decimal (Điều 15); its total is the sum of its index scores (at most 18) and gives its
rating. Every point says where it came from: the citizen's own answer (which stands where the
law gives the index to the citizen: 1, 3, 4, 7), the one-stop system's record, or the
procedure catalogue.

Decisions where DOMAIN.md and TT 01 are silent (listed in docs/one-stop-evaluation.md):
times are compared by Vietnam calendar day (returned on the promised day is "on time"); a
dossier still open after its promised day scores 0 on the time indices; a late dossier without
a complaint gets 0 on index 7 (its 2 and 1 points both require the result on time); a verified
complaint about an officer gives 0 on index 7 whatever the citizen answered, and an unverified
one changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from survey.onestop.scheme import Band, Index, Scheme, rating

SYSTEM, CITIZEN, CATALOGUE, FEEDBACK, DECLARED = (
    "system", "citizen", "catalogue", "feedback", "declared")
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Participant:
    """A unit taking part in a dossier, with its own promised and done days."""

    unit: str
    due_on: date
    done_on: date | None = None


@dataclass(frozen=True)
class DossierFacts:
    """What is known of one dossier: imported from the one-stop system, the procedure
    catalogue, and the citizen's answers (points by index number)."""

    code: str
    unit: str
    due_on: date
    returned_on: date | None
    supplements: int = 0  # times the citizen was asked to come back and complete it
    bodies_contacted: int = 0  # bodies besides the one-stop section the citizen dealt with
    participants: tuple[Participant, ...] = ()  # the handling unit and cooperating units
    verified_complaint: bool = False  # a complaint about an officer, verified as founded
    in_catalogue: bool = True  # its procedure is published on the portal (electronic)
    posted: bool = True  # its unit posts the procedures at the office (declared)
    citizen: dict[int, int] = field(default_factory=dict)
    officer: str | None = None


@dataclass(frozen=True)
class Points:
    points: int | None  # None: cannot be scored yet (open, not yet due)
    source: str


@dataclass(frozen=True)
class DossierScore:
    code: str
    unit: str
    officer: str | None
    points: dict[int, Points]  # by index number

    @property
    def lost(self) -> bool:
        """Whether the dossier lost points on any index."""
        return any(p.points is not None and p.points < 2 for p in self.points.values())


@dataclass(frozen=True)
class FeedbackCounts:
    """Feedback and petitions received in the period by a unit, for index 8: answered on
    time, late (answered late, or still open past the deadline), prolonged."""

    received: int
    on_time: int
    late: int
    prolonged: int = 0

    @property
    def rate(self) -> Decimal | None:
        judged = self.on_time + self.late
        return Decimal(100 * self.on_time) / judged if judged else None


@dataclass(frozen=True)
class UnitFacts:
    """A unit's figures for the unit-level indices over a period; None where not known."""

    settled_share: Decimal | None = None  # % of its procedures the counter settles itself
    all_through_counter: bool | None = None  # every dossier received and returned there
    feedback: FeedbackCounts | None = None
    level34_share: Decimal | None = None  # % of its procedures online at level 3-4
    online_share: Decimal | None = None  # % of its dossiers received online
    online_late: int | None = None  # online dossiers late or not handled


@dataclass(frozen=True)
class UnitScore:
    unit: str
    dossiers: int
    indices: dict[int, Decimal | None]  # by index number; None: no dossiers / not known
    sources: dict[int, str]

    @property
    def total(self) -> Decimal | None:
        """The sum of the index scores; None unless every index has a score (a unit with no
        dossiers shows "no dossiers", never 0 points)."""
        if not self.dossiers or any(value is None for value in self.indices.values()):
            return None
        return sum(self.indices.values(), Decimal(0))


def round_tenth(value: Decimal) -> Decimal:
    """Rounded half up to one decimal, as Điều 15 and people do (1.25 -> 1.3)."""
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def by_days(done: date, due: date) -> int:
    """2 before the promised day, 1 on it, 0 after it."""
    return 2 if done < due else 1 if done == due else 0


def _time(due_on: date, done_on: date | None, as_of: date) -> int | None:
    if done_on is not None:
        return by_days(done_on, due_on)
    return 0 if as_of > due_on else None  # open: late once its day has passed


def _by_count(count: int) -> int:
    return 2 if count <= 0 else 1 if count == 1 else 0


def score_dossier(facts: DossierFacts, scheme: Scheme, as_of: date) -> DossierScore:
    """The points of one dossier on each dossier-level index of the scheme."""
    time = _time(facts.due_on, facts.returned_on, as_of)
    system: dict[str, int | None] = {
        "time_vs_due": time,
        "returns": _by_count(facts.supplements),
        "bodies": _by_count(facts.bodies_contacted),
    }
    participants = facts.participants or (
        Participant(facts.unit, facts.due_on, facts.returned_on),)
    times = [_time(p.due_on, p.done_on, as_of) for p in participants]
    system["participant_times"] = 0 if 0 in times else None if None in times else min(times)
    system["publication"] = int(facts.in_catalogue) + int(facts.posted)
    points: dict[int, Points] = {}
    for index in scheme.dossier_indices:
        answer = facts.citizen.get(index.number) if index.citizen else None
        if index.rule == "conduct":
            points[index.number] = _conduct(facts, time, answer)
        elif answer is not None:
            points[index.number] = Points(answer, CITIZEN)
        else:
            source = CATALOGUE if index.rule == "publication" else SYSTEM
            points[index.number] = Points(system[index.rule], source)
    return DossierScore(facts.code, facts.unit, facts.officer, points)


def _conduct(facts: DossierFacts, time: int | None, answer: int | None) -> Points:
    if facts.verified_complaint:
        return Points(0, SYSTEM)  # a founded complaint outweighs any rating
    if answer is not None:
        return Points(answer, CITIZEN)
    return Points(None if time is None else time, SYSTEM)


def unit_points(index: Index, facts: UnitFacts) -> int | None:
    """The points of a unit-level index, None when its figures are not known."""
    params = index.params
    if index.rule == "feedback_on_time":
        return feedback_points(facts.feedback, params["full"], params["partial"]) \
            if facts.feedback is not None else None
    if index.rule == "one_stop_share":
        if facts.all_through_counter is None:
            return None
        if not facts.all_through_counter:
            return 0
        settled = facts.settled_share or Decimal(0)
        return 2 if settled >= params["settled_share_full"] else 1
    if index.rule == "online_services":
        if facts.level34_share is None or facts.online_share is None \
                or facts.online_late is None:
            return None
        if facts.online_late:
            return 0
        if facts.level34_share >= params["level34_share"] \
                and facts.online_share >= params["online_share_full"]:
            return 2
        return 1 if facts.level34_share > 0 \
            and facts.online_share >= params["online_share_partial"] else 0
    raise ValueError(f"{index.rule} is not a unit-level rule")


def feedback_points(counts: FeedbackCounts, full: Decimal | int = 100,
                    partial: Decimal | int = 90) -> int:
    """Index 8: none received, or all handled on time and none prolonged: 2; at least
    ``partial`` % on time and none prolonged: 1; otherwise (or one prolonged) 0. A ticket
    still open past its deadline counts as late; when nothing has reached its deadline yet,
    nothing is late."""
    if counts.received == 0:
        return 2
    if counts.prolonged:
        return 0
    rate = counts.rate
    if rate is None or rate >= full:
        return 2
    return 1 if rate >= partial else 0


def aggregate(unit: str, scores: list[DossierScore], scheme: Scheme,
              facts: UnitFacts) -> UnitScore:
    """A unit's score on each index over a period (Điều 15), from its dossiers' scores."""
    sums = {}
    for index in scheme.dossier_indices:
        given = [score.points[index.number].points for score in scores
                 if score.points[index.number].points is not None]
        sums[index.rule] = (sum(given), len(given))
    return aggregate_sums(unit, len(scores), sums, scheme, {
        index.rule: unit_points(index, facts) for index in scheme.indices
        if index.level == "unit"})


def aggregate_sums(unit: str, dossiers: int, sums: dict[str, tuple[int, int] | None],
                   scheme: Scheme, unit_level: dict[str, int | Decimal | None]) -> UnitScore:
    """A unit's score from the sum of its dossiers' points and their number per dossier-level
    rule (None: not known), and the points of the unit-level rules: each dossier-level index
    is the sum divided by the number, rounded half up to one decimal (Điều 15)."""
    indices: dict[int, Decimal | None] = {}
    sources: dict[int, str] = {}
    for index in scheme.indices:
        if index.level == "unit":
            points = unit_level.get(index.rule)
            indices[index.number] = None if points is None else round_tenth(Decimal(points))
            sources[index.number] = FEEDBACK if index.rule == "feedback_on_time" else DECLARED
            continue
        total, count = sums.get(index.rule) or (0, 0)
        indices[index.number] = round_tenth(Decimal(total) / count) if count else None
        sources[index.number] = SYSTEM
    return UnitScore(unit, dossiers, indices, sources)


def officer_score(scores: list[DossierScore], scheme: Scheme) -> Decimal | None:
    """An officer's score: the average, over the dossiers they received, of the points on the
    scheme's officer indices (TT 01: 1, 3, 4, 7), one decimal; None without dossiers."""
    totals = [sum(score.points[number].points for number in scheme.officer_indices)
              for score in scores
              if all(score.points[number].points is not None
                     for number in scheme.officer_indices)]
    return round_tenth(Decimal(sum(totals)) / len(totals)) if totals else None


def unit_rating(scheme: Scheme, total: Decimal | None) -> Band | None:
    return rating(scheme.unit_ratings, total)


def officer_rating(scheme: Scheme, score: Decimal | None) -> Band | None:
    return rating(scheme.officer_ratings, score)


# The dossier-level rules in the order of Dossier's stored columns (pt_time …).
STORED_RULES = {"time_vs_due": "pt_time", "participant_times": "pt_participants",
                "returns": "pt_returns", "bodies": "pt_bodies", "publication": "pt_catalogue",
                "conduct": "pt_conduct"}


def scored_on(status: str, due_on: date, returned_on: date | None, as_of: date) -> date | None:
    """The day a dossier is evaluated on, which decides its period: the day its result (or
    refusal) was returned; for one still open, its promised day once that has passed; none
    for a withdrawn dossier or one open before its day."""
    if status in ("returned", "refused"):
        return returned_on
    if status == "in_progress" and due_on < as_of:
        return due_on
    return None


def stored_points(facts: DossierFacts, status: str, scheme: Scheme, as_of: date) -> dict:
    """The columns Dossier keeps of its score: evaluation day and month, points per rule (the
    catalogue's half of index 6 only: the unit's declaration adds the posted half), the
    officer's points, whether it lost points, the rules the citizen rated, the scheme."""
    day = scored_on(status, facts.due_on, facts.returned_on, as_of)
    score = score_dossier(facts, scheme, as_of) if day else None
    values: dict = {"scored_on": day, "scored_month": day.replace(day=1) if day else None,
                    "scheme_version": scheme.version if day else None}
    by_rule = {index.rule: index.number for index in scheme.dossier_indices}
    for rule, column in STORED_RULES.items():
        number = by_rule.get(rule)
        points = score.points[number].points if score and number else None
        if rule == "publication" and points is not None:
            points = int(facts.in_catalogue)
        values[column] = points
    officer = [score.points[number].points for number in scheme.officer_indices] \
        if score else [None]
    values["pt_officer"] = None if None in officer else sum(officer)
    values["lost_points"] = bool(score) and any(
        values[column] is not None and values[column] < (1 if rule == "publication" else 2)
        for rule, column in STORED_RULES.items())
    citizen = sorted(index.rule for index in scheme.dossier_indices
                     if score and score.points[index.number].source == CITIZEN)
    values["citizen_rules"] = ",".join(citizen) or None
    return values
