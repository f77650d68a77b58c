"""DOC and WPS reader: LibreOffice headless converts to DOCX, then the DOCX reader reads it.

One LibreOffice user profile per Python process (a temp dir, created on first use, removed at
exit): a fresh profile costs seconds to initialise, and two soffice processes sharing one profile
block each other. Conversions within a process are serialised for the same reason.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from parsers.document import Document
from parsers.errors import ConverterMissing, UnreadableDocument
from parsers.readers import docx, limits

_lock = threading.Lock()
_profile_dir: str | None = None


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _profile() -> str:
    global _profile_dir
    if _profile_dir is None or not os.path.isdir(_profile_dir):
        _profile_dir = tempfile.mkdtemp(prefix="xxgk-lo-profile-")
        atexit.register(shutil.rmtree, _profile_dir, True)
    return _profile_dir


def convert_to_docx(data: bytes, suffix: str = ".doc", timeout: float = limits.SOFFICE_TIMEOUT) -> bytes:
    """Convert DOC/WPS/RTF bytes to DOCX bytes with LibreOffice; UnreadableDocument when it fails."""
    soffice = soffice_path()
    if soffice is None:
        raise ConverterMissing("LibreOffice (soffice) is not installed: DOC/WPS files cannot be read")
    with _lock, tempfile.TemporaryDirectory(prefix="xxgk-lo-") as work:
        src = Path(work, "input" + suffix)
        src.write_bytes(data)
        out_dir = Path(work, "out")
        cmd = [soffice, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
               f"-env:UserInstallation={Path(_profile()).as_uri()}",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out_dir), str(src)]
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        except OSError as e:
            raise ConverterMissing(f"LibreOffice could not be started: {e}") from None
        try:
            _out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            # soffice forks helpers: end the whole session we started, then reap.
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.communicate()
            raise UnreadableDocument(f"LibreOffice conversion timed out after {timeout:.0f} s") from None
        result = out_dir / "input.docx"
        if not result.is_file() or result.stat().st_size == 0:
            detail = err.decode("utf-8", "replace").strip().splitlines()
            reason = detail[-1] if detail else f"exit status {proc.returncode}"
            raise UnreadableDocument(f"LibreOffice could not convert the file ({reason})")
        return result.read_bytes()


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Directory entry names (UTF-16LE) of Word/WPS documents and Microsoft Works files.
_DOCUMENT_STREAMS = tuple(n.encode("utf-16-le") for n in ("WordDocument", "CONTENTS", "MatOST"))


def read(data: bytes, fmt: str = "doc") -> Document:
    limits.check_input(data)
    if not data.startswith(OLE_MAGIC) and not data.lstrip()[:5] == b"{\\rtf":
        # Anything else would be imported by LibreOffice as plain text, garbage included.
        raise UnreadableDocument(f"not a {fmt.upper()} file: no OLE2 or RTF header")
    if data.startswith(OLE_MAGIC) and not any(name in data for name in _DOCUMENT_STREAMS):
        # LibreOffice would import a damaged or foreign OLE2 file as UTF-16 garbage text.
        raise UnreadableDocument(f"OLE2 file without a word-processing stream: not a readable {fmt.upper()}")
    converted = convert_to_docx(data, suffix=".wps" if fmt == "wps" else ".doc")
    doc = docx.read(converted)
    doc.format = fmt
    return doc
