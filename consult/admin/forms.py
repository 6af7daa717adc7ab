"""Forms of the SECAS console."""

import re
from datetime import UTC, date, datetime, time

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length

from consult.filters import LONDON
from consult.forms import Form
from consult.models import (
    MAX_SUMMARY_LENGTH,
    ConsultationKind,
    QuestionKind,
    canonical_reference,
)
from consult.numbers import whole_number

# A time of day as people type it (``parse_clock``): on the 24-hour clock, "17:00",
# "17.00" or "1700"; on the 12-hour clock, "5pm", "5:30pm" or "5.30 p.m.".
_CLOCK_24 = re.compile(r"^([01]?[0-9]|2[0-3])[:.]?([0-5][0-9])$")
_CLOCK_12 = re.compile(r"^(0?[1-9]|1[0-2])(?:[:.]([0-5][0-9]))?(am|pm)$")
_MIDDAY = {"midday", "noon", "12noon", "12midday"}


class _NoEmptyHint:
    """govuk-frontend-wtf gives radios and checkboxes a hint even when the field has no
    description: an empty element that aria-describedby points to. Leave it out."""

    def map_gov_params(self, field: Field, **kwargs) -> dict:
        params = super().map_gov_params(field, **kwargs)
        hint = params.get("hint") or {}
        if not (hint.get("text") or hint.get("html")):
            params.pop("hint", None)
        return params


class RadioInput(_NoEmptyHint, GovRadioInput):
    """GOV.UK radios, with a hint only when there is one."""


class CheckboxInput(_NoEmptyHint, GovCheckboxInput):
    """A GOV.UK single checkbox, with a hint only when there is one."""


class ConfirmForm(Form):
    """A button-only form: it exists for its CSRF token."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class GovDateField(Field):
    """The GOV.UK date input: day, month and year boxes sharing one name.

    Each problem gets the Design System's own message, rather than WTForms' generic one.
    """

    widget = GovDateInput()

    def __init__(self, label: str, noun: str, **kwargs) -> None:
        super().__init__(label, **kwargs)
        self.noun = noun  # e.g. "closing date", used in messages

    def process_formdata(self, valuelist: list[str]) -> None:
        # The widget shows back exactly three boxes, so a post with any other number of
        # values (only a crafted one) is shown back empty and refused in pre_validate.
        self.malformed = bool(valuelist) and len(valuelist) != 3
        if self.malformed:
            self.raw_data = ["", "", ""]
        else:
            self.raw_data = [v.strip() for v in valuelist] if valuelist else None
        self.data = None

    def _value(self) -> str:
        return ""

    def pre_validate(self, form: FlaskForm) -> None:
        if getattr(self, "malformed", False):
            raise ValidationError(f"Enter the {self.noun} as a day, month and year")
        parts = self.raw_data if self.raw_data and len(self.raw_data) == 3 else ["", "", ""]
        day, month, year = parts
        if not any(parts):
            raise ValidationError(f"Enter the {self.noun}")
        missing = [
            name for name, value in zip(("day", "month", "year"), parts, strict=True) if not value
        ]
        if missing:
            raise ValidationError(f"The {self.noun} must include a {' and '.join(missing)}")
        if not all(p.isascii() and p.isdigit() for p in parts) or len(year) != 4:
            raise ValidationError(self._not_a_real_date())
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(self._not_a_real_date()) from None

    def _not_a_real_date(self) -> str:
        """The message for a date that does not exist, with the example its hint gives."""
        example = self.description or "For example, 28 6 2017"
        return f"The {self.noun} must be a real date, {example[0].lower()}{example[1:]}"


def parse_clock(raw: str) -> time:
    """A time of day as people type it: "17:00", "17.00", "1700", "5pm", "5:30 pm",
    "5.30 p.m.", "midday". ValueError otherwise: "midnight" too, as it could be the start
    or the end of a day."""
    typed = re.sub(r"\s+", "", raw).lower().replace("a.m.", "am").replace("p.m.", "pm")
    if typed in _MIDDAY:
        return time(12, 0)
    if match := _CLOCK_12.match(typed):
        hours = int(match[1]) % 12 + (12 if match[3] == "pm" else 0)
        return time(hours, int(match[2] or 0))
    if match := _CLOCK_24.match(typed):
        return time(int(match[1]), int(match[2]))
    raise ValueError(raw)


def exists_in_the_uk(day: date, clock: time) -> bool:
    """Whether a UK clock shows ``clock`` on ``day``: not in the hour skipped when the
    clocks go forward (1am to 2am on the last Sunday of March)."""
    local = datetime.combine(day, clock, tzinfo=LONDON)
    return local.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) == local.replace(
        tzinfo=None
    )


def happens_twice_in_the_uk(day: date, clock: time) -> bool:
    """Whether a UK clock shows ``clock`` twice on ``day``: in the hour repeated when the
    clocks go back (1am to 2am on the last Sunday of October)."""
    first = datetime.combine(day, clock, tzinfo=LONDON)
    return first.utcoffset() != first.replace(fold=1).utcoffset()


def uk_moment(day: date, clock: time) -> datetime:
    """A date and a time of day read in Europe/London, as aware UTC."""
    return datetime.combine(day, clock, tzinfo=LONDON).astimezone(UTC)


class UkTimeField(StringField):
    """A time of day in UK time, typed as people write it (``parse_clock``); ``clock()``
    is the time once the form has validated."""

    widget = GovTextInput()

    def __init__(self, label: str, noun: str, day: str, **kwargs) -> None:
        kwargs.setdefault("description", "UK time, for example 17:00 or 5pm")
        super().__init__(label, validators=[InputRequired(message=f"Enter the {noun}")], **kwargs)
        self.noun = noun  # e.g. "closing time", used in messages
        self.day = day  # the name of the date field it is a time on

    def post_validate(self, form: FlaskForm, validation_stopped: bool) -> None:
        if validation_stopped:
            return
        midnight = ValidationError(
            f"The {self.noun} cannot be midnight, which could be read as the start or the end "
            "of a day: enter 23:59 for the end of the day, or 00:01 for its start"
        )
        try:
            clock = parse_clock(self.data or "")
        except ValueError:
            if "midnight" in (self.data or "").lower():
                raise midnight from None
            raise ValidationError(
                f"Enter the {self.noun} as a time of day, like 17:00 or 5pm"
            ) from None
        if clock == time(0, 0):  # "00:00" or "12am", shown as "midnight on 30 December"
            raise midnight
        day = form[self.day].data
        if not isinstance(day, date):
            return
        when = f"{clock:%H:%M} on {day.day} {day:%B %Y}"
        if not exists_in_the_uk(day, clock):
            raise ValidationError(
                f"The {self.noun} {when} does not happen in the UK: the clocks go forward "
                "from 1am to 2am. Enter a time before 1am or from 2am"
            )
        if happens_twice_in_the_uk(day, clock):
            raise ValidationError(
                f"The {self.noun} {when} happens twice in the UK: the clocks go back from "
                "2am to 1am. Enter a time before 1am or from 2am"
            )

    def clock(self) -> time:
        """The time typed."""
        return parse_clock(self.data or "")


def _text(label: str, *, required: str | None = None, limit: int = 300, **kwargs) -> StringField:
    validators = [InputRequired(message=required)] if required else []
    message = f"{label} must be {limit} characters or fewer"
    return StringField(
        label,
        widget=GovTextInput(),
        validators=[*validators, Length(max=limit, message=message)],
        **kwargs,
    )


KIND_CHOICES = [SelectChoice(k.value, k.label) for k in ConsultationKind]
QUESTION_KIND_LABELS = {
    QuestionKind.single_choice: "Single choice (radio buttons)",
    QuestionKind.multiple_choice: "Multiple choice (checkboxes)",
    QuestionKind.text: "Free text",
}


def _date_fields() -> tuple[GovDateField, StringField, GovDateField, StringField]:
    """Opening date and time, closing date and time: made afresh for each form, where its
    page shows them, because WTForms orders fields (and so the error summary) by when
    each was made."""
    return (
        GovDateField("Opening date", noun="opening date", description="For example, 7 6 2017"),
        UkTimeField("Opening time", "opening time", day="opens_date"),
        GovDateField("Closing date", noun="closing date", description="For example, 21 6 2017"),
        UkTimeField("Closing time", "closing time", day="closes_date"),
    )


def _reference_field() -> StringField:
    return _text(
        "Reference",
        required="Enter the reference",
        limit=40,
        description="Letters, digits and hyphens, for example SSI-2017. It is kept in capital "
        "letters and is part of the consultation’s web address.",
        filters=[lambda value: canonical_reference(value) if isinstance(value, str) else value],
    )


class DatesMixin:
    """Reading and filling a form's opening and closing date and time (``_date_fields``)."""

    def opens_at(self) -> datetime:
        """The opening time as aware UTC."""
        return uk_moment(self.opens_date.data, self.opens_time.clock())

    def closes_at(self) -> datetime:
        """The closing time as aware UTC."""
        return uk_moment(self.closes_date.data, self.closes_time.clock())

    def show_dates(self, opens_at: datetime, closes_at: datetime) -> None:
        """Fill the date and time boxes from stored times."""
        for prefix, moment in (("opens", opens_at), ("closes", closes_at)):
            local = moment.astimezone(LONDON)
            getattr(self, f"{prefix}_date").raw_data = [
                str(local.day),
                str(local.month),
                str(local.year),
            ]
            getattr(self, f"{prefix}_time").data = f"{local:%H:%M}"


class DetailsForm(DatesMixin, Form):
    """A consultation's details."""

    reference = _reference_field()
    title = _text("Title", required="Enter the title")
    kind = RadioField(
        "Type of consultation",
        choices=KIND_CHOICES,
        widget=RadioInput(),
        validators=[InputRequired(message="Select the type of consultation")],
    )
    modification = _text(
        "Modification proposal (optional)",
        limit=40,
        description="The modification it concerns, for example SECMP0035",
    )
    summary = TextAreaField(
        "Summary",
        description="Markdown: **bold**, lists starting with -, links as [text](address)",
        widget=GovTextArea(),
        validators=[
            Length(
                max=MAX_SUMMARY_LENGTH,
                message=f"The summary must be {MAX_SUMMARY_LENGTH:,} characters or fewer",
            )
        ],
    )
    opens_date, opens_time, closes_date, closes_time = _date_fields()
    version = HiddenField()  # what the page showed: see builder_service
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_reference(self, field: Field) -> None:
        """Letters, digits and hyphens only."""
        if not re.fullmatch(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*", (field.data or "").strip()):
            raise ValidationError("The reference must contain only letters, digits and hyphens")


class DuplicateForm(DatesMixin, Form):
    """Which consultation to copy and the new one's reference, title and dates."""

    source = SelectField(
        "Consultation to copy",
        widget=GovSelect(),
        validators=[InputRequired(message="Select the consultation to copy")],
    )
    reference = _reference_field()
    title = _text("Title", required="Enter the title")
    opens_date, opens_time, closes_date, closes_time = _date_fields()
    submit = SubmitField("Create copy", widget=GovSubmitInput())
    validate_reference = DetailsForm.validate_reference


class SectionForm(Form):
    """A section's title."""

    title = _text("Section title", required="Enter the section title")
    version = HiddenField()  # what the page showed: see builder_service
    submit = SubmitField("Save section", widget=GovSubmitInput())


class QuestionDetailsForm(Form):
    """One question of the form respondents fill in."""

    kind = RadioField(
        "Type of answer",
        choices=[SelectChoice(k.value, label) for k, label in QUESTION_KIND_LABELS.items()],
        widget=RadioInput(),
        validators=[InputRequired(message="Select the type of answer")],
    )
    text = TextAreaField(
        "Question",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter the question")],
    )
    hint = TextAreaField("Hint (optional)", widget=GovTextArea())
    options = TextAreaField(
        "Options",
        description="For a choice question: one option on each line, for example Yes and No",
        widget=GovTextArea(),
    )
    rationale_prompt = _text(
        "Rationale prompt (optional)",
        limit=1000,
        description="For a choice question: asks for free text beside the choice, for "
        "example Please provide your rationale",
    )
    required = RadioField(
        "Must respondents answer it?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No, it is optional")],
        widget=RadioInput(),
        validators=[InputRequired(message="Select whether the question must be answered")],
    )
    max_length = _text(
        "Character limit (optional)",
        limit=6,
        description="The most characters a free text answer or rationale may have",
    )
    section = SelectField("Section", widget=GovSelect(), validate_choice=False)
    version = HiddenField()  # what the page showed: see builder_service
    submit = SubmitField("Save question", widget=GovSubmitInput())

    def validate_max_length(self, field: Field) -> None:
        """A whole number, or nothing."""
        value = (field.data or "").strip()
        if not value:
            return
        try:
            whole_number(value)
        except ValueError:
            raise ValidationError("The character limit must be a whole number, like 2000") from None

    def validate_section(self, field: Field) -> None:
        """Only one of the offered sections."""
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError("Select a section from the list")

    def option_list(self) -> list[str]:
        """The options, one a line, blank lines dropped."""
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]


class DocumentForm(Form):
    """A document's title and file."""

    title = _text(
        "Title",
        required="Enter the document’s title",
        description="For example, Consultation document, Appendix A – Consultation response "
        "form, or Annex 1",
    )
    file = FileField(
        "File",
        description="A PDF, Word document (DOCX) or Excel spreadsheet (XLSX)",
        widget=GovFileInput(),
    )
    submit = SubmitField("Upload", widget=GovSubmitInput())


class PublishForm(Form):
    """When a draft opens: at its opening date, or now."""

    when = RadioField(
        "When should it open for responses?",
        choices=[SelectChoice("scheduled", "At its opening date"), SelectChoice("now", "Now")],
        widget=RadioInput(),
        # A bare confirmation (no choice sent) publishes on schedule, as it always has.
        default="scheduled",
        validate_choice=False,
    )

    def validate_when(self, field: Field) -> None:
        """Only the two choices shown."""
        if field.data not in ("scheduled", "now"):
            raise ValidationError("Select when it should open")


class ExtendForm(Form):
    """A new closing date and time in UK time, and the reason, shown publicly."""

    closes_date = GovDateField(
        "New closing date", noun="new closing date", description="For example, 28 6 2017"
    )
    closes_time = UkTimeField("New closing time", "new closing time", day="closes_date")
    reason = TextAreaField(
        "Reason for the change",
        description="This is shown on the consultation’s public page",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter the reason for the change"),
            Length(max=2000, message="The reason must be 2,000 characters or fewer"),
        ],
    )
    confirmed = HiddenField()
    submit = SubmitField("Extend deadline", widget=GovSubmitInput())
    # On the confirmation page: back to the form, filled in with what was entered.
    change = SubmitField("Change", widget=GovSubmitInput())

    def closes_at(self) -> datetime:
        """The new closing time: the date and time read in Europe/London, as aware UTC."""
        return uk_moment(self.closes_date.data, self.closes_time.clock())
