"""Sign-in and administration forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from portal.auth.roles import ROLE_LABELS, ROLES
from portal.forms import Form
from portal.text import EMAIL_PATTERN


class LoginForm(Form):
    username = StringField(_l("Username"), validators=[InputRequired(), Length(max=100)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class CodeForm(Form):
    code = StringField(_l("Code"), validators=[InputRequired(_l("Type the code.")),
                                               Length(max=40)],
                       description=_l("The six digits your authenticator app shows, or one of "
                                      "your recovery codes."),
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                                  "autocapitalize": "none", "spellcheck": "false"})


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(Form):
    username = StringField(_l("Username"), validators=[
        InputRequired(), Length(min=3, max=50),
        Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use letters, digits, '.', '-' or '_' only."))])
    full_name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[
        Optional(), Length(max=254),
        Regexp(EMAIL_PATTERN, message=_l("Enter an email address like name@example.vn."))])
    unit_id = SelectField(_l("Unit"), coerce=int, validate_choice=True)
    roles = MultiCheckboxField(
        _l("Roles"), choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES])
    active = BooleanField(_l("Active (may sign in)"), default=True)
    password = PasswordField(_l("New password"), validators=[Length(max=200)],
                             render_kw={"autocomplete": "new-password"},
                             description=_l("At least 10 characters. Leave empty to keep the "
                                            "current password."))


class UnitForm(Form):
    code = StringField(_l("Code"), validators=[
        InputRequired(), Length(max=30),
        Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use letters, digits, '.', '-' or '_' only."))])
    name = StringField(_l("Name (Vietnamese)"), validators=[InputRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    active = BooleanField(_l("Active"), default=True)
