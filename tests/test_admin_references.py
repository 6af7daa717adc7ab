"""A consultation reference is one thing whatever its case: stored in capitals from the
builder, a copy or an import, and found whatever case its address is typed in."""

import json

import pytest

from tests import factories
from tests.admin_builder_helpers import banner, details_form, reload
from tests.cli_helpers import invoke


@pytest.fixture
def signed_in_secas(secas, login):
    login(secas)
    return secas


def test_a_reference_typed_in_lower_case_is_created_in_capitals(db, signed_in_secas, get_page):
    page = get_page(
        "/admin/build/new", method="post", data=details_form("test-002"), follow_redirects=True
    )
    assert banner(page).startswith("Success TEST-002 is created as a draft")
    assert page.select_one("title").text.startswith("TEST-002: ")
    assert reload(db, "TEST-002") is not None


def test_a_copy_typed_in_lower_case_is_created_in_capitals(db, signed_in_secas, get_page):
    factories.make_consultation(db, "SSI-2017")
    data = details_form("ssi-2018") | {"source": "SSI-2017"}
    page = get_page("/admin/build/duplicate", method="post", data=data, follow_redirects=True)
    assert banner(page) == "Success SSI-2018 is a new draft copied from SSI-2017."
    assert reload(db, "SSI-2018") is not None


def test_an_import_in_lower_case_is_stored_and_exported_in_capitals(app, tmp_path):
    document = {
        "reference": "test-002",
        "title": "A test consultation",
        "kind": "other",
        "opens_at": "2017-06-07T09:00:00+01:00",
        "closes_at": "2017-06-21T17:00:00+01:00",
        "questions": [{"key": "q1", "kind": "text", "text": "Any comments?"}],
    }
    path = tmp_path / "lower.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert invoke(app, "import-consultation", str(path)).output.strip() == "TEST-002"
    exported = invoke(app, "export-consultation", "test-002")
    assert json.loads(exported.output)["reference"] == "TEST-002"


def test_an_address_in_another_case_redirects_to_the_consultations_own(db, client, get_page):
    factories.make_consultation(db, "SSI-2017")
    response = client.get("/consultations/ssi-2017?x=1")
    assert response.status_code == 308
    assert response.headers["Location"] == "/consultations/SSI-2017?x=1"
    page = get_page("/consultations/Ssi-2017", follow_redirects=True)
    assert page.select_one("h1").text.strip() == "Changing the end date of the SSI variations"


def test_the_redirect_keeps_the_query_as_it_came(db, client):
    factories.make_consultation(db, "SSI-2017")
    for query in ("_anchor=top", "_external=1", "endpoint=x", "reference=zz", "a=1&a=2"):
        response = client.get(f"/consultations/ssi-2017?{query}")
        assert response.status_code == 308, query
        assert response.location == f"/consultations/SSI-2017?{query}"


def test_an_action_posted_to_an_address_in_another_case_acts_on_the_consultation(
    db, signed_in_secas, get_page
):
    factories.make_consultation(db, "SSI-2017")
    page = get_page("/admin/consultations/ssi-2017/close", method="post", follow_redirects=True)
    assert banner(page) == "Success SSI-2017 is closed."
