"""WTForms' own validation messages, named here so that ``make extract-messages`` puts them in
our catalogues: Flask-WTF translates them through Flask-Babel with our translations.

Nothing calls this function; it only carries the strings to the extractor.
"""
from flask_babel import gettext, ngettext


def _strings_for_the_extractor() -> None:  # pragma: no cover
    gettext("This field is required.")
    gettext("Not a valid integer value.")
    gettext("Not a valid choice.")
    gettext("Invalid input.")
    gettext("Not a valid date value.")
    gettext("Number must be between %(min)s and %(max)s.")
    gettext("Number must be at least %(min)s.")
    gettext("Number must be at most %(max)s.")
    gettext("The CSRF token is missing.")
    gettext("The CSRF token is invalid.")
    gettext("The CSRF token has expired.")
    ngettext("Field cannot be longer than %(max)d character.",
             "Field cannot be longer than %(max)d characters.", 2)
    ngettext("Field must be at least %(min)d character long.",
             "Field must be at least %(min)d characters long.", 2)
    ngettext("Field must be between %(min)d and %(max)d characters long.",
             "Field must be between %(min)d and %(max)d characters long.", 2)
    ngettext("'%(value)s' is not a valid choice for this field.",
             "'%(value)s' are not valid choices for this field.", 2)
