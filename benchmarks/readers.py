"""Format readers: read time per format next to the floor of just opening the bytes.

Renders replica reports (all templates) once per format, then times read_document() and the
floor on the same files: lxml.html.fromstring (HTML), zipfile + lxml of word/document.xml (DOCX),
pypdfium2 text of every page (PDF). Times are CPU seconds of this process (time.process_time),
so load from other processes does not distort them; DOC includes the LibreOffice child process
only in wall time (printed separately).

    python benchmarks/readers.py [--n 8] [--doc 1]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
import zipfile

import lxml.etree
import lxml.html
import pypdfium2

from parsers.readers import read_document
from replica.render import render
from replica.reports import generate

TEMPLATES = ("2019", "2021", "legacy", "2019_legacy")


def floor_html(data: bytes) -> None:
    lxml.html.fromstring(data)


def floor_docx(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        lxml.etree.fromstring(z.read("word/document.xml"))


def floor_pdf(data: bytes) -> None:
    pdf = pypdfium2.PdfDocument(data)
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            page.get_textpage().get_text_range()
    finally:
        pdf.close()


FLOORS = {"html": floor_html, "docx": floor_docx, "pdf": floor_pdf}


def cpu_ms(fn, data: bytes, reps: int) -> float:
    fn(data)  # warm caches (fonts, CMaps, imports)
    start = time.process_time()
    for _ in range(reps):
        fn(data)
    return (time.process_time() - start) / reps * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=8, help="reports per format")
    ap.add_argument("--reps", type=int, default=5, help="timed reads per file")
    ap.add_argument("--doc", type=int, default=1, help="DOC files to convert (slow: LibreOffice)")
    args = ap.parse_args()
    specs = [generate(seed, TEMPLATES[seed % len(TEMPLATES)]) for seed in range(args.n)]
    print(f"{'format':6} {'files':>5} {'KB':>6} {'pages':>5} {'read ms':>8} {'floor ms':>9} {'ratio':>6}")
    for fmt in ("html", "docx", "pdf"):
        files = [render(spec, fmt) for spec in specs]
        reads = [cpu_ms(lambda d, f=fmt: read_document(d, f), data, args.reps) for data in files]
        floors = [cpu_ms(FLOORS[fmt], data, args.reps) for data in files]
        pages = ""
        if fmt == "pdf":
            pages = f"{statistics.mean(len(pypdfium2.PdfDocument(d)) for d in files):.1f}"
        kb = statistics.mean(len(d) for d in files) / 1024
        r, f = statistics.median(reads), statistics.median(floors)
        print(f"{fmt:6} {len(files):5d} {kb:6.1f} {pages:>5} {r:8.1f} {f:9.2f} {r / f:6.1f}")
    for spec in specs[: args.doc]:
        data = render(spec, "doc")
        start = time.perf_counter()
        read_document(data, "doc")
        first = time.perf_counter() - start
        start = time.perf_counter()
        read_document(data, "doc")
        print(f"doc    wall {first:.2f} s first (new LibreOffice profile), {time.perf_counter() - start:.2f} s next")


if __name__ == "__main__":
    main()
