"""A zip of the files respondents attached to the responses a summary counts: those each
response's current revision was submitted with, not a half-made amendment's.

Each file is named "<receipt> <organisation> - <filename>", so the Panel can match it to
the summary. The public version leaves out confidential respondents' files: a file can
name its author, which anonymising the file name would not hide. Files are copied into
the zip a chunk at a time, so memory stays flat however many there are.
"""

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult import files
from consult.models import (
    Attachment,
    Organisation,
    PartyCategory,
    Response,
    ResponseStatus,
    Revision,
    receipt_reference,
    revision_attachment,
)
from consult.summaries.service import Summary, Version, display_name

AREA = "attachments"
MISSING_NOTE = "Files that could not be found.txt"


@dataclass(frozen=True)
class ZipEntry:
    """One attachment and the name it has inside the zip."""

    name: str
    sha256: str


def attachment_count(session: Session, summary: Summary) -> int:
    """How many files the zip of this version holds."""
    query = _query(summary).with_only_columns(func.count(Attachment.id)).order_by(None)
    return session.scalar(query) or 0


def _query(summary: Summary):
    query = (
        select(
            Response.receipt_number,
            Organisation.name,
            Organisation.category,
            Revision.confidential,
            Attachment.filename,
            Attachment.sha256,
        )
        .select_from(Response)
        .join(Revision, Revision.id == Response.current_revision_id)
        .join(revision_attachment, revision_attachment.c.revision_id == Revision.id)
        .join(Attachment, Attachment.id == revision_attachment.c.attachment_id)
        .join(Organisation, Organisation.id == Response.organisation_id)
        .where(
            Response.consultation_id == summary.consultation_id,
            Response.status == ResponseStatus.submitted,
        )
        .order_by(Response.receipt_number, Attachment.uploaded_at, Attachment.id)
    )
    if summary.version is Version.public:
        query = query.where(Revision.confidential.is_(False))
    return query


def entries(session: Session, summary: Summary) -> Iterator[ZipEntry]:
    """The files of this version, in receipt order, each with a unique name."""
    used: set[str] = set()
    for row in session.execute(_query(summary).execution_options(yield_per=500)):
        who = display_name(row.name, PartyCategory(row.category), row.confidential, summary.version)
        receipt = receipt_reference(summary.reference, row.receipt_number)
        name = _unique(_clean(f"{receipt} {who} - {row.filename}"), used)
        yield ZipEntry(name, row.sha256)


def _clean(name: str) -> str:
    """A name safe inside a zip: no folders, no control characters."""
    name = name.replace("/", "-").replace("\\", "-")
    return "".join(ch for ch in name if ch.isprintable()).strip()[:240]


def _unique(name: str, used: set[str]) -> str:
    candidate, number = name, 1
    path = PurePosixPath(name)
    while candidate in used:
        number += 1
        candidate = f"{path.stem} ({number}){path.suffix}"
    used.add(candidate)
    return candidate


def write_zip(target: BinaryIO, session: Session, summary: Summary, root: Path) -> int:
    """Write the zip; returns how many files it holds. Missing files are listed in a note."""
    written, missing = 0, []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for entry in entries(session, summary):
            source = files.stored_path(root, AREA, entry.sha256)
            if not source.is_file():
                missing.append(entry.name)
                continue
            archive.write(source, entry.name)
            written += 1
        if missing:
            archive.writestr(MISSING_NOTE, "\n".join(missing) + "\n")
    return written
