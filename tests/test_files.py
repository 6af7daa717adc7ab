"""Uploads are judged by their bytes, not their names, and stored by content hash."""

import io
import zipfile

import docx
import openpyxl
import pytest

from consult import files
from consult.errors import InvalidInput

ALL = {files.PDF, files.DOCX, files.XLSX, files.ODT, files.CSV}
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Our response")
    document.save(buffer)
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Impact"
    workbook.save(buffer)
    return buffer.getvalue()


def _odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", files.ODT)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def _check(content: bytes, name: str, tmp_path, max_bytes: int = 10_000_000):
    return files.check_upload(io.BytesIO(content), name, ALL, max_bytes, tmp_path / "tmp")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF_BYTES, files.PDF),
        (_docx(), files.DOCX),
        (_xlsx(), files.XLSX),
        (_odt(), files.ODT),
        ("Organisation,Impact\nBritish Gas,“High” – see note\n".encode(), files.CSV),
    ],
)
def test_each_accepted_type_is_recognised_by_its_content(content, expected, tmp_path):
    checked = _check(content, "upload" + files.EXTENSIONS[expected].upper(), tmp_path)
    assert checked.content_type == expected
    assert checked.size == len(content)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (_docx(), "evil.exe", "The selected file is a Word document but its name ends in .exe"),
        (b"<script>,alert(1)\n<b>,x\n", "x.html", "a CSV but its name ends in .html"),
        (PDF_BYTES, "minutes", "a PDF but its name has no extension: rename it to end in .pdf"),
        (_xlsx(), "figures.docx", "an Excel spreadsheet but its name ends in .docx"),
    ],
    ids=["docx-as-exe", "csv-as-html", "pdf-without-extension", "xlsx-as-docx"],
)
def test_a_name_that_lies_about_the_content_is_refused(content, name, message, tmp_path):
    with pytest.raises(InvalidInput, match=message):
        _check(content, name, tmp_path)
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_program_named_like_a_pdf_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match="must be a"):
        _check(b"MZ\x90\x00" + b"\x00" * 200, "response.pdf", tmp_path)
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_file_over_the_limit_is_refused_with_the_limit(tmp_path):
    with pytest.raises(InvalidInput, match="smaller than 1 MB"):
        _check(PDF_BYTES + b"0" * 1024 * 1024, "big.pdf", tmp_path, max_bytes=1024 * 1024)


def test_an_empty_file_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match="empty"):
        _check(b"", "empty.pdf", tmp_path)


def test_a_zip_bomb_dressed_as_a_word_document_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\x00" * 50_000_000)
    with pytest.raises(InvalidInput, match="expands"):
        _check(buffer.getvalue(), "bomb.docx", tmp_path)


def test_a_plain_zip_is_not_an_office_document(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(InvalidInput):
        _check(buffer.getvalue(), "notes.docx", tmp_path)


def test_folders_in_a_file_name_never_reach_the_disk(tmp_path):
    checked = _check(PDF_BYTES, "../../etc/passwd.pdf", tmp_path)
    assert checked.filename == "passwd.pdf"
    stored = files.store(checked, tmp_path / "uploads", "attachments")
    assert stored == tmp_path / "uploads" / "attachments" / checked.sha256
    assert stored.read_bytes() == PDF_BYTES


def test_windows_paths_and_control_characters_are_stripped_from_names():
    assert files.safe_display_name("C:\\Users\\me\\Response\x00.docx") == "Response.docx"
    assert files.safe_display_name("..") == "file"


def test_a_long_file_name_is_shortened_keeping_its_extension(tmp_path):
    checked = _check(PDF_BYTES, "a" * 250 + ".pdf", tmp_path)
    assert checked.filename == "a" * 196 + ".pdf"


def test_the_same_file_is_stored_once(tmp_path):
    first = files.store(_check(PDF_BYTES, "a.pdf", tmp_path), tmp_path / "up", "documents")
    second = files.store(_check(PDF_BYTES, "b.pdf", tmp_path), tmp_path / "up", "documents")
    assert first == second
    assert len(list((tmp_path / "up" / "documents").iterdir())) == 1
