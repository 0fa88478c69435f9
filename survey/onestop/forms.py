"""Forms of the one-stop evaluation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, DecimalField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from portal.forms import Form
from portal.text import clean_text

YES_NO = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]


class DeclarationForm(Form):
    """A unit's declaration for a quarter (indices 5 and 6 of TT 01/2018)."""

    all_through_counter = RadioField(
        _l("Were all dossiers received and their results returned at the one-stop section?"),
        choices=YES_NO, validators=[InputRequired(_l("Answer yes or no."))])
    settled_share = DecimalField(
        _l("Share of the unit's procedures the one-stop section settles itself (%)"),
        places=1, validators=[
            InputRequired(_l("Give a share from 0 to 100.")),
            NumberRange(0, 100, _l("Give a share from 0 to 100."))])
    procedures_posted = RadioField(
        _l("Are the unit's procedures posted at the office, accurate and up to date?"),
        choices=YES_NO, validators=[InputRequired(_l("Answer yes or no."))])


class ApologyForm(Form):
    """The apology for a late dossier (Mẫu 04): why, and the new date."""

    reason = TextAreaField(_l("Reason for the delay (printed on the letter)"),
                           filters=[clean_text], validators=[
                               InputRequired(_l("Give the reason for the delay.")),
                               Length(max=1000)])
    new_due_on = DateField(_l("New date for the result"), validators=[
        InputRequired(_l("Give the new date for the result."))])


class SchemeUploadForm(Form):
    file = FileField(_l("Scheme file (JSON, the shape of the shipped TT 01/2018 scheme)"),
                     validators=[FileRequired(_l("Choose a file to import."))])
