"""The base form: Flask-WTF with CSRF, and WTForms' own messages translated by our catalogues
(WTForms ships no Vietnamese; the messages are listed in portal/form_messages.py)."""
from __future__ import annotations

from flask_babel import get_translations
from flask_wtf import FlaskForm
from wtforms import Form as WTFormsForm


class _OurTranslations:
    """WTForms formats the messages itself, so these return them unformatted."""

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _OurTranslations()


class SubForm(WTFormsForm):
    """A form nested in another (FormField): no CSRF token of its own, same translations."""

    class Meta:
        def get_translations(self, form):
            return _OurTranslations()
