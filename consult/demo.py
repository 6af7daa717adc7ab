"""The demo (``seed-demo``): organisations in every party category, a user per role, the
SSI end-date consultation open now, SECMP0035 closed with a dozen responses, and an
upcoming consultation. Consultations load through the JSON importer and responses
through the respondents' own service functions, so the demo is made the way real data is.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from consult import audit
from consult.auth.passwords import hash_password
from consult.auth.service import create_user
from consult.consultations.io import import_consultation
from consult.models import (
    Consultation,
    LateAllowance,
    MessageStatus,
    Organisation,
    OutboxMessage,
    PartyCategory,
    Role,
    User,
)
from consult.organisations import create_organisation
from consult.responses.service import (
    AnswerInput,
    save_answer,
    set_confidential,
    start_response,
    submit,
)

LONDON = ZoneInfo("Europe/London")
RESPONDENT_PASSWORD = "respond-demo-2017"
SECAS_PASSWORD = "secas-demo-2017"
PANEL_PASSWORD = "panel-demo-2017"


@dataclass(frozen=True)
class SignIn:
    """A demo account to show the person who ran ``seed-demo``."""

    label: str
    email: str
    password: str


SIGN_INS = (
    SignIn(
        "Respondent (British Gas, Large Supplier)",
        "respondent@british-gas.example.com",
        RESPONDENT_PASSWORD,
    ),
    SignIn("SECAS (secretariat)", "analyst@secas.example.com", SECAS_PASSWORD),
    SignIn("SEC Panel member", "member@panel.example.com", PANEL_PASSWORD),
)

# Realistic names for a demo; categories as they might be, not an official register.
ORGANISATIONS: tuple[tuple[str, PartyCategory, str], ...] = (
    ("British Gas", PartyCategory.large_supplier, "Alex Morgan"),
    ("EDF Energy", PartyCategory.large_supplier, "Claire Dubois"),
    ("E.ON UK", PartyCategory.large_supplier, "Ravi Patel"),
    ("ScottishPower", PartyCategory.large_supplier, "Fiona Campbell"),
    ("SSE Energy Supply", PartyCategory.large_supplier, "Iain Fraser"),
    ("Octopus Energy", PartyCategory.small_supplier, "Jess Okafor"),
    ("Good Energy", PartyCategory.small_supplier, "Tom Hughes"),
    ("OVO Energy", PartyCategory.small_supplier, "Hannah Price"),
    ("Western Power Distribution", PartyCategory.electricity_network, "Gareth Evans"),
    ("UK Power Networks", PartyCategory.electricity_network, "Nadia Rahman"),
    ("Northern Powergrid", PartyCategory.electricity_network, "Peter Walsh"),
    ("Cadent Gas", PartyCategory.gas_network, "Laura Bennett"),
    ("SGN", PartyCategory.gas_network, "Callum Reid"),
    ("Wales & West Utilities", PartyCategory.gas_network, "Rhys Jones"),
    ("Landis+Gyr", PartyCategory.other_sec_party, "Martin Keller"),
    ("Secure Meters", PartyCategory.other_sec_party, "Anita Desai"),
    ("Smart DCC Ltd", PartyCategory.dcc, "Daniel Wright"),
    ("Citizens Advice", PartyCategory.non_party, "Sophie Turner"),
    ("Energy UK", PartyCategory.non_party, "Oliver Grant"),
)


def is_empty(session: Session) -> bool:
    """Whether the database holds no consultation and no user (the demo may load)."""
    has_data = select(exists().where(Consultation.id.is_not(None))).union_all(
        select(exists().where(User.id.is_not(None)))
    )
    return not any(session.scalars(has_data))


def load_demo(session: Session, now: datetime) -> None:
    """Load every part of the demo, with dates relative to ``now``."""
    respondents = _organisations_and_respondents(session)
    _staff(session)
    today = now.astimezone(LONDON).date()
    ssi = _ssi(session, today)
    _respond_to_ssi(session, ssi, respondents)
    secmp0035 = _secmp0035(session, today)
    _respond_to_secmp0035(session, secmp0035, respondents)
    _import(session, _secmp0036_document(today), published=_at(today, 10))
    _mark_receipts_sent(session, now)


def _at(day: date, hour: int) -> datetime:
    """``hour`` o'clock London time on ``day``, as an aware time."""
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _organisations_and_respondents(session: Session) -> dict[str, User]:
    """An organisation in every category, each with a respondent; keyed by organisation."""
    respondents: dict[str, User] = {}
    shared_hash = hash_password(RESPONDENT_PASSWORD)
    for name, category, person in ORGANISATIONS:
        organisation = create_organisation(session, name, category.value)
        respondents[name] = _respondent(session, organisation, person, shared_hash)
    return respondents


def _respondent(session: Session, organisation: Organisation, person: str, pw_hash: str) -> User:
    # The extra respondents share one hash: hashing a password per user only slows the demo.
    user = User(
        email=f"respondent@{_slug(organisation.name)}.example.com",
        name=person,
        role=Role.respondent,
        organisation=organisation,
        password_hash=pw_hash,
    )
    session.add(user)
    session.flush()
    audit.record(session, "user.created", actor_id=None, user_id=user.id, role="respondent")
    return user


def _staff(session: Session) -> None:
    create_user(
        session,
        email="analyst@secas.example.com",
        name="Sam Ellis",
        role=Role.secas.value,
        password=SECAS_PASSWORD,
    )
    create_user(
        session,
        email="member@panel.example.com",
        name="Priya Shah",
        role=Role.panel.value,
        password=PANEL_PASSWORD,
    )


def _import(session: Session, document: dict, published: datetime) -> Consultation:
    return import_consultation(session, document, now=published, publish=True)


def _respond(
    session: Session,
    consultation: Consultation,
    user: User,
    answers: dict[str, AnswerInput],
    *,
    confidential: bool,
    when: datetime,
) -> None:
    """Draft, answer and submit a response at ``when``, as the respondent would."""
    response = start_response(session, consultation, user, when)
    for question in consultation.questions:
        if question.key in answers:
            save_answer(
                session,
                response,
                question,
                answers[question.key],
                expected_version=response.version,
                user=user,
                now=when,
            )
    set_confidential(
        session, response, confidential, expected_version=response.version, user=user, now=when
    )
    submit(session, response, expected_version=response.version, user=user, now=when, declared=True)


def _mark_receipts_sent(session: Session, now: datetime) -> None:
    """The demo's receipts are history: never e-mail the made-up addresses."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == MessageStatus.queued,
            OutboxMessage.to_address.like("%.example.com"),
        )
        .values(status=MessageStatus.sent, sent_at=now)
    )


# The SSI end-date consultation, from the SEC Panel paper of June 2017.

SSI_SUMMARY = """\
## Why we are consulting

SEC Section H8.16(c) allows the DCC to provide the Self-Service Interface (SSI) with \
functionality varied by the Secretary of State during transition. These variations \
end on **30 June 2017**.

On 23 May 2017 the DCC formally asked for the end date of these transitional \
variations to be changed, because it cannot meet 30 June 2017. At its May meeting \
the SEC Panel agreed to consult SEC Parties on receipt of the DCC's request.

The consultation document explains the change in more detail and the revised end \
date the DCC has requested.

## What we would like to know

- whether you agree that the end date should change
- what impact the change, or keeping the current date, would have on your organisation
- if you do not agree with the DCC's revised date, what date you would propose

The Panel will consider the responses at its next meeting.

## Confidentiality

Tell us if your response is confidential. Confidential responses are seen by SECAS \
and the Panel only, and are anonymised in anything published.
"""


def _ssi_document(today: date) -> dict:
    return {
        "reference": "SSI-2017",
        "title": "Changing the end date of the Secretary of State variations on Self-Service "
        "Interface (SSI) functionality in SEC Section H8.16(c)",
        "kind": "panel_consultation",
        "summary": SSI_SUMMARY,
        "opens_at": _at(today - timedelta(days=3), 9).isoformat(),
        "closes_at": _at(today + timedelta(days=21), 17).isoformat(),
        "questions": [
            {
                "key": "q1",
                "kind": "single_choice",
                "text": "Do you agree that the end date of the Secretary of State variations "
                "on SSI functionality in SEC Section H8.16(c) should be changed from "
                "30 June 2017?",
                "options": ["Yes", "No", "Neutral"],
                "rationale": "Please provide your rationale",
                "required": True,
            },
            {
                "key": "q2",
                "kind": "single_choice",
                "text": "Would changing the end date have an impact on your organisation?",
                "options": ["Yes", "No", "Don't know"],
                "rationale": "Please describe the impact on your systems, processes and costs",
                "required": True,
            },
            {
                "key": "q3",
                "kind": "multiple_choice",
                "text": "Which Self-Service Interface functions does your organisation use?",
                "hint": "Select all that apply.",
                "options": [
                    "Smart Metering Inventory enquiries",
                    "Communications Hub status",
                    "Incident management",
                    "Service reports",
                    "We do not use the SSI",
                ],
                "required": False,
            },
            {
                "key": "q4",
                "kind": "text",
                "text": "If you do not agree with the DCC's revised end date, what date "
                "would you propose, and why?",
                "required": False,
            },
            {
                "key": "q5",
                "kind": "text",
                "text": "Do you have any other comments?",
                "required": False,
            },
        ],
    }


def _ssi(session: Session, today: date) -> Consultation:
    return _import(session, _ssi_document(today), published=_at(today - timedelta(days=4), 14))


def _respond_to_ssi(session: Session, ssi: Consultation, respondents: dict[str, User]) -> None:
    """Two early responses, so the Panel's summary has something while it is open."""
    opened = ssi.opens_at
    _respond(
        session,
        ssi,
        respondents["Smart DCC Ltd"],
        {
            "q1": AnswerInput(
                ("Yes",),
                rationale="The DCC cannot deliver the full SSI functionality by 30 June 2017. "
                "A later end date avoids a period in which the SEC requires functionality "
                "that is not yet available.",
            ),
            "q2": AnswerInput(
                ("Yes",),
                rationale="The DCC will continue to run the varied SSI until the release "
                "that completes the functionality.",
            ),
            "q3": AnswerInput(("Incident management", "Service reports")),
        },
        confidential=False,
        when=opened + timedelta(hours=5),
    )
    _respond(
        session,
        ssi,
        respondents["Octopus Energy"],
        {
            "q1": AnswerInput(
                ("Yes",),
                rationale="A realistic date is better than one everyone knows will be missed, "
                "provided the DCC reports progress to the Panel each month.",
            ),
            "q2": AnswerInput(("No",), rationale="We can work with the varied SSI meanwhile."),
            "q3": AnswerInput(("Smart Metering Inventory enquiries", "Communications Hub status")),
            "q5": AnswerInput(text="Please publish the DCC's plan for the remaining functions."),
        },
        confidential=False,
        when=opened + timedelta(days=1, hours=2),
    )


# SECMP0035, a closed Modification Report Consultation with a dozen responses.

SECMP0035_SUMMARY = """\
## The modification

SECMP0035 proposes updates to **SEC Appendix B, the Organisation Certificate Policy**, \
so that the expiration date of the Organisation Authority Revocation List (ARL) is \
aligned to that of the DCCKI ARL.

Today the two revocation lists are published and expire on different cycles, so \
Parties' systems must track two schedules when checking whether a certificate has \
been revoked. Aligning the dates gives one predictable cycle.

## Process

SECMP0035 is a Path 3 (Self-Governance) Modification Proposal. When this Modification \
Report Consultation closes, the Change Board will vote on whether to approve it, \
taking account of the responses.
"""

SECMP0035_QUESTIONS = [
    {
        "key": "q1",
        "kind": "single_choice",
        "text": "Do you agree that SECMP0035 better facilitates the SEC Objectives?",
        "options": ["Yes", "No", "Neutral"],
        "rationale": "Please provide your rationale, naming the SEC Objectives concerned",
        "required": True,
    },
    {
        "key": "q2",
        "kind": "single_choice",
        "text": "Will SECMP0035 have an impact on your organisation?",
        "options": ["Yes", "No"],
        "rationale": "Please describe the impact, including any costs",
        "required": True,
    },
    {
        "key": "q3",
        "kind": "single_choice",
        "text": "Do you believe that SECMP0035 should be approved?",
        "options": ["Approve", "Reject"],
        "rationale": "Please provide your rationale",
        "required": True,
    },
    {
        "key": "q4",
        "kind": "multiple_choice",
        "text": "Which of your processes would need to change?",
        "hint": "Select all that apply.",
        "options": [
            "Certificate revocation checking",
            "Security procedures",
            "User System configuration",
            "None",
        ],
        "required": False,
    },
    {
        "key": "q5",
        "kind": "text",
        "text": "Do you have any other comments on SECMP0035?",
        "required": False,
    },
]


def _secmp0035_document(today: date) -> dict:
    return {
        "reference": "SECMP0035",
        "title": "Updates to SEC Appendix B – Organisation ARL expiration date to be aligned "
        "to DCCKI ARL",
        "kind": "modification_report",
        "modification": "SECMP0035",
        "summary": SECMP0035_SUMMARY,
        "opens_at": _at(today - timedelta(days=35), 9).isoformat(),
        "closes_at": _at(today - timedelta(days=14), 17).isoformat(),
        "questions": SECMP0035_QUESTIONS,
    }


def _secmp0035(session: Session, today: date) -> Consultation:
    return _import(
        session, _secmp0035_document(today), published=_at(today - timedelta(days=36), 14)
    )


def _answers(
    agree: tuple[str, str],
    impact: tuple[str, str],
    decision: tuple[str, str],
    processes: tuple[str, ...] = (),
    comment: str | None = None,
) -> dict[str, AnswerInput]:
    return {
        "q1": AnswerInput((agree[0],), rationale=agree[1]),
        "q2": AnswerInput((impact[0],), rationale=impact[1]),
        "q3": AnswerInput((decision[0],), rationale=decision[1]),
        "q4": AnswerInput(processes),
        "q5": AnswerInput(text=comment),
    }


ALIGNED = (
    "One expiry cycle for both revocation lists makes revocation checking simpler and "
    "more reliable, supporting the secure operation of the smart metering system."
)

# (organisation, confidential, answers), each submitted on time.
SECMP0035_RESPONSES: tuple[tuple[str, bool, dict[str, AnswerInput]], ...] = (
    (
        "British Gas",
        False,
        _answers(
            ("Yes", ALIGNED),
            (
                "Yes",
                "Minor: we will change the scheduled job that fetches the Organisation "
                "ARL. We estimate less than five days' effort.",
            ),
            ("Approve", "A low-risk change that removes an inconsistency."),
            ("Certificate revocation checking",),
        ),
    ),
    (
        "E.ON UK",
        False,
        _answers(
            ("Yes", ALIGNED),
            ("No", "Our User Systems already retrieve both lists daily."),
            ("Approve", "We support the change."),
            ("None",),
        ),
    ),
    (
        "ScottishPower",
        True,
        _answers(
            (
                "Yes",
                "Aligning the dates reduces the risk of a User System relying on an expired list.",
            ),
            (
                "Yes",
                "We will update our security procedures and retest revocation checks. "
                "Our cost estimate is commercially sensitive.",
            ),
            ("Approve", "The benefits outweigh our one-off costs."),
            ("Certificate revocation checking", "Security procedures"),
        ),
    ),
    (
        "Octopus Energy",
        False,
        _answers(
            ("Yes", ALIGNED),
            ("No", "No change needed: our systems fetch both ARLs each day."),
            ("Approve", "Simple and sensible."),
            ("None",),
            "We would welcome SECAS publishing the aligned ARL schedule on its website.",
        ),
    ),
    (
        "Good Energy",
        True,
        _answers(
            ("Neutral", "We have no strong view; the change is technical."),
            ("No", "We use a service provider, who tells us there is no impact."),
            ("Approve", "We have no objection."),
        ),
    ),
    (
        "Western Power Distribution",
        False,
        _answers(
            ("Yes", ALIGNED),
            (
                "Yes",
                "A configuration change to our User System, tested in our normal release cycle.",
            ),
            ("Approve", "We support the modification."),
            ("User System configuration",),
        ),
    ),
    (
        "Cadent Gas",
        True,
        _answers(
            (
                "Yes",
                "Consistency between the Organisation and DCCKI certificate policies is welcome.",
            ),
            ("No", "No material impact."),
            ("Approve", "We support the modification."),
            ("None",),
        ),
    ),
    (
        "Landis+Gyr",
        False,
        _answers(
            (
                "No",
                "Devices do not use the Organisation ARL directly, and the benefit to "
                "Parties is small compared with the effort of changing procedures twice if "
                "the DCCKI policy changes again.",
            ),
            ("No", "No impact on our devices."),
            (
                "Reject",
                "We would support the change with an implementation date at least six "
                "months away, to allow procedures to be updated together.",
            ),
            ("None",),
        ),
    ),
    (
        "Smart DCC Ltd",
        False,
        _answers(
            (
                "Yes",
                "The DCC raised this change so that both revocation lists can be managed "
                "on one schedule.",
            ),
            (
                "Yes",
                "The DCC will update the Organisation Certificate Authority's ARL "
                "issuing schedule; the cost is met within existing operational budgets.",
            ),
            ("Approve", "We support the modification."),
            ("Security procedures",),
        ),
    ),
    (
        "Citizens Advice",
        False,
        _answers(
            (
                "Neutral",
                "No direct impact on consumers; we support measures that keep the "
                "smart metering system secure.",
            ),
            ("No", "We are not a User of DCC services."),
            ("Approve", "We have no objection."),
        ),
    ),
)


def _respond_to_secmp0035(
    session: Session, consultation: Consultation, respondents: dict[str, User]
) -> None:
    """Ten on time, one amended before close, one late under an allowance."""
    opened, closed = consultation.opens_at, consultation.closes_at
    for day, (name, confidential, answers) in enumerate(SECMP0035_RESPONSES, start=1):
        when = opened + timedelta(days=day * 1.5, hours=3)
        _respond(
            session, consultation, respondents[name], answers, confidential=confidential, when=when
        )
    _amended_response(session, consultation, respondents["EDF Energy"], opened, closed)
    _late_response(session, consultation, respondents["UK Power Networks"], closed)


def _amended_response(
    session: Session, consultation: Consultation, user: User, opened: datetime, closed: datetime
) -> None:
    first = _answers(
        ("Neutral", "We are still assessing the change with our security team."),
        ("Yes", "To be confirmed once our assessment is complete."),
        ("Approve", "Provisionally, subject to our assessment."),
    )
    _respond(session, consultation, user, first, confidential=False, when=opened + timedelta(2))
    amended = _answers(
        ("Yes", "Having completed our assessment, we agree: " + ALIGNED),
        ("Yes", "A small change to our revocation checking, within business-as-usual costs."),
        ("Approve", "We support the modification."),
        ("Certificate revocation checking",),
        "This amends our earlier, provisional response.",
    )
    _respond(session, consultation, user, amended, confidential=False, when=closed - timedelta(1))


def _late_response(
    session: Session, consultation: Consultation, user: User, closed: datetime
) -> None:
    until = closed + timedelta(days=3)
    session.add(
        LateAllowance(
            consultation_id=consultation.id,
            organisation_id=user.organisation_id,
            until=until,
            reason="Their response was held up by an internal sign-off.",
        )
    )
    audit.record(
        session,
        "late_allowance.granted",
        actor_id=None,
        consultation_id=consultation.id,
        organisation_id=user.organisation_id,
        until=until.isoformat(),
    )
    answers = _answers(
        ("Yes", ALIGNED),
        ("No", "No material impact."),
        ("Approve", "We support the modification."),
        ("None",),
        "Our apologies for the late response, and thank you for the extension.",
    )
    _respond(session, consultation, user, answers, confidential=False, when=closed + timedelta(1))


# An upcoming consultation, so every status has an example.


def _secmp0036_document(today: date) -> dict:
    return {
        "reference": "SECMP0036",
        "title": "Single User ID for Users acting in one or more User Roles",
        "kind": "draft_proposal",
        "modification": "SECMP0036",
        "summary": "This modification proposes to let a User use the same User ID when "
        "operating in the roles of Import Supplier and Gas Supplier.",
        "opens_at": _at(today + timedelta(days=7), 9).isoformat(),
        "closes_at": _at(today + timedelta(days=28), 17).isoformat(),
        "questions": [
            {
                "key": "q1",
                "kind": "single_choice",
                "text": "Do you support allowing one User ID for the Import Supplier and Gas "
                "Supplier User Roles?",
                "options": ["Yes", "No", "Neutral"],
                "rationale": "Please provide your rationale",
                "required": True,
            },
            {
                "key": "q2",
                "kind": "text",
                "text": "Do you have any other comments?",
                "required": False,
            },
        ],
    }
