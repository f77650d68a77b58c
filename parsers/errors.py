"""Errors the parsers raise. Everything short of an unreadable file is an issue in the output."""


class UnreadableDocument(Exception):
    """The file cannot be read at all (empty, not a known format, corrupt beyond recovery)."""


class ConverterMissing(UnreadableDocument):
    """A format needs an external converter (LibreOffice for DOC/WPS) that is not installed."""
