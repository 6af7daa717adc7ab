"""Forms of the respondent's journey.

The question form is built at run time from a ``Question`` (eq-runner's ``generate_form``):
``BUILDERS`` maps each question kind to a function returning a WTForms field with its
GOV.UK widget. Every form carries the response's ``version`` for optimistic locking.
"""

from collections.abc import Callable

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovTextArea,
)
from markupsafe import Markup
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import DataRequired, ValidationError

from consult.forms import Form
from consult.models import Answer, Question, QuestionKind
from consult.responses.service import DEFAULT_TEXT_LIMIT, AnswerInput, normalise_text

# The version a response has before its first save; a page shown before the response
# existed posts 0, which means this.
NEW_RESPONSE_VERSION = 1

CONFIDENTIAL_HINT = (
    "A confidential response is shown to SECAS and the Panel, but anonymised in anything "
    "published: it appears as “Confidential respondent” with your party category."
)


class ResponsePageForm(Form):
    """A page that changes the response: carries the version the page was made from."""

    version = HiddenField()

    def expected_version(self) -> int:
        """The version posted back; 0 (page shown before the response existed) means new."""
        try:
            version = int(self.version.data)
        except (TypeError, ValueError):
            return -1  # tampered with: refused as stale, never guessed
        return version or NEW_RESPONSE_VERSION


class QuestionForm(ResponsePageForm):
    """One question's page; ``answer`` (and ``rationale``) are added by ``question_form``."""

    question: Question
    field_names = {"answer": "Your answer", "rationale": "Your rationale"}

    def answer_input(self) -> AnswerInput:
        """What the respondent entered, for the service."""
        value = self.answer.data
        rationale = self.rationale.data if "rationale" in self else None
        if self.question.kind is QuestionKind.text:
            return AnswerInput(text=value, rationale=rationale)
        if self.question.kind is QuestionKind.single_choice:
            return AnswerInput(choices=(value,) if value else (), rationale=rationale)
        return AnswerInput(choices=tuple(value or ()), rationale=rationale)


class ConfidentialityForm(ResponsePageForm):
    """Whether the response is confidential."""

    confidential = RadioField(
        "Is your response confidential?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        widget=GovRadioInput(),
        validate_choice=False,
        description=CONFIDENTIAL_HINT,
        validators=[DataRequired(message="Select yes if your response is confidential")],
    )

    def validate_confidential(self, field: Field) -> None:
        if field.data not in ("yes", "no"):
            raise ValidationError("Select yes if your response is confidential")


class SubmitForm(ResponsePageForm):
    """Check your answers: the declaration, then Submit response."""

    declaration = BooleanField(widget=GovCheckboxInput())
    organisation_name: str = ""

    def validate_declaration(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(
                f"Confirm that you are authorised to respond on behalf of {self.organisation_name}"
            )


def submit_form(organisation_name: str) -> SubmitForm:
    """The submit form, its declaration naming the organisation."""
    form = SubmitForm()
    form.organisation_name = organisation_name
    form.declaration.label.text = (
        f"I confirm I am authorised to respond on behalf of {organisation_name}"
    )
    return form


class AttachmentForm(Form):
    """Upload one supporting document."""

    upload = FileField("Upload a file", widget=GovFileInput())

    def validate_upload(self, field: Field) -> None:
        if not field.data or not getattr(field.data, "filename", None):
            raise ValidationError("Select a file to upload")


def _one_of(options: list[str]) -> Callable[[FlaskForm, Field], None]:
    """Refuse options the question does not offer (only a hand-made request sends them)."""

    def check(_form: FlaskForm, field: Field) -> None:
        given = field.data if isinstance(field.data, list) else [field.data]
        if any(value is not None and value not in options for value in given):
            raise ValidationError("Select from the options shown")

    return check


def _only_one(_form: FlaskForm, field: Field) -> None:
    """A radio sends one value; more means a hand-made request."""
    if field.raw_data and len(field.raw_data) > 1:
        raise ValidationError("Select only one answer")


def _max_length(limit: int, what: str) -> Callable[[FlaskForm, Field], None]:
    """Counts characters as the character count does: a line break is one character."""

    def check(_form: FlaskForm, field: Field) -> None:
        if len(normalise_text(field.data or "")) > limit:
            raise ValidationError(f"{what} must be {limit:,} characters or fewer")

    return check


def _required(enforce: bool, message: str) -> list:
    return [DataRequired(message=message)] if enforce else []


def _single_choice(question: Question, number: int, enforce: bool) -> Field:
    return RadioField(
        question.text,
        choices=[SelectChoice(option) for option in question.options],
        widget=GovRadioInput(),
        validate_choice=False,
        description=question.hint or "",
        validators=[
            *_required(enforce, f"Select an answer to question {number}"),
            _only_one,
            _one_of(question.options),
        ],
    )


def _multiple_choice(question: Question, number: int, enforce: bool) -> Field:
    return SelectMultipleField(
        question.text,
        choices=[SelectChoice(option) for option in question.options],
        widget=GovCheckboxesInput(),
        validate_choice=False,
        description=question.hint or "",
        validators=[
            *_required(enforce, f"Select at least one option for question {number}"),
            _one_of(question.options),
        ],
    )


def _text(question: Question, number: int, enforce: bool) -> Field:
    limit = question.max_length or DEFAULT_TEXT_LIMIT
    return TextAreaField(
        question.text,
        widget=GovCharacterCount() if question.max_length else GovTextArea(),
        description=question.hint or "",
        validators=[
            *_required(enforce, f"Enter your answer to question {number}"),
            _max_length(limit, "Your answer"),
        ],
    )


BUILDERS: dict[QuestionKind, Callable[[Question, int, bool], Field]] = {
    QuestionKind.single_choice: _single_choice,
    QuestionKind.multiple_choice: _multiple_choice,
    QuestionKind.text: _text,
}


def question_form(
    question: Question, number: int, *, enforce_required: bool, data: dict | None = None
) -> QuestionForm:
    """A form for one question; ``enforce_required`` is off for "Save and come back later"."""

    class _Form(QuestionForm):
        pass

    _Form.question = question
    _Form.answer = BUILDERS[question.kind](question, number, enforce_required and question.required)
    if question.rationale_prompt:
        limit = question.max_length or DEFAULT_TEXT_LIMIT
        _Form.rationale = TextAreaField(
            question.rationale_prompt,
            widget=GovCharacterCount() if question.max_length else GovTextArea(),
            validators=[_max_length(limit, "Your rationale")],
        )
    return _Form(data=data)


def answer_data(answer: Answer | None, question: Question) -> dict:
    """A saved answer as the form's initial data."""
    if answer is None:
        return {}
    if question.kind is QuestionKind.text:
        value = answer.text
    elif question.kind is QuestionKind.single_choice:
        value = answer.choices[0] if answer.choices else None
    else:
        value = list(answer.choices)
    return {"answer": value, "rationale": answer.rationale}


def answer_params(question: Question) -> dict:
    """GOV.UK macro params for the answer control: the question as the page heading."""
    hint = {"text": question.hint} if question.hint else None
    if question.is_choice:
        legend = {
            "text": question.text,
            "isPageHeading": True,
            "classes": "govuk-fieldset__legend--l",
        }
        return {"fieldset": {"legend": legend}, "hint": hint}
    params = {
        "label": {"text": question.text, "isPageHeading": True, "classes": "govuk-label--l"},
        "hint": hint,
        "rows": 8,
    }
    if question.max_length:
        params["maxlength"] = question.max_length
    else:
        params["hint"] = _default_limit_hint(question.hint)
    return params


def rationale_params(question: Question) -> dict:
    """GOV.UK macro params for the rationale: a character count when the question has a limit."""
    params: dict = {"rows": 6}
    if question.max_length:
        params["maxlength"] = question.max_length
    else:
        params["hint"] = _default_limit_hint(None)
    return params


def _default_limit_hint(hint: str | None) -> dict:
    """A text box without a limit set by SECAS (so without a character count) says the
    default limit in its hint, so nobody first learns of it from an error."""
    limit = f"You can enter up to {DEFAULT_TEXT_LIMIT:,} characters."
    if not hint:
        return {"text": limit}
    return {"html": Markup("{}<br>{}").format(hint, limit)}
