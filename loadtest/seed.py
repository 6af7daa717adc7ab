"""The data the load benchmark reads and writes: an open consultation with organisations
whose respondents have submitted once, a Panel member, and a closed consultation with
1,000 submitted responses for the summary page."""

from dataclasses import asdict, dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from consult import migrate
from consult.db import make_engine, utcnow
from consult.models import (
    Consultation,
    ConsultationKind,
    Organisation,
    PartyCategory,
    Question,
    QuestionKind,
    Response,
    ResponseStatus,
    Revision,
    RevisionAnswer,
    RevisionChoice,
    Role,
    User,
)
from consult.responses import service as responses

PASSWORD = "load benchmark password"
# Signing in is set-up here, not a figure: a cheap Argon2 hash keeps it out of the way.
_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
CATEGORIES = list(PartyCategory)
OPEN_REFERENCE = "LOAD-OPEN"
SUMMARY_REFERENCE = "LOAD-1000"
QUESTIONS = [
    ("q1", QuestionKind.single_choice, "Do you agree with the proposed new end date?",
     ["Yes", "No", "Neutral"], "Please provide your rationale"),
    ("q2", QuestionKind.multiple_choice, "Which of your systems are affected?",
     ["Metering", "Billing", "Customer service"], None),
    ("q3", QuestionKind.text, "Do you have any other comments?", [], None),
]  # fmt: skip


@dataclass(frozen=True)
class Seeded:
    """What the locust users need: where to go and who to sign in as."""

    open_reference: str
    summary_reference: str
    respondents: list[str]
    panel: str
    password: str = PASSWORD

    def as_dict(self) -> dict:
        return asdict(self)


def seed(url: str, respondents: int, summary_responses: int = 1000) -> Seeded:
    """Migrate the database at ``url`` and fill it; returns what the users need."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    try:
        with sessionmaker(engine, expire_on_commit=False)() as session:
            emails = _open_consultation(session, respondents)
            panel = _user(session, "panel@load.example", Role.panel)
            _summary_consultation(session, summary_responses)
            session.commit()
    finally:
        _analyse(engine)
        engine.dispose()
    return Seeded(OPEN_REFERENCE, SUMMARY_REFERENCE, emails, panel.email)


def _consultation(reference: str, status: str) -> Consultation:
    now = utcnow()
    opens, closes = (
        (now - timedelta(days=7), now + timedelta(days=7))
        if status == "open"
        else (now - timedelta(days=21), now - timedelta(days=7))
    )
    consultation = Consultation(
        reference=reference,
        title=f"Load benchmark consultation {reference}",
        kind=ConsultationKind.panel_consultation,
        summary="The DCC asked to **change** the end date of the SSI variations.",
        opens_at=opens,
        closes_at=closes,
        published_at=opens - timedelta(days=1),
    )
    for position, (key, kind, text, options, rationale) in enumerate(QUESTIONS, start=1):
        consultation.questions.append(
            Question(
                position=position,
                key=key,
                kind=kind,
                text=text,
                options=options,
                rationale_prompt=rationale,
                required=key != "q3",
            )
        )
    return consultation


def _user(session: Session, email: str, role: Role, organisation=None) -> User:
    user = User(
        email=email, name=email.split("@")[0], role=role, organisation=organisation,
        password_hash=_HASH,
    )  # fmt: skip
    session.add(user)
    return user


def _open_consultation(session: Session, count: int) -> list[str]:
    """The open consultation and ``count`` respondents, each with a submitted response."""
    consultation = _consultation(OPEN_REFERENCE, "open")
    session.add(consultation)
    session.flush()
    now = utcnow()
    emails = []
    answers = {
        "q1": responses.AnswerInput(choices=("Yes",), rationale="We support the new date."),
        "q2": responses.AnswerInput(choices=("Metering",)),
        "q3": responses.AnswerInput(text="No further comments."),
    }
    for n in range(count):
        organisation = Organisation(name=f"Respondent {n:04d}", category=CATEGORIES[n % 7])
        user = _user(session, f"respondent{n:04d}@load.example", Role.respondent, organisation)
        session.flush()
        response = responses.start_response(session, consultation, user, now)
        for question in consultation.questions:
            responses.save_answer(
                session, response, question, answers[question.key],
                expected_version=response.version, user=user, now=now,
            )  # fmt: skip
        responses.set_confidential(
            session, response, False, expected_version=response.version, user=user, now=now
        )
        # Submitted once already, so every submission measured is an amendment: each moves
        # the version on by the same step (the first, which takes a receipt, moves it more).
        responses.submit(
            session, response, expected_version=response.version, user=user, now=now,
            declared=True,
        )  # fmt: skip
        emails.append(user.email)
    return emails


def _summary_consultation(session: Session, count: int) -> None:
    """A closed consultation with ``count`` submitted responses, built as rows directly
    (the services would take minutes to submit a thousand)."""
    consultation = _consultation(SUMMARY_REFERENCE, "closed")
    session.add(consultation)
    session.flush()
    q1, q2, q3 = consultation.questions
    submitted_at = consultation.closes_at - timedelta(days=1)
    for n in range(count):
        organisation = Organisation(name=f"Summary respondent {n:04d}", category=CATEGORIES[n % 7])
        revision = Revision(
            number=1, confidential=n % 5 == 0, late=False, declared=True, submitted_at=submitted_at
        )
        revision.answers = [
            RevisionAnswer(
                question_id=q1.id,
                rationale=f"Rationale {n}: the new date gives us time to test.",
                choices=[RevisionChoice(option=q1.options[n % 3])],
            ),
            RevisionAnswer(
                question_id=q2.id,
                choices=[RevisionChoice(option=o) for o in q2.options[: 1 + n % 3]],
            ),
            RevisionAnswer(question_id=q3.id, text=f"Comment {n}."),
        ]
        response = Response(
            consultation=consultation,
            organisation=organisation,
            status=ResponseStatus.submitted,
            confidential=revision.confidential,
            receipt_number=n + 1,
            revisions=[revision],
            current_revision=revision,
        )
        session.add(response)
        if n % 200 == 199:
            session.flush()
    consultation.last_receipt_number = count


def _analyse(engine: Engine) -> None:
    """Fresh planner statistics, as a database in service would have."""
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
