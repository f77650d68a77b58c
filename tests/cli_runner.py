"""The `xxgk` command line run as an operator runs it, in a child process (a crawl needs a fresh
Twisted reactor), from the project's root; shared by the tests that crawl replicas end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_xxgk(*args, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess:
    """``python -m xxgk ARGS``; with ``check`` its exit status must be 0 (else its stderr's tail)."""
    proc = subprocess.run([sys.executable, "-m", "xxgk", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc
