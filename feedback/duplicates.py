"""Which tickets look like the same feedback sent again (or by a neighbour). Pure.

Two texts are compared on their folded words (accents and case ignored, short and very common
words left out): the share of distinct words they have in common (Jaccard). A candidate must be
recent and, when both name a field or a procedure, about the same one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from portal.text import fold

THRESHOLD = 0.35  # share of common words from which a ticket is suggested
RECENT_DAYS = 90
SUGGESTIONS = 5

# Words too common in feedback to tell two cases apart (folded).
_COMMON = frozenset("""
toi chung cua cho voi khong duoc nhung trong nay tren duoi theo cac mot nhu hay hoac
phan anh kien nghi ho so ngay thang nam xin de nghi so kinh gui ong ba anh chi em
den tu khi thi con van rat cung nen vay sau truoc dang da se bi lai ra vao ve
""".split())


def words(text: str | None) -> frozenset[str]:
    """The distinguishing words of ``text``: folded, three letters or more, not common."""
    return frozenset(word for word in re.findall(r"[a-z0-9]+", fold(text or ""))
                     if len(word) >= 3 and word not in _COMMON)


def similarity(first: frozenset[str], second: frozenset[str]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


@dataclass(frozen=True)
class Candidate:
    ticket_id: int
    score: float


def related(field_a, procedure_a, field_b, procedure_b) -> bool:
    """About the same field or procedure, as far as both say."""
    if procedure_a and procedure_b:
        return procedure_a == procedure_b
    if field_a and field_b:
        return field_a == field_b
    return True


def suggest(text: str, field_id, procedure_id, others) -> list[Candidate]:
    """The tickets among ``others`` — (id, text, field id, procedure id) — most like
    ``text``, best first, at most SUGGESTIONS, each at least THRESHOLD alike."""
    own = words(text)
    found = [Candidate(ticket_id, round(similarity(own, words(other_text)), 2))
             for ticket_id, other_text, other_field, other_procedure in others
             if related(field_id, procedure_id, other_field, other_procedure)]
    found = [candidate for candidate in found if candidate.score >= THRESHOLD]
    return sorted(found, key=lambda candidate: -candidate.score)[:SUGGESTIONS]


def would_loop(ticket_id: int, master_id: int, master_of) -> bool:
    """Whether linking ``ticket_id`` to ``master_id`` makes a loop (or links it to itself):
    ``master_of(id)`` gives the ticket a ticket is linked to, or None."""
    seen = {ticket_id}
    current = master_id
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = master_of(current)
    return False
