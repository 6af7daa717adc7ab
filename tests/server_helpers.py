"""Helpers for tests against a real gunicorn server (load, races, faults): a signed-in
HTTP visitor with its own cookies, many organisations with draft responses ready to
submit, and a check that the database holds every response whole or not at all."""

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests
from argon2 import PasswordHasher
from bs4 import BeautifulSoup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.models import (
    Answer,
    Consultation,
    OutboxMessage,
    PartyCategory,
    Response,
    ResponseStatus,
    Revision,
    RevisionAnswer,
    Role,
    User,
)
from tests import factories
from tests.conftest import normalise

CATEGORIES = list(PartyCategory)
# Signing 200 people in is preparation, not what these tests measure: a cheap Argon2
# hash of the factories' password keeps it from taking most of each test's time.
CHEAP_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(factories.PASSWORD)


class Visitor:
    """One person's browser: its own cookies, CSRF tokens read from the pages it gets."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.http.trust_env = False  # loopback only: never through a proxy

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.base_url + path, timeout=30, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> requests.Response:
        return self.http.post(self.base_url + path, data=data, timeout=30, **kwargs)

    def page(self, path: str) -> BeautifulSoup:
        """GET a page that must answer 200, parsed."""
        response = self.get(path)
        assert response.status_code == 200, f"GET {path}: {response.status_code}"
        return parse(response)

    def sign_in(self, user: User) -> None:
        """Sign in through the real form, CSRF token and all."""
        form = self.page("/auth/login")
        response = self.post(
            "/auth/login",
            {"csrf_token": token(form), "email": user.email, "password": factories.PASSWORD},
            allow_redirects=False,
        )
        assert response.status_code == 302, f"sign-in of {user.email}: {response.status_code}"

    def close(self) -> None:
        self.http.close()


def parse(response: requests.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def token(page: BeautifulSoup) -> str:
    """The page's CSRF token."""
    return page.select_one("input[name=csrf_token]")["value"]


def version(page: BeautifulSoup) -> str:
    """The response version the page would post back."""
    return page.select_one("input[name=version]")["value"]


def heading(page: BeautifulSoup) -> str:
    found = page.select_one("h1")
    return normalise(found.text) if found else ""


@dataclass
class Submitter:
    """An organisation's respondent, signed in, holding the check page's form values."""

    organisation_id: int
    user: User
    visitor: Visitor
    form: dict = field(default_factory=dict)

    def prepare(self, check_path: str) -> None:
        """Sign in and read the check-answers page: its CSRF token and version."""
        self.visitor.sign_in(self.user)
        page = self.visitor.page(check_path)
        self.form = {"csrf_token": token(page), "version": version(page), "declaration": "y"}

    def submit(self, check_path: str) -> "Outcome":
        """POST the submit form and read what came back (redirects followed)."""
        try:
            response = self.visitor.post(check_path, self.form)
        except requests.RequestException as error:
            return Outcome(self.organisation_id, status=None, error=type(error).__name__)
        page = parse(response)
        return Outcome(
            self.organisation_id,
            status=response.status_code,
            statuses=[r.status_code for r in response.history] + [response.status_code],
            heading=heading(page),
            receipt=receipt_on(page),
        )


def receipt_on(page) -> str | None:
    """The receipt reference the page shows: the confirmation page's, or, on the response
    as submitted (where submitting again with nothing changed lands), its summary row's."""
    receipt = page.select_one("#receipt")
    if receipt is None:
        key = page.find("dt", string=lambda text: text and text.strip() == "Receipt reference")
        receipt = key.find_next_sibling("dd") if key else None
    return normalise(receipt.text) if receipt else None


@dataclass
class Outcome:
    """What one submitting client saw."""

    organisation_id: int
    status: int | None
    statuses: list[int] = field(default_factory=list)
    heading: str = ""
    receipt: str | None = None
    error: str | None = None


def make_drafts(db: Session, consultation: Consultation, count: int) -> list[User]:
    """``count`` organisations, each with a respondent and a complete draft response."""
    users = []
    for n in range(count):
        organisation = factories.make_organisation(
            db, f"Load Organisation {n:03d}", CATEGORIES[n % len(CATEGORIES)]
        )
        user = factories.make_user(
            db, Role.respondent, organisation=organisation, email=f"load{n:03d}@example.com"
        )
        user.password_hash = CHEAP_HASH
        factories.make_response(db, consultation, user, submit=False)
        users.append(user)
    return users


def in_parallel(tasks: Iterable[Callable[[], object]], threads: int = 20) -> list:
    """Run the callables on a thread pool; their results in order (exceptions raised)."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(task) for task in tasks]
        return [future.result() for future in futures]


def start_together(count: int) -> Callable[[], None]:
    """A barrier: each of ``count`` threads calls the result, and all go on at once."""
    barrier = threading.Barrier(count, timeout=30)
    return barrier.wait


def inconsistencies(db: Session, consultation: Consultation) -> list[str]:
    """Every way the consultation's stored responses are not whole: a submitted response
    without a current revision or receipt, a revision without its answers, a receipt
    without a revision, a draft with a revision, a submission without its receipt e-mail."""
    forget(db)
    problems = []
    responses = db.scalars(
        select(Response).where(Response.consultation_id == consultation.id)
    ).all()
    for response in responses:
        problems += _response_problems(db, response)
    return problems


def _response_problems(db: Session, response: Response) -> list[str]:
    name = f"response {response.id}"
    revisions = db.scalars(select(Revision).where(Revision.response_id == response.id)).all()
    working = db.scalar(select(func.count()).where(Answer.response_id == response.id))
    problems = []
    if response.status is ResponseStatus.submitted and response.current_revision_id is None:
        problems.append(f"{name} is submitted without a current revision")
    if response.receipt_number is not None and not revisions:
        problems.append(f"{name} has receipt {response.receipt_number} but no revision")
    if revisions and response.receipt_number is None:
        problems.append(f"{name} has a revision but no receipt")
    if response.status is ResponseStatus.draft and revisions:
        problems.append(f"{name} is a draft with {len(revisions)} revisions")
    for revision in revisions:
        stored = db.scalar(select(func.count()).where(RevisionAnswer.revision_id == revision.id))
        if stored != working:
            problems.append(f"{name} revision {revision.number} has {stored} of {working} answers")
    return problems


def forget(db: Session) -> None:
    """Make ``db`` read what the server stored since: end its transaction (on SQLite, WAL
    keeps showing a read transaction its first snapshot) and expire every object (the
    fixtures' sessions keep objects loaded across commits)."""
    db.rollback()
    db.expire_all()


def receipt_emails(db: Session, consultation: Consultation) -> int:
    """How many receipt e-mails are queued for the consultation."""
    return db.scalar(
        select(func.count()).where(
            OutboxMessage.consultation_id == consultation.id, OutboxMessage.kind == "receipt"
        )
    )
