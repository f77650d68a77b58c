"""Round trips: parse(render(generate(...))) gives back exactly the generated truth.

For each template x format/style, several seeds, consistent and inconsistent (seed % 3 rules
broken): every value key by key (null where null), exactly the expected error rules, and the
metadata. Slow formats (pdf, doc) use few seeds.
"""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from replica.render import render
from replica.render.layout import STYLES
from replica.reports import generate

TEMPLATES = ("2019", "2021", "legacy", "2019_legacy")
SCHEMA = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "parse-output.schema.json"
FILENAMES = {"text": "report.txt", "html": "report.html", "docx": "report.docx", "pdf": "report.pdf", "doc": "report.doc"}


def _cases():
    cases = []
    for t in TEMPLATES:
        cases += [(t, "text", None, s) for s in range(4)]
        cases += [(t, "html", style, s) for style in STYLES for s in (0, 1, 2)]
        cases.append((t, "html", "br_labels+gbk", 4))
        cases += [(t, "docx", None, s) for s in range(4)]
        cases += [(t, "pdf", None, s) for s in (1, 3)]
        cases.append((t, "doc", None, 2 if t in ("2019", "legacy") else 0))
    return cases


def _id(case):
    t, fmt, style, seed = case
    return f"{t}-{fmt}{'-' + style if style else ''}-s{seed}"


def _parse():
    try:
        from parsers import parse
    except ImportError as e:  # the parser engineers' code has not landed yet: fail, never skip
        pytest.fail(f"parsers.parse is not available: {e}")
    return parse


def _same(got, expected) -> bool:
    if expected is None:
        return got is None
    if got is None or isinstance(got, bool):
        return False
    try:
        return Decimal(str(got)) == Decimal(expected)
    except Exception:
        return False


def _squeeze(text) -> str:
    return re.sub(r"[\s\u00a0\u3000]+", "", text or "")


def mismatches(spec, fmt: str, out: dict) -> list[str]:
    """Every difference between the parse output and the spec, readable."""
    problems = []
    meta = out.get("metadata", {})
    want = {"title": spec.title, "agency": spec.agency, "year": spec.year, "published": spec.published.isoformat(),
            "template": spec.template, "format": fmt}
    for field, value in want.items():
        if meta.get(field) != value:
            problems.append(f"metadata.{field}: got {meta.get(field)!r}, want {value!r}")
    got = {}
    for v in out.get("values", []):
        if v["key"] in got:
            problems.append(f"{v['key']}: emitted twice")
        got[v["key"]] = v
    for key, value in spec.values.items():
        if key not in got:
            problems.append(f"{key}: missing (want {value!r}, printed {spec.raw[key]!r})")
        elif not _same(got[key]["value"], value):
            problems.append(f"{key}: got {got[key]['value']!r} from {got[key].get('raw')!r}, "
                            f"want {value!r} (printed {spec.raw[key]!r})")
        elif _squeeze(got[key].get("raw")) != _squeeze(spec.raw[key]):  # the cell's text, spacing aside
            problems.append(f"{key}: raw {got[key].get('raw')!r}, printed {spec.raw[key]!r}")
    for key in sorted(set(got) - set(spec.values)):
        if got[key]["value"] is not None:
            problems.append(f"{key}: not in the report, got {got[key]['value']!r} from {got[key].get('raw')!r}")
    errors = {i["rule"] for i in out.get("issues", []) if i.get("severity") == "error"}
    if errors != spec.expected_issues:
        problems.append(f"error issues: unexpected {sorted(errors - spec.expected_issues)}, "
                        f"missing {sorted(spec.expected_issues - errors)}")
    return problems


@pytest.mark.parametrize("case", _cases(), ids=_id)
def test_roundtrip(case):
    template, fmt, style, seed = case
    parse = _parse()
    spec = generate(seed, template, inconsistencies=seed % 3)
    data = render(spec, fmt, style)
    out = parse(data, filename=FILENAMES[fmt])
    problems = mismatches(spec, fmt, out)
    assert not problems, f"{len(problems)} mismatches, first ones:\n" + "\n".join(problems[:12])


@pytest.mark.skipif(not SCHEMA.exists(), reason="../shared/spec is absent")
@pytest.mark.parametrize("fmt", ["text", "html", "docx"])
def test_output_follows_the_schema(fmt):
    import jsonschema

    parse = _parse()
    out = parse(render(generate(9, "2021", inconsistencies=2), fmt), filename=FILENAMES[fmt])
    jsonschema.validate(json.loads(json.dumps(out, default=float)), json.loads(SCHEMA.read_text("utf-8")))


def test_mismatches_catch_a_wrong_value():
    """The comparison itself can fail: a parse output with one wrong value and one missing rule is reported."""
    spec = generate(1, "2019", inconsistencies=1)
    out = {
        "metadata": {"title": spec.title, "agency": spec.agency, "year": spec.year,
                     "published": spec.published.isoformat(), "template": "2019", "format": "text"},
        "values": [{"key": k, "value": (None if v is None else float(v)), "raw": spec.raw[k]} for k, v in spec.values.items()],
        "issues": [{"rule": r, "severity": "error", "message": ""} for r in spec.expected_issues],
    }
    assert mismatches(spec, "text", out) == []
    key = next(k for k, v in spec.values.items() if v is not None)
    out["values"][list(spec.values).index(key)]["value"] = spec.values[key] + 1
    out["issues"] = out["issues"][1:]
    out["metadata"]["year"] = spec.year - 1
    found = mismatches(spec, "text", out)
    assert len(found) == 3
    assert found[0].startswith("metadata.year") and found[1].startswith(key) and found[2].startswith("error issues")
