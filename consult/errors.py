"""Domain errors raised by services; views turn them into messages for people."""


class ConsultError(Exception):
    """Base of every domain error; ``str(error)`` is a message fit to show a user."""


class NotFound(ConsultError):
    """The thing asked for does not exist (or the user may not know it does)."""


class InvalidInput(ConsultError):
    """Input that breaks a rule; the message says what to fix.

    ``field`` names the form field at fault, where there is one, so a page can show the
    message beside it and link to it from the error summary.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConsultationNotOpen(ConsultError):
    """The consultation is not open for responses (and no late allowance applies)."""


class StaleResponse(ConsultError):
    """A save was made on a version of the response that someone has since changed."""


class StaleEdit(ConsultError):
    """A builder page (details, a question, a section) was saved after someone changed
    what it showed: saving it would silently undo their change."""


class IncompleteResponse(ConsultError):
    """Submission attempted with required answers missing, or with answers given to
    questions that have changed since (``changed``, their keys)."""

    def __init__(self, message: str, missing: list[str], changed: list[str] | None = None):
        super().__init__(message)
        self.missing = missing
        self.changed = changed or []


class AlreadySubmitted(ConsultError):
    """Submitting would store a revision identical to the current one (e.g. the same
    page submitted again after the browser's Back): nothing is stored or sent."""


class ResponseLocked(ConsultError):
    """The response cannot be changed in its current state (e.g. withdrawn)."""


class QuestionsLocked(ConsultError):
    """The questions cannot change: a response has already been submitted against them."""


class AccountLocked(ConsultError):
    """Sign-in refused for a while after too many failed attempts."""

    def __init__(self, message: str, until) -> None:
        super().__init__(message)
        self.until = until


class BadCredentials(ConsultError):
    """The e-mail address and password (or two-factor code) do not match."""
