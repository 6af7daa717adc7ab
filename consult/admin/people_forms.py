"""Forms of the people, oversight and audit pages of the SECAS console."""

import re
from datetime import UTC, date, datetime, time, timedelta

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length

from consult.admin.forms import CheckboxInput, GovDateField, RadioInput, UkTimeField, uk_moment
from consult.filters import LONDON
from consult.forms import Form
from consult.models import CATEGORY_LABELS, Role

# Day, month and year as people write them: 21/6/2017, 21 6 2017, 21-06-2017, 21.6.2017.
_DATE = re.compile(r"^([0-9]{1,2})\s*[/.\- ]\s*([0-9]{1,2})\s*[/.\- ]\s*([0-9]{4})$")

ROLE_CHOICES = [
    SelectChoice(Role.respondent.value, "Respondent"),
    SelectChoice(Role.secas.value, "SECAS"),
    SelectChoice(Role.panel.value, "Panel member"),
]
ROLE_HINTS = "Respondents answer for one organisation; SECAS (the secretariat) run "
ROLE_HINTS += "consultations and manage organisations and users; Panel members read responses "
ROLE_HINTS += "and summaries."


def as_choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def _category_choices() -> list[SelectChoice]:
    return [SelectChoice(category.value, label) for category, label in CATEGORY_LABELS.items()]


class OrganisationForm(Form):
    """An organisation's name, party category, SEC Party identifier and whether it is active."""

    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the organisation’s name"),
            Length(max=200, message="The name must be 200 characters or fewer"),
        ],
    )
    category = RadioField(
        "Party category",
        choices=_category_choices(),
        widget=RadioInput(),
        validate_choice=False,
        validators=[InputRequired(message="Select the organisation’s party category")],
    )
    sec_party_id = StringField(
        "SEC Party identifier (optional)",
        description="As in the SEC Party register, for example SEC0123",
        widget=GovTextInput(),
        validators=[Length(max=50, message="The identifier must be 50 characters or fewer")],
    )
    active = BooleanField(
        "Active: its respondents can respond and are sent notices",
        default=True,
        widget=CheckboxInput(),
    )
    submit = SubmitField("Save organisation", widget=GovSubmitInput())

    def validate_category(self, field: RadioField) -> None:
        """Only the listed categories (a tampered value gets the same message)."""
        if field.data not in {choice.value for choice in _category_choices()}:
            raise ValidationError("Select the organisation’s party category")


class InviteForm(Form):
    """A new user: they are e-mailed a link to set their password."""

    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the person’s full name"),
            Length(max=200, message="The name must be 200 characters or fewer"),
        ],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the person’s email address"),
            Length(max=254, message="The email address must be 254 characters or fewer"),
        ],
    )
    role = RadioField(
        "Role",
        choices=ROLE_CHOICES,
        description=ROLE_HINTS,
        widget=RadioInput(),
        validate_choice=False,
        validators=[InputRequired(message="Select a role")],
    )
    organisation = SelectField(
        "Organisation (respondents only)",
        widget=GovSelect(),
        validate_choice=False,
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())

    def organisation_id(self) -> int | None:
        """The chosen organisation's id, or None."""
        try:
            return int(self.organisation.data)
        except (TypeError, ValueError):
            return None

    def validate_organisation(self, _field) -> None:
        """A respondent belongs to an organisation: said with any other answer missing,
        not only once they are given."""
        if self.role.data == Role.respondent.value and self.organisation_id() is None:
            raise ValidationError("Select the respondent’s organisation")


class RoleForm(Form):
    """A user's role, and their organisation if a respondent."""

    role = RadioField(
        "Role",
        choices=ROLE_CHOICES,
        widget=RadioInput(),
        validate_choice=False,
        validators=[InputRequired(message="Select a role")],
    )
    organisation = SelectField(
        "Organisation (respondents only)", widget=GovSelect(), validate_choice=False
    )
    submit = SubmitField("Change role", widget=GovSubmitInput())

    organisation_id = InviteForm.organisation_id
    validate_organisation = InviteForm.validate_organisation


def organisation_choices(organisations) -> list[SelectChoice]:
    """Choices for an organisation select: a blank first, then active organisations."""
    return [SelectChoice("", "Select an organisation")] + [
        SelectChoice(str(o.id), f"{o.name} ({o.category.label})") for o in organisations if o.active
    ]


def _audit_reason(missing: str) -> TextAreaField:
    """Why SECAS did something, kept in the audit log; ``missing``: the message when empty."""
    return TextAreaField(
        "Reason",
        description="Recorded in the audit log",
        widget=GovTextArea(),
        validators=[
            DataRequired(message=missing),
            Length(max=2000, message="The reason must be 2,000 characters or fewer"),
        ],
    )


class LateAllowanceForm(Form):
    """Until when (UK time) an organisation may submit after close, and why."""

    until_date = GovDateField("Allowed until", noun="date", description="For example, 28 6 2017")
    until_time = UkTimeField("Time", "time", day="until_date")
    reason = _audit_reason("Enter the reason for the late allowance")
    submit = SubmitField("Grant late allowance", widget=GovSubmitInput())

    def until(self) -> datetime:
        """The date and time read in Europe/London, as aware UTC."""
        return uk_moment(self.until_date.data, self.until_time.clock())


class RevokeForm(Form):
    """Why an organisation's late allowance is revoked."""

    reason = _audit_reason("Enter the reason for revoking the late allowance")
    submit = SubmitField("Revoke late allowance", widget=GovSubmitInput())


def parse_uk_date(raw: str) -> date:
    """'21/6/2017' (or '21 6 2017', '21-06-2017', '21.6.2017') as a date; ValueError
    otherwise."""
    match = _DATE.match(raw.strip())
    if not match:
        raise ValueError(raw)
    day, month, year = (int(part) for part in match.groups())
    return date(year, month, day)


class UkDateField(StringField):
    """An optional date typed as day/month/year."""

    widget = GovTextInput()

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data and self.data.strip():
            try:
                parse_uk_date(self.data)
            except ValueError:
                raise ValidationError(
                    f"{self.label.text} must be a real date, like 21/6/2017"
                ) from None

    def value(self) -> date | None:
        """The date entered, if valid."""
        try:
            return parse_uk_date(self.data or "")
        except ValueError:
            return None


class AuditFilterForm(Form):
    """Filters of the audit log, read from the query string (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    consultation = SelectField("Consultation", widget=GovSelect(), validate_choice=False)
    user = SelectField(
        "Who",
        description="What they did, and what was done to their account",
        widget=GovSelect(),
        validate_choice=False,
    )
    action = SelectField("Action", widget=GovSelect(), validate_choice=False)
    date_from = UkDateField("From date", description="For example, 21/6/2017")
    date_to = UkDateField("To date", description="For example, 28/6/2017")
    submit = SubmitField("Filter", widget=GovSubmitInput())

    def validate_date_to(self, field: UkDateField) -> None:
        """The range must not end before it starts."""
        start, end = self.date_from.value(), field.value()
        if start is not None and end is not None and end < start:
            raise ValidationError("To date must be the same as or after From date")

    def starts_at(self) -> datetime | None:
        """The start of the From date in UK time, as UTC."""
        day = self.date_from.value()
        if day is None:
            return None
        return datetime.combine(day, time(0, 0), tzinfo=LONDON).astimezone(UTC)

    def ends_before(self) -> datetime | None:
        """The start of the day after the To date in UK time, as UTC."""
        day = self.date_to.value()
        if day is None or day == date.max:  # the calendar's last day: no day after it
            return None
        return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=LONDON).astimezone(UTC)
