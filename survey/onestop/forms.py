"""Forms of the one-stop evaluation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, RadioField, SelectChoice
from wtforms.validators import InputRequired, NumberRange

from portal.forms import Form

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
