"""What makes a password acceptable: long enough, not common, not the user's own details.

Common and guessable passwords are found with zxcvbn, whose frequency lists (the 30,000
most common passwords, names and English words) ship inside the package: no network call.
"""

from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
# zxcvbn's own limit; a longer password is judged on its first part (already long).
_ZXCVBN_MAX = 72
# zxcvbn scores 0 to 4; 3 means "safely unguessable" against an online attack.
_MIN_SCORE = 3


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` may not be used, as a message for the user, or None if it may."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"The password must be {MAX_PASSWORD_LENGTH} characters or fewer"
    if _contains_own_details(password, email, name):
        return "The password must not contain your email address or name"
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=_own_words(email, name))
    if any(match.get("dictionary_name") == "passwords" for match in result["sequence"]):
        if result["score"] < _MIN_SCORE:
            return (
                "The password is too common: choose one that is not on lists of "
                "common passwords, for example three or four unrelated words"
            )
    if result["score"] < _MIN_SCORE:
        return (
            "The password is too easy to guess: avoid repeats, sequences, dates and "
            "single words, for example use three or four unrelated words"
        )
    return None


def _own_words(email: str, name: str) -> list[str]:
    """The user's details, and their parts, that a password should not be built from."""
    email = email.strip().lower()
    words = [email, email.split("@", 1)[0], name.strip().lower()]
    words += name.lower().split()
    return [word for word in words if len(word) >= 4]


def _contains_own_details(password: str, email: str, name: str) -> bool:
    folded = "".join(password.lower().split())
    details = [email.strip().lower(), email.strip().lower().split("@", 1)[0]]
    details.append("".join(name.lower().split()))
    return any(len(detail) >= 4 and detail in folded for detail in details)
