"""Distributed crawl throughput: 1, 2 and 4 `xxgk worker` processes on one Redis frontier.

    python benchmarks/distributed.py [--agencies 2] [--years 2021-2022] [--workers 1,2,4] [--latency 0.05-0.2]

Replica portals (faults off, every answer delayed by a random 50-200 ms like a real portal) run in this
process, a real redis-server on a free loopback port. Each round: a fresh DATA, `xxgk crawl --enqueue`
(one job per host group), N workers started together with `--until-done`, production politeness
(robots.txt, DOWNLOAD_DELAY 0.5 s, AutoThrottle, 2 requests per host). Pages/s = requests the replica
served / wall time from the workers' start to the last exit (worker start-up included: that is what an
operator waits for). A single-process `xxgk crawl` of the same world is the reference. Prints a
Markdown table (and appends it with --append FILE).
"""

from __future__ import annotations

import argparse
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def xxgk(*args) -> None:
    """``python -m xxgk ARGS`` from the project's root; a failure stops the benchmark."""
    subprocess.run([sys.executable, "-m", "xxgk", *map(str, args)], cwd=ROOT, check=True, capture_output=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--agencies", type=int, default=2, help="agencies per family (6 families: hosts = 6 x this)"
    )
    ap.add_argument("--years", default="2021-2022")
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--latency", default="0.05-0.2", help="seconds added to every answer, min-max")
    ap.add_argument("--append", help="append the table to this Markdown file")
    ap.add_argument("--keep", action="store_true", help="keep the DATA folders (printed) for a look")
    args = ap.parse_args()
    from replica.portals import ReplicaWorld

    lo, hi = (int(y) for y in args.years.split("-"))
    lat = tuple(float(x) for x in args.latency.split("-"))
    tmp = Path(tempfile.mkdtemp(prefix="xxgk-dist-bench-"))
    port = free_port()
    redis = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(tmp),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    rows = []
    try:
        time.sleep(0.5)
        world = ReplicaWorld(
            seed=21,
            agencies_per_family=args.agencies,
            years=tuple(range(lo, hi + 1)),
            faults=False,
            allow_doc=False,
            latency=lat,
        )
        with world:
            world.prerender()
            sources = tmp / "sources.yaml"
            world.write_sources(sources)
            hosts = len(world.portals)

            def crawl_single() -> tuple[int, float]:
                mark, t0 = len(world.request_log), time.monotonic()
                xxgk("crawl", "--sources", sources, "--data", tmp / "single", "--progress-every", 600)
                return len(world.request_log) - mark, time.monotonic() - t0

            def crawl_workers(n: int) -> tuple[int, float]:
                data, name = tmp / f"w{n}", f"bench{n}"
                xxgk("crawl", "--sources", sources, "--data", data, "--queue", url, "--enqueue",
                     "--queue-name", name, "--run-id", name)
                mark, t0 = len(world.request_log), time.monotonic()
                procs = [
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "xxgk",
                            "worker",
                            "--queue",
                            url,
                            "--data",
                            str(data),
                            "--worker-id",
                            f"w{i}",
                            "--queue-name",
                            name,
                            "--until-done",
                        ],
                        cwd=ROOT,
                        stdout=subprocess.DEVNULL,
                        stderr=open(tmp / f"worker-{n}-{i}.log", "w"),  # noqa: SIM115 - closed at exit
                    )
                    for i in range(n)
                ]
                for p in procs:
                    p.wait()
                return len(world.request_log) - mark, time.monotonic() - t0

            pages, secs = crawl_single()
            rows.append(("`xxgk crawl` (one process, 8 hosts at a time)", pages, secs))
            for n in (int(x) for x in args.workers.split(",")):
                pages, secs = crawl_workers(n)
                rows.append((f"{n} worker process(es)", pages, secs))
                print(f"{n} workers: {pages} pages in {secs:.1f} s", file=sys.stderr, flush=True)
    finally:
        redis.terminate()
        redis.wait(timeout=10)
        if args.keep:
            print(f"DATA folders kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    base = next((p / s for label, p, s in rows if label.startswith("1 worker")), None)
    lines = [
        f"{hosts} replica hosts, {args.years}, latency {args.latency} s per answer, production politeness; "
        f"{platform.machine()}, {platform.python_version()}",
        "",
        "| crawl | pages | seconds | pages/s | vs 1 worker |",
        "|---|---|---|---|---|",
    ]
    for label, pages, secs in rows:
        rate = pages / secs
        lines.append(
            f"| {label} | {pages} | {secs:.1f} | {rate:.2f} | {rate / base:.2f}x |"
            if base
            else f"| {label} | {pages} | {secs:.1f} | {rate:.2f} | |"
        )
    table = "\n".join(lines)
    print(table)
    if args.append:
        with open(args.append, "a", encoding="utf-8") as fh:
            fh.write("\n" + table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
