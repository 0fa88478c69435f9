"""Forms for the disclosure content (staff) and the import page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from portal.forms import Form, SubForm
from portal.pages.models import LEVEL_FULL, LEVEL_NONE, LEVEL_PARTIAL
from portal.pages.procedure_import import CODE_PATTERN, TEXT_MAX
from portal.text import EMAIL_PATTERN, clean_text

LEVEL_CHOICES = [SelectChoice(LEVEL_FULL, _l("Fully online (toàn trình)")),
                 SelectChoice(LEVEL_PARTIAL, _l("Partly online (một phần)")),
                 SelectChoice(LEVEL_NONE, _l("Not online"))]


def _text(label, required=True, max_length=TEXT_MAX, **kwargs):
    validators = [InputRequired() if required else Optional(), Length(max=max_length)]
    return TextAreaField(label, validators=validators, filters=[clean_text], **kwargs)


def _line(label, required=True, max_length=200, **kwargs):
    validators = [InputRequired() if required else Optional(), Length(max=max_length)]
    return StringField(label, validators=validators, filters=[clean_text], **kwargs)


class ProcedureForm(Form):
    code = StringField(_l("Code (mã TTHC)"), filters=[clean_text], validators=[
        InputRequired(), Length(max=30),
        Regexp(CODE_PATTERN, message=_l("Use letters, digits, '.', '-' or '_' only."))])
    name = _line(_l("Name"), max_length=500)
    name_en = _line(_l("Name in English"), required=False, max_length=500)
    field = _line(_l("Field (lĩnh vực)"), max_length=150,
                  description=_l("Type an existing field exactly, or a new one."))
    field_en = _line(_l("Field in English"), required=False, max_length=150)
    level = SelectField(_l("Online-service level"), choices=LEVEL_CHOICES)
    processing_body = _line(_l("Processing body"), max_length=300)
    steps = _text(_l("Steps"))
    method = _text(_l("Method (direct, postal, online)"))
    postal_return = BooleanField(_l("Result can be returned by post"))
    postal_fee = _line(_l("Postal fee"), required=False, max_length=TEXT_MAX)
    dossier = _text(_l("Dossier components"))
    dossier_quantity = _line(_l("Number of sets"))
    time_limit = _text(_l("Time limit"))
    time_limit_days = IntegerField(_l("Time limit in working days"),
                                   validators=[Optional(), NumberRange(min=0, max=365)])
    subjects = _text(_l("Who can use it"))
    result = _text(_l("Result"))
    forms = _text(_l("Forms and templates"), required=False)
    requirements = _text(_l("Requirements and conditions"), required=False)
    fees = _text(_l("Fees and charges"), required=False)
    legal_basis = _text(_l("Legal basis"))
    decision = _text(_l("Publication decision"), required=False)
    internal_process = _text(
        _l("Internal process"), required=False,
        description=_l("One step per line: description | responsible unit | duration"))

    # Fields whose value is the procedure's column of the same name (not field, process).
    copied_columns = ("code", "name", "name_en", "level", "processing_body", "steps", "method",
                      "postal_return", "postal_fee", "dossier", "dossier_quantity", "time_limit",
                      "time_limit_days", "subjects", "result", "forms", "requirements", "fees",
                      "legal_basis", "decision")


class ImportForm(Form):
    file = FileField(_l("File (.csv or .json, UTF-8)"),
                     validators=[FileRequired(_l("Choose a file to import."))])
    dry_run = BooleanField(_l("Check only (write nothing)"))


class HotlineNumberForm(SubForm):
    label = StringField(_l("Label"), filters=[clean_text], validators=[Length(max=100)])
    label_en = StringField(_l("Label in English"), filters=[clean_text],
                           validators=[Length(max=100)])
    number = StringField(_l("Phone number"), filters=[clean_text], validators=[
        Optional(), Length(max=40),
        Regexp(r"^[0-9+() .-]{3,40}$", message=_l("Digits, spaces and + ( ) . - only."))])


class HotlineForm(Form):
    org_name = _line(_l("Name of the agency"))
    org_name_en = _line(_l("Name of the agency in English"), required=False)
    address = _line(_l("Address"), max_length=500)
    address_en = _line(_l("Address in English"), required=False, max_length=500)
    postal_address = _line(_l("Postal address"), required=False, max_length=500)
    postal_address_en = _line(_l("Postal address in English"), required=False, max_length=500)
    email = StringField(_l("Email"), filters=[clean_text], validators=[
        Optional(), Length(max=254),
        Regexp(EMAIL_PATTERN, message=_l("Enter an email address like name@example.vn."))])
    website = StringField(_l("Website"), filters=[clean_text], validators=[
        Optional(), Length(max=300),
        Regexp(r"^https?://[^\s<>\"]+$", message=_l("Enter an address starting with https://."))])
    office_hours = _text(_l("Office hours"), required=False, max_length=2000)
    office_hours_en = _text(_l("Office hours in English"), required=False, max_length=2000)
    numbers = FieldList(FormField(HotlineNumberForm), min_entries=4, max_entries=4)
    rules = _text(_l("Rules for sending feedback"))
    rules_en = _text(_l("Rules for sending feedback, in English"), required=False)
