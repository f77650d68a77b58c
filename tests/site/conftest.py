"""Fixtures for the site tests: a synthetic DATA directory (archive.db + real WARC captures), the
real site started the way `xxgk serve` starts it, and one headless Chromium for the session."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))  # synthetic_archive, cdp: helpers beside the tests

import synthetic_archive  # noqa: E402
from cdp import Browser, free_port  # noqa: E402

N_REPORTS = 40


@pytest.fixture(scope="session")
def archive(tmp_path_factory):
    data = tmp_path_factory.mktemp("site-data")
    return synthetic_archive.build(data, n_reports=N_REPORTS, seed=7)


@pytest.fixture(scope="session")
def site(archive):
    """Base URL of `python -m xxgk.serve --data DIR --port N` (the `xxgk serve` code path)."""
    port = free_port()
    log = archive.db_path.parent / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "xxgk.serve", "--data", str(archive.db_path.parent), "--port", str(port)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/-/versions.json", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("site did not start:\n" + log.read_text(errors="replace")[-3000:]) from None
            time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def browser():
    b = Browser()
    yield b
    b.close()


@pytest.fixture
def page(browser):
    p = browser.new_page()
    yield p
    p.close()
