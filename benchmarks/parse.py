"""Parse throughput per format: parse() end to end next to the floor of just reading the bytes.

Generates reports (all templates, consistent and not), renders each format once (not timed),
then times parse() over them and, on the same files, the floor: lxml.html.fromstring for HTML,
zipfile + lxml parse of word/document.xml for DOCX, pypdfium2 text of all pages for PDF, plain
decode for text. parse() is timed as the best of --repeat passes, like the floor. Reports per
second per core = reports / CPU seconds of this single process and its children (the DOC reader
runs LibreOffice), so other load on the machine does not distort it (the wall-clock rate is
printed beside it).

    python benchmarks/parse.py [--n 40] [--repeat 3] [--append BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import resource
import sys
import time
import zipfile

import lxml.etree
import lxml.html
import pypdfium2

from parsers import parse
from replica.render import render
from replica.reports import generate

TEMPLATES = ("2019", "2021", "legacy", "2019_legacy")
FILENAMES = {"text": "r.txt", "html": "r.html", "docx": "r.docx", "pdf": "r.pdf", "doc": "r.doc"}


def reports(fmt: str, count: int) -> tuple[list, list[bytes]]:
    """The benchmark's reports (specs) and each rendered as ``fmt``: all templates, a third inconsistent."""
    specs = [generate(seed, TEMPLATES[seed % 4], inconsistencies=seed % 3) for seed in range(count)]
    return specs, [render(s, fmt) for s in specs]


def floor_text(data: bytes) -> object:
    return data.decode("utf-8")


def floor_html(data: bytes) -> object:
    return lxml.html.fromstring(data)


def floor_docx(data: bytes) -> object:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return lxml.etree.fromstring(z.read("word/document.xml"))


def floor_pdf(data: bytes) -> object:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


FLOORS = {"text": floor_text, "html": floor_html, "docx": floor_docx, "pdf": floor_pdf, "doc": None}


def cpu_seconds() -> float:
    """CPU of this process and of its finished children (DOC parsing runs LibreOffice)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn, files: list[bytes], repeat: int = 1) -> tuple[float, float]:
    """(CPU seconds, wall seconds) for fn over all files, best of `repeat`."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        c0, w0 = cpu_seconds(), time.perf_counter()
        for data in files:
            fn(data)
        best = min(best, (cpu_seconds() - c0, time.perf_counter() - w0))
    return best


def run(n: int, formats: list[str], repeat: int = 3) -> list[dict]:
    rows = []
    for fmt in formats:
        count = {"pdf": max(4, n // 2), "doc": max(2, n // 8)}.get(fmt, n)
        specs, files = reports(fmt, count)
        errors = 0
        for s, data in zip(specs, files, strict=True):  # warm-up and correctness: the values come back
            out = parse(data, filename=FILENAMES[fmt])
            got = {v["key"]: v["value"] for v in out["values"]}
            errors += any(got.get(k) != v for k, v in s.values.items() if v is not None)
        # best of `repeat` passes, as for the floor: on a shared machine one pass also measures the neighbours
        cpu, wall = timed(lambda d, f=fmt: parse(d, filename=FILENAMES[f]), files, repeat=1 if fmt == "doc" else repeat)
        row = {"format": fmt, "reports": count, "kb": sum(map(len, files)) / count / 1024,
               "rate": count / cpu, "wall_rate": count / wall, "wrong": errors}
        floor = FLOORS[fmt]
        if floor:
            fcpu, _ = timed(floor, files, repeat=max(3, repeat))
            row["floor_rate"] = count / max(fcpu, 1e-9)
        rows.append(row)
        print(_line(row), flush=True)
    return rows


def _line(r: dict) -> str:
    floor = f"{r['floor_rate']:10.1f}" if "floor_rate" in r else f"{'n/a':>10}"
    ratio = f"{r['rate'] / r['floor_rate']:7.3f}" if "floor_rate" in r else f"{'-':>7}"
    return (f"| {r['format']:5} | {r['reports']:4d} | {r['kb']:7.1f} | {r['rate']:9.1f} | {1000 / r['rate']:7.2f} | "
            f"{r['wall_rate']:9.1f} | "
            f"{floor} | {ratio} | {r['wrong']:3d} |")


HEADER = ("| fmt   | n    | KB/file | parse r/s/core | CPU ms/report | parse wall r/s | floor r/s/core | parse/floor | wrong |\n"
          "|-------|-----:|--------:|----------:|--------:|----------:|-----------:|--------:|----:|")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=40, help="reports per format (PDF n/2, DOC n/8)")
    ap.add_argument("--formats", default="text,html,docx,pdf,doc")
    ap.add_argument("--append", metavar="FILE", help="append the figures as a section to FILE (BENCHMARKS.md)")
    ap.add_argument("--repeat", type=int, default=3, help="passes over the files; the best (least CPU) counts")
    args = ap.parse_args(argv)
    print(HEADER)
    rows = run(args.n, args.formats.split(","), args.repeat)
    if args.append:
        section = [
            "",
            f"## Parse throughput per format (benchmarks/parse.py, {dt.date.today().isoformat()})",
            "",
            f"Generated reports (replica.reports, templates {', '.join(TEMPLATES)}; a third inconsistent), rendered "
            "once, then `parsers.parse()` end to end on each file, single process. r/s/core = reports per CPU "
            "second of the process and its children (LibreOffice for DOC); floor = only reading the bytes (lxml.html.fromstring for HTML, zipfile + lxml "
            "of word/document.xml for DOCX, pypdfium2 text of all pages for PDF, decode for text; none for DOC). "
            "`wrong` = reports where a non-null value did not come back.",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            f"command `python benchmarks/parse.py --n {args.n} --repeat {args.repeat}` (parse: best of {args.repeat} passes).",
            "",
            HEADER,
            *(_line(r) for r in rows),
            "",
        ]
        with open(args.append, "a", encoding="utf-8") as f:
            f.write("\n".join(section))
    return 0


if __name__ == "__main__":
    sys.exit(main())
