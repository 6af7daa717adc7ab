"""Small builders for arranging tests: they go through the real services where one exists."""

import io
from datetime import datetime, timedelta
from itertools import count
from pathlib import Path

from sqlalchemy.orm import Session

from consult.auth.passwords import hash_password
from consult.db import utcnow
from consult.models import (
    Attachment,
    Consultation,
    ConsultationKind,
    LateAllowance,
    Organisation,
    PartyCategory,
    Question,
    QuestionKind,
    Response,
    Role,
    User,
)
from consult.responses import attachments
from consult.responses import service as responses

PASSWORD = "correct horse battery staple"
_HASH = hash_password(PASSWORD)
_sequence = count(1)

DEFAULT_QUESTIONS = [
    {
        "key": "q1",
        "kind": "single_choice",
        "text": "Do you agree with the proposed new end date?",
        "options": ["Yes", "No"],
        "rationale_prompt": "Please provide your rationale",
        "required": True,
    },
    {
        "key": "q2",
        "kind": "multiple_choice",
        "text": "Which of your systems are affected?",
        "options": ["Metering", "Billing", "Customer service"],
        "required": False,
    },
    {
        "key": "q3",
        "kind": "text",
        "text": "Do you have any other comments?",
        "required": False,
    },
]


def make_organisation(
    db: Session, name: str | None = None, category: PartyCategory = PartyCategory.large_supplier
) -> Organisation:
    organisation = Organisation(name=name or f"Organisation {next(_sequence)}", category=category)
    db.add(organisation)
    db.commit()
    return organisation


def make_user(
    db: Session,
    role: Role,
    *,
    organisation: Organisation | None = None,
    name: str | None = None,
    email: str | None = None,
) -> User:
    n = next(_sequence)
    user = User(
        email=email or f"user{n}@example.com",
        name=name or f"User {n}",
        role=role,
        organisation=organisation,
        password_hash=_HASH,
    )
    db.add(user)
    db.commit()
    return user


def make_consultation(
    db: Session,
    reference: str | None = None,
    *,
    status: str = "open",
    questions: list[dict] | None = None,
    title: str = "Changing the end date of the SSI variations",
    now: datetime | None = None,
) -> Consultation:
    """A consultation that is ``status`` now: draft, upcoming, open or closed."""
    now = now or utcnow()
    opens, closes = {
        "draft": (now + timedelta(days=1), now + timedelta(days=15)),
        "upcoming": (now + timedelta(days=1), now + timedelta(days=15)),
        "open": (now - timedelta(days=7), now + timedelta(days=7)),
        "closed": (now - timedelta(days=21), now - timedelta(days=7)),
    }[status]
    consultation = Consultation(
        reference=reference or f"TEST-{next(_sequence)}",
        title=title,
        kind=ConsultationKind.panel_consultation,
        summary="The DCC asked to **change** the end date.",
        opens_at=opens,
        closes_at=closes,
        published_at=None if status == "draft" else opens - timedelta(days=1),
    )
    for position, spec in enumerate(questions or DEFAULT_QUESTIONS, start=1):
        consultation.questions.append(
            Question(
                position=position,
                key=spec["key"],
                kind=QuestionKind(spec["kind"]),
                text=spec["text"],
                hint=spec.get("hint"),
                options=spec.get("options", []),
                rationale_prompt=spec.get("rationale_prompt"),
                required=spec.get("required", True),
                max_length=spec.get("max_length"),
            )
        )
    db.add(consultation)
    db.commit()
    return consultation


def make_response(
    db: Session,
    consultation: Consultation,
    user: User,
    answers: dict[str, responses.AnswerInput] | None = None,
    *,
    confidential: bool = False,
    submit: bool = True,
    now: datetime | None = None,
) -> Response:
    """A response made through the real service, submitted unless ``submit=False``.

    ``now`` defaults to a moment when the consultation is open.
    """
    now = now or while_open(consultation)
    answers = answers if answers is not None else default_answers()
    response = responses.start_response(db, consultation, user, now)
    for question in consultation.questions:
        if question.key in answers:
            responses.save_answer(
                db,
                response,
                question,
                answers[question.key],
                expected_version=response.version,
                user=user,
                now=now,
            )
    responses.set_confidential(
        db, response, confidential, expected_version=response.version, user=user, now=now
    )
    if submit:
        responses.submit(
            db,
            response,
            expected_version=response.version,
            user=user,
            now=now,
            declared=True,
        )
    db.commit()
    return response


def while_open(consultation: Consultation) -> datetime:
    """Now if the consultation is open, else a moment when it was (or will be)."""
    return max(consultation.opens_at, min(utcnow(), consultation.closes_at - timedelta(hours=1)))


def attach(
    db: Session,
    response: Response,
    user: User,
    filename: str,
    content: bytes,
    *,
    root: str | Path,
    now: datetime | None = None,
) -> Attachment:
    """Attach a file to the response's working copy through the real service; it is in
    no revision until the response is submitted again (``resubmit``)."""
    attachment = attachments.add(
        db,
        response,
        io.BytesIO(content),
        filename,
        root=Path(root),
        max_bytes=1024 * 1024,
        user=user,
        now=now or while_open(response.consultation),
    )
    db.commit()
    return attachment


def resubmit(db: Session, response: Response, user: User, now: datetime | None = None) -> None:
    """Submit the response's working copy as a new revision."""
    responses.submit(
        db,
        response,
        expected_version=response.version,
        user=user,
        now=now or while_open(response.consultation),
        declared=True,
    )
    db.commit()


def default_answers() -> dict[str, responses.AnswerInput]:
    return {
        "q1": responses.AnswerInput(choices=("Yes",), rationale="We support the new date."),
        "q2": responses.AnswerInput(choices=("Metering", "Billing")),
        "q3": responses.AnswerInput(text="No further comments."),
    }


def grant_late_allowance(
    db: Session, consultation: Consultation, organisation: Organisation, until: datetime
) -> LateAllowance:
    allowance = LateAllowance(
        consultation_id=consultation.id, organisation_id=organisation.id, until=until
    )
    db.add(allowance)
    db.commit()
    return allowance
