"""Text for documents that are XML inside (Word, Excel), and the PDF written beside them.

XML 1.0 cannot hold most C0 control characters, and python-docx refuses a string holding
one ("All strings must be XML compatible"). Text pasted from Word brings them: Word keeps
a manual line break (Shift+Enter) as a vertical tab, so that becomes the line break it
was; the others (a bell, a form feed, an escape) mean nothing on paper and are dropped.
Tab, newline and carriage return are valid XML and kept.
"""

import re

WORD_LINE_BREAK = "\x0b"
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """The text as XML can hold it: Word's line break as a newline, other controls dropped."""
    return _XML_INVALID.sub("", text.replace(WORD_LINE_BREAK, "\n"))
