"""A summary page is kept rendered, and given again only while nothing it shows has
changed: after each kind of change the page equals one rendered afresh by a process that
keeps nothing, and shows the change."""

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from consult import create_app
from consult.admin import builder_service
from consult.consultations import service as consultations
from consult.db import utcnow
from consult.models import Consultation, PartyCategory, User
from consult.organisations import update_organisation
from consult.responses import service as responses
from consult.responses.service import AnswerInput
from tests import factories
from tests.admin_builder_helpers import edited
from tests.cli_helpers import invoke
from tests.conftest import normalise
from tests.summaries_helpers import (
    REFERENCE,
    Arranged,
    answers,
    count_queries,
    respondent_of,
    summary_url,
    table_rows,
)

URLS = [summary_url(), summary_url(version="public")]


@pytest.fixture
def uncached(app_config) -> Iterator[Flask]:
    """A second process on the same database, keeping nothing."""
    app = create_app({**app_config, "SUMMARY_CACHE_SECONDS": 0})
    yield app
    app.extensions["consult.engine"].dispose()


@pytest.fixture
def fresh(uncached, login, panel) -> FlaskClient:
    """A Panel member signed in to the process that keeps nothing."""
    client = uncached.test_client()
    login(panel, client)
    return client


def main_html(client: FlaskClient, url: str) -> str:
    """The page's <main> element: everything but the header, which names who is signed in
    and carries their sign-out form's CSRF token."""
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    found = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one("main")
    return str(found)


def same_as_fresh(client: FlaskClient, fresh: FlaskClient) -> BeautifulSoup:
    """Both versions of the summary, as kept, equal a fresh rendering; the panel version."""
    for url in URLS:
        assert main_html(client, url) == main_html(fresh, url), url
    return BeautifulSoup(main_html(client, URLS[0]), "html.parser")


def test_a_summary_seen_again_is_given_from_what_was_kept(app, client, arranged, as_panel):
    first = count_queries(app, client, summary_url())
    again = count_queries(app, client, summary_url())
    # Signing in, the consultation and the fingerprint; no tallies, answers or respondents.
    assert again <= 4 < first
    assert main_html(client, summary_url()) == main_html(client, summary_url())


def test_a_process_told_to_keep_nothing_renders_every_time(uncached, fresh, arranged):
    first = count_queries(uncached, fresh, summary_url())
    assert count_queries(uncached, fresh, summary_url()) == first


# SGN may respond until two days after the close (see ``arrange``).


def after_close(arranged: Arranged):
    return arranged.consultation.closes_at + timedelta(hours=2)


def submitted(db, arranged: Arranged) -> None:
    consultation, late = arranged.consultation, arranged.organisations["Citizens Advice"]
    factories.grant_late_allowance(db, consultation, late, after_close(arranged) + timedelta(1))
    given = answers("No", "Late but considered.")
    user = arranged.users["Citizens Advice"]
    factories.make_response(db, consultation, user, given, now=after_close(arranged))


def amended(db, arranged: Arranged) -> None:
    given = answers("Yes", "On reflection we agree.")
    user = arranged.users["SGN"]
    factories.make_response(db, arranged.consultation, user, given, now=after_close(arranged))


def withdrawn(db, arranged: Arranged) -> None:
    consultation = arranged.consultation
    response = responses.submitted_response(db, consultation, arranged.organisations["SGN"].id)
    responses.withdraw(
        db,
        response,
        expected_version=response.version,
        user=arranged.users["SGN"],
        now=after_close(arranged),
    )
    db.commit()


def _update(db, arranged: Arranged, who: str, **changes) -> None:
    organisation = arranged.organisations[who]
    details = {
        "name": organisation.name,
        "category": organisation.category.value,
        "sec_party_id": organisation.sec_party_id,
        "active": organisation.active,
        **changes,
    }
    update_organisation(db, organisation, actor_id=None, **details)
    db.commit()


def renamed(db, arranged: Arranged) -> None:
    _update(db, arranged, "Western Power", name="National Grid Electricity Distribution")


def recategorised(db, arranged: Arranged) -> None:
    _update(db, arranged, "SGN", category=PartyCategory.other_sec_party.value)


def reopened(db, arranged: Arranged) -> None:
    consultation = arranged.consultation
    now = utcnow()
    consultations.reopen(
        db, consultation, now + timedelta(days=7), "Parties asked for more time.", now, None
    )
    db.commit()


CHANGES: dict[str, tuple[Callable, Callable[[BeautifulSoup], bool]]] = {
    "a response submitted": (
        submitted,
        lambda page: "Citizens Advice" in normalise(page.select_one("#respondents").text),
    ),
    "a response amended": (
        amended,
        lambda page: "On reflection we agree." in normalise(page.select_one("#answers-q1").text),
    ),
    "a response withdrawn": (
        withdrawn,
        lambda page: "SGN" not in normalise(page.select_one("#respondents").text),
    ),
    "an organisation renamed": (
        renamed,
        lambda page: "National Grid Electricity Distribution"
        in normalise(page.select_one("#respondents").text),
    ),
    "an organisation moved to another category": (
        recategorised,
        lambda page: ["SGN", "Other SEC Party"] == table_rows(page, "respondents")[3][:2],
    ),
    "the consultation reopened": (
        reopened,
        lambda page: "Parties asked for more time."
        in normalise(page.select_one("#consultation-period").text),
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_kept_summary_is_never_given_after_a_change(
    change, app, client, fresh, db, arranged, as_panel
):
    make, shows = CHANGES[change]
    before = same_as_fresh(client, fresh)
    assert not shows(before), "the change is already on the page"

    with app.app_context():  # reopening queues e-mails with links to the site
        make(db, arranged)

    after = same_as_fresh(client, fresh)
    assert shows(after)


def test_a_withdrawn_response_counts_again_only_once_submitted_again(
    client, fresh, db, arranged, as_panel
):
    def in_respondents(page: BeautifulSoup) -> bool:
        return "SGN" in normalise(page.select_one("#respondents").text)

    withdrawn(db, arranged)
    assert not in_respondents(same_as_fresh(client, fresh))
    consultation, user = arranged.consultation, arranged.users["SGN"]
    response = responses.find_response(db, consultation, user.organisation_id)
    now = after_close(arranged)
    responses.respond_again(db, response, expected_version=response.version, user=user, now=now)
    db.commit()
    assert not in_respondents(same_as_fresh(client, fresh))

    [q1] = [q for q in consultation.questions if q.key == "q1"]
    given = answers("Yes", "Started again, and we agree.")["q1"]
    responses.save_answer(
        db, response, q1, given, expected_version=response.version, user=user, now=now
    )
    responses.submit(
        db, response, expected_version=response.version, user=user, now=now, declared=True
    )
    db.commit()
    page = same_as_fresh(client, fresh)
    assert in_respondents(page)
    assert "Started again, and we agree." in normalise(page.select_one("#answers-q1").text)


def test_a_summary_kept_while_open_says_closed_once_the_time_passes(
    client, fresh, db, as_panel, monkeypatch
):
    consultation = factories.make_consultation(db, REFERENCE)
    user = respondent_of(db, "British Gas", PartyCategory.large_supplier)
    factories.make_response(db, consultation, user, answers("Yes", "Agreed."))

    def period() -> str:
        page = BeautifulSoup(main_html(client, summary_url()), "html.parser")
        return normalise(page.select_one("#consultation-period").text)

    assert "Closes" in period()

    later = consultation.closes_at + timedelta(minutes=1)
    monkeypatch.setattr("consult.summaries.views.utcnow", lambda: later)

    assert "Closed" in period()


def test_before_any_submission_a_summary_shows_each_edit_to_its_questions(client, db, as_panel):
    consultation = factories.make_consultation(db, REFERENCE)
    drafting = respondent_of(db, "British Gas", PartyCategory.large_supplier)
    factories.make_response(db, consultation, drafting, answers("Yes", "Draft."), submit=False)
    assert "Do you agree" in main_html(client, summary_url())

    question = builder_service.find_question(consultation, "q1")
    details = edited(question, text="Do you support the new end date?")
    builder_service.update_question(db, consultation, question, details, None)
    db.commit()

    assert "Do you support the new end date?" in main_html(client, summary_url())


def test_a_question_edit_and_a_first_submission_never_both_go_through_unaware(
    app, client, fresh, db, as_panel
):
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: an edit and a submission never overlap")
    consultation = factories.make_consultation(db, REFERENCE)
    user = respondent_of(db, "British Gas", PartyCategory.large_supplier)
    db.commit()
    sessions = app.extensions["consult.sessionmaker"]
    editing = sessions()
    editable = editing.get(Consultation, consultation.id)
    question = builder_service.find_question(editable, "q1")
    builder_service.update_question(
        editing, editable, question, edited(question, text="Do you support the new date?"), None
    )  # flushed, not committed: SECAS is still saving

    submitted = threading.Event()

    def submit() -> None:
        with sessions() as other:
            factories.make_response(
                other,
                other.get(Consultation, consultation.id),
                other.get(User, user.id),
                answers("Yes", "Agreed."),
            )
            submitted.set()

    submitting = threading.Thread(target=submit)
    submitting.start()
    try:
        assert not submitted.wait(1.0), "the submission went through during the edit"
        assert "Do you support the new date?" not in main_html(client, summary_url())
        editing.commit()
    finally:
        editing.close()
        submitting.join(10)
    assert submitted.is_set()
    page = same_as_fresh(client, fresh)
    assert "Do you support the new date?" in normalise(page.text)


def amend_sgn(db, rationale: str) -> None:
    """SGN amends its response under its late allowance, everything read afresh."""
    consultation = db.scalar(select(Consultation).where(Consultation.reference == REFERENCE))
    user = db.scalar(select(User).where(User.organisation.has(name="SGN")))
    when = consultation.closes_at + timedelta(hours=2)
    factories.make_response(db, consultation, user, answers("Yes", rationale), now=when)


def test_nothing_kept_before_a_restore_is_given_after_it(
    app, client, fresh, db, arranged, as_panel, tmp_path
):
    backup = tmp_path / "consult.backup"
    assert invoke(app, "backup", str(backup)).exit_code == 0
    amend_sgn(db, "On reflection we agree.")
    assert "On reflection we agree." in main_html(client, summary_url())
    db.close()
    assert invoke(app, "restore", "--yes", str(backup)).exit_code == 0

    # The same ids, versions and counts as the amendment before the restore: other words.
    amend_sgn(db, "We agree, but only just.")

    page = same_as_fresh(client, fresh)
    assert "We agree, but only just." in normalise(page.select_one("#answers-q1").text)


def test_a_summary_too_large_to_keep_is_rendered_each_time(app, client, db, as_panel):
    long_text = [
        {"key": f"t{n}", "kind": "text", "text": f"Comments {n}?", "required": False}
        for n in range(1, 5)
    ]
    consultation = factories.make_consultation(db, REFERENCE, questions=long_text)
    for n in range(6):
        user = respondent_of(db, f"Supplier {n}", PartyCategory.small_supplier)
        given = {q["key"]: AnswerInput(text=f"{n} " + "word " * 3999) for q in long_text}
        factories.make_response(db, consultation, user, given)
    # Five answers of 20,000 characters under each of four questions: over 256 KB.
    first = count_queries(app, client, summary_url())
    assert count_queries(app, client, summary_url()) == first
