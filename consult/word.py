"""New Word documents that say where they came from. python-docx's blank template names
"python-docx" as the author and 23 December 2013 as the date, which Word shows among a
file's properties."""

import docx
from docx.document import Document

from consult.db import utcnow
from consult.xml_text import xml_safe


def new_document(title: str) -> Document:
    """A blank document titled ``title``, made by Consult, now."""
    document = docx.Document()
    properties = document.core_properties
    properties.title = xml_safe(title)
    properties.author = properties.last_modified_by = "Consult"
    properties.comments = ""
    properties.created = properties.modified = utcnow()
    return document
