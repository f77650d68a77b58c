"""A report whose narrative has one enormous section still gives back every table value, and the
whole section text, when read from HTML (and DOCX): the body finder must not be swayed by it."""

import re

import pytest

from parsers import parse
from replica.render import render
from replica.reports import generate

HUGE = 200_000


def _squeeze(text) -> str:
    return re.sub(r"[\s\u00a0\u3000]+", "", text or "")


@pytest.mark.parametrize("template,fmt,style", [("2019", "html", "one_table"), ("2021", "html", "split_tables"),
                                                ("legacy", "html", "word_html"), ("2021", "docx", None)])
def test_huge_overview_round_trips(template, fmt, style):
    spec = generate(3, template)
    # markup in the text must stay text; one paragraph of 200,000 characters without a break
    spec.sections["overview"] = "<script>alert('x')</script>" + "公开" * (HUGE // 2)
    out = parse(render(spec, fmt, style), filename=f"report.{fmt}")
    got = {v["key"]: v["value"] for v in out["values"]}
    missing = [k for k, v in spec.values.items() if v is not None and got.get(k) != v]
    assert missing == []
    assert len(got) >= len([v for v in spec.values.values() if v is not None]) > 30
    overview = out["metadata"]["sections"]["overview"]
    assert _squeeze(overview) == _squeeze(spec.sections["overview"])
    assert len(overview) >= HUGE
    # the sections after it are still found on their own
    for name in ("proactive", "requests", "appeals"):
        if spec.sections.get(name):
            assert _squeeze(out["metadata"]["sections"][name]) == _squeeze(spec.sections[name])


def test_many_huge_paragraphs_in_every_section():
    spec = generate(5, "2019")
    for name in ("overview", "problems", "other"):
        spec.sections[name] = "\n".join(f"第{i}段" + "依法公开" * 2_000 for i in range(5))
    out = parse(render(spec, "html", "one_table"), filename="report.html")
    got = {v["key"]: v["value"] for v in out["values"]}
    assert all(got.get(k) == v for k, v in spec.values.items() if v is not None)
    for name in ("overview", "problems", "other"):
        assert _squeeze(out["metadata"]["sections"][name]) == _squeeze(spec.sections[name])
