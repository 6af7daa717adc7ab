"""Public pages served to visitors from the page cache: shared for a few seconds, never
to anyone signed in, and forgotten after any change made through the service."""

import threading

from tests import factories
from tests.conftest import normalise
from tests.summaries_helpers import REFERENCE, arrange

OLD = "Changing the end date of the SSI variations"
NEW = "Extending the SSI variations to 2027"


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def rename_behind_the_services_back(db, consultation) -> None:
    """As another process or host would: straight in the database."""
    consultation.title = NEW
    db.commit()


def test_visitors_are_given_the_page_rendered_in_the_last_few_seconds(app, db):
    consultation = factories.make_consultation(db, "SSI-1", status="open")
    first, second = app.test_client(), app.test_client()
    assert OLD in page_text(first, "/consultations/SSI-1")
    rename_behind_the_services_back(db, consultation)
    assert OLD in page_text(second, "/consultations/SSI-1")
    assert NEW in page_text(second, "/consultations")  # first rendered after the change


def test_a_change_made_through_the_service_shows_to_visitors_at_once(app, db, secas, login):
    factories.make_consultation(db, "SSI-1", status="open")
    visitor, secretariat = app.test_client(), app.test_client()
    assert "SSI-1" in page_text(visitor, "/consultations?status=open")
    login(secas, secretariat)
    closed = secretariat.post("/admin/consultations/SSI-1/close")
    assert closed.status_code == 302
    assert "SSI-1" not in page_text(visitor, "/consultations?status=open")
    assert "SSI-1" in page_text(visitor, "/consultations?status=closed")


def test_signed_in_people_are_never_given_the_visitors_page(app, db, respondent, login):
    factories.make_consultation(db, "SSI-1", status="open")
    visitor, person = app.test_client(), app.test_client()
    login(respondent, person)
    assert "Sign out" not in page_text(visitor, "/consultations/SSI-1")
    assert "Sign out" in page_text(person, "/consultations/SSI-1")
    assert "Sign out" not in page_text(visitor, "/consultations/SSI-1")


def test_a_message_waiting_for_one_visitor_is_shown_to_them_alone(app, db):
    factories.make_consultation(db, "SSI-1", status="open")
    first, second, third = app.test_client(), app.test_client(), app.test_client()
    page_text(first, "/consultations")
    # Asking for a signed-in page leaves "Sign in to continue." in the visitor's session.
    assert second.get("/consultations/SSI-1/respond").status_code == 302
    assert "Sign in to continue." in normalise(page_text(second, "/consultations"))
    assert "Sign in to continue." not in page_text(third, "/consultations")
    assert "Sign in to continue." not in page_text(second, "/consultations")  # shown once


def test_operators_can_turn_the_cache_off(app_config, db):
    from consult import create_app

    app = create_app({**app_config, "PUBLIC_PAGE_CACHE_SECONDS": 0})
    session = app.extensions["consult.sessionmaker"]()
    consultation = factories.make_consultation(session, "SSI-1", status="open")
    client = app.test_client()
    assert OLD in page_text(client, "/consultations/SSI-1")
    rename_behind_the_services_back(session, consultation)
    assert NEW in page_text(client, "/consultations/SSI-1")
    session.close()
    app.extensions["consult.engine"].dispose()


def test_addresses_with_arguments_the_page_does_not_read_are_rendered_afresh(app, db):
    consultation = factories.make_consultation(db, "SSI-1", status="open")
    visitor = app.test_client()
    assert OLD in page_text(visitor, "/consultations/SSI-1?utm_source=newsletter")
    rename_behind_the_services_back(db, consultation)
    assert NEW in page_text(visitor, "/consultations/SSI-1?utm_source=newsletter")
    assert NEW in page_text(visitor, "/consultations?sort=title")


def test_a_head_request_is_not_kept(app, db):
    consultation = factories.make_consultation(db, "SSI-1", status="open")
    visitor = app.test_client()
    assert visitor.head("/consultations/SSI-1").status_code == 200
    rename_behind_the_services_back(db, consultation)
    assert NEW in page_text(visitor, "/consultations/SSI-1")


def test_signing_in_does_not_throw_the_kept_pages_away(app, db, respondent, login):
    consultation = factories.make_consultation(db, "SSI-1", status="open")
    visitor = app.test_client()
    assert OLD in page_text(visitor, "/consultations/SSI-1")
    rename_behind_the_services_back(db, consultation)
    login(respondent, app.test_client())
    assert OLD in page_text(visitor, "/consultations/SSI-1")


def test_a_page_rendered_while_a_change_was_made_is_not_kept(app, db, secas, login):
    from consult.consultations import views

    factories.make_consultation(db, "SSI-1", status="open")
    visitor, secretariat = app.test_client(), app.test_client()
    login(secas, secretariat)
    rendering, changed = threading.Event(), threading.Event()
    render = views.render_template

    def render_slowly(*args, **kwargs):
        page = render(*args, **kwargs)  # from the data as it was
        rendering.set()
        assert changed.wait(10)
        return page

    pages = []
    views.render_template = render_slowly
    try:
        reader = threading.Thread(target=lambda: pages.append(visitor.get("/consultations/SSI-1")))
        reader.start()
        assert rendering.wait(10)
        views.render_template = render
        # SECAS closes it through the service while the visitor's page is being rendered.
        assert secretariat.post("/admin/consultations/SSI-1/close").status_code == 302
        changed.set()
        reader.join(10)
    finally:
        views.render_template = render
    assert "Open" in pages[0].get_data(as_text=True)
    assert "Closed" in page_text(visitor, "/consultations/SSI-1")


def test_what_respondents_said_is_kept_unfiltered_only_and_goes_at_once_when_withdrawn(
    app, db, secas, login
):
    arranged = arrange(db)
    visitor, secretariat = app.test_client(), app.test_client()
    login(secas, secretariat)
    assert secretariat.post(f"/panel/consultations/{REFERENCE}/summary/publish").status_code == 302
    answers = f"/consultations/{REFERENCE}/what-respondents-said/q1"
    assert "British Gas" in page_text(visitor, answers)
    assert "British Gas" in page_text(visitor, answers + "?option=Yes")
    arranged.organisations["British Gas"].name = "Centrica"  # behind the service's back
    db.commit()
    assert "British Gas" in page_text(visitor, answers)  # kept
    assert "Centrica" in page_text(visitor, answers + "?option=Yes")  # filtered: never kept
    assert secretariat.post(f"/panel/consultations/{REFERENCE}/summary/withdraw").status_code == 302
    assert visitor.get(answers).status_code == 404
