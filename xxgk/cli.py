"""`xxgk` entry point. Each stage module exposes ``register(subparsers)`` adding its subcommands,
each with ``set_defaults(func=...)``; ``func(args)`` returns the exit status."""

from __future__ import annotations

import argparse
import importlib
import sys

# Stage modules in pipeline order: capture -> parse -> archive -> publish.
COMMAND_MODULES = (
    "parsers.cli",  # xxgk parse
    "crawler.cli",  # xxgk crawl, xxgk sources
    "replica.cli",  # xxgk replica
    "archive.cli",  # xxgk build
    "xxgk.ops",  # xxgk update, xxgk status
    "xxgk.serve",  # xxgk serve
    "xxgk.demo",  # xxgk demo
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xxgk",
        description="Archive of government information-disclosure annual reports (政府信息公开工作年度报告).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real missing dependency, not a stage still to be written
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
