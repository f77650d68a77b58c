"""`xxgk demo`: the whole pipeline on the built-in replica of government portals.

Starts the replica portals on loopback addresses, crawls them into a capture store, builds the
archive and serves the site. Each stage runs as its own `xxgk` subprocess, exactly as an operator
would run it, while the replica portals keep serving from this process.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser(
        "demo",
        help="crawl the built-in replica portals, build the archive and serve the site",
        description=__doc__,
    )
    p.add_argument("--data", default="demo-data", help="capture store and archive folder (default: demo-data)")
    p.add_argument("--seed", type=int, default=2024, help="replica seed: same seed, same portals")
    p.add_argument("--agencies-per-family", type=int, default=3)
    p.add_argument("--years", default="2019-2024", help="report years served, e.g. 2019-2024")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--no-serve", action="store_true", help="stop after the build (for tests and CI)")
    p.set_defaults(func=run)


def parse_years(text: str) -> tuple[int, ...]:
    if "-" in text:
        first, last = (int(x) for x in text.split("-", 1))
        return tuple(range(first, last + 1))
    return tuple(int(x) for x in text.split(","))


def _xxgk(*args: str) -> int:
    cmd = [sys.executable, "-m", "xxgk", *args]
    print("$ xxgk " + " ".join(args), file=sys.stderr, flush=True)
    return subprocess.call(cmd, env=os.environ.copy())


def run(args: argparse.Namespace) -> int:
    from replica.portals import ReplicaWorld  # the demo is the one product command that needs the replica

    data = Path(args.data).resolve()
    data.mkdir(parents=True, exist_ok=True)
    sources = data / "replica-sources.yaml"
    with ReplicaWorld(
        seed=args.seed, agencies_per_family=args.agencies_per_family, years=parse_years(args.years)
    ) as world:
        world.write_sources(sources)
        # Render every attachment first (DOC/WPS through one LibreOffice run), so that no download
        # waits on a renderer and times out.
        print(f"replica: rendering {world.prerender()} documents", file=sys.stderr, flush=True)
        print(f"replica: {len(world.portals)} portals, {len(world.reports())} reports", file=sys.stderr)
        for portal in world.portals:
            print(f"  {portal.family:12} {portal.agency}  {portal.start_urls[0]}", file=sys.stderr)
        # Politeness is lifted (--fast): these portals are ours, on this machine.
        status = _xxgk("crawl", "--sources", str(sources), "--data", str(data), "--fast")
        if status != 0:
            print(f"crawl failed (exit {status})", file=sys.stderr)
            return status
        status = _xxgk("build", "--data", str(data))
        if status != 0:
            print(f"build failed (exit {status})", file=sys.stderr)
            return status
        if args.no_serve:
            return 0
        # The portals keep serving, so that the site's links to the original URLs work too.
        print(f"site: http://{args.host}:{args.port}/  (Ctrl-C stops)", file=sys.stderr, flush=True)
        return _xxgk("serve", "--data", str(data), "--host", args.host, "--port", str(args.port))
