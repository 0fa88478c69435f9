from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length

from portal.forms import Form
from portal.text import clean_text
from portal.workdays import DAY_OFF, WORKING_DAY


class ExceptionForm(Form):
    day = DateField(_l("Day"), validators=[InputRequired()])
    kind = RadioField(_l("This day is"), validators=[InputRequired()], validate_choice=True,
                      choices=[SelectChoice(DAY_OFF, _l("a day off (e.g. an extra Tết day)")),
                               SelectChoice(WORKING_DAY, _l("a make-up working day (làm bù)"))])
    reason = StringField(_l("Reason and decision"), filters=[clean_text],
                         validators=[InputRequired(), Length(max=300)],
                         description=_l("For example the Prime Minister's decision or notice."))
