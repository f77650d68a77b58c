"""One reader per format, each ``read(data: bytes) -> Document``."""
