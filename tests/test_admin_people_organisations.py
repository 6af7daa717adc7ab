"""SECAS create and edit organisations: name, party category, SEC Party identifier, active."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event, insert, select

from consult.models import AuditEvent, Organisation, PartyCategory
from tests import factories
from tests.conftest import BACKEND, empty_descriptions, normalise, scrolling_tables
from tests.people_helpers import banner, error_summary, table_rows


@pytest.fixture
def signed_in(secas, login):
    login(secas)
    return secas


def test_secas_adds_an_organisation(db, signed_in, get_page):
    page = get_page(
        "/admin/organisations/new",
        method="post",
        data={
            "name": "  EDF   Energy ",
            "category": "large_supplier",
            "sec_party_id": "SEC0042",
            "active": "y",
        },
        follow_redirects=True,
    )
    assert normalise(page.select_one("h1").text) == "EDF Energy"
    assert banner(page) == "Success EDF Energy is added."
    details = normalise(page.select_one("#organisation-details").text)
    assert "Large Supplier" in details and "SEC0042" in details and "Active" in details
    created = db.scalar(select(Organisation).where(Organisation.name == "EDF Energy"))
    assert created.sec_party_id == "SEC0042" and created.active


def test_the_organisations_list_shows_category_identifier_and_status(
    db, organisation, signed_in, get_page
):
    organisation.sec_party_id = "SEC0001"
    db.commit()
    rows = table_rows(get_page("/admin/organisations"), "#organisations")
    assert rows == [["British Gas", "Large Supplier", "SEC0001", "Active", "0"]]


def test_organisations_are_listed_by_name_ignoring_case(db, signed_in, get_page):
    for name in ("SSE Energy Supply", "ScottishPower", "EDF Energy"):
        factories.make_organisation(db, name, PartyCategory.large_supplier)
    names = ["EDF Energy", "ScottishPower", "SSE Energy Supply"]
    page = get_page("/admin/organisations")
    assert [row[0] for row in table_rows(page, "#organisations")] == names
    invite = get_page("/admin/users/invite")
    options = [normalise(o.text) for o in invite.select("#organisation option")][1:]
    assert options == [f"{name} (Large Supplier)" for name in names]


def test_the_organisation_form_has_no_empty_hint(organisation, signed_in, get_page):
    for url in ("/admin/organisations/new", f"/admin/organisations/{organisation.id}/edit"):
        page = get_page(url)
        assert empty_descriptions(page) == [], url
        assert [h["id"] for h in page.select(".govuk-hint") if not h.text.strip()] == [], url


def test_organisation_tables_scroll_sideways_by_keyboard(
    organisation, respondent, signed_in, get_page
):
    page = get_page("/admin/organisations")
    assert scrolling_tables(page) == [("region", "Organisations", "0")]
    page = get_page(f"/admin/organisations/{organisation.id}")
    assert scrolling_tables(page) == [("region", "Users of British Gas", "0")]


def test_adding_an_organisation_without_name_or_category_shows_errors(signed_in, get_page):
    page = get_page("/admin/organisations/new", method="post", data={"name": " "})
    assert error_summary(page) == [
        "Enter the organisation’s name",
        "Select the organisation’s party category",
    ]
    assert page.select_one("title").text.startswith("Error: ")


def test_a_duplicate_name_is_refused_whatever_its_case(organisation, signed_in, get_page):
    page = get_page(
        "/admin/organisations/new",
        method="post",
        data={"name": "british gas", "category": "small_supplier"},
    )
    assert error_summary(page) == ["An organisation called British Gas already exists"]


only_postgresql_allows_the_race = pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="on SQLite a request that writes holds the database's write lock from its start, "
    "so no one else's can commit between its check and its insert",
)


def add_as_a_colleague_adds(app, client, signed_in, name: str, colleague_adds: str) -> None:
    """Post ``name`` as a new organisation while, between this request's check that the
    name is free and its insert, another SECAS user's request commits ``colleague_adds``;
    check that the person is told nothing was saved and stays signed in."""
    engine = app.extensions["consult.engine"]
    sessions = app.extensions["consult.sessionmaker"]
    added = []

    def colleague_adds_it_first(session, _context, _instances) -> None:
        if not added and any(isinstance(o, Organisation) for o in session.new):
            added.append(True)
            with engine.begin() as connection:
                connection.execute(
                    insert(Organisation).values(
                        name=colleague_adds, category=PartyCategory.large_supplier, active=True
                    )
                )

    event.listen(sessions, "before_flush", colleague_adds_it_first)
    try:
        response = client.post(
            "/admin/organisations/new", data={"name": name, "category": "large_supplier"}
        )
    finally:
        event.remove(sessions, "before_flush", colleague_adds_it_first)
    assert added, "the colleague's organisation was never added"
    assert response.status_code == 409
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert normalise(page.select_one("h1").text) == "Sorry, that was not saved"
    assert "Nothing you sent was saved" in normalise(page.text)
    # Still signed in: the header names them.
    assert signed_in.name in normalise(page.select_one(".consult-account__name").text)
    assert client.get("/admin/organisations").status_code == 200


@only_postgresql_allows_the_race
def test_two_people_adding_the_same_organisation_at_once_is_a_clear_refusal(
    app, db, signed_in, client
):
    add_as_a_colleague_adds(app, client, signed_in, "EDF Energy", colleague_adds="EDF Energy")
    db.expire_all()
    assert db.scalars(select(Organisation.name)).all() == ["EDF Energy"]
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.created")) is None


@only_postgresql_allows_the_race
def test_two_people_adding_names_differing_only_in_case_at_once_is_a_clear_refusal(
    app, db, signed_in, client
):
    add_as_a_colleague_adds(app, client, signed_in, "edf energy", colleague_adds="EDF Energy")
    db.expire_all()
    assert db.scalars(select(Organisation.name)).all() == ["EDF Energy"]
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.created")) is None


@only_postgresql_allows_the_race
def test_two_people_giving_the_same_sec_party_identifier_at_once_is_a_clear_refusal(
    app, db, signed_in, client
):
    engine = app.extensions["consult.engine"]
    sessions = app.extensions["consult.sessionmaker"]
    added = []

    def colleague_saves_it_first(session, _context, _instances) -> None:
        if not added and any(isinstance(o, Organisation) for o in session.new):
            added.append(True)
            with engine.begin() as connection:
                connection.execute(
                    insert(Organisation).values(
                        name="Other Co",
                        category=PartyCategory.small_supplier,
                        sec_party_id="SEC0999",
                        active=True,
                    )
                )

    event.listen(sessions, "before_flush", colleague_saves_it_first)
    try:
        response = client.post(
            "/admin/organisations/new",
            data={"name": "Another Co", "category": "large_supplier", "sec_party_id": "sec0999"},
        )
    finally:
        event.remove(sessions, "before_flush", colleague_saves_it_first)
    assert added and response.status_code == 409
    db.expire_all()
    assert db.scalars(select(Organisation.name)).all() == ["Other Co"]


def test_an_unknown_category_is_refused_not_a_server_error(signed_in, get_page):
    page = get_page(
        "/admin/organisations/new", method="post", data={"name": "X", "category": "giant"}
    )
    assert error_summary(page) == ["Select the organisation’s party category"]


def test_secas_edits_an_organisation_and_the_change_is_audited(
    db, organisation, signed_in, get_page
):
    page = get_page(
        f"/admin/organisations/{organisation.id}/edit",
        method="post",
        data={"name": "British Gas Trading", "category": "small_supplier", "sec_party_id": ""},
        follow_redirects=True,
    )
    assert normalise(page.select_one("h1").text) == "British Gas Trading"
    db.expire_all()
    assert organisation.category is PartyCategory.small_supplier
    assert organisation.active is False  # the unticked checkbox
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.updated"))
    assert event.detail["before"]["name"] == "British Gas"
    assert event.detail["after"] == {
        "name": "British Gas Trading",
        "category": "small_supplier",
        "active": False,
    }


def test_the_edit_form_starts_with_the_current_values(organisation, signed_in, get_page):
    page = get_page(f"/admin/organisations/{organisation.id}/edit")
    assert page.select_one("#name")["value"] == "British Gas"
    assert page.select_one("input[name=category][value=large_supplier]").has_attr("checked")
    assert page.select_one("input[name=active]").has_attr("checked")


def test_an_identifier_another_organisation_has_is_refused(db, organisation, signed_in, get_page):
    organisation.sec_party_id = "SEC0999"
    db.commit()
    page = get_page(
        "/admin/organisations/new",
        method="post",
        data={"name": "Another Co", "category": "small_supplier", "sec_party_id": "sec0999 "},
    )
    assert error_summary(page) == ["British Gas already has the SEC Party identifier sec0999"]
    assert page.select_one(".govuk-error-summary a")["href"] == "#sec_party_id"
    assert page.select_one("#sec_party_id")["value"] == "sec0999 "
    # Saving an organisation with its own identifier unchanged is not a clash.
    page = get_page(
        f"/admin/organisations/{organisation.id}/edit",
        method="post",
        data={"name": "British Gas", "category": "large_supplier", "sec_party_id": "SEC0999"},
        follow_redirects=True,
    )
    assert normalise(page.select_one("h1").text) == "British Gas"


def test_changing_the_category_warns_of_responses_it_would_move(
    db, organisation, respondent, signed_in, get_page
):
    url = f"/admin/organisations/{organisation.id}/edit"
    assert get_page(url).select_one("#category-warning") is None
    factories.make_response(db, factories.make_consultation(db, "SSI-2017"), respondent)
    warning = normalise(get_page(url).select_one("#category-warning").text)
    assert warning == (
        "! Warning British Gas has submitted responses to 1 consultation. Summaries count "
        "each under the organisation’s party category as it is now: changing the category "
        "moves it to the new one, in closed consultations and published summaries too."
    )


def test_an_organisation_page_lists_its_users(db, organisation, respondent, signed_in, get_page):
    rows = table_rows(get_page(f"/admin/organisations/{organisation.id}"), "#users")
    assert rows == [[respondent.name, respondent.email, "Active"]]


def test_an_unknown_organisation_is_not_found(signed_in, get_page):
    get_page("/admin/organisations/999", status=404)


def test_respondents_cannot_manage_organisations(respondent, login, client):
    login(respondent)
    assert client.get("/admin/organisations").status_code == 403
    response = client.post("/admin/organisations/new", data={"name": "X", "category": "dcc"})
    assert response.status_code == 403


def test_cli_still_creates_organisations(app, db):
    result = app.test_cli_runner().invoke(
        args=["create-organisation", "Ovo", "--category", "small_supplier"]
    )
    assert result.exit_code == 0
    assert db.scalar(select(Organisation).where(Organisation.name == "Ovo")).active


def test_factories_organisations_are_active(db):
    assert factories.make_organisation(db).active
