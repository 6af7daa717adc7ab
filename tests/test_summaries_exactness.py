"""The summary is exact: on generated responses (hypothesis), the page's tallies and counts,
the CSV, the XLSX and the DOCX agree with each other and with a recount made in Python from
what was generated. Responses are made through the real services: single and multiple
choice, unanswered optional questions, amended, withdrawn (and started again), late and
confidential ones,
and drafts."""

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from itertools import count

from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.models import PartyCategory
from consult.responses import service as responses
from consult.responses.service import AnswerInput
from consult.summaries.writers import neutralise
from tests import factories
from tests.conftest import normalise
from tests.summaries_helpers import respondent_of, summary_url, table_rows
from tests.test_summaries_downloads import docx_tables, xlsx_sheets

QUESTIONS = [
    {
        "key": "q1",
        "kind": "single_choice",
        "text": "Do you agree?",
        "options": ["Yes", "No", "Neutral"],
        "rationale_prompt": "Please provide your rationale",
        "required": True,
    },
    {
        "key": "q2",
        "kind": "multiple_choice",
        "text": "Which systems are affected?",
        "options": ["Metering", "Billing", "Customer service"],
        "rationale_prompt": "Tell us more",
        "required": False,
    },
    {"key": "q3", "kind": "text", "text": "Any other comments?", "required": False},
]
OPTIONS = {q["key"]: q.get("options", []) for q in QUESTIONS}
CATEGORIES = list(PartyCategory)
_references = count(1)

# Printable text with spaces, line breaks and the characters spreadsheets run as formulas.
words = st.text(
    alphabet=st.characters(categories=("L", "N", "P", "S", "Zs"), include_characters="\n=+-@"),
    max_size=25,
)
optional_text = st.one_of(st.none(), words)


@dataclass(frozen=True)
class Generated:
    """One organisation's answers, what happens to its response, and its category."""

    category: PartyCategory
    # submitted, amended, late, withdrawn, draft, or withdrawn then started again (a draft)
    # or submitted again
    fate: str
    confidential: bool
    q1: str
    q1_rationale: str | None
    q2: tuple[str, ...]
    q2_rationale: str | None
    q3: str | None
    earlier_q1: str


respondent = st.builds(
    Generated,
    category=st.sampled_from(CATEGORIES),
    fate=st.sampled_from(
        ["submitted", "submitted", "amended", "late", "withdrawn", "draft"]
        + ["started again", "submitted again"]
    ),
    confidential=st.booleans(),
    q1=st.sampled_from(OPTIONS["q1"]),
    q1_rationale=optional_text,
    q2=st.lists(st.sampled_from(OPTIONS["q2"]), unique=True, max_size=3).map(tuple),
    q2_rationale=optional_text,
    q3=optional_text,
    earlier_q1=st.sampled_from(OPTIONS["q1"]),
)


def _answers(generated: Generated, q1: str) -> dict[str, AnswerInput]:
    return {
        "q1": AnswerInput(choices=(q1,), rationale=generated.q1_rationale),
        "q2": AnswerInput(choices=generated.q2, rationale=generated.q2_rationale),
        "q3": AnswerInput(text=generated.q3),
    }


def _make(db, generated: list[Generated]) -> tuple[str, list[tuple[int, Generated]]]:
    """Make the consultation and its responses; returns the reference and the counted ones
    with their receipt numbers."""
    reference = f"GEN-{next(_references)}"
    consultation = factories.make_consultation(db, reference, status="closed", questions=QUESTIONS)
    while_open = consultation.closes_at - timedelta(hours=1)
    counted = []
    for number, one in enumerate(generated):
        user = respondent_of(db, f"{reference} organisation {number}", one.category)
        now = while_open
        if one.fate == "late":
            now = consultation.closes_at + timedelta(hours=1)
            factories.grant_late_allowance(
                db, consultation, user.organisation, consultation.closes_at + timedelta(days=1)
            )
        if one.fate == "amended":
            factories.make_response(
                db,
                consultation,
                user,
                _answers(one, one.earlier_q1),
                confidential=not one.confidential,
                now=now - timedelta(hours=2),
            )
        response = factories.make_response(
            db,
            consultation,
            user,
            _answers(one, one.q1),
            confidential=one.confidential,
            submit=one.fate != "draft",
            now=now,
        )
        if one.fate in ("withdrawn", "started again", "submitted again"):
            responses.withdraw(db, response, expected_version=response.version, user=user, now=now)
        if one.fate in ("started again", "submitted again"):
            responses.respond_again(
                db, response, expected_version=response.version, user=user, now=now
            )
        if one.fate == "submitted again":
            responses.submit(
                db, response, expected_version=response.version, user=user, now=now, declared=True
            )
        db.commit()
        if one.fate in ("submitted", "amended", "late", "submitted again"):
            counted.append((response.receipt_number, one))
    return reference, sorted(counted, key=lambda pair: pair[0])


def _clean(text: str | None) -> str:
    """What the service keeps of a text: blank is nothing."""
    return text if text and text.strip() else ""


def _in_docx(answer: str, rationale: str) -> list[str]:
    """An answer and rationale as a DOCX row shows them: saying when nothing was given."""
    return [answer or ("" if rationale else "(not answered)"), rationale]


def _expected_rows(reference: str, counted: list[tuple[int, Generated]]) -> list[list[str]]:
    """The CSV's response rows recounted from the generated data (response_id excluded)."""
    rows = []
    for receipt, one in counted:
        name = f"{reference} organisation "
        q2 = "; ".join(o for o in OPTIONS["q2"] if o in one.q2)
        rows.append(
            [
                f"{reference}-R{receipt:04d}",
                one.category.label,
                "Yes" if one.confidential else "No",
                "Yes" if one.fate == "late" else "No",
                "2" if one.fate in ("amended", "submitted again") else "1",
                one.q1,
                _clean(one.q1_rationale),
                q2,
                _clean(one.q2_rationale),
                _clean(one.q3),
                "",
            ]
        )
        assert name  # names are checked separately: they follow creation order
    return rows


def _expected_tally(counted: list[tuple[int, Generated]], key: str) -> list[list[str]]:
    chosen: Counter = Counter()
    for _, one in counted:
        for option in (one.q1,) if key == "q1" else one.q2:
            chosen[(option, one.category)] += 1
    rows = [
        [option, *(str(chosen[(option, c)]) for c in CATEGORIES)]
        + [str(sum(chosen[(option, c)] for c in CATEGORIES))]
        for option in OPTIONS[key]
    ]
    totals = [sum(chosen[(o, c)] for o in OPTIONS[key]) for c in CATEGORIES]
    rows.append(["Total", *(str(t) for t in totals), str(sum(totals))])
    return rows


def _csv_rows(client, reference: str) -> list[list[str]]:
    data = client.get(summary_url(reference, ".csv")).get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))[1:]
    # Drop response_id, organisation and submitted_at: not generated, checked elsewhere.
    return [[row[1], row[3], row[4], row[5], row[7], *row[8:]] for row in rows]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(generated=st.lists(respondent, max_size=7))
def test_page_and_downloads_agree_with_a_recount(client, db, login, panel, generated):
    login(panel)
    reference, counted = _make(db, generated)
    expected_rows = _expected_rows(reference, counted)

    page = client.get(summary_url(reference))
    assert page.status_code == 200
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    by_category = Counter(one.category for _, one in counted)
    assert table_rows(soup, "respondents-by-category") == [
        [c.label, str(by_category[c])] for c in CATEGORIES
    ] + [["Total", str(len(counted))]]
    counts = {
        " ".join(r.select_one("dt").text.split()): " ".join(r.select_one("dd").text.split())
        for r in soup.select("#response-counts .govuk-summary-list__row")
    }
    assert counts == {
        "Responses": str(len(counted)),
        "Confidential": str(sum(one.confidential for _, one in counted)),
        "Late": str(sum(one.fate == "late" for _, one in counted)),
    }
    tallies = {key: _expected_tally(counted, key) for key in ("q1", "q2")}
    for key, expected in tallies.items():
        assert table_rows(soup, f"tally-{key}") == expected
    # The first answers to q1 (every counted response answers it), in receipt order.
    assert [row[2:] for row in table_rows(soup, "answers-q1")] == [
        [normalise(row[5]), normalise(row[6])] for row in expected_rows[:5]
    ]

    # CSV: the recount, with formulas neutralised.
    neutralised = [[str(neutralise(v)) for v in row] for row in expected_rows]
    assert _csv_rows(client, reference) == neutralised

    # XLSX: the same rows, unescaped (cells are typed as text); the same tallies.
    sheets = xlsx_sheets(client.get(summary_url(reference, ".xlsx")).get_data())
    xlsx_rows = [
        [str(v) if v is not None else "" for v in row] + [""] * (14 - len(row))
        for row in sheets["Responses"][1:]
    ]
    assert [[r[1], r[3], r[4], r[5], r[7], *r[8:]] for r in xlsx_rows] == expected_rows
    summary_rows = [[str(v) for v in row] for row in sheets["Summary"]]
    for expected in tallies.values():
        start = summary_rows.index(["Option", *(c.label for c in CATEGORIES), "Total"])
        assert summary_rows[start + 1 : start + 1 + len(expected)] == expected
        summary_rows = summary_rows[start + 1 :]
    texts = [row[5] for row in sheets["Question 3 answers"][2:]]
    assert texts == [_clean(one.q3) for _, one in counted if _clean(one.q3)]

    # DOCX: the same tallies, and per question the answers of every counted response.
    tables = docx_tables(client.get(summary_url(reference, ".docx")).get_data())
    assert [t[1:] for t in tables if t[0][0] == "Option"] == list(tallies.values())
    answer_tables = [
        t[1:] for t in tables if t[0] == ["Respondent", "Category", "Answer", "Rationale"]
    ]
    assert [[row[2:] for row in t] for t in answer_tables] == [
        [_in_docx(row[5], row[6]) for row in expected_rows],
        [_in_docx(row[7], row[8]) for row in expected_rows],
        [_in_docx(row[9], row[10]) for row in expected_rows],
    ]
