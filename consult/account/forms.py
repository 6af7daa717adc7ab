"""Forms of a user's own account pages."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    EmailField,
    Field,
    PasswordField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length

from consult.auth.policy import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from consult.auth.service import EMAIL_FORMAT_MESSAGE, looks_like_email
from consult.forms import Form

NEW_CONSULTATIONS = "new_consultations"
REMINDERS = "reminders"
COLLEAGUES = "colleagues"


class PreferencesForm(Form):
    """Which optional e-mails the user wants; receipts are always sent."""

    emails = SelectMultipleField(
        "Which emails do you want?",
        choices=[
            SelectChoice(NEW_CONSULTATIONS, "When a consultation opens for responses"),
            SelectChoice(REMINDERS, "Reminders before a consultation closes, and deadline changes"),
            SelectChoice(
                COLLEAGUES, "When a colleague submits or withdraws your organisation’s response"
            ),
        ],
        description="Select all that apply. We always email you a receipt when you submit "
        "a response.",
        widget=GovCheckboxesInput(),
    )
    submit = SubmitField("Save preferences", widget=GovSubmitInput())


def _new_password_field() -> PasswordField:
    return PasswordField(
        "New password",
        description=f"At least {MIN_PASSWORD_LENGTH} characters, not a common password, and "
        "not your name or email address. A few unrelated words make a strong, memorable "
        "password.",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Enter a new password"),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=f"The password must be at least {MIN_PASSWORD_LENGTH} characters",
            ),
            Length(
                max=MAX_PASSWORD_LENGTH,
                message=f"The password must be {MAX_PASSWORD_LENGTH} characters or fewer",
            ),
        ],
    )


def _confirm_field() -> PasswordField:
    return PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter the new password again")],
    )


class NewPasswordForm(Form):
    """A new password, typed twice."""

    password = _new_password_field()
    confirm = _confirm_field()
    submit = SubmitField("Set password", widget=GovSubmitInput())

    def validate_confirm(self, field: PasswordField) -> None:
        """Both boxes must match."""
        if field.data != self.password.data:
            raise ValidationError("The passwords do not match")


class ChangePasswordForm(Form):
    """The current password, then a new one typed twice."""

    current = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Enter your current password"),
            Length(max=MAX_PASSWORD_LENGTH, message="Enter your current password correctly"),
        ],
    )
    password = _new_password_field()
    confirm = _confirm_field()
    submit = SubmitField("Change password", widget=GovSubmitInput())

    validate_confirm = NewPasswordForm.validate_confirm


class ResetRequestForm(Form):
    """The e-mail address to send a reset link to."""

    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter your email address"),
            Length(max=254, message="The email address must be 254 characters or fewer"),
        ],
    )
    submit = SubmitField("Send reset link", widget=GovSubmitInput())

    def validate_email(self, field: Field) -> None:
        if not looks_like_email(field.data or ""):
            raise ValidationError(EMAIL_FORMAT_MESSAGE)


class TwoFactorCodeForm(Form):
    """A code from the authenticator app, to confirm setting up or turning off."""

    code = StringField(
        "Security code",
        description="The 6-digit code your authenticator app shows now",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the 6-digit code shown in your authenticator app"),
            Length(max=20, message="Enter the 6-digit code shown in your authenticator app"),
        ],
    )
    submit = SubmitField("Turn on two-factor sign-in", widget=GovSubmitInput())


class TurnOffTwoFactorForm(TwoFactorCodeForm):
    """Turning two-factor sign-in off needs a current code."""

    submit = SubmitField("Turn off two-factor sign-in", widget=GovSubmitInput())
