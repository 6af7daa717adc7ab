"""Organisations and their party categories; shared by the CLI and the SECAS console."""

from sqlalchemy import func, select
from sqlalchemy.orm import QueryableAttribute, Session, selectinload

from consult import audit
from consult.errors import InvalidInput, NotFound
from consult.models import CATEGORY_LABELS, Organisation, PartyCategory, Response, ResponseStatus

MAX_SEC_PARTY_ID_LENGTH = 50


def parse_category(value: str) -> PartyCategory:
    """The party category named ``value``, or InvalidInput listing the allowed ones."""
    try:
        return PartyCategory(value.strip().lower())
    except ValueError:
        allowed = ", ".join(c.value for c in PartyCategory)
        raise InvalidInput(f"unknown category '{value}': use one of {allowed}") from None


def _clean_name(session: Session, name: str, *, except_id: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("enter the organisation's name")
    if len(name) > 200:
        raise InvalidInput("the organisation's name must be 200 characters or fewer")
    existing = _holder(session, Organisation.name, name, except_id)
    if existing is not None:  # named as stored, which may differ in case from what was typed
        raise InvalidInput(f"an organisation called {existing} already exists")
    return name


def _holder(
    session: Session, column: QueryableAttribute, value: str, except_id: int | None
) -> str | None:
    """The name of another organisation whose ``column`` is ``value`` ignoring case, if
    any. The database lowers both, as PostgreSQL's unique indexes do (0012, 0015)."""
    query = select(Organisation.name).where(func.lower(column) == func.lower(value))
    if except_id is not None:
        query = query.where(Organisation.id != except_id)
    return session.scalar(query.limit(1))


def _clean_sec_party_id(
    session: Session, value: str | None, *, except_id: int | None = None
) -> str | None:
    value = (value or "").strip()
    if len(value) > MAX_SEC_PARTY_ID_LENGTH:
        raise InvalidInput(
            f"the SEC Party identifier must be {MAX_SEC_PARTY_ID_LENGTH} characters or fewer",
            "sec_party_id",
        )
    if not value:
        return None
    holder_name = _holder(session, Organisation.sec_party_id, value, except_id)
    if holder_name is not None:
        raise InvalidInput(
            f"{holder_name} already has the SEC Party identifier {value}", "sec_party_id"
        )
    return value


def create_organisation(
    session: Session,
    name: str,
    category: str,
    *,
    sec_party_id: str | None = None,
    actor_id: int | None = None,
) -> Organisation:
    """Create an organisation; names are unique, ignoring case and surrounding spaces."""
    name = _clean_name(session, name)
    party_category = parse_category(category)
    organisation = Organisation(
        name=name,
        category=party_category,
        sec_party_id=_clean_sec_party_id(session, sec_party_id),
        active=True,
    )
    session.add(organisation)
    session.flush()
    audit.record(
        session,
        "organisation.created",
        actor_id=actor_id,
        organisation_id=organisation.id,
        name=name,
        category=party_category.value,
    )
    return organisation


def _snapshot(organisation: Organisation) -> dict:
    return {
        "name": organisation.name,
        "category": organisation.category.value,
        "sec_party_id": organisation.sec_party_id,
        "active": organisation.active,
    }


def update_organisation(
    session: Session,
    organisation: Organisation,
    *,
    name: str,
    category: str,
    sec_party_id: str | None,
    active: bool,
    actor_id: int | None,
) -> None:
    """Change an organisation's details; the audit event keeps before and after."""
    before = _snapshot(organisation)
    organisation.name = _clean_name(session, name, except_id=organisation.id)
    organisation.category = parse_category(category)
    organisation.sec_party_id = _clean_sec_party_id(
        session, sec_party_id, except_id=organisation.id
    )
    organisation.active = active
    after = _snapshot(organisation)
    if before == after:
        return
    audit.record(
        session,
        "organisation.updated",
        actor_id=actor_id,
        organisation_id=organisation.id,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )


def list_organisations(session: Session) -> list[Organisation]:
    """Every organisation, by category then name (ignoring case), with its users."""
    order = {category: index for index, category in enumerate(CATEGORY_LABELS)}
    organisations = session.scalars(
        select(Organisation)
        .options(selectinload(Organisation.users))
        .order_by(func.lower(Organisation.name), Organisation.name)
    )
    return sorted(organisations, key=lambda o: order[o.category])


def get_organisation(session: Session, organisation_id: int) -> Organisation:
    """The organisation with this id, or NotFound."""
    organisation = session.scalar(
        select(Organisation)
        .where(Organisation.id == organisation_id)
        .options(selectinload(Organisation.users))
    )
    if organisation is None:
        raise NotFound("No such organisation")
    return organisation


def submitted_responses(session: Session, organisation_id: int) -> int:
    """How many consultations the organisation's submitted responses count in: each
    counts under the organisation's category as it is now, so a change of category moves
    them all."""
    return session.scalar(
        select(func.count()).where(
            Response.organisation_id == organisation_id,
            Response.status == ResponseStatus.submitted,
        )
    )
