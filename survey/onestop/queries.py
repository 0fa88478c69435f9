"""Reads of the one-stop evaluation: the scoreboard per unit and officer for a quarter or a
year, from the monthly figures (so a page costs the same at 10,000 and 1,000,000 dossiers),
and the dossiers that lost points."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback import reports as feedback_reports
from feedback.queries import Period as FeedbackPeriod
from portal.auth.models import Unit, User
from portal.pages.models import LEVEL_FULL, LEVEL_PARTIAL, Procedure
from portal.pagination import Page, paginate
from portal.text import whole_number
from survey.onestop import scoring
from survey.onestop.models import Declaration, Dossier, OfficerMonth, UnitMonth
from survey.onestop.scheme import Band, Scheme

RULE_COLUMNS = {rule: column.removeprefix("pt_") for rule, column in
                scoring.STORED_RULES.items()}


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None  # None: the whole year

    @property
    def quarters(self) -> list[int]:
        return [self.quarter] if self.quarter else [1, 2, 3, 4]

    @property
    def months(self) -> list[date]:
        return [date(self.year, month, 1) for quarter in self.quarters
                for month in range(3 * quarter - 2, 3 * quarter + 1)]

    @property
    def first_day(self) -> date:
        return self.months[0]

    @property
    def last_day(self) -> date:
        last = self.months[-1]
        following = date(last.year + 1, 1, 1) if last.month == 12 else \
            date(last.year, last.month + 1, 1)
        return following - timedelta(days=1)


def period_from(args, today: date) -> Period:
    """The period asked for in a query string (year, quarter), within reason: the current
    year when the year is missing or out of range, the whole year without a quarter."""
    year = whole_number(args.get("year", ""), 4) or 0
    year = year if 2000 <= year <= today.year else today.year
    quarter = args.get("quarter", "")
    return Period(year, int(quarter) if quarter in ("1", "2", "3", "4") else None)


def years(today: date) -> range:
    return range(today.year, max(today.year - 5, 2000) - 1, -1)


def quarter_of(month: date) -> int:
    return (month.month - 1) // 3 + 1


@dataclass(frozen=True)
class UnitRow:
    unit: Unit | None  # None: the whole department
    score: scoring.UnitScore
    rating: Band | None
    lost: int  # dossiers that lost points
    undeclared: list[int]  # quarters with dossiers and no declaration


@dataclass(frozen=True)
class Board:
    units: list[UnitRow]
    department: UnitRow


@dataclass(frozen=True)
class OfficerRow:
    officer: User
    dossiers: int
    score: Decimal | None
    rating: Band | None


def level34_share(session: Session) -> Decimal | None:
    """The share (%) of the catalogue's procedures offered online at level 3 or 4 (một phần,
    toàn trình): index 9 reads it for every unit, since the catalogue does not say which unit
    provides a procedure."""
    total, online = session.execute(select(
        func.count(Procedure.id),
        func.count(Procedure.id).filter(Procedure.level.in_((LEVEL_FULL, LEVEL_PARTIAL))))
        .where(Procedure.retired_at.is_(None))).one()
    return Decimal(100 * online) / total if total else None


@dataclass
class _Inputs:
    """What a unit's (or the department's) score is computed from."""

    dossiers: int = 0
    sums: dict[str, tuple[int, int] | None] = field(default_factory=dict)  # per dossier rule
    index5: list[Decimal | None] = field(default_factory=list)  # per unit with dossiers
    online: int = 0
    online_late: int = 0
    lost: int = 0
    undeclared: set[int] = field(default_factory=set)
    feedback: tuple[int, int, int, int] = (0, 0, 0, 0)


def scoreboard(session: Session, period: Period, scheme: Scheme) -> Board:
    """Every active unit's score for the period, from the monthly figures, its declarations,
    the feedback it received (index 8) and the catalogue (index 9); and the department's, over
    all its dossiers and all the feedback it received."""
    units = list(session.scalars(Unit.ordered()))  # the department counts retired units too
    figures: dict[tuple[int, int], dict] = {}
    for row in session.execute(select(UnitMonth).where(UnitMonth.month.in_(period.months))):
        month = row.UnitMonth
        key = (month.unit_id, quarter_of(month.month))
        sums = figures.setdefault(key, {"dossiers": 0, "online": 0, "online_late": 0,
                                        "lost": 0})
        for name in ("dossiers", "online", "online_late", "lost"):
            sums[name] += getattr(month, name)
        for name in RULE_COLUMNS.values():
            for prefix in ("sum_", "n_"):
                sums[prefix + name] = sums.get(prefix + name, 0) + getattr(month, prefix + name)
    declarations = {(d.unit_id, d.quarter): d for d in session.scalars(select(Declaration).where(
        Declaration.year == period.year, Declaration.quarter.in_(period.quarters)))}
    feedback = feedback_reports.index8_counts(
        session, FeedbackPeriod(period.first_day, period.last_day))
    level34 = level34_share(session)
    rows, department = [], _Inputs(feedback=tuple(
        sum(counts[i] for counts in feedback.values()) for i in range(4)))
    for unit in units:
        quarters = {q: figures[(unit.id, q)] for q in period.quarters if (unit.id, q) in figures}
        inputs = _unit_inputs(unit, quarters, declarations, scheme)
        inputs.feedback = feedback.get(unit.id) or (0, 0, 0, 0)
        if unit.active:  # a unit retired since shows no row of its own
            rows.append(_row(unit, inputs, level34, scheme))
        _add(department, inputs)
    return Board(rows, _row(None, department, level34, scheme))


def _unit_inputs(unit: Unit, quarters: dict[int, dict], declarations: dict,
                 scheme: Scheme) -> _Inputs:
    total = {key: sum(q.get(key, 0) for q in quarters.values())
             for key in {key for q in quarters.values() for key in q}}
    undeclared = {q for q in quarters if (unit.id, q) not in declarations}
    sums: dict[str, tuple[int, int] | None] = {
        rule: (total.get(f"sum_{name}", 0), total.get(f"n_{name}", 0))
        for rule, name in RULE_COLUMNS.items()}
    # index 6: the catalogue's half per dossier, plus the posted half the unit declared
    if undeclared:
        sums["publication"] = None
    else:
        sums["publication"] = (sum(
            q.get("sum_catalogue", 0) + q.get("n_catalogue", 0) * int(
                declarations[(unit.id, number)].procedures_posted)
            for number, q in quarters.items()), total.get("n_catalogue", 0))
    index5 = scheme.by_rule("one_stop_share")
    points = [scoring.unit_points(index5, scoring.UnitFacts(
        settled_share=Decimal(str(declarations[(unit.id, q)].settled_share)),
        all_through_counter=declarations[(unit.id, q)].all_through_counter))
        for q in quarters if (unit.id, q) in declarations] if index5 else []
    dossiers = total.get("dossiers", 0)
    return _Inputs(dossiers=dossiers, sums=sums, index5=[
        None if undeclared or not points else Decimal(sum(points)) / len(points)]
        if dossiers else [], online=total.get("online", 0),
        online_late=total.get("online_late", 0), lost=total.get("lost", 0),
        undeclared=undeclared)


def _add(department: _Inputs, unit: _Inputs) -> None:
    """The department's inputs gain a unit's: its dossiers' points add up (Điều 15 over all
    the department's dossiers); its index 5 joins the mean of the units'."""
    department.dossiers += unit.dossiers
    for rule, value in unit.sums.items():
        if rule in department.sums and department.sums[rule] is None:
            continue
        before = department.sums.get(rule, (0, 0))
        department.sums[rule] = None if value is None else \
            (before[0] + value[0], before[1] + value[1])
    department.index5 += unit.index5
    department.online += unit.online
    department.online_late += unit.online_late
    department.lost += unit.lost
    department.undeclared |= unit.undeclared


def _row(unit: Unit | None, inputs: _Inputs, level34: Decimal | None,
         scheme: Scheme) -> UnitRow:
    dossiers = inputs.dossiers
    unit_level: dict[str, int | Decimal | None] = {}
    if scheme.by_rule("one_stop_share"):
        known = inputs.index5
        unit_level["one_stop_share"] = None if not known or None in known else \
            sum(known, Decimal(0)) / len(known)
    index8 = scheme.by_rule("feedback_on_time")
    if index8:
        unit_level["feedback_on_time"] = scoring.unit_points(
            index8, scoring.UnitFacts(feedback=scoring.FeedbackCounts(*inputs.feedback)))
    index9 = scheme.by_rule("online_services")
    if index9:
        unit_level["online_services"] = scoring.unit_points(index9, scoring.UnitFacts(
            level34_share=level34, online_share=Decimal(100 * inputs.online) / dossiers,
            online_late=inputs.online_late)) if dossiers else None
    score = scoring.aggregate_sums(unit.code if unit else "", dossiers, inputs.sums, scheme,
                                   unit_level)
    return UnitRow(unit, score, scoring.unit_rating(scheme, score.total), inputs.lost,
                   sorted(inputs.undeclared))


def officers(session: Session, period: Period, scheme: Scheme) -> list[OfficerRow]:
    """Each receiving officer's score for the period (the scheme's officer indices)."""
    statement = (select(OfficerMonth.officer_id, func.sum(OfficerMonth.dossiers),
                        func.sum(OfficerMonth.scored), func.sum(OfficerMonth.points))
                 .where(OfficerMonth.month.in_(period.months))
                 .group_by(OfficerMonth.officer_id))
    figures = {officer: (dossiers, scored, points)
               for officer, dossiers, scored, points in session.execute(statement)}
    people = session.scalars(select(User).where(User.id.in_(list(figures)))
                             .order_by(User.full_name)) if figures else []
    rows = []
    for person in people:
        dossiers, scored, points = figures[person.id]
        score = scoring.round_tenth(Decimal(points) / scored) if scored else None
        rows.append(OfficerRow(person, dossiers, score, scoring.officer_rating(scheme, score)))
    return rows


def lost_dossiers(session: Session, unit: Unit, period: Period, page: int,
                  per_page: int = 25) -> Page:
    """The unit's dossiers evaluated in the period that lost points, latest first; their
    number comes from the monthly figures, so a page costs the same whatever the size."""
    total = session.scalar(select(func.coalesce(func.sum(UnitMonth.lost), 0)).where(
        UnitMonth.unit_id == unit.id, UnitMonth.month.in_(period.months))) or 0
    statement = (select(Dossier)
                 .where(Dossier.unit_id == unit.id, Dossier.scored_on >= period.first_day,
                        Dossier.scored_on <= period.last_day, Dossier.lost_points.is_(True))
                 .order_by(Dossier.scored_on.desc(), Dossier.id.desc())
                 .limit(per_page).offset((page - 1) * per_page))
    return Page(items=list(session.scalars(statement)), total=total, page=page,
                per_page=per_page)


def declaration(session: Session, unit: Unit, year: int, quarter: int) -> Declaration | None:
    return session.scalar(select(Declaration).where(
        Declaration.unit_id == unit.id, Declaration.year == year, Declaration.quarter == quarter))


def board_rows(board: Board, period: Period, scheme: Scheme, department: str):
    """The scoreboard as one table, for CSV and XLSX: codes in the header, no personal data;
    the department's row last, with an empty unit code."""
    numbers = [index.number for index in scheme.indices]
    yield (["scheme", "year", "quarter", "unit_code", "unit", "dossiers"]
           + [f"index_{number}" for number in numbers] + ["total", "rating"])
    for row in [*board.units, board.department]:
        yield ([scheme.version, period.year, period.quarter or "",
                row.unit.code if row.unit else "", row.unit.name if row.unit else department,
                row.score.dossiers]
               + [_cell(row.score.indices[number]) for number in numbers]
               + [_cell(row.score.total), row.rating.vi if row.rating else ""])


def _cell(value: Decimal | None):
    return "" if value is None else float(value)


def late_dossiers(session: Session, due_by: date, unit_id: int | None, page: int,
                  per_page: int = 25) -> Page:
    """Open dossiers without an apology whose promised day is ``due_by`` or earlier (due
    within one working day, or already late), the most urgent first; one unit's or all."""
    statement = (select(Dossier).where(Dossier.status == "in_progress",
                                       Dossier.new_due_on.is_(None), Dossier.due_on <= due_by)
                 .order_by(Dossier.due_on, Dossier.id))
    if unit_id is not None:
        statement = statement.where(Dossier.unit_id == unit_id)
    return paginate(session, statement, page, per_page)


@dataclass(frozen=True)
class OfficerMonthLine:
    month: date
    dossiers: int
    score: Decimal | None
    rating: Band | None
    late: int  # dossiers evaluated in the month that were late (index 1: 0 points)
    apologies: int  # apologies recorded in the month for dossiers the officer received


def officer_year(session: Session, officer: User, year: int,
                 scheme: Scheme) -> tuple[list[OfficerMonthLine], OfficerMonthLine]:
    """An officer's one-stop figures month by month, and the year's (their monthly sheet and
    year summary, plan item B.3.3): dossiers they received, score and rating on the scheme's
    officer indices, late dossiers, apologies."""
    months = [date(year, month, 1) for month in range(1, 13)]
    figures = {month: (dossiers, scored, points) for month, dossiers, scored, points in
               session.execute(select(OfficerMonth.month, func.sum(OfficerMonth.dossiers),
                                      func.sum(OfficerMonth.scored),
                                      func.sum(OfficerMonth.points))
                               .where(OfficerMonth.officer_id == officer.id,
                                      OfficerMonth.month.in_(months))
                               .group_by(OfficerMonth.month))}
    late = dict(session.execute(
        select(Dossier.scored_month, func.count(Dossier.id))
        .where(Dossier.officer_id == officer.id, Dossier.scored_month.in_(months),
               Dossier.pt_time == 0).group_by(Dossier.scored_month)).all())
    apologies = dict(session.execute(
        select(Dossier.apology_month, func.count(Dossier.id))
        .where(Dossier.officer_id == officer.id, Dossier.apology_month.in_(months))
        .group_by(Dossier.apology_month)).all())

    def line(month, dossiers, scored, points, late_count, apology_count):
        score = scoring.round_tenth(Decimal(points) / scored) if scored else None
        return OfficerMonthLine(month, dossiers, score, scoring.officer_rating(scheme, score),
                                late_count, apology_count)

    lines = [line(month, *figures.get(month, (0, 0, 0)), late.get(month, 0),
                  apologies.get(month, 0)) for month in months]
    total = [sum(figures.get(month, (0, 0, 0))[i] for month in months) for i in range(3)]
    return lines, line(months[0], *total, sum(late.values()), sum(apologies.values()))


def officer_late_dossiers(session: Session, officer: User, month: date) -> list[Dossier]:
    """The dossiers the officer received that were evaluated late in the month."""
    return list(session.scalars(
        select(Dossier).where(Dossier.officer_id == officer.id, Dossier.scored_month == month,
                              Dossier.pt_time == 0).order_by(Dossier.scored_on, Dossier.id)))
