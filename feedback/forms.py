"""Forms of the feedback pages: the citizen's, the officer's transcription, the workflow."""
from __future__ import annotations

import functools
import re

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from feedback import replies
from feedback import workflow as wf
from feedback.attachments import MAX_FILE_BYTES, MAX_FILES
from feedback.models import CHANNEL_LABELS, KIND_LABELS, KINDS, STAFF_CHANNELS
from portal.forms import Form
from portal.text import EMAIL_PATTERN, clean_text

CONTENT_MIN, CONTENT_MAX = 20, 10_000
PHONE_PATTERN = r"^\+?[\d\s().-]{9,20}$"


def _phone_ok(form, field):
    if field.data:
        digits = re.sub(r"\D", "", field.data)
        if not re.match(PHONE_PATTERN, field.data) or not 9 <= len(digits) <= 12:
            raise ValidationError(_l("Enter a phone number of 10 or 11 digits, e.g. 0905 123 456."))


class _SenderFields(Form):
    """What a feedback is and who sent it (NĐ 20/2008 Điều 7)."""

    kind = RadioField(_l("What are you sending?"), validate_choice=True,
                      validators=[InputRequired(_l("Choose feedback or petition."))],
                      choices=[SelectChoice(kind, KIND_LABELS[kind]) for kind in KINDS])
    procedure_field = SelectField(_l("Field (optional)"), validators=[Optional()],
                                  validate_choice=True)
    procedure = SelectField(_l("Related administrative procedure (optional)"),
                            validators=[Optional()], validate_choice=True)
    content = TextAreaField(
        _l("Your feedback"), filters=[clean_text],
        validators=[InputRequired(_l("Write what happened or what you propose.")),
                    Length(min=CONTENT_MIN, max=CONTENT_MAX, message=_l(
                        "Write between 20 and 10,000 characters."))],
        description=_l("What happened, where and when, and which procedure or office it was "
                       "about. Between 20 and 10,000 characters."),
        render_kw={"rows": 8, "maxlength": CONTENT_MAX})
    proposed_solution = TextAreaField(
        _l("What do you propose? (optional)"), filters=[clean_text],
        validators=[Optional(), Length(max=5000)], render_kw={"rows": 4, "maxlength": 5000})
    name = StringField(_l("Full name"), filters=[clean_text],
                       validators=[Length(max=200)], render_kw={"autocomplete": "name"})
    address = StringField(_l("Address"), filters=[clean_text], validators=[Length(max=500)],
                          description=_l("House number, street, ward or commune, province."),
                          render_kw={"autocomplete": "street-address"})
    phone = StringField(_l("Phone number"), filters=[clean_text], validators=[_phone_ok],
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})
    email = StringField(_l("Email (optional)"), filters=[clean_text],
                        validators=[Optional(), Length(max=254), Regexp(
                            EMAIL_PATTERN, message=_l("Enter an email address like "
                                                      "ten@example.com."))],
                        description=_l("We send the receipt and the answer there too."),
                        render_kw={"autocomplete": "email", "inputmode": "email"})
    reply_by_post = BooleanField(_l("I have no phone: reply to me by post at the address above"))
    attachments = MultipleFileField(
        _l("Attachments (optional)"),
        description=_l("Up to 5 files of at most 10 MB each: PDF, JPEG, PNG or Word (DOCX). "
                       "Location and camera data are removed from photos."),
        render_kw={"accept": ".pdf,.jpg,.jpeg,.png,.docx,application/pdf,image/jpeg,image/png,"
                             "application/vnd.openxmlformats-officedocument."
                             "wordprocessingml.document",
                   # for static/js/attachments.js, which warns before a long upload
                   "data-max-files": MAX_FILES, "data-max-bytes": MAX_FILE_BYTES,
                   "data-too-many": _l("Attach at most 5 files."),
                   "data-too-large": _l("“%(name)s” is larger than 10 MB.")})
    consent_publish = BooleanField(_l(
        "I agree that a de-identified version of my feedback and its answer (without my name, "
        "phone, email or address) may be published on this site."))

    def chosen_files(self):
        return [upload for upload in (self.attachments.data or [])
                if upload and getattr(upload, "filename", "")]

    def validate_attachments(self, field):
        if len(self.chosen_files()) > MAX_FILES:
            raise ValidationError(_l("Attach at most 5 files."))


class FeedbackForm(_SenderFields):
    """The citizen's form at /feedback/new: the law's contact requirements are enforced."""

    from_survey = HiddenField()
    # Hidden from people (CSS and aria-hidden); scripts that fill every field fill it too.
    website = StringField(_l("Leave this empty"), render_kw={"autocomplete": "off",
                                                              "tabindex": "-1"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Marked required for people (the * and the HTML attribute); the checks below give
        # the legal reason when they are missing. The phone is required unless the citizen
        # asks for a reply by post.
        self.name.flags.required = self.address.flags.required = True
        self.phone.flags.required = True
        self.phone.description = _l("Needed, unless you tick “reply to me by post” below.")

    def validate_name(self, field):
        if not field.data:
            raise ValidationError(_l("Your name is required: the law (NĐ 20/2008, Article 7) "
                                     "does not allow anonymous feedback to be handled."))

    def validate_address(self, field):
        if not field.data:
            raise ValidationError(_l("Your address is required by the law (NĐ 20/2008, "
                                     "Article 7), so that the answer can reach you."))

    def validate_phone(self, field):
        if not field.data and not self.reply_by_post.data:
            raise ValidationError(_l(
                "The law (NĐ 20/2008, Article 7) requires a phone number or a postal address: "
                "give a phone number, or tick “reply to me by post” below."))


class StaffIntakeForm(_SenderFields):
    """An officer transcribes a call, a visit, a letter or an email (NĐ 20/2008 Điều 7 k2).
    Everything received is logged, even without the sender's details: it is then classified
    "not accepted" with that reason, and the history shows it."""

    channel = SelectField(_l("Received through"), validate_choice=True,
                          choices=[SelectChoice(channel, CHANNEL_LABELS[channel])
                                   for channel in STAFF_CHANNELS])
    received_on = DateField(_l("Received on"), validators=[InputRequired()])


class EditForm(_SenderFields):
    """Corrections by reception or the secretariat; every change is in the history."""

    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])
    reason = StringField(_l("Why this correction?"), filters=[clean_text],
                         validators=[InputRequired(_l("Say why the ticket is corrected.")),
                                     Length(max=500)])


class _ActionBase(Form):
    action = HiddenField()
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])
    rule: wf.Transition

    def details(self) -> dict:
        return {detail.name: self[detail.name].data for detail in self.rule.details}


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice("", "—")] + [SelectChoice(code, label) for code, label in labels.items()]


def _detail_field(detail: wf.Detail):
    """The form field of one declared detail. Whether it is required is the workflow's to
    check (feedback.workflow.missing_details), so the service and the form never disagree; the
    field is only marked so for people."""
    marks = {"aria-required": "true"} if detail.required else {}
    text = {"filters": [clean_text], "render_kw": marks}
    kinds = {
        wf.REFUSAL_REASON: lambda: SelectField(
            detail.label, validators=[Optional()], validate_choice=True,
            choices=_choices(wf.REFUSAL_REASONS), render_kw=marks),
        wf.TICKET_CLASS: lambda: SelectField(
            detail.label, validators=[Optional()], validate_choice=True,
            choices=_choices({code: wf.CLASS_LABELS[code]
                              for code in (wf.CLASS_CONDUCT, wf.CLASS_COMPETENCE)}),
            render_kw=marks),
        wf.LINE: lambda: StringField(detail.label, validators=[
            Optional(), Length(max=detail.max_length or 300)], **text),
        wf.DATE: lambda: DateField(detail.label, validators=[Optional()], render_kw=marks),
        # the views fill the units and officers in (feedback.staff_views.action_forms)
        wf.UNIT: lambda: SelectField(detail.label, validators=[Optional()],
                                     validate_choice=True, render_kw=marks),
        wf.OFFICER: lambda: SelectField(detail.label, validators=[Optional()],
                                        validate_choice=True, render_kw=marks),
        wf.PARAGRAPH: lambda: TextAreaField(detail.label, validators=[
            Optional(), Length(max=2000)], filters=[clean_text], render_kw={"rows": 3, **marks}),
        wf.ANSWER: lambda: TextAreaField(detail.label, validators=[
            Optional(), Length(max=20_000)], filters=[clean_text],
            render_kw={"rows": 12, **marks}),
        wf.PUBLIC_TEXT: lambda: TextAreaField(detail.label, validators=[
            Optional(), Length(max=20_000)], filters=[clean_text], render_kw={"rows": 10}),
        wf.CONFIRM: lambda: BooleanField(detail.label),
    }
    return kinds[detail.kind]()


@functools.cache
def action_form_class(action: str) -> type[_ActionBase]:
    """The form of one workflow action, built once from its declaration: a field per detail,
    and the reply-template picker beside an answer."""
    rule = wf.TRANSITIONS[action]
    fields = {detail.name: _detail_field(detail) for detail in rule.details}
    if any(detail.kind == wf.ANSWER for detail in rule.details):
        fields["template"] = SelectField(_l("Reply template"), validators=[Optional()],
                                         validate_choice=False)
    return type(f"{action.title()}Form", (_ActionBase,), {"rule": rule, **fields})


class NoteForm(Form):
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])
    note = TextAreaField(_l("Internal note"), filters=[clean_text],
                         validators=[InputRequired(), Length(max=5000)],
                         description=_l("Seen by staff only; never sent or published."),
                         render_kw={"rows": 3})


class EraseForm(Form):
    """A citizen asks for their personal data to be erased (Law 91/2025/QH15)."""

    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])
    reason = TextAreaField(
        _l("The request and its reason"), filters=[clean_text],
        validators=[InputRequired(), Length(min=10, max=2000, message=_l(
            "Write at least 10 characters and at most 2,000."))],
        description=_l("How and when the citizen asked (a letter, a visit, a call). The "
                       "sender's details written here are erased too."),
        render_kw={"rows": 3})
    confirm = BooleanField(_l("I understand that the sender's details, the files and the "
                              "messages sent cannot be recovered afterwards."),
                           validators=[InputRequired(message=_l("Tick the box to confirm."))])


class AttachmentForm(Form):
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])
    attachments = MultipleFileField(_l("Add scanned pages or documents"))


class BulkAssignForm(Form):
    ticket_ids = SelectMultipleField(_l("Tickets"), coerce=int, validate_choice=False)
    unit_id = SelectField(_l("Unit"), validate_choice=True,
                          validators=[InputRequired(_l("Choose a unit."))])


class TrackForm(Form):
    code = StringField(_l("Tracking code"), filters=[clean_text],
                       validators=[InputRequired(_l("Enter the code you received.")),
                                   Length(max=40)],
                       description=_l("For example PA-2026-000123K."),
                       render_kw={"autocapitalize": "characters", "spellcheck": "false"})
    contact = StringField(_l("The phone number or email you gave, or your PIN"),
                          filters=[clean_text], validators=[InputRequired(_l(
                              "Enter the phone number or email you gave, or the PIN on your "
                              "receipt.")), Length(max=254)],
                          description=_l("The PIN is on your receipt and on every letter."))


class _TrackedForm(Form):
    """A citizen's step on the look-up page: the code and contact they proved, carried."""

    code = HiddenField(filters=[clean_text], validators=[InputRequired(), Length(max=40)])
    contact = HiddenField(filters=[clean_text], validators=[InputRequired(), Length(max=254)])


class CitizenReplyForm(_TrackedForm):
    reply = TextAreaField(_l("Your reply"), filters=[clean_text], validators=[
        InputRequired(_l("Write the information asked for.")),
        Length(min=5, max=5000, message=_l("Write between 5 and 5,000 characters."))],
        render_kw={"rows": 6, "maxlength": 5000})


class RatingForm(_TrackedForm):
    resolved = RadioField(_l("Did this answer resolve your issue?"), validate_choice=True,
                          choices=[SelectChoice("yes", _l("Yes, it did")),
                                   SelectChoice("no", _l("No, it did not"))],
                          validators=[InputRequired(_l("Choose yes or no."))])
    comment = TextAreaField(_l("What is still not resolved? (optional)"), filters=[clean_text],
                            validators=[Optional(), Length(max=2000)],
                            render_kw={"rows": 4, "maxlength": 2000})


class ReplyTemplateForm(Form):
    """A reply template, edited by the secretariat and administrators."""

    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])
    outcome = SelectField(_l("Outcome"), validate_choice=True,
                          choices=[SelectChoice(key, label)
                                   for key, label in replies.OUTCOMES.items()])
    procedure_field = SelectField(_l("Field"), validators=[Optional()], validate_choice=True,
                                  description=_l("Leave “every field” unless the wording is "
                                                 "for one field only."))
    language = RadioField(_l("Language"), validate_choice=True, default="vi",
                          choices=[SelectChoice("vi", "Tiếng Việt"),
                                   SelectChoice("en", "English")],
                          validators=[InputRequired(_l("Choose the language."))])
    title = StringField(_l("Title"), filters=[clean_text], validators=[
        InputRequired(_l("Give the template a title.")), Length(max=200)],
        description=_l("What officers see in the list of templates."))
    body = TextAreaField(_l("Text"), filters=[clean_text], validators=[
        InputRequired(_l("Write the template's text.")), Length(max=10_000)],
        render_kw={"rows": 12, "maxlength": 10_000})
    active = BooleanField(_l("Offered to officers"), default=True)

    def validate_body(self, field):
        for problem in replies.problems(field.data):
            raise ValidationError(problem)


class LetterPostedForm(Form):
    """A printed letter was sent by post on this day."""

    posted_on = DateField(_l("Posted on"), validators=[InputRequired(_l(
        "Give the day the letter was posted."))])

