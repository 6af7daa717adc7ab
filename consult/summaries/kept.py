"""Summary pages kept, rendered, for as long as nothing they show has changed.

A summary page costs over ten milliseconds to render however few responses there are
(charts, tallies by category, first answers to every question), while the Panel reads the
same summary again and again once a consultation has closed. Each process keeps the
rendered summary under a fingerprint of everything it shows, read from the same snapshot
the page would be rendered from:

- in the one statement that finds the consultation: its own row (title, dates,
  publication, receipt counter), as the page loads it;
- how many changes its closing time has had;
- its responses: how many, the sum of their versions (the ORM adds one on every update),
  their highest id, and the sum of their current revisions' ids (a new revision on every
  submission or amendment);
- the sum of the respondents' organisations' generations (one more on every update:
  a new name or category);
- the database's epoch, new on every restore from a backup (which brings back older
  counts and versions);
- whether it has closed (the time moves on), the version, the page of respondents, and
  the address the site is served under (its links begin with it).

Any change makes a new fingerprint, so a kept page is never out of date, on any host.
Editing questions locks the consultation's row, as a submission does, so an edit and the
first submission are never both made unaware of each other.
Nothing is kept before the first submission: until then the questions may still change
(they lock once a response is submitted) and the page is cheap anyway. Entries expire
after ``SUMMARY_CACHE_SECONDS`` (0 turns keeping off); each process keeps at most
``ENTRIES`` pages of at most ``LARGEST`` bytes.

The layout around the body (header, title, version links, publishing) is kept too, under
the same fingerprint and everything else it shows: who is signed in (their name, role and
organisation's name). Its sign-out form's CSRF token is put in afresh on each request,
and nothing is kept or given while a message waits to be shown once (a flash). A layout
is about 5 KB; each process keeps at most ``LAYOUTS`` of them.
"""

import hashlib
from collections.abc import Callable

from flask import Flask, current_app, request, session
from flask_caching import Cache
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import bindparam, func, inspect, select, true
from sqlalchemy.orm import Session

from consult import page_cache
from consult.consultations import service as consultations
from consult.models import (
    Consultation,
    DatabaseEpoch,
    DeadlineChange,
    Organisation,
    Response,
    canonical_reference,
)
from consult.summaries.service import Version

cache = Cache()
# At most ENTRIES pages of at most LARGEST bytes (UTF-8, as kept) each: 16 MB a process.
# A summary of twelve questions is about 200 KB; one whose first answers are very long
# is rendered each time instead.
ENTRIES = 63  # cachelib prunes before adding, so it holds one more: 64
LARGEST = 256 * 1024
layouts = Cache()
LAYOUTS = 511  # about 5 KB each: under 3 MB a process


def init_app(app: Flask) -> None:
    """Keep pages in memory for ``SUMMARY_CACHE_SECONDS`` (0: keep nothing)."""
    seconds = int(app.config["SUMMARY_CACHE_SECONDS"])
    page_cache.in_memory(cache, app, seconds, ENTRIES)
    page_cache.in_memory(layouts, app, seconds, LAYOUTS)


# The consultation with this reference, and in the same statement what its fingerprint
# counts; built once, so SQLAlchemy keeps its cache key too, and a kept page costs little
# more than signing in and this statement.
_owner = (
    select(Consultation.id).where(Consultation.reference == bindparam("reference"))
).scalar_subquery()
_changes = (
    select(func.count(DeadlineChange.id))
    .where(DeadlineChange.consultation_id == _owner)
    .scalar_subquery()
)
_counts = (
    select(
        func.count(Response.id),
        func.coalesce(func.sum(Response.version), 0),
        func.coalesce(func.max(Response.id), 0),
        func.count(Response.current_revision_id),
        func.coalesce(func.sum(Response.current_revision_id), 0),
        func.coalesce(func.sum(Organisation.generation), 0),
        _changes,
        select(DatabaseEpoch.token).scalar_subquery(),
    )
    .select_from(Response)
    .join(Organisation, Organisation.id == Response.organisation_id)
    .where(Response.consultation_id == _owner)
    .subquery("counts")
)
_FOUND = (
    select(Consultation, _counts)
    .join(_counts, true())
    .where(Consultation.reference == bindparam("reference"))
)


def find(session: Session, reference: str) -> tuple[Consultation, tuple | None]:
    """The published consultation with this reference, and, when pages are kept, what
    its fingerprint counts, read in the same statement."""
    if not current_app.config["SUMMARY_CACHE_SECONDS"]:
        return consultations.get_by_reference(session, reference, parts=()), None
    row = session.execute(_FOUND, {"reference": canonical_reference(reference)}).one_or_none()
    consultation = consultations.found(row[0] if row else None, reference)
    return consultation, tuple(row[1:])


def fingerprint(
    consultation: Consultation, counts: tuple | None, version: Version, page: int, closed: bool
) -> str | None:
    """What the summary page shows depends on, hashed; None while questions can change,
    and when nothing is kept."""
    submitted_ever = counts is not None and counts[3] > 0
    if not submitted_ever:
        return None
    row = [getattr(consultation, column.key) for column in inspect(Consultation).column_attrs]
    parts = (row, counts, closed, version.value, page, request.script_root)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# Where the body goes in the page rendered around it: a comment no page otherwise holds
# (every text a page shows is escaped, so no respondent can write it).
MARKER = "<!-- consult: the summary's body -->"


# Where the CSRF token goes in a layout as kept: a comment, as MARKER is.
TOKEN = "<!-- consult: this request's CSRF token -->"


def layout(key: str | None, render: Callable[..., str]) -> str:
    """The layout kept for the page under ``key`` and the person signed in, or
    ``render(csrf_token=...)`` (kept unless ``key`` is None or a flash is waiting), with
    this request's CSRF token in it."""
    if key is None or "_flashes" in session:
        return render()
    user = current_user
    shown = (key, user.id, user.name, user.role, user.organisation and user.organisation.name)
    layout_key = hashlib.sha256(repr(shown).encode()).hexdigest()
    around = layouts.get(layout_key)
    if around is None:
        around = render(csrf_token=lambda: Markup(TOKEN))
        layouts.set(layout_key, around)
    return around.replace(TOKEN, generate_csrf())


def spliced(around: str, body: bytes) -> bytes:
    """The page ``around``, rendered with ``MARKER`` for its body, with ``body`` in the
    marker's place, as UTF-8: the body is neither copied into the page's text nor
    encoded again."""
    before, marker, after = around.partition(MARKER)
    if not marker or MARKER in after:
        raise RuntimeError("The summary's layout must show its body exactly once.")
    return b"".join((before.encode(), body, after.encode()))


def rendered(key: str | None, render: Callable[[], str]) -> bytes:
    """The page kept under ``key``, or ``render()`` kept under it (never when None), as
    UTF-8: kept encoded, it is not encoded again on each request."""
    if key is None:
        return render().encode()
    page = cache.get(key)
    if page is None:
        page = render().encode()
        if len(page) <= LARGEST:
            cache.set(key, page)
    return page
