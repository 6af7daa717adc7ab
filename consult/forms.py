"""The base of every form: a field that arrived with null characters says so.

PostgreSQL cannot store a null character (code 0) in text, and nobody means to type one,
but one can come with text pasted from another program. ``web`` removes them from every
posted value before any view reads the form, and notes which fields had them; a form
then refuses to go on, so the page is shown again with what was typed (without the null
characters) and a message on each such field, instead of losing it all.
"""

from flask import g, has_request_context
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField

NUL = "\x00"


def note_removed(names: set[str]) -> None:
    """Record, for this request, the posted fields whose null characters were removed."""
    g.nul_removed = frozenset(names)


class Form(FlaskForm):
    """A FlaskForm that refuses a post whose null characters were removed."""

    # How a field is named in its message when its label is not the right words
    # (a question's label is the whole question).
    field_names: dict[str, str] = {}

    def validate(self, extra_validators=None) -> bool:
        """Validate as usual, then add a message to each field that had null characters."""
        valid = super().validate(extra_validators)
        removed = g.get("nul_removed", frozenset()) if has_request_context() else frozenset()
        if not removed:
            return valid
        for field in self:
            if _had_nul(field, removed) and not isinstance(field, HiddenField):
                what = self.field_names.get(field.name, field.label.text)
                field.errors = [*field.errors, _message(what)]
                valid = False
        return valid


def _had_nul(field: Field, removed: frozenset[str]) -> bool:
    return field.name in removed or any(name.startswith(f"{field.name}-") for name in removed)


def _message(what: str) -> str:
    return (
        f"{what} contained a character that cannot be saved (a null character, code 0). "
        "It has been removed: check the text and try again"
    )
