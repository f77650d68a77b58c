"""`xxgk serve`: publish DATA/archive.db with Datasette and the datasette/ configuration directory.

The archive is opened immutable (-i): Datasette then never writes, skips per-request file checks
and can cache counts. The configuration directory holds metadata, settings, templates, plugins and
static files; the plugins find the capture store (for archived copies) through XXGK_DATA.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent.parent / "datasette"
DATABASE_NAME = "archive"  # metadata.yml, canned queries and dashboards address the database by this name


def datasette_args(db: Path, host: str, port: int) -> list[str]:
    return ["serve", str(CONFIG_DIR), "-i", str(db), "--host", host, "--port", str(port)]


def resolve_db(data: Path, db: Path | None) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    """The archive file, named archive.db so the metadata applies (a symlink when it is named otherwise)."""
    path = (db or data / "archive.db").resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no archive at {path}: build one with `xxgk build --data {data}`")
    if path.stem == DATABASE_NAME:
        return path, None
    tmp = tempfile.TemporaryDirectory(prefix="xxgk-serve-")
    link = Path(tmp.name) / f"{DATABASE_NAME}.db"
    link.symlink_to(path)
    return link, tmp


def serve(args) -> int:
    data = Path(args.data)
    try:
        db, tmp = resolve_db(data, Path(args.db) if args.db else None)
    except FileNotFoundError as exc:
        print(f"xxgk serve: {exc}", file=sys.stderr)
        return 2
    # In-process (not a child process): stopping `xxgk serve` stops the site with it.
    from datasette.cli import cli

    os.environ["XXGK_DATA"] = str(data.resolve())
    print(f"serving {db} on http://{args.host}:{args.port}/ (config {CONFIG_DIR})", file=sys.stderr)
    try:
        cli.main(args=datasette_args(db, args.host, args.port), prog_name="datasette", standalone_mode=False)
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


def add_arguments(p) -> None:
    p.add_argument("--data", default="data", help="DATA directory (archive.db, captures.db, warc/)")
    p.add_argument("--db", default=None, help="archive file (default DATA/archive.db)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8001)


def register(subparsers) -> None:
    p = subparsers.add_parser("serve", help="publish the archive with Datasette (read-only)")
    add_arguments(p)
    p.set_defaults(func=serve)


if __name__ == "__main__":  # `python -m xxgk.serve`: the same command without the other stages' imports
    import argparse

    parser = argparse.ArgumentParser(prog="xxgk serve")
    add_arguments(parser)
    sys.exit(serve(parser.parse_args()))
