"""`xxgk replica serve`: run the replica government portals until interrupted."""

from __future__ import annotations

import argparse
import sys
import threading


def parse_years(text: str) -> tuple[int, ...]:
    """`2019-2022`, `2019,2021` or `2019 2020` -> a tuple of years."""
    years: list[int] = []
    for part in text.replace(",", " ").split():
        if "-" in part:
            lo, hi = part.split("-", 1)
            years.extend(range(int(lo), int(hi) + 1))
        else:
            years.append(int(part))
    if not years:
        raise argparse.ArgumentTypeError(f"no years in {text!r}")
    return tuple(sorted(set(years)))


def _years_arg(text: str) -> tuple[int, ...]:
    try:
        return parse_years(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bad years {text!r}: {exc}") from exc


def register(subparsers) -> None:
    p = subparsers.add_parser("replica", help="replica government portals (tests, benchmarks, demo)")
    sub = p.add_subparsers(dest="replica_command", metavar="COMMAND")
    s = sub.add_parser("serve", help="serve replica portals on 127.0.0.N until interrupted")
    s.add_argument("--seed", type=int, default=7, help="same seed, same portals")
    s.add_argument("--agencies-per-family", type=int, default=2)
    s.add_argument("--years", type=_years_arg, default=(2019, 2020, 2021, 2022), help="e.g. 2019-2022")
    s.add_argument("--write-sources", metavar="FILE", help="write the source registry YAML for these portals")
    s.add_argument("--families", help="comma-separated subset of: hanweb_jcms,trs_wcm,vsb,gkmlpt,json_api,generic")
    s.add_argument("--no-faults", action="store_true", help="no slow page, no 500s (benchmarks)")
    s.add_argument("--no-doc", action="store_true", help="no DOC/WPS attachments (they need LibreOffice)")
    s.add_argument("--render-workers", type=int, default=0,
                   help="render attachments in N worker processes (default: in the serving thread)")
    s.add_argument("--prerender", action="store_true", help="render every report before serving")
    s.add_argument("--challenge", action="append", default=[], metavar="FAMILY=KIND",
                   help="put a family's (or a source id's) portals behind an anti-bot gate: riversec "
                        "(瑞数 412 + JS cookie) or wzws (WZWS 307 loop); replica/portals/challenges.py")
    s.set_defaults(func=serve)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def serve(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    from replica.portals import ReplicaWorld

    if args.agencies_per_family < 1:
        print("--agencies-per-family must be at least 1", file=sys.stderr)
        return 2
    from replica.portals import FAMILIES

    families = FAMILIES
    if getattr(args, "families", None):
        families = tuple(f.strip() for f in args.families.split(",") if f.strip())
        unknown = sorted(set(families) - set(FAMILIES))
        if unknown:
            print(f"unknown families {unknown}; expected some of {', '.join(FAMILIES)}", file=sys.stderr)
            return 2
    challenges = {}
    for item in getattr(args, "challenge", None) or []:
        key, sep, kind = item.partition("=")
        if not sep:
            print(f"--challenge {item!r}: expected FAMILY=KIND (riversec or wzws)", file=sys.stderr)
            return 2
        challenges[key.strip()] = kind.strip()
    stop = stop or threading.Event()
    try:
        world = ReplicaWorld(seed=args.seed, agencies_per_family=args.agencies_per_family, years=args.years,
                             families=families, faults=not args.no_faults, allow_doc=not args.no_doc,
                             render_workers=getattr(args, "render_workers", 0), challenges=challenges)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    with world:
        if args.write_sources:
            world.write_sources(args.write_sources)
            print(f"sources written to {args.write_sources}", flush=True)
        print(f"{len(world.portals)} replica portals, {len(world.reports())} reports (seed {args.seed}):", flush=True)
        for portal in world.portals:
            print(f"  {portal.family:12} {portal.source_id:28} {portal.start_urls[0]}", flush=True)
        if getattr(args, "prerender", False):
            print(f"rendered {world.prerender()} report files", flush=True)
        print("serving; Ctrl-C to stop", flush=True)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            print("stopped", flush=True)
    return 0
