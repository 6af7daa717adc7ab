"""Supporting documents attached to a response: checked by content through
``consult.files``, stored by hash in the "attachments" area, one ``Attachment`` row each.

The working copy's attachments can be added or removed while the organisation may still
respond; submitting records them in the new revision, and the Panel sees only those of
the current revision. Removing one marks it removed rather than deleting its row, so a
revision submitted with it keeps it.
"""

from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from consult import audit, files
from consult.errors import InvalidInput, NotFound, ResponseLocked
from consult.models import Attachment, Response, ResponseStatus, User
from consult.responses.service import WITHDRAWN, ensure_accepting, touch

AREA = "attachments"
ALLOWED = {files.PDF, files.DOCX, files.XLSX, files.ODT, files.CSV}
# Enough for any real response; a page listing more is a sign of a mistake.
MAX_ATTACHMENTS = 20


def add(
    session: Session,
    response: Response,
    stream: BinaryIO,
    filename: str,
    *,
    root: Path,
    max_bytes: int,
    user: User,
    now: datetime,
) -> Attachment:
    """Check an uploaded file, store it and attach it to the response."""
    _check_changeable(session, response, now)
    if len(response.attachments) >= MAX_ATTACHMENTS:
        raise InvalidInput(f"You can attach up to {MAX_ATTACHMENTS} files: remove one first")
    checked = files.check_upload(stream, filename, ALLOWED, max_bytes, root / AREA)
    files.store(checked, root, AREA)
    attachment = Attachment(
        response=response,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_at=now,
        uploaded_by_id=user.id,
    )
    session.add(attachment)
    # A new file changes the response: a colleague's check-answers page is now out of date.
    touch(session, response, user, now)
    _audit(session, "response.attachment_added", response, attachment, user)
    return attachment


def remove(
    session: Session, response: Response, attachment_id: int, *, user: User, now: datetime
) -> Attachment:
    """Detach a file from the working copy; revisions submitted with it keep it (and the
    stored bytes stay: another row may share them)."""
    _check_changeable(session, response, now)
    attachment = find(response, attachment_id)
    attachment.removed_at = now
    touch(session, response, user, now)
    _audit(session, "response.attachment_removed", response, attachment, user)
    return attachment


def find(response: Response, attachment_id: int) -> Attachment:
    """One of the working copy's attachments, or NotFound (never another response's)."""
    return _one_of(response.attachments, attachment_id)


def find_kept(response: Response, attachment_id: int) -> Attachment:
    """One of the working copy's attachments or of those its revisions were submitted
    with, or NotFound (never another response's)."""
    kept = response.attachments + [a for r in response.revisions for a in r.attachments]
    return _one_of(kept, attachment_id)


def _one_of(candidates: list[Attachment], attachment_id: int) -> Attachment:
    found = next((a for a in candidates if a.id == attachment_id), None)
    if found is None:
        raise NotFound(f"No attachment {attachment_id} on this response")
    return found


def _check_changeable(session: Session, response: Response, now: datetime) -> None:
    if response.status is ResponseStatus.withdrawn:
        raise ResponseLocked(WITHDRAWN)
    ensure_accepting(session, response.consultation, response.organisation_id, now)


def _audit(
    session: Session, action: str, response: Response, attachment: Attachment, user: User
) -> None:
    audit.record(
        session,
        action,
        actor_id=user.id,
        consultation_id=response.consultation_id,
        organisation_id=response.organisation_id,
        filename=attachment.filename,
        sha256=attachment.sha256,
        size=attachment.size,
    )
