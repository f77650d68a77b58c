"""`xxgk build`: build or update the SQLite archive from a capture store."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub) -> None:
    p = sub.add_parser(
        "build",
        help="parse new captures and build/update the archive (DATA/archive.db)",
        description="Parse every report capture not parsed yet by the current parsers and write the archive.",
    )
    p.add_argument("--data", required=True, help="capture store folder (with captures.db and warc/)")
    p.add_argument("--db", help="archive file (default: DATA/archive.db)")
    p.add_argument("--rebuild", action="store_true", help="re-parse every capture with the current parsers")
    p.add_argument("--workers", type=int, default=None, help="parser processes (default: number of cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--parse-timeout", type=float, default=120.0,
                   help="seconds one document may take to parse before it is recorded as failed (default 120)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archive.build import build

    try:
        stats = build(args.data, args.db, rebuild=args.rebuild, workers=args.workers, progress=not args.quiet,
                      parse_timeout=args.parse_timeout)
    except FileNotFoundError as exc:
        print(f"xxgk build: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(stats, ensure_ascii=False, indent=1, default=str))
    return 0
