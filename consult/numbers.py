"""Whole numbers read from addresses and forms, within what the database can store."""

# PostgreSQL's INTEGER (and so every id and count column) stops here.
MAX_INTEGER = 2**31 - 1


def whole_number(value: str) -> int:
    """A positive whole number written in ASCII digits, or ValueError.

    ``str.isdigit`` accepts "²" and ``int`` accepts "١٢"; neither is what anyone means by a
    page or an id, and an unbounded number overflows the database's integers.
    """
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"not a whole number: {value!r}")
    number = int(text)
    if not 1 <= number <= MAX_INTEGER:
        raise ValueError(f"out of range: {value!r}")
    return number
