"""A summary page is kept rendered, and given again only while nothing it shows has
changed: after each kind of change the page equals one rendered afresh by a process that
keeps nothing, and shows the change."""

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from consult import create_app
from consult.admin import builder_service
from consult.consultations import service as consultations
from consult.db import utcnow
from consult.models import PartyCategory, QuestionKind
from consult.organisations import update_organisation
from consult.responses import service as responses
from tests import factories
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


def main(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    found = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one("main")
    return str(found)


def same_as_fresh(client: FlaskClient, fresh: FlaskClient) -> BeautifulSoup:
    """Both versions of the summary, as kept, equal a fresh rendering; the panel version."""
    for url in URLS:
        assert main(client, url) == main(fresh, url), url
    return BeautifulSoup(main(client, URLS[0]), "html.parser")


def test_a_summary_seen_again_is_given_from_what_was_kept(app, client, arranged, as_panel):
    first = count_queries(app, client, summary_url())
    again = count_queries(app, client, summary_url())
    # Signing in, the consultation and the fingerprint; no tallies, answers or respondents.
    assert again <= 4 < first
    assert main(client, summary_url()) == main(client, summary_url())


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


def test_a_summary_kept_while_open_says_closed_once_the_time_passes(
    client, fresh, db, as_panel, monkeypatch
):
    consultation = factories.make_consultation(db, REFERENCE)
    user = respondent_of(db, "British Gas", PartyCategory.large_supplier)
    factories.make_response(db, consultation, user, answers("Yes", "Agreed."))
    period = lambda: normalise(  # noqa: E731
        BeautifulSoup(main(client, summary_url()), "html.parser")
        .select_one("#consultation-period")
        .text
    )
    assert "Closes" in period()

    later = consultation.closes_at + timedelta(minutes=1)
    monkeypatch.setattr("consult.summaries.views.utcnow", lambda: later)

    assert "Closed" in period()


def test_before_any_submission_a_summary_shows_each_edit_to_its_questions(client, db, as_panel):
    consultation = factories.make_consultation(db, REFERENCE)
    drafting = respondent_of(db, "British Gas", PartyCategory.large_supplier)
    factories.make_response(db, consultation, drafting, answers("Yes", "Draft."), submit=False)
    assert "Do you agree" in main(client, summary_url())

    question = builder_service.find_question(consultation, "q1")
    details = builder_service.QuestionDetails(
        kind=QuestionKind.single_choice,
        text="Do you support the new end date?",
        hint=None,
        options=question.options,
        rationale_prompt=question.rationale_prompt,
        required=True,
        max_length=None,
        section_id=None,
    )
    builder_service.update_question(db, consultation, question, details, None)
    db.commit()

    assert "Do you support the new end date?" in main(client, summary_url())
