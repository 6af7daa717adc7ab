"""Uploaded files: checked by their content, whose type the name must agree with; stored
by content hash; sent back as downloads.

Consultation documents and response attachments both come through ``check_upload``
and ``store``. A file is kept at ``<UPLOAD_FOLDER>/<area>/<sha256>``, so a name chosen by
the uploader never becomes a path, and the same file uploaded twice is stored once.
"""

import csv
import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import filetype
from flask import Response, current_app, send_file

from consult.errors import InvalidInput, NotFound
from consult.filters import size_limit

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
CSV = "text/csv"

LABELS = {
    PDF: "PDF",
    DOCX: "Word document",
    XLSX: "Excel spreadsheet",
    ODT: "OpenDocument text",
    CSV: "CSV",
}
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", XLSX: ".xlsx", ODT: ".odt", CSV: ".csv"}

# A zip-based office file whose parts expand beyond this, or by more than this ratio,
# is refused as a likely zip bomb.
MAX_EXPANDED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# Which zip entry proves which office format.
_ZIP_MARKERS = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}
# Uploaded names leave room for the receipt and organisation a download adds to them;
# download names stay under the 255 characters file systems allow.
UPLOAD_NAME_LIMIT = 200
DOWNLOAD_NAME_LIMIT = 240
# Longer than this after the last dot, it is part of the name, not an extension.
LONGEST_EXTENSION = 10


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, ready to store."""

    filename: str
    content_type: str
    size: int
    sha256: str
    path: Path  # a temporary file holding the content


def check_upload(
    stream: BinaryIO, filename: str, allowed: set[str], max_bytes: int, folder: Path
) -> CheckedFile:
    """Copy an upload to a temporary file in ``folder`` and check size and real type.

    Raises InvalidInput saying what is wrong; the temporary file is removed then.
    """
    display_name = safe_display_name(filename)
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix="upload-")
    path = Path(temporary)
    try:
        digest, size = _copy(stream, handle, max_bytes)
        if size == 0:
            raise InvalidInput("The selected file is empty")
        content_type = sniff(path)
        if content_type not in allowed:
            names = [label for kind, label in LABELS.items() if kind in allowed]
            listed = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
            raise InvalidInput(f"The selected file must be {_a(listed)}")
        _check_extension(display_name, content_type)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return CheckedFile(display_name, content_type, size, digest, path)


def _check_extension(name: str, content_type: str) -> None:
    """Refuse a name that says one type of a file that is another: whoever opens it later
    goes by its name, so it must not pass for something it is not."""
    expected = EXTENSIONS[content_type]
    extension = Path(name).suffix.lower()
    if extension != expected:
        said = f"its name ends in {extension}" if extension else "its name has no extension"
        raise InvalidInput(
            f"The selected file is {_a(LABELS[content_type])} but {said}: "
            f"rename it to end in {expected} and upload it again"
        )


def _a(label: str) -> str:
    return f"an {label}" if label[0] in "AEIOU" else f"a {label}"


def _copy(stream: BinaryIO, handle: int, max_bytes: int) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with os.fdopen(handle, "wb") as out:
        while chunk := stream.read(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise InvalidInput(
                    f"The selected file must be smaller than {size_limit(max_bytes)}"
                )
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def sniff(path: Path) -> str | None:
    """The file's real type from its bytes: one of the types above, or None."""
    kind = filetype.guess(str(path))
    if kind is not None and kind.mime == PDF:
        return PDF
    if zipfile.is_zipfile(path):
        return _sniff_zip(path)
    if kind is None and _looks_like_csv(path):
        return CSV
    return None


def _sniff_zip(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            names = {e.filename for e in entries}
            expanded = sum(e.file_size for e in entries)
            compressed = sum(e.compress_size for e in entries) or 1
            if expanded > MAX_EXPANDED_BYTES or expanded / compressed > MAX_COMPRESSION_RATIO:
                raise InvalidInput(
                    "The selected file expands to far more than its size: it cannot be accepted"
                )
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT
    except zipfile.BadZipFile:
        return None
    return next((t for t, marker in _ZIP_MARKERS.items() if marker in names), None)


def _looks_like_csv(path: Path) -> bool:
    sample = path.read_bytes()[: 64 * 1024]
    if b"\x00" in sample:
        return False
    try:
        text = sample.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = sample.decode("cp1252")
        except UnicodeDecodeError:
            return False
    lines = [line for line in text.splitlines() if line.strip()][:20]
    if not lines:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t")
    except csv.Error:
        return False
    widths = {len(row) for row in csv.reader(lines, dialect)}
    return len(widths) <= 2 and max(widths) > 1


def safe_display_name(filename: str | None, limit: int = UPLOAD_NAME_LIMIT) -> str:
    """The uploader's file name with any folders and control characters removed, and
    shortened to ``limit`` characters keeping its extension."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".")
    return _shortened(name, limit) or "file"


def extension(name: str) -> str:
    """The name's extension (".pdf"), or "" when what follows its last dot is too long to
    be one ("Acme Ltd. response to …")."""
    suffix = PurePosixPath(name).suffix
    return suffix if len(suffix) <= LONGEST_EXTENSION else ""


def _shortened(name: str, limit: int) -> str:
    """``name`` cut to ``limit`` characters from the end of its stem: a file whose name
    lost its extension opens as nothing, and an upload's type is checked by it."""
    if len(name) <= limit:
        return name
    kept = extension(name)
    return name[: limit - len(kept)].rstrip() + kept


def store(checked: CheckedFile, root: Path, area: str) -> Path:
    """Move a checked file to its permanent place, ``root/area/<sha256>``."""
    target_folder = root / area
    target_folder.mkdir(parents=True, exist_ok=True)
    target = target_folder / checked.sha256
    if target.exists():
        checked.path.unlink(missing_ok=True)
    else:
        os.replace(checked.path, target)
    return target


def stored_path(root: Path, area: str, sha256: str) -> Path:
    """Where a stored file lives (it may be missing)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise InvalidInput("not a stored file")
    return root / area / sha256


def send_stored(area: str, sha256: str, *, content_type: str, download_name: str) -> Response:
    """A file stored in the app's upload folder as a download under a safe name, kept out
    of caches (it may be a confidential respondent's); NotFound if its bytes are missing."""
    path = stored_path(Path(current_app.config["UPLOAD_FOLDER"]), area, sha256)
    if not path.is_file():
        raise NotFound("The file is missing from the server")
    response = send_file(
        path,
        mimetype=content_type,
        as_attachment=True,
        download_name=safe_display_name(download_name, DOWNLOAD_NAME_LIMIT),
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
