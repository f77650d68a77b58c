"""Instructions per report of parse() per format, counted by valgrind: figures that do not move with
the load of a shared machine (CPU time there moves by up to 1.5x between minutes).

Takes the reports benchmarks/parse.py times (its ``reports``: same templates, same seeds), then runs this script under ``valgrind --tool=cachegrind --cache-sim=no`` twice per format:
once parsing the reports zero times and once parsing them once, after the same imports and warm-up;
the difference over the number of reports is what one parse() costs. Needs valgrind (Debian package
``valgrind``; not installed by setup.sh, it is only for this measurement).

    python benchmarks/parse_instructions.py [--n 40] [--formats text,html,docx]
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from parse import FILENAMES, reports  # noqa: E402 - benchmarks/parse.py, beside this script


def child(files_path: str, fmt: str, passes: int) -> None:
    """Run inside valgrind: parse the pickled files ``passes`` times (after the same warm-up)."""
    from parsers import parse

    files = pickle.loads(Path(files_path).read_bytes())
    for data in files[:4]:  # label indexes and caches built, as in a long-running build
        parse(data, filename=FILENAMES[fmt])
    for _ in range(passes):
        for data in files:
            parse(data, filename=FILENAMES[fmt])


def instructions(files_path: str, fmt: str, passes: int) -> int:
    out = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, __file__, "--child", files_path, fmt, str(passes)],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True,
    )
    m = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if not m:
        raise SystemExit(f"no instruction count in valgrind's output:\n{out.stderr[-2000:]}")
    return int(m.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=40, help="reports per format")
    ap.add_argument("--formats", default="text,html,docx")
    ap.add_argument("--child", nargs=3, metavar=("FILES", "FMT", "PASSES"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return 0
    if not shutil.which("valgrind"):
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    print("| fmt   | n    | M instructions/report |\n|-------|-----:|------:|")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats.split(","):
            path = Path(tmp) / f"{fmt}.pkl"
            path.write_bytes(pickle.dumps(reports(fmt, args.n)[1]))
            base, one = instructions(str(path), fmt, 0), instructions(str(path), fmt, 1)
            print(f"| {fmt:5} | {args.n:4d} | {(one - base) / args.n / 1e6:5.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
