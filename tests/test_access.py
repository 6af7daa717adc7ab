"""Who may use which route: every route of the app, as every role, with GET and POST.

The routes come from the app's URL map, so a new route fails here until its access
policy is written down below.
"""

import pytest
from flask import Flask

from consult.models import Document, Role
from tests import factories

PUBLIC = "public"
RESPONDENT = "respondent"
PANEL = "panel"  # panel and secas
SECAS = "secas"
SIGNED_IN = "signed in"  # any role

POLICY = {
    "static": PUBLIC,
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    "index": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "consultations.index": PUBLIC,
    "consultations.show": PUBLIC,
    "consultations.document": PUBLIC,
    "consultations.questions": PUBLIC,
    "consultations.questions_docx": PUBLIC,
    "responses.respond": RESPONDENT,
    "responses.question": RESPONDENT,
    "responses.confidentiality": RESPONDENT,
    "responses.check_answers": RESPONDENT,
    "responses.confirmation": RESPONDENT,
    "responses.view_response": RESPONDENT,
    "responses.withdraw": RESPONDENT,
    "responses.respond_again": RESPONDENT,
    "responses.response_copy": RESPONDENT,
    "responses.attachments_page": RESPONDENT,
    "responses.attachment": RESPONDENT,
    "responses.remove_attachment": RESPONDENT,
    "responses.mine": RESPONDENT,
    "summaries.summary": PANEL,
    "summaries.summary_csv": PANEL,
    "summaries.summary_xlsx": PANEL,
    "summaries.summary_docx": PANEL,
    "summaries.summary_attachments": PANEL,
    "summaries.summary_attachment": PANEL,
    "summaries.index": PANEL,
    "summaries.answers_page": PANEL,
    "summaries.response": PANEL,
    "summaries.publish": SECAS,
    "summaries.withdraw": SECAS,
    "consultations.what_respondents_said": PUBLIC,
    "admin.consultations": SECAS,
    "admin.publish": SECAS,
    "admin.close": SECAS,
    "admin.extend": SECAS,
    "account.preferences": SIGNED_IN,
    "account.change_password": SIGNED_IN,
    "account.two_factor": SIGNED_IN,
    "account.turn_off_two_factor": SIGNED_IN,
    "auth.two_factor": PUBLIC,
    "account.set_password": PUBLIC,
    "account.request_reset": PUBLIC,
    "account.reset_password": PUBLIC,
    "people.organisations": SECAS,
    "people.new_organisation": SECAS,
    "people.organisation": SECAS,
    "people.edit_organisation": SECAS,
    "people.users": SECAS,
    "people.invite": SECAS,
    "people.user": SECAS,
    "people.change_role": SECAS,
    "people.deactivate": SECAS,
    "people.reactivate": SECAS,
    "people.reset_two_factor": SECAS,
    "people.invite_again": SECAS,
    "people.responses": SECAS,
    "people.remind": SECAS,
    "people.late_allowance": SECAS,
    "people.revoke_late_allowance": SECAS,
    "people.response": SECAS,
    "people.response_attachment": SECAS,
    "people.outbox": SECAS,
    "people.retry": SECAS,
    "people.message": SECAS,
    "people.audit": SECAS,
    "people.audit_csv": SECAS,
    "admin.reopen": SECAS,
    "builder.new": SECAS,
    "builder.overview": SECAS,
    "builder.details": SECAS,
    "builder.duplicate": SECAS,
    "builder.new_section": SECAS,
    "builder.edit_section": SECAS,
    "builder.move_section": SECAS,
    "builder.delete_section": SECAS,
    "builder.new_question": SECAS,
    "builder.edit_question": SECAS,
    "builder.move_question": SECAS,
    "builder.delete_question": SECAS,
    "builder.preview_start": SECAS,
    "builder.preview": SECAS,
    "builder.new_document": SECAS,
    "builder.edit_document": SECAS,
    "builder.move_document": SECAS,
    "builder.delete_document": SECAS,
}

ALLOWED_ROLES = {
    PUBLIC: {"visitor", "respondent_a", "respondent_b", "panel", "secas"},
    RESPONDENT: {"respondent_a", "respondent_b"},
    PANEL: {"panel", "secas"},
    SECAS: {"secas"},
    SIGNED_IN: {"respondent_a", "respondent_b", "panel", "secas"},
}

ROLES = ["visitor", "respondent_a", "respondent_b", "panel", "secas"]


def _rules(app: Flask):
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)


def test_every_route_has_an_access_policy(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - POLICY.keys() == set(), "add the new routes to POLICY"
    assert POLICY.keys() - endpoints == set(), "POLICY names routes that no longer exist"


@pytest.fixture
def world(db, organisation, other_organisation, tmp_path):
    """An open consultation with a document and organisation A's submitted response."""
    consultation = factories.make_consultation(db, "ACC-1")
    document = Document(
        consultation=consultation,
        title="Consultation document",
        filename="consultation.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    db.add(document)
    db.commit()
    users = {
        "respondent_a": factories.make_user(db, Role.respondent, organisation=organisation),
        "respondent_b": factories.make_user(db, Role.respondent, organisation=other_organisation),
        "panel": factories.make_user(db, Role.panel),
        "secas": factories.make_user(db, Role.secas),
    }
    factories.make_response(db, consultation, users["respondent_a"])
    return {"consultation": consultation, "document": document, "users": users}


def _url(rule, world: dict) -> str:
    values = {
        "reference": world["consultation"].reference,
        "key": "q1",
        "document_id": world["document"].id,
        "filename": "consult.css",
        "extension": "csv",
        "section_id": 1,
        "file_type": "pdf",
        "attachment_id": 1,
        "organisation_id": 1,
        "user_id": 1,
        "response_id": 1,
        "receipt_number": 1,
        "message_id": 1,
        "token": "not-a-token",
    }
    missing = rule.arguments - values.keys()
    assert not missing, f"{rule.rule}: give test_access a value for {missing}"
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_only_what_it_may(app, client, login, world, role):
    if role != "visitor":
        login(world["users"][role])
    failures = []
    for rule in _rules(app):
        if rule.endpoint == "auth.logout":
            continue  # would end the session mid-test; covered by the sign-in tests
        url = _url(rule, world)
        allowed = role in ALLOWED_ROLES[POLICY[rule.endpoint]]
        for method in ("GET", "POST"):
            status, location = _request(client, method, url)
            problem = _judge(rule, method, status, location, allowed, role)
            if problem:
                failures.append(f"{method} {url}: {problem}")
    assert not failures, "\n".join(failures)


def _request(client, method: str, url: str) -> tuple[int, str]:
    with client.open(url, method=method, data={}) as response:
        return response.status_code, response.headers.get("Location", "")


def _judge(rule, method, status, location, allowed, role) -> str | None:
    if status >= 500:
        return f"server error {status}"
    if method not in rule.methods and status == 405:
        return None
    # Otherwise the request was served (by this rule, or by a neighbour such as
    # /respond/<key> answering POST /respond/confirmation): the same policy applies.
    if allowed:
        if status == 403 or "/auth/login" in location:
            return f"{role} should be allowed, got {status} {location}"
        return None
    if role == "visitor":
        return (
            None if status == 302 and "/auth/login" in location else f"expected sign-in, {status}"
        )
    return None if status == 403 else f"{role} should get 403, got {status}"
