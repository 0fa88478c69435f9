"""The citizen's survey form, built from the stored questionnaire: one field per item code."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from portal import snapshots
from portal.db import get_session
from portal.forms import Form, SubForm
from portal.i18n import current_language, pick
from portal.text import clean_text
from survey.models import CHANNEL_TABLET, ONE_STOP_INSTEAD, Questionnaire
from survey.onestop.dossier_import import CODE as DOSSIER_CODE

NO_ANSWER = "na"
COMMENT_MAX = 2000
GENDERS = ("male", "female")
AGE_GROUPS = ("18-25", "26-34", "35-49", "50-60", "60+")


ONE_STOP_PREFIX = "tt01_"  # the form fields of the TT 01/2018 questions: tt01_<rule>


class SurveyForm(Form):
    """Fields common to every version; the items are added by :func:`make_survey_form`."""

    item_codes: list[str] = []
    expectation_codes: list[str] = []
    one_stop_codes: list[str] = []

    nonce = HiddenField()
    comment = TextAreaField(
        _l("Anything you want to tell us? (optional)"), filters=[clean_text],
        validators=[Optional(), Length(max=COMMENT_MAX)],
        description=_l("At most 2,000 characters. Please do not write your name, phone "
                       "number or ID number here."),
        render_kw={"maxlength": COMMENT_MAX, "rows": 4})
    procedure_field = SelectField(_l("Which field was your matter in? (optional)"),
                                  validators=[Optional()], validate_choice=True)
    officer = SelectField(_l("Who served you? (optional)"), validators=[Optional()],
                          validate_choice=True)
    gender = SelectField(_l("Gender (optional)"), validators=[Optional()], validate_choice=True,
                         choices=[SelectChoice("", _l("Prefer not to say")),
                                  SelectChoice("male", _l("Male")),
                                  SelectChoice("female", _l("Female"))])
    age_group = SelectField(_l("Age (optional)"), validators=[Optional()], validate_choice=True,
                            choices=[SelectChoice("", _l("Prefer not to say"))]
                            + [SelectChoice(age, age) for age in AGE_GROUPS])
    # Hidden from people (CSS and aria-hidden); a script that fills every field fills it too.
    website = StringField(_l("Leave this empty"), render_kw={
        "autocomplete": "off", "tabindex": "-1"})

    def item_fields(self):
        return [self[code] for code in self.item_codes]

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then: something must have been said. A form with no
        statement answered and no comment is refused (issue 9, point 4): thanking and storing
        it would count a response that says nothing."""
        if not super().validate(extra_validators):
            return False
        if "dossier_code" in self and self.one_stop() and not self.dossier_code.data:
            self.dossier_code.errors.append(_l(
                "Type your dossier code (on your receipt) so that your answers about the "
                "dossier count, or leave those questions."))
            return False
        if all(value is None for value in self.answers().values()) \
                and not self.expectations() and not self.one_stop() and not self.comment.data:
            self.form_errors.append(
                _l("Nothing was answered. Please tap an answer for at least one statement, or "
                   "write a comment, then send.") if self.item_codes else
                _l("Nothing was answered. Please tap an answer for at least one question, or "
                   "write a comment, then send."))
            return False
        return True

    def answers(self) -> dict[str, int | None]:
        """The statements' levels (None: no answer)."""
        return self._values(self.item_codes)

    def expectations(self) -> dict[str, int]:
        """The expectation question's answers that were given (it is optional)."""
        return {code: value for code, value in self._values(self.expectation_codes).items()
                if value is not None}

    def one_stop(self) -> dict[str, int]:
        """The TT 01/2018 questions answered on a dossier's link: {rule: points}."""
        return {code.removeprefix(ONE_STOP_PREFIX): value for code, value in
                self._values(self.one_stop_codes).items() if value is not None}

    def _values(self, codes) -> dict[str, int | None]:
        # WTForms' Optional() lets blank input through without the choice check (it clears
        # that error), so a blank value reaches here: it means no answer, like "na".
        values = {code: (self[code].data or "").strip() for code in codes}
        return {code: None if value in ("", NO_ANSWER) else int(value)
                for code, value in values.items()}

    def submission(self, officers, **details):
        """What the citizen sent, for :func:`survey.services.submit`; ``details`` adds what
        the channel knows (nonce, seconds, hashes…). With one officer on duty, they are
        credited without asking."""
        from survey.services import Submission

        officer_id = None
        if "officer" in self and self.officer.data:
            officer_id = int(self.officer.data)
        elif len(officers) == 1:
            officer_id = officers[0].id
        return Submission(
            answers=self.answers(), expectations=self.expectations(), one_stop=self.one_stop(),
            comment=self.comment.data or None,
            dossier_code=self.dossier_code.data or None if "dossier_code" in self else None,
            procedure_field_id=int(self.procedure_field.data) if self.procedure_field.data
            else None,
            officer_id=officer_id,
            gender=self.gender.data or None if "gender" in self else None,
            age_group=self.age_group.data or None if "age_group" in self else None,
            **details)

    def expectation_fields(self):
        return [self[code] for code in self.expectation_codes]


def make_survey_form(questionnaire: Questionnaire, *, fields, officers,
                     all_expectation: bool = False, one_stop=(), statements: bool = True,
                     dossier_code: bool = False, **kwargs) -> SurveyForm:
    """A form class for this questionnaire version, instantiated.

    ``fields`` are the procedure fields to offer; ``officers`` the officers on duty (the
    choice is shown only when there are two or more). The expectation question is included
    when the version asks it, or with ``all_expectation`` whenever the version has one (to
    accept answers given while it was asked). ``one_stop``: the scheme's indices the citizen
    rates, asked after the statements, or alone without ``statements``; with
    ``dossier_code``, a box for the code of the dossier they rate (on a counter's tablet,
    which is not tied to one dossier).
    """
    form_class = _form_class(questionnaire, all_expectation=all_expectation,
                             one_stop=tuple(one_stop), statements=statements,
                             dossier_code=dossier_code)
    form = form_class(**kwargs)
    form.questionnaire = questionnaire
    form.procedure_field.choices = [SelectChoice("", _l("— choose if you wish —"))] + [
        SelectChoice(str(field.id), pick(field.name, field.name_en)) for field in fields]
    form.officer.choices = [SelectChoice("", _l("— choose if you wish —"))] + [
        SelectChoice(str(officer.id), officer.full_name) for officer in officers]
    return form


def _form_class(questionnaire: Questionnaire, **variant) -> type[SurveyForm]:
    """The form class of this questionnaire version and variant, in the page's language: made
    once and kept with the worker's copies (portal/snapshots.py), unless it asks the one-stop
    questions, whose scheme is not among them."""
    if variant["one_stop"]:
        return _make_form_class(questionnaire, **variant)
    key = ("form", questionnaire.id, current_language(), tuple(sorted(variant.items())))
    return snapshots.get(get_session(), "questionnaire", key,
                         lambda _loader: _make_form_class(questionnaire, **variant))


def _make_form_class(questionnaire: Questionnaire, *, all_expectation, one_stop, statements,
                     dossier_code) -> type[SurveyForm]:
    scale = questionnaire.scale
    choices = [SelectChoice(str(level["value"]), pick(level["vi"], level.get("en")))
               for level in scale["levels"]]
    choices.append(SelectChoice(NO_ANSWER, pick(scale["not_applicable"]["vi"],
                                                scale["not_applicable"].get("en"))))
    attributes = {}
    codes = []
    for dimension in questionnaire.dimensions if statements else ():
        for item in dimension.items:
            codes.append(item.code)
            attributes[item.code] = RadioField(pick(item.text, item.text_en), choices=choices,
                                               validators=[Optional()], validate_choice=True)
    expectation_codes = []
    expectation_items = (questionnaire.expectation or {}).get("items", []) if all_expectation \
        else questionnaire.expectation_items
    if expectation_items and statements:
        levels = [SelectChoice(str(level["value"]), pick(level["vi"], level.get("en")))
                  for level in questionnaire.expectation["scale"]]
        for item in expectation_items:
            expectation_codes.append(item["code"])
            attributes[item["code"]] = RadioField(pick(item["vi"], item.get("en")),
                                                  choices=levels, validators=[Optional()],
                                                  validate_choice=True)
    one_stop_codes = []
    for index in one_stop:  # the scheme's indices the citizen rates, on a dossier's link
        code = ONE_STOP_PREFIX + index.rule
        one_stop_codes.append(code)
        attributes[code] = RadioField(pick(index.citizen.vi, index.citizen.en), choices=[
            SelectChoice(str(option.points), pick(option.vi, option.en))
            for option in index.citizen.options], validators=[Optional()], validate_choice=True)
    if one_stop and dossier_code:
        attributes["dossier_code"] = StringField(
            _l("Dossier code (on your receipt)"), filters=[clean_text],
            validators=[Optional(), Regexp(DOSSIER_CODE, message=_l(
                "This is not a dossier code: copy it from your receipt (letters, digits and "
                ". _ / -)."))],
            description=_l("Needed for your answers about the dossier to count."),
            render_kw={"autocomplete": "off", "maxlength": 60, "autocapitalize": "characters",
                       "spellcheck": "false"})
    form_class = type("VersionedSurveyForm", (SurveyForm,), attributes)
    form_class.item_codes = codes
    form_class.expectation_codes = expectation_codes
    form_class.one_stop_codes = one_stop_codes
    return form_class


def build_survey_form(session, target, config, *, questionnaire=None, officers=None,
                      **kwargs) -> tuple[SurveyForm, list]:
    """The survey form for a link's counter: the given questionnaire version (the current one
    by default) and ``officers`` on duty (today's by default). Returns the form and the
    officers."""
    from portal.workdays import today_in_vietnam
    from survey import shared

    if officers is None:
        officers = shared.officers_on_duty(session, target.counter, today_in_vietnam())
    questionnaire = questionnaire or shared.questionnaire(session)
    if target.channel == CHANNEL_TABLET and questionnaire.asks_one_stop \
            and "one_stop" not in kwargs:  # the tablet asks them after the statements
        from survey.onestop.services import current_scheme

        kwargs["one_stop"] = current_scheme(session).citizen_indices
        kwargs["dossier_code"] = True
    if target.dossier is not None and questionnaire.asks_one_stop and "one_stop" not in kwargs:
        from survey.onestop.services import current_scheme, dossier_rated

        # rated on paper or a tablet already: the first rating stands; the service is still
        # theirs to rate
        if not dossier_rated(session, target.dossier.dossier_code):
            kwargs["one_stop"] = current_scheme(session).citizen_indices
            kwargs["statements"] = questionnaire.one_stop_mode != ONE_STOP_INSTEAD
    form = make_survey_form(questionnaire, fields=shared.fields(session), officers=officers,
                            **kwargs)
    if len(officers) < 2:
        del form.officer  # one officer on duty is credited without asking; none, nobody
    if not config["SURVEY_ASK_DEMOGRAPHICS"]:
        del form.gender, form.age_group
    return form, officers


def counter_choices(session) -> list[SelectChoice]:
    """The active counters, for a form's counter choice."""
    from survey.queries import active_counters

    return [SelectChoice(counter.id, f"{counter.code} — {counter.name}")
            for counter in active_counters(session)]


class ReviewForm(Form):
    """An administrator's decision on one answer the checks left out (or one counted)."""

    response_id = HiddenField()
    version = HiddenField()
    decision = RadioField(_l("Decision"), choices=[
        SelectChoice("count", _l("Count it")), SelectChoice("exclude", _l("Leave it out"))],
        validators=[InputRequired(_l("Choose whether to count it or leave it out."))],
        validate_choice=True)
    reason = StringField(_l("Reason (kept in the audit log)"), filters=[clean_text],
                         validators=[InputRequired(_l("Give the reason for the decision.")),
                                     Length(max=500)])

    def whole(self, name: str) -> int | None:
        value = (self[name].data or "").strip()
        return int(value) if value.isdigit() and len(value) < 10 else None


class CounterForm(Form):
    code = StringField(_l("Code"), filters=[clean_text], validators=[
        InputRequired(), Length(max=30),
        Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use letters, digits, '.', '-' or '_' only."))])
    name = StringField(_l("Name (Vietnamese)"), filters=[clean_text],
                       validators=[InputRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), filters=[clean_text],
                          validators=[Optional(), Length(max=200)])
    unit_id = SelectField(_l("Unit"), coerce=int, validate_choice=True)
    active = BooleanField(_l("In use"), default=True)


class DossierLinkForm(Form):
    dossier_code = StringField(_l("Dossier code (mã hồ sơ)"), filters=[clean_text], validators=[
        InputRequired(), Length(max=60)], render_kw={"autocomplete": "off"})
    counter_id = SelectField(_l("Counter"), coerce=int, validate_choice=True)
    submit_token = HiddenField(default="1")  # tells this form apart from the batch form


class DutyForm(Form):
    officer_id = SelectField(_l("Officer"), coerce=int, validate_choice=True)
    first_day = DateField(_l("From"), validators=[InputRequired()])
    last_day = DateField(_l("To"), validators=[InputRequired()])
    weekdays_only = BooleanField(_l("Working days only (Monday to Friday)"), default=True)


class QuestionnaireUploadForm(Form):
    file = FileField(_l("Questionnaire file (JSON, the shape of the current version's file)"),
                     validators=[FileRequired(_l("Choose a file to import."))])
    make_current = BooleanField(_l("New answers use this version from now on"), default=True)


class DossierBatchForm(Form):
    file = FileField(_l("CSV file: one dossier code per line, and optionally a counter code"),
                     validators=[FileRequired(_l("Choose a file to import."))])
    counter_id = SelectField(_l("Counter (for lines that name none)"), coerce=int,
                             validate_choice=True)


class PaperBatchForm(Form):
    counter_id = SelectField(_l("Counter"), coerce=int, validate_choice=True)
    count = IntegerField(_l("Number of forms"), default=50, validators=[
        InputRequired(_l("Say how many forms to print.")),
        NumberRange(min=1, max=200, message=_l("Print from 1 to 200 forms at a time."))],
        render_kw={"inputmode": "numeric", "min": 1, "max": 200})
    paper_size = RadioField(_l("Paper"), default="A4", validate_choice=True, choices=[
        SelectChoice("A4", _l("A4, one form a page")),
        SelectChoice("A5", _l("A5, one form a page (smaller print)"))])


class PaperRowForm(SubForm):
    """One returned form, as typed (no labels on screen: the table's headers name them)."""

    number = StringField(_l("Form number"), filters=[clean_text],
                         validators=[Optional(), Length(max=20)],
                         render_kw={"inputmode": "numeric", "autocomplete": "off",
                                    "maxlength": 20})
    answers = StringField(_l("Answers"), filters=[clean_text],
                          validators=[Optional(), Length(max=80)],
                          render_kw={"inputmode": "numeric", "autocomplete": "off",
                                     "maxlength": 80})
    expectation = StringField(_l("What to improve"), filters=[clean_text],
                              validators=[Optional(), Length(max=40)],
                              render_kw={"inputmode": "numeric", "autocomplete": "off",
                                         "maxlength": 40})
    comment = StringField(_l("Comment written on the form"), filters=[clean_text],
                          validators=[Optional(), Length(max=COMMENT_MAX)],
                          render_kw={"autocomplete": "off", "maxlength": COMMENT_MAX})
    dossier_code = StringField(_l("Dossier code written on the form"), filters=[clean_text],
                               validators=[Optional(), Length(max=60)],
                               render_kw={"autocomplete": "off", "maxlength": 60})
    one_stop = StringField(_l("About the dossier"), filters=[clean_text],
                           validators=[Optional(), Length(max=20)],
                           render_kw={"inputmode": "numeric", "autocomplete": "off",
                                      "maxlength": 20})


PAPER_ROWS = 10


class PaperEntryForm(Form):
    collected_on = DateField(_l("Forms collected on"), validators=[
        InputRequired(_l("Give the day the forms were collected."))])
    rows = FieldList(FormField(PaperRowForm), min_entries=PAPER_ROWS, max_entries=50)


class AlertRuleForm(Form):
    """A rule: what it watches (a counter or a unit), its kind and its parameters."""

    scope = SelectField(_l("Watch"), validate_choice=True,
                        validators=[InputRequired(_l("Choose a counter or a unit."))])
    kind = RadioField(_l("Kind of rule"), validate_choice=True,
                      validators=[InputRequired(_l("Choose a kind of rule."))])
    threshold = IntegerField(_l("Threshold (%)"), validators=[Optional()],
                             render_kw={"inputmode": "numeric"})
    window_size = IntegerField(_l("Over the last (responses, or days for an index)"),
                               validators=[Optional()], render_kw={"inputmode": "numeric"})
    min_responses = IntegerField(_l("At least this many responses"), validators=[Optional()],
                                 render_kw={"inputmode": "numeric"})
    active = BooleanField(_l("In use"), default=True)

    def offer(self, counters, units) -> None:
        """The choices: the active counters and the units to watch, and the kinds of rule."""
        from survey import alert_rules

        self.scope.choices = [SelectChoice("", _l("— choose —"))] + [
            SelectChoice(f"counter:{counter.id}", _l(
                "Counter %(code)s — %(name)s", code=counter.code,
                name=pick(counter.name, counter.name_en))) for counter in counters] + [
            SelectChoice(f"unit:{unit.id}", _l("Unit: %(name)s",
                                                name=pick(unit.name, unit.name_en)))
            for unit in units]
        self.kind.choices = [SelectChoice(kind, label)
                             for kind, label in alert_rules.KINDS.items()]

    def chosen_scope(self, session):
        """(counter, None) or (None, unit) as chosen (the choice was checked against the
        offered ones)."""
        from portal.auth.models import Unit
        from survey.models import Counter

        kind, _colon, scope_id = self.scope.data.partition(":")
        if kind == "counter":
            return session.get(Counter, int(scope_id)), None
        return None, session.get(Unit, int(scope_id))

    def validate(self, extra_validators=None) -> bool:
        """The fields, then the parameters this kind needs, each within its range
        (survey/alert_rules.py)."""
        from survey import alert_rules

        if not super().validate(extra_validators):
            return False
        found = alert_rules.problems(self.kind.data, {
            name: self[name].data for name in ("threshold", "window_size", "min_responses")})
        for name, problem in found.items():
            lowest, highest = alert_rules.PARAMETERS[self.kind.data][name]
            self[name].errors.append(
                _l("This kind of rule needs it.") if problem == "missing" else
                _l("From %(low)s to %(high)s.", low=lowest, high=highest))
        return not found


class AlertActionForm(Form):
    version = HiddenField()
    action = RadioField(_l("What to do"), validate_choice=True, choices=[
        SelectChoice("acknowledge", _l("Acknowledge: someone is looking into it")),
        SelectChoice("comment", _l("Add a comment")),
        SelectChoice("close", _l("Close: it was dealt with"))],
        validators=[InputRequired(_l("Choose what to do."))])
    text = TextAreaField(_l("Comment"), filters=[clean_text],
                         validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.action.data in ("comment", "close") and not self.text.data:
            self.text.errors.append(_l("Say what was found or done."))
            return False
        return True
