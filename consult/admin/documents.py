"""The consultation's documents: upload, replace, retitle, reorder and remove.

Files are checked by content (``consult.files``) and stored by hash under the
``documents`` area, where the public page serves them. A removed document's file stays
on disk: the same content may belong to another consultation.
"""

from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from consult import audit, files
from consult.errors import InvalidInput, NotFound
from consult.models import Consultation, Document

AREA = "documents"
ALLOWED = {files.PDF, files.DOCX, files.XLSX}


def find_document(consultation: Consultation, document_id: int) -> Document:
    """The consultation's document with this id, or NotFound."""
    found = next((d for d in consultation.documents if d.id == document_id), None)
    if found is None:
        raise NotFound(f"No document {document_id} in {consultation.reference}")
    return found


def _title(consultation: Consultation, title: str, document: Document | None = None) -> str:
    """The title cleaned, unless empty, too long, or another of the consultation's
    documents has it (ignoring case): the public page lists documents by title."""
    title = (title or "").strip()
    if not title:
        raise InvalidInput("Enter the document’s title", "title")
    if len(title) > 300:
        raise InvalidInput("The title must be 300 characters or fewer", "title")
    same = next(
        (
            d
            for d in consultation.documents
            if d is not document and d.title.casefold() == title.casefold()
        ),
        None,
    )
    if same is not None:
        raise InvalidInput(
            f"There is already a document called “{same.title}”: give each document a "
            "different title",
            "title",
        )
    return title


def _snapshot(document: Document) -> dict[str, Any]:
    return {
        "title": document.title,
        "filename": document.filename,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "position": document.position,
    }


def _checked(stream: BinaryIO | None, filename: str | None, root: Path, max_bytes: int):
    if stream is None or not filename:
        raise InvalidInput("Select a file")
    return files.check_upload(stream, filename, ALLOWED, max_bytes, root / "tmp")


def add_document(
    session: Session,
    consultation: Consultation,
    title: str,
    upload: tuple[BinaryIO | None, str | None],
    *,
    root: Path,
    max_bytes: int,
    actor_id: int | None,
) -> Document:
    """Check and store an upload and list it last among the consultation's documents."""
    title = _title(consultation, title)
    checked = _checked(*upload, root, max_bytes)
    files.store(checked, root, AREA)
    document = Document(
        title=title,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        position=max((d.position for d in consultation.documents), default=0) + 1,
    )
    consultation.documents.append(document)
    session.flush()
    _record(session, "document.added", consultation, actor_id, None, _snapshot(document))
    return document


def update_document(
    session: Session,
    consultation: Consultation,
    document: Document,
    title: str,
    upload: tuple[BinaryIO | None, str | None],
    *,
    root: Path,
    max_bytes: int,
    actor_id: int | None,
) -> None:
    """Change the title and, when a file is given, replace the file (same place in the list)."""
    title = _title(consultation, title, document)
    before = _snapshot(document)
    stream, filename = upload
    if stream is not None and filename:
        checked = _checked(stream, filename, root, max_bytes)
        files.store(checked, root, AREA)
        document.filename = checked.filename
        document.content_type = checked.content_type
        document.size = checked.size
        document.sha256 = checked.sha256
    document.title = title
    after = _snapshot(document)
    if after != before:
        action = "document.replaced" if after["sha256"] != before["sha256"] else "document.edited"
        _record(session, action, consultation, actor_id, before, after)


def move_document(
    session: Session,
    consultation: Consultation,
    document: Document,
    direction: str,
    actor_id: int | None,
) -> None:
    """Swap a document with its neighbour above or below."""
    order = list(consultation.documents)
    index = order.index(document)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(order):
        raise InvalidInput("The document cannot move further that way")
    before = [d.title for d in order]
    order[index], order[target] = order[target], order[index]
    for position, item in enumerate(order, start=1):
        item.position = position
    consultation.documents.sort(key=lambda d: d.position)
    after = [d.title for d in order]
    _record(session, "document.moved", consultation, actor_id, {"order": before}, {"order": after})


def remove_document(
    session: Session, consultation: Consultation, document: Document, actor_id: int | None
) -> None:
    """Take a document off the consultation."""
    before = _snapshot(document)
    consultation.documents.remove(document)
    session.flush()
    _record(session, "document.removed", consultation, actor_id, before, None)


def _record(session, action, consultation, actor_id, before, after) -> None:
    audit.record(
        session,
        action,
        actor_id=actor_id,
        consultation_id=consultation.id,
        before=before,
        after=after,
    )
