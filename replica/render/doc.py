"""Legacy Word .doc: the DOCX converted by LibreOffice headless (as agencies' .doc files come from Word)."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading

from replica.render.docx import render_docx
from replica.reports import ReportSpec

_lock = threading.Lock()  # one soffice per profile at a time: a profile is locked while in use
_profile: str | None = None


class ConversionFailed(RuntimeError):
    pass


def convert(data: bytes, target: str = "doc", timeout: float = 120) -> bytes:
    """Convert DOCX bytes with soffice --convert-to, in its own user profile, with a timeout."""
    return convert_many([data], target, timeout)[0]


def convert_many(documents: list[bytes], target: str = "doc", timeout: float = 300) -> list[bytes]:
    """Convert several DOCX files in one soffice run: LibreOffice's start-up (seconds) is most of the
    cost of one conversion, so a batch costs little more than a single file."""
    global _profile
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise ConversionFailed("LibreOffice (soffice) not installed: see scripts/setup.sh")
    if not documents:
        return []
    with _lock:
        if _profile is None:
            _profile = tempfile.mkdtemp(prefix="replica-lo-profile-")
            atexit.register(shutil.rmtree, _profile, True)
        with tempfile.TemporaryDirectory(prefix="replica-doc-") as work:
            sources = []
            for i, data in enumerate(documents):
                sources.append(os.path.join(work, f"report{i}.docx"))
                with open(sources[-1], "wb") as f:
                    f.write(data)
            cmd = [soffice, f"-env:UserInstallation=file://{_profile}", "--headless", "--norestore",
                   "--convert-to", target, "--outdir", work, *sources]
            # own session: on timeout the whole group (oosplash and soffice.bin) is killed, not just the launcher
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
            try:
                _, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired as e:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                raise ConversionFailed(f"soffice timed out after {timeout}s") from e
            out = []
            for i in range(len(documents)):
                dst = os.path.join(work, f"report{i}.{target}")
                if not os.path.exists(dst):
                    raise ConversionFailed(f"soffice produced no .{target}: {err.decode(errors='replace')[-300:]}")
                with open(dst, "rb") as f:
                    out.append(f.read())
            return out


def render_doc(spec: ReportSpec, style: str | None = None) -> bytes:
    return convert(render_docx(spec, style), "doc")
