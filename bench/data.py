"""Generate a consultation with N submitted responses × 12 questions, in bulk.

Rows go in with SQLAlchemy Core ``executemany`` (not through the web or the services):
100,000 responses are about 2.5 million rows. Ids are given explicitly (each size has a
database of its own, so they start at 1), which lets a revision share its response's id
and avoids reading ids back.
"""

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert, text

from consult.auth.passwords import hash_password
from consult.models import (
    CATEGORY_LABELS,
    Consultation,
    ConsultationKind,
    Organisation,
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

REFERENCE = "BENCH-1"
PANEL_EMAIL = "panel@bench.example"
PASSWORD = "bench password, not for production"
BATCH = 10_000
CATEGORIES = list(CATEGORY_LABELS)
SINGLE = ["Agree", "Disagree", "Neutral"]
MULTIPLE = ["Metering", "Billing", "Customer service", "Network operations"]
WORDS = (
    "the proposal change date smart energy code panel section impact systems "
    "testing release customers suppliers network meters data communications "
    "security we support agree disagree because cost timetable risk delivery "
    "industry parties consultation modification alternative benefit approach"
).split()

NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)
OPENS = NOW - timedelta(days=30)
CLOSES = NOW - timedelta(days=2)


def questions() -> list[dict]:
    """12 questions: 6 single choice and 2 multiple choice with rationale, 4 free text."""
    specs = []
    for n in range(1, 13):
        if n <= 6:
            kind, options = QuestionKind.single_choice, SINGLE
        elif n <= 8:
            kind, options = QuestionKind.multiple_choice, MULTIPLE
        else:
            kind, options = QuestionKind.text, []
        specs.append(
            {
                "id": n,
                "consultation_id": 1,
                "position": n,
                "key": f"q{n}",
                "kind": kind,
                "text": f"Question {n}: do you agree with part {n} of the proposal?",
                "options": options,
                "rationale_prompt": "Please provide your rationale" if options else None,
                "required": n <= 8,
            }
        )
    return specs


def _prose(rng: random.Random, length: int) -> str:
    words: list[str] = []
    size = 0
    while size < length:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    return (" ".join(words)).capitalize()[:length].rstrip() + "."


def generate(engine: Engine, responses: int, seed: int = 2017) -> None:
    """Fill an empty, migrated database with the consultation and its responses."""
    rng = random.Random(seed)
    specs = questions()
    with engine.begin() as connection:
        connection.execute(
            insert(User.__table__),
            [
                {
                    "id": 1,
                    "email": PANEL_EMAIL,
                    "name": "Bench Panel Member",
                    "role": Role.panel,
                    "password_hash": hash_password(PASSWORD),
                }
            ],
        )
        connection.execute(
            insert(Consultation.__table__),
            [
                {
                    "id": 1,
                    "reference": REFERENCE,
                    "title": "Benchmark consultation",
                    "kind": ConsultationKind.panel_consultation,
                    "summary": "Generated for make bench.",
                    "opens_at": OPENS,
                    "closes_at": CLOSES,
                    "published_at": OPENS - timedelta(days=1),
                    "last_receipt_number": responses,
                }
            ],
        )
        connection.execute(insert(Question.__table__), specs)
    for table, rows in _tables(rng, specs, responses):
        with engine.begin() as connection:
            for batch in _batches(rows):
                connection.execute(insert(table), batch)
    with engine.begin() as connection:
        connection.execute(text("UPDATE response SET current_revision_id = id"))
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def _batches(rows: Iterator[dict]) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _tables(rng: random.Random, specs: list[dict], responses: int):
    """Each table with a generator of its rows, in an order the foreign keys accept."""
    flags = [(rng.random() < 0.1, rng.random() < 0.02) for _ in range(responses)]
    yield Organisation.__table__, _organisations(responses)
    yield Response.__table__, _responses(flags)
    yield Revision.__table__, _revisions(flags)
    answers = _answers(random.Random(rng.random()), specs, responses)
    yield RevisionAnswer.__table__, answers
    yield RevisionChoice.__table__, _choices(random.Random(rng.random()), specs, responses)


def _organisations(responses: int) -> Iterator[dict]:
    for n in range(1, responses + 1):
        yield {
            "id": n,
            "name": f"Organisation {n:06d}",
            "category": CATEGORIES[n % len(CATEGORIES)].value,
            "active": True,
            "created_at": OPENS,
        }


def _responses(flags: list[tuple[bool, bool]]) -> Iterator[dict]:
    for n, (confidential, _late) in enumerate(flags, start=1):
        yield {
            "id": n,
            "consultation_id": 1,
            "organisation_id": n,
            "status": ResponseStatus.submitted.value,
            "confidential": confidential,
            "receipt_number": n,
            "created_at": OPENS,
            "updated_at": OPENS,
            "version": 3,
        }


def _revisions(flags: list[tuple[bool, bool]]) -> Iterator[dict]:
    for n, (confidential, late) in enumerate(flags, start=1):
        yield {
            "id": n,
            "response_id": n,
            "number": 1,
            "confidential": confidential,
            "late": late,
            "declared": True,
            "submitted_at": CLOSES + timedelta(hours=1) if late else OPENS + timedelta(minutes=n),
        }


def _answers(rng: random.Random, specs: list[dict], responses: int) -> Iterator[dict]:
    """An answer per response per question (an optional text question left blank at times)."""
    for n in range(1, responses + 1):
        for spec in specs:
            choice = spec["kind"] is not QuestionKind.text
            if not choice and rng.random() < 0.1:
                continue
            yield {
                "id": _answer_id(n, spec["id"]),
                "revision_id": n,
                "question_id": spec["id"],
                "text": None if choice else _prose(rng, rng.randint(150, 450)),
                "rationale": _prose(rng, rng.randint(350, 450)) if choice else None,
            }


def _choices(rng: random.Random, specs: list[dict], responses: int) -> Iterator[dict]:
    number = 0
    for n in range(1, responses + 1):
        for spec in specs:
            if spec["kind"] is QuestionKind.text:
                continue
            if spec["kind"] is QuestionKind.single_choice:
                chosen = [rng.choice(spec["options"])]
            else:
                chosen = rng.sample(spec["options"], rng.randint(1, 3))
            for option in chosen:
                number += 1
                yield {
                    "id": number,
                    "revision_answer_id": _answer_id(n, spec["id"]),
                    "option": option,
                }


def _answer_id(response: int, question: int) -> int:
    return (response - 1) * 12 + question
