"""Organisations and their party categories; shared by the CLI and the SECAS console."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult import audit
from consult.errors import InvalidInput
from consult.models import Organisation, PartyCategory


def parse_category(value: str) -> PartyCategory:
    """The party category named ``value``, or InvalidInput listing the allowed ones."""
    try:
        return PartyCategory(value.strip().lower())
    except ValueError:
        allowed = ", ".join(c.value for c in PartyCategory)
        raise InvalidInput(f"unknown category '{value}': use one of {allowed}") from None


def create_organisation(
    session: Session, name: str, category: str, *, actor_id: int | None = None
) -> Organisation:
    """Create an organisation; names are unique, ignoring case and surrounding spaces."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("enter the organisation's name")
    if len(name) > 200:
        raise InvalidInput("the organisation's name must be 200 characters or fewer")
    party_category = parse_category(category)
    taken = select(func.count()).where(func.lower(Organisation.name) == name.lower())
    if session.scalar(taken):
        raise InvalidInput(f"an organisation called '{name}' already exists")
    organisation = Organisation(name=name, category=party_category)
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
