"""Demo counters of the one-stop section (Bộ phận Một cửa)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Counter
from survey.services import issue_counter_link

COUNTERS = [
    ("Q01", "Quầy số 1 — Đất đai", "Counter 1 — Land", "VPDKDD"),
    ("Q02", "Quầy số 2 — Đất đai", "Counter 2 — Land", "CCQLDD"),
    ("Q03", "Quầy số 3 — Môi trường", "Counter 3 — Environment", "PMT"),
    ("Q04", "Quầy số 4 — Tài nguyên nước, khoáng sản", "Counter 4 — Water and minerals", "PTNN"),
    ("Q05", "Quầy số 5 — Đo đạc, bản đồ", "Counter 5 — Surveying and mapping", "PDDBD"),
]


def load_counters(session: Session, units: dict) -> dict:
    existing = set(session.scalars(select(Counter.code)))
    for code, name, name_en, unit_code in COUNTERS:
        if code not in existing:
            session.add(Counter(code=code, name=name, name_en=name_en, unit=units[unit_code]))
    session.flush()
    for counter in session.scalars(select(Counter).where(Counter.token.is_(None),
                                                          Counter.active.is_(True))):
        issue_counter_link(session, counter)
    return {"counters": len(COUNTERS)}
