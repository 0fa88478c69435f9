"""The questions of the survey form, rendered once per questionnaire version, language and
choices offered.

114 radio buttons with their labels are most of the work of showing the form, and a form
nobody has answered yet is the same for every citizen: its questions are rendered once and
kept with the worker's copies (portal/snapshots.py), so a new or changed questionnaire
renders them again, and a change of the procedure fields or of the officers on duty makes
another key. A form being answered again (a refused send, with the citizen's answers and the
problems marked) is rendered each time, and so is one asking the one-stop questions (their
scheme is not among the copies).
"""
from __future__ import annotations

from flask import current_app
from markupsafe import Markup

from portal import snapshots
from portal.db import get_session
from portal.i18n import current_language

TEMPLATE = "survey/_questions.html"
_NOT_ANSWERS = ("csrf_token", "nonce")  # rendered by the page, outside the questions


def pristine(form) -> bool:
    """Nothing answered, nothing marked wrong, no one-stop question: the same for all."""
    return not form.one_stop_codes and not form.errors and not form.form_errors and all(
        field.data in (None, "") for field in form if field.name not in _NOT_ANSWERS)


def render(form) -> Markup:
    return Markup(current_app.jinja_env.get_template(TEMPLATE).render(form=form))


def _choices(form, name):
    if name not in form:
        return None
    return tuple((choice.value, str(choice.label)) for choice in form[name].choices)


def questions(form) -> Markup:
    """The questions of ``form`` (the body of survey/_questions.html)."""
    if not pristine(form):
        return render(form)
    key = ("questions", form.questionnaire.id, current_language(), tuple(form.item_codes),
           tuple(form.expectation_codes), _choices(form, "procedure_field"),
           _choices(form, "officer"), "gender" in form)
    return snapshots.get(get_session(), "questionnaire", key, lambda _loader: render(form))
