"""The files respondents attached to the responses a summary counts: those each
response's current revision was submitted with, not a half-made amendment's. The summary
page lists the first of them, each downloadable; the zip holds them all.

Each file is named "<receipt> <organisation> - <filename>", so the Panel can match it to
the summary, and named so that Windows and macOS can unzip it: no character Windows
forbids, no two names the same but for case, none too long (a long one is shortened, but
never loses its receipt or extension). The public version leaves out confidential
respondents' files: a file can name its author, which anonymising the file name would not
hide. Files are copied into the zip a chunk at a time, so memory stays flat however many
there are.
"""

import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult import files
from consult.errors import NotFound
from consult.models import (
    Attachment,
    Consultation,
    Organisation,
    PartyCategory,
    Response,
    ResponseStatus,
    Revision,
    receipt_reference,
    revision_attachment,
)
from consult.responses import attachments
from consult.summaries.service import Summary, Version, display_name

MISSING_NOTE = "Files that could not be found.txt"
# Windows forbids these in a file name, and its zip extraction refuses an entry with one.
# No entry can be a device name such as CON or NUL: each begins with its receipt.
_FORBIDDEN = str.maketrans(dict.fromkeys('<>:"/\\|?*', "-"))


@dataclass(frozen=True)
class ZipEntry:
    """One attachment and the name it has inside the zip."""

    name: str
    sha256: str


@dataclass(frozen=True)
class CountedAttachment:
    """One file of a counted response; ``respondent`` is the name this version shows."""

    id: int
    receipt: str
    respondent: str
    confidential: bool
    filename: str
    content_type: str
    size: int
    sha256: str

    @property
    def download_name(self) -> str:
        """The name the zip gives it: "<receipt> <respondent> - <filename>"."""
        return self.numbered_name(1)

    def numbered_name(self, number: int) -> str:
        """The download name, with " (<number>)" before the extension from 2 on, within
        the download name limit (the respondent and the file's stem give way), and not
        ending in a dot or space, which Windows drops."""
        filename = _clean(self.filename)
        suffix = files.extension(filename)
        stem = filename.removesuffix(suffix) if suffix else filename
        tag = f" ({number})" if number > 1 else ""
        room = files.DOWNLOAD_NAME_LIMIT - len(f"{self.receipt}  - {tag}{suffix}")
        respondent, stem = _fitted(_clean(self.respondent), stem, max(room, 0))
        name = f"{self.receipt} {respondent} - {stem}{tag}{suffix}"
        return name.rstrip(". ")


def attachment_count(session: Session, summary: Summary) -> int:
    """How many files the zip of this version holds."""
    query = _query(summary.consultation_id, summary.version)
    query = query.with_only_columns(func.count(Attachment.id)).order_by(None)
    return session.scalar(query) or 0


def first_attachments(session: Session, summary: Summary, limit: int) -> list[CountedAttachment]:
    """The first ``limit`` files of this version, in receipt order (one query)."""
    query = _query(summary.consultation_id, summary.version).limit(limit)
    return [_counted(row, summary.reference, summary.version) for row in session.execute(query)]


def of_response(
    session: Session, consultation: Consultation, version: Version, response_id: int
) -> list[CountedAttachment]:
    """The files one counted response was submitted with, as this version shows them
    (none of a confidential respondent's in the public version)."""
    query = _query(consultation.id, version).where(Response.id == response_id)
    return [_counted(row, consultation.reference, version) for row in session.execute(query)]


def find(
    session: Session, consultation: Consultation, version: Version, attachment_id: int
) -> CountedAttachment:
    """One file of this version, or NotFound: never a draft's, a withdrawn response's, an
    earlier revision's or (in the public version) a confidential respondent's."""
    query = _query(consultation.id, version).where(Attachment.id == attachment_id)
    row = session.execute(query).first()
    if row is None:
        raise NotFound(f"No attached file {attachment_id} in this summary")
    return _counted(row, consultation.reference, version)


def _counted(row, reference: str, version: Version) -> CountedAttachment:
    category = PartyCategory(row.category)
    return CountedAttachment(
        id=row.id,
        receipt=receipt_reference(reference, row.receipt_number),
        respondent=display_name(row.name, category, row.confidential, version),
        confidential=row.confidential,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
    )


def _query(consultation_id: int, version: Version):
    query = (
        select(
            Attachment.id,
            Response.receipt_number,
            Organisation.name,
            Organisation.category,
            Revision.confidential,
            Attachment.filename,
            Attachment.content_type,
            Attachment.size,
            Attachment.sha256,
        )
        .select_from(Response)
        .join(Revision, Revision.id == Response.current_revision_id)
        .join(revision_attachment, revision_attachment.c.revision_id == Revision.id)
        .join(Attachment, Attachment.id == revision_attachment.c.attachment_id)
        .join(Organisation, Organisation.id == Response.organisation_id)
        .where(
            Response.consultation_id == consultation_id,
            Response.status == ResponseStatus.submitted,
        )
        .order_by(Response.receipt_number, Attachment.uploaded_at, Attachment.id)
    )
    if version is Version.public:
        query = query.where(Revision.confidential.is_(False))
    return query


def entries(session: Session, summary: Summary) -> Iterator[ZipEntry]:
    """The files of this version, in receipt order, each with a unique name."""
    used: set[str] = set()
    query = _query(summary.consultation_id, summary.version).execution_options(yield_per=500)
    for row in session.execute(query):
        counted = _counted(row, summary.reference, summary.version)
        yield ZipEntry(_unique(counted, used), counted.sha256)


def _clean(part: str) -> str:
    """Part of a name safe inside a zip: what Windows forbids replaced, no control
    characters, accents composed (NFC), so that names macOS holds to be the same (an "é"
    typed as one character or as "e" and an accent) are the same here too."""
    part = unicodedata.normalize("NFC", part.translate(_FORBIDDEN))
    return "".join(ch for ch in part if ch.isprintable()).strip()


def _fitted(respondent: str, stem: str, room: int) -> tuple[str, str]:
    """The respondent and the file's stem cut to ``room`` characters between them: each
    may have half, and either leaves what it does not need to the other."""
    respondent = respondent[: max(room // 2, room - len(stem))].rstrip()
    return respondent, stem[: room - len(respondent)].rstrip()


def _unique(counted: CountedAttachment, used: set[str]) -> str:
    """The file's name, numbered until it differs from every earlier one ignoring case,
    as Windows and macOS compare names."""
    number = 1
    while (name := counted.numbered_name(number)).casefold() in used:
        number += 1
    used.add(name.casefold())
    return name


def write_zip(target: BinaryIO, session: Session, summary: Summary, root: Path) -> int:
    """Write the zip; returns how many files it holds. Missing files are listed in a note."""
    written, missing = 0, []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for entry in entries(session, summary):
            source = files.stored_path(root, attachments.AREA, entry.sha256)
            if not source.is_file():
                missing.append(entry.name)
                continue
            archive.write(source, entry.name)
            written += 1
        if missing:
            archive.writestr(MISSING_NOTE, "\n".join(missing) + "\n")
    return written
