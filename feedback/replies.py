"""Reply templates: the usual wording of the department's answers, per outcome and field, in
Vietnamese and English, edited by the secretariat and administrators (``ReplyTemplate``).
Placeholders in braces are filled from the ticket and from the department's published contact
details (the hotline page), never from code. Official letters are written in Vietnamese
(NĐ 20/2008 Điều 7 k1). Pure: checking and filling a template.
"""
from __future__ import annotations

from string import Formatter

from flask_babel import lazy_gettext as _l

OUTCOMES = {
    "competence": _l("Answer: within the department's competence"),
    "conduct": _l("Answer: conduct of officials"),
    "not_accepted": _l("Not accepted: what was missing"),
    "forwarded": _l("Forwarded: the competent agency"),
    "information": _l("Information asked from the citizen"),
    "other": _l("Other"),
}

PLACEHOLDERS = {
    "code": _l("the ticket's tracking code"),
    "received": _l("the day it was received (dd/mm/yyyy)"),
    "answer_due": _l("the answer deadline (dd/mm/yyyy)"),
    "today": _l("today's date (dd/mm/yyyy)"),
    "unit": _l("the unit handling it"),
    "field": _l("its field"),
    "department": _l("the department's name (from the hotline page)"),
    "department_address": _l("the department's address (from the hotline page)"),
    "hotline": _l("the hotline number (from the hotline page)"),
}


def problems(body: str) -> list[str]:
    """What is wrong with a template's placeholders: unknown names, malformed braces.
    (Messages for the form; empty when the template can be filled.)"""
    try:
        fields = [name for _text, name, _spec, _conversion in Formatter().parse(body or "")
                  if name is not None]
    except ValueError:
        return [str(_l("A brace is not closed or not opened: write placeholders as {code}; "
                       "write {{ or }} for a brace itself."))]
    unknown = sorted({name for name in fields if name not in PLACEHOLDERS})
    if unknown:
        return [str(_l("Unknown placeholders: %(names)s. Use only: %(known)s.",
                       names=", ".join("{" + name + "}" for name in unknown),
                       known=", ".join("{" + name + "}" for name in PLACEHOLDERS)))]
    return []


def fill(body: str, values: dict[str, str]) -> str:
    """The template with its placeholders replaced (it was checked with :func:`problems`)."""
    return body.format_map({name: values.get(name, "") for name in PLACEHOLDERS})


def appended(current: str | None, text: str) -> str:
    """``current`` with ``text`` added after a blank line (nothing typed is ever replaced)."""
    return f"{current.rstrip()}\n\n{text}" if current and current.strip() else text
