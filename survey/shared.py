"""What a citizen's survey form reads, from the worker's copies (portal/snapshots.py): the
current questionnaire, the counters behind the links, the officers on duty and the procedure
fields. The same for every citizen, read from the database only after a change.

The objects returned are shared by every request of the worker: read them only; new rows
refer to them by id.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import snapshots
from portal.auth.models import User
from portal.pages.models import ProcedureField
from survey import services
from survey.models import CHANNEL_TABLET, Counter, DossierLink, Questionnaire


def questionnaire(session: Session) -> Questionnaire:
    """The current questionnaire version with its dimensions and items."""
    return snapshots.get(session, "questionnaire", "current", services.current_questionnaire)


def _counters(session: Session) -> dict[str, dict[str, Counter]]:
    """Every counter (with its unit) by its survey token and by its tablet token."""
    by_token, by_tablet_token = {}, {}
    for counter in session.scalars(select(Counter)):
        if counter.token:
            by_token[counter.token] = counter
        if counter.tablet_token:
            by_tablet_token[counter.tablet_token] = counter
    return {"survey": by_token, "tablet": by_tablet_token}


def resolve(session: Session, token: str) -> services.Target | None:
    """:func:`survey.services.resolve` with the counters from the copies (a dossier's
    single-use link is read each time)."""
    counter = snapshots.get(session, "counters", "all", _counters)["survey"].get(token)
    if counter is not None:
        return services.Target(counter) if counter.active else None
    dossier = session.scalar(select(DossierLink).where(DossierLink.token == token))
    if dossier is not None and dossier.counter.active:
        return services.Target(dossier.counter, dossier)
    return None


def resolve_tablet(session: Session, token: str) -> services.Target | None:
    """:func:`survey.services.resolve_tablet` from the copies."""
    counter = snapshots.get(session, "counters", "all", _counters)["tablet"].get(token)
    if counter is None or not counter.active:
        return None
    return services.Target(counter, channel=CHANNEL_TABLET)


def officers_on_duty(session: Session, counter: Counter, day: date) -> list[User]:
    """The active officers on duty at ``counter`` on ``day``, by name."""
    return snapshots.get(session, "duty", (counter.id, day),
                         lambda loader: services.officers_on_duty(loader, counter, day))


def fields(session: Session) -> list[ProcedureField]:
    """Every procedure field, by name."""
    from portal.pages.queries import all_fields

    return snapshots.get(session, "fields", "all", all_fields)
