"""One respondent's whole response, for the Panel and SECAS: every answer as last
submitted, in the order of the form, in both versions; reached from the summary's list of
respondents, and from one response to the next."""

from sqlalchemy import select

from consult.models import Response
from tests.conftest import normalise
from tests.summaries_helpers import REFERENCE, summary_url
from tests.test_summaries_attachments import EVIDENCE, attach, download


def receipt_number(db, arranged, name: str) -> int | None:
    organisation = arranged.organisations[name]
    return db.scalar(
        select(Response.receipt_number).where(
            Response.consultation_id == arranged.consultation.id,
            Response.organisation_id == organisation.id,
        )
    )


def response_url(number: int | None, version: str | None = None) -> str:
    return summary_url(suffix=f"/responses/{number}", version=version)


def answer_rows(page, key: str) -> list[list[str]]:
    found = page.select_one(f"#answer-{key}")
    rows = found.select(".govuk-summary-list__row")
    return [
        [normalise(row.select_one("dt").text), normalise(row.select_one("dd").text)] for row in rows
    ]


def particulars(page) -> dict[str, str]:
    rows = page.select("#respondent .govuk-summary-list__row")
    return {normalise(r.select_one("dt").text): normalise(r.select_one("dd").text) for r in rows}


def test_each_respondent_in_the_summary_links_to_their_whole_response(
    db, arranged, as_panel, get_page
):
    summary = get_page(summary_url())
    links = {normalise(a.text): a["href"] for a in summary.select("#respondents a")}
    assert links["British Gas"] == response_url(receipt_number(db, arranged, "British Gas"))

    page = get_page(links["British Gas"])
    assert normalise(page.select_one("h1").text) == "British Gas"
    assert particulars(page) == {
        "Party category": "Large Supplier",
        "Receipt reference": f"{REFERENCE}-R{receipt_number(db, arranged, 'British Gas'):04d}",
        "Submitted": particulars(page)["Submitted"],
        "Confidential": "No",
        "Late": "No",
    }
    headings = [normalise(h.text) for h in page.select("h2[id^=question-]")]
    assert headings == [
        "Question 1: Do you agree with the proposed new end date?",
        "Question 2: Which of your systems are affected?",
        "Question 3: Do you have any other comments?",
    ]
    assert answer_rows(page, "q1") == [
        ["Answer", "Yes"],
        ["Rationale", "We support the new date."],
    ]
    assert answer_rows(page, "q2") == [["Answer", "Metering; Billing"]]
    assert answer_rows(page, "q3") == [["Answer", "No further comments."]]


def test_each_answer_links_to_the_whole_response_it_is_part_of(db, arranged, as_panel, get_page):
    octopus = response_url(receipt_number(db, arranged, "Octopus Energy"))
    summary = get_page(summary_url())
    links = {normalise(a.text): a["href"] for a in summary.select("#answers-q1 a")}
    assert links["Octopus Energy"] == octopus
    answers = get_page(summary_url(suffix="/questions/q1"))
    links = {normalise(a.text): a["href"] for a in answers.select("#answers a")}
    assert links["Octopus Energy"] == octopus
    public = get_page(summary_url(suffix="/questions/q1", version="public"))
    links = {normalise(a.text): a["href"] for a in public.select("#answers a")}
    assert links["Confidential respondent (Small Supplier)"] == octopus + "?version=public"


def test_an_amended_response_shows_its_last_submission(db, arranged, as_panel, get_page):
    page = get_page(response_url(receipt_number(db, arranged, "Western Power")))
    assert answer_rows(page, "q1") == [["Answer", "Yes"], ["Rationale", "Changed our mind."]]
    assert particulars(page)["Submitted"].endswith(", revision 2")


def test_unanswered_questions_and_late_responses_are_said(db, arranged, as_panel, get_page):
    page = get_page(response_url(receipt_number(db, arranged, "SGN")))
    assert normalise(page.select_one("#answer-q2").text) == "Not answered."
    assert particulars(page)["Late"] == "Yes: submitted under a late allowance"


def test_the_panel_version_names_a_confidential_respondent_and_marks_them(
    db, arranged, as_panel, get_page
):
    page = get_page(response_url(receipt_number(db, arranged, "Octopus Energy")))
    assert normalise(page.select_one("h1").text) == "Octopus Energy"
    assert particulars(page)["Confidential"] == "Yes: anonymised in the public version"


def test_the_public_version_anonymises_a_confidential_respondent_everywhere(
    app, db, arranged, as_panel, get_page
):
    attach(app, db, arranged, "Octopus Energy", "costs.pdf", EVIDENCE)
    number = receipt_number(db, arranged, "Octopus Energy")
    page = get_page(response_url(number, version="public"))
    assert "Octopus" not in page.text
    assert normalise(page.select_one("h1").text) == "Confidential respondent (Small Supplier)"
    assert "costs.pdf" not in page.text
    assert "leaves out confidential respondents’ files" in normalise(
        page.select_one("#no-files").text
    )
    # Moving on keeps to the public version.
    links = [a["href"] for a in page.select("#responses-pagination a")]
    assert links and all(link.endswith("?version=public") for link in links)
    back = page.select_one(".govuk-back-link")["href"]
    assert back == summary_url(version="public") + "#respondents-heading"


def test_the_files_a_response_was_submitted_with_are_listed_and_download(
    app, client, db, arranged, as_panel, get_page
):
    attach(app, db, arranged, "British Gas", "evidence.pdf", EVIDENCE)
    page = get_page(response_url(receipt_number(db, arranged, "British Gas")))
    link = page.select_one("#files a")
    assert normalise(link.text) == "evidence.pdf"
    served = download(client, link["href"])
    assert served.status_code == 200
    assert served.get_data() == EVIDENCE


def test_previous_and_next_go_through_the_counted_responses_in_receipt_order(
    db, arranged, as_panel, get_page
):
    counted = sorted(
        receipt_number(db, arranged, name)
        for name in ("British Gas", "Octopus Energy", "Western Power", "SGN", "EDF Energy")
    )
    seen, url = [], response_url(counted[0])
    while url:
        page = get_page(url)
        seen.append(int(particulars(page)["Receipt reference"].rsplit("R", 1)[1]))
        following = page.select_one(".govuk-pagination__next a")
        url = following["href"] if following else None
    assert seen == counted
    first = get_page(response_url(counted[0]))
    assert first.select_one(".govuk-pagination__prev") is None


def test_a_withdrawn_or_draft_response_or_unknown_number_is_not_found(
    db, arranged, as_panel, get_page
):
    withdrawn = receipt_number(db, arranged, "Smart DCC")
    assert withdrawn is not None
    for number in (withdrawn, 9999):
        page = get_page(response_url(number), status=404)
        assert "Page not found" in page.text
    assert receipt_number(db, arranged, "Citizens Advice") is None


def test_secas_reads_it_too(db, arranged, login, secas, get_page):
    login(secas)
    get_page(response_url(receipt_number(db, arranged, "British Gas")))


def test_a_respondent_may_not_read_anyones_response(client, db, arranged, login):
    login(arranged.users["British Gas"])
    url = response_url(receipt_number(db, arranged, "British Gas"))
    assert client.get(url).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client, db, arranged):
    response = client.get(response_url(receipt_number(db, arranged, "British Gas")))
    assert response.status_code == 302
    assert "/auth/login" in response.location
