"""Size, page and time bounds shared by the readers, so hostile input cannot exhaust memory or time."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from typing import TypeVar

from parsers.errors import UnreadableDocument

MAX_INPUT_BYTES = 200 * 1024 * 1024  # larger files are refused outright
MAX_HTML_BYTES = 30 * 1024 * 1024  # an HTML page beyond this is not a report page
MAX_ZIP_MEMBER_BYTES = 64 * 1024 * 1024  # decompressed word/document.xml cap (zip-bomb guard)
MAX_ZIP_RATIO = 200  # declared decompressed/compressed ratio beyond which a member is a bomb
MAX_PDF_PAGES = 60  # pages parsed; the rest is skipped with an issue
MAX_TABLE_ROWS = 5000
MAX_TABLE_COLS = 200
MAX_SPAN = 1000
SOFFICE_TIMEOUT = 60.0  # seconds for one DOC/WPS -> DOCX conversion


def check_input(data: bytes) -> None:
    if not data:
        raise UnreadableDocument("empty file")
    if len(data) > MAX_INPUT_BYTES:
        raise UnreadableDocument(f"file too large ({len(data)} bytes, limit {MAX_INPUT_BYTES})")


T = TypeVar("T")


def guarded(kind: str, read: Callable[..., T], data: bytes, *args) -> T:
    """Run a reader on checked input and turn any failure of bad bytes into UnreadableDocument:
    bad input must never surface as a traceback."""
    check_input(data)
    try:
        return read(data, *args)
    except UnreadableDocument:
        raise
    except (RecursionError, MemoryError) as e:
        raise UnreadableDocument(f"{kind} too deeply nested or too large: {type(e).__name__}") from None
    except Exception as e:
        raise UnreadableDocument(f"{kind} could not be read: {type(e).__name__}: {e}") from None


def read_zip_member(zf: zipfile.ZipFile, name: str, limit: int = MAX_ZIP_MEMBER_BYTES) -> bytes:
    """Read one member, refusing it when its declared or actual decompressed size exceeds ``limit``."""
    info = zf.getinfo(name)
    check_zip_member(name, info.file_size, info.compress_size, limit)
    out = bytearray()
    # The declared size can lie: count what actually comes out of the decompressor.
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(1024 * 1024)
            if not chunk:
                break
            out += chunk
            if len(out) > limit:
                raise UnreadableDocument(f"{name} decompresses past {limit} bytes (zip bomb?)")
    return bytes(out)


def check_zip_member(name: str, file_size: int, compress_size: int, limit: int) -> None:
    """Refuse a member whose declared decompressed size exceeds ``limit`` or whose ratio is a bomb's."""
    if file_size > limit:
        raise UnreadableDocument(f"{name} declares {file_size} bytes decompressed (limit {limit})")
    if compress_size and file_size > 1024 * 1024 and file_size / compress_size > MAX_ZIP_RATIO:
        raise UnreadableDocument(f"{name} compresses {file_size / compress_size:.0f}:1 (zip bomb?)")
