"""The base form: Flask-WTF with CSRF, and WTForms' own messages translated by our catalogues
(WTForms ships no Vietnamese; the messages are listed in portal/form_messages.py)."""
from __future__ import annotations

from flask_babel import get_translations
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, RadioField, SelectField, SelectMultipleField
from wtforms import Form as WTFormsForm
from wtforms.validators import DataRequired, InputRequired

from portal.text import CONTROL_CHARACTERS


class _OurTranslations:
    """WTForms formats the messages itself, so these return them unformatted."""

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


def _without_control_characters(value):
    # A NUL byte cannot even be stored in PostgreSQL text; no form needs any of these.
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value)
    return value


def _stripped(value):
    # A choice sent as " " is no choice (not "no answer" let through to int(" ")).
    return value.strip() if isinstance(value, str) else value


CHOICE_FIELDS = (SelectField, RadioField, SelectMultipleField)


def _choice_required(validator):
    """InputRequired looks at what was sent, before the filters: a choice sent as " " or NUL
    would pass it and leave no choice. DataRequired looks at the choice itself."""
    if isinstance(validator, InputRequired):
        return DataRequired(validator.message)
    return validator


class _Meta:
    def get_translations(self, form):
        return _OurTranslations()

    def bind_field(self, form, unbound_field, options):
        if issubclass(unbound_field.field_class, (FieldList, FormField)):
            return unbound_field.bind(form=form, **options)  # their inner fields are filtered
        filters = [*unbound_field.kwargs.get("filters", []), _without_control_characters]
        if issubclass(unbound_field.field_class, CHOICE_FIELDS):
            filters.append(_stripped)
            if unbound_field.kwargs.get("validators"):
                options = {**options, "validators": [
                    _choice_required(validator)
                    for validator in unbound_field.kwargs["validators"]]}
        return unbound_field.bind(form=form, filters=filters, **options)


class Form(FlaskForm):
    class Meta(_Meta):
        pass


class SubForm(WTFormsForm):
    """A form nested in another (FormField): no CSRF token of its own, same rules."""

    class Meta(_Meta):
        pass
