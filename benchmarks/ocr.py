"""OCR cost and accuracy: generated reports rendered to PDF, rasterised as scans (clean at 300 dpi,
and degraded: low resolution, noise, skew, blur), then parse() end to end.

Prints per setting: pages, CPU seconds per page, and over all values: exact, uncertain, missing,
and wrong-and-not-uncertain (must be 0: a misread figure is never published as exact).

    python benchmarks/ocr.py [--n 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from parsers import parse  # noqa: E402
from replica.render import render  # noqa: E402
from replica.render.scan import page_images, scanned_pdf  # noqa: E402
from replica.reports import generate  # noqa: E402

SETTINGS = {
    "clean 300 dpi": {"dpi": 300},
    "clean 200 dpi": {"dpi": 200},
    "150 dpi, noise 28, skew 1.2": {"dpi": 150, "noise": 28, "skew": 1.2},
    "200 dpi, noise 20, skew -2, blur 0.8": {"dpi": 200, "noise": 20, "skew": -2.0, "blur": 0.8},
}
TEMPLATES = ("2021", "2019", "legacy")


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3, help="reports per setting (templates in turn)")
    args = ap.parse_args()
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}")
    print("| setting | reports | pages | CPU s/page | values | exact | uncertain | missing | wrong & not uncertain |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for name, degrade in SETTINGS.items():
        pages = values = exact = uncertain = missing = wrong = 0
        spent = 0.0
        for i in range(args.n):
            spec = generate(100 + i, TEMPLATES[i % len(TEMPLATES)])
            pdf = render(spec, "pdf")
            pages += len(page_images(pdf, dpi=72))
            data = scanned_pdf(pdf, **degrade)
            t = cpu()
            result = parse(data, filename="scan.pdf")
            spent += cpu() - t
            got = {v["key"]: v for v in result["values"]}
            for key, want in spec.values.items():
                values += 1
                v = got.get(key)
                if v is None:
                    missing += 1
                    continue
                same = (v["value"] is None and want is None) or (
                    v["value"] is not None and want is not None and Decimal(str(v["value"])) == Decimal(str(want)))
                exact += same
                uncertain += bool(v.get("uncertain"))
                wrong += not same and not v.get("uncertain")
        print(f"| {name} | {args.n} | {pages} | {spent / max(pages, 1):.2f} | {values} | {exact} | {uncertain} "
              f"| {missing} | {wrong} |")


if __name__ == "__main__":
    main()
