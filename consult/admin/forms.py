"""Forms of the SECAS console."""

import re
from datetime import UTC, date, datetime, time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import InputRequired

from consult.filters import LONDON

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ConfirmForm(FlaskForm):
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
        self.raw_data = [v.strip() for v in valuelist] if valuelist else None
        self.data = None

    def _value(self) -> str:
        return ""

    def pre_validate(self, form: FlaskForm) -> None:
        parts = self.raw_data if self.raw_data and len(self.raw_data) == 3 else ["", "", ""]
        day, month, year = parts
        if not any(parts):
            raise ValidationError(f"Enter the {self.noun}")
        missing = [
            name for name, value in zip(("day", "month", "year"), parts, strict=True) if not value
        ]
        if missing:
            raise ValidationError(f"The {self.noun} must include a {' and '.join(missing)}")
        if not all(p.isdigit() for p in parts) or len(year) != 4:
            raise ValidationError(f"The {self.noun} must be a real date, for example 28 6 2017")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(
                f"The {self.noun} must be a real date, for example 28 6 2017"
            ) from None


class ExtendForm(FlaskForm):
    """A new closing date and time in UK time, and the reason, shown publicly."""

    closes_date = GovDateField(
        "New closing date", noun="new closing date", description="For example, 28 6 2017"
    )
    closes_time = StringField(
        "New closing time",
        description="UK time, on the 24-hour clock, for example 17:00",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the new closing time")],
    )
    reason = TextAreaField(
        "Reason for the change",
        description="This is shown on the consultation’s public page",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter the reason for extending the deadline")],
    )
    submit = SubmitField("Extend deadline", widget=GovSubmitInput())

    def validate_closes_time(self, field: StringField) -> None:
        """Accept HH:MM on the 24-hour clock."""
        if not _TIME.match((field.data or "").strip()):
            raise ValidationError("Enter the new closing time as hours and minutes, like 17:00")

    def closes_at(self) -> datetime:
        """The new closing time: the date and time read in Europe/London, as aware UTC."""
        hours, minutes = (int(part) for part in self.closes_time.data.strip().split(":"))
        local = datetime.combine(self.closes_date.data, time(hours, minutes), tzinfo=LONDON)
        return local.astimezone(UTC)
