"""`xxgk parse FILE [--json] [--url URL] [--content-type T]`."""

from __future__ import annotations

import json
import sys

from parsers.api import parse_file
from parsers.errors import UnreadableDocument
from parsers.render_text import render


def register(subparsers) -> None:
    p = subparsers.add_parser("parse", help="parse one annual report (HTML, DOCX, DOC/WPS, PDF, text)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print the parse contract as JSON")
    p.add_argument("--url", default=None, help="where the document came from")
    p.add_argument("--content-type", default=None, help="the HTTP Content-Type it was served with")
    p.set_defaults(func=run)


def run(args) -> int:
    try:
        result = parse_file(args.file, url=args.url, content_type=args.content_type)
    except UnreadableDocument as exc:
        print(f"xxgk parse: {args.file}: unreadable: {exc}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render(result))
    return 0
