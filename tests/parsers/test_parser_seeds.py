"""The three real seed reports parse to exactly their truth files (values, metadata, findings)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from parsers import parse_file

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt")) if (SHARED / "seeds").exists() else []
pytestmark = pytest.mark.skipif(not SEEDS, reason="../shared/seeds is absent")


def _truth(seed: Path) -> dict:
    return json.loads((SHARED / "truth" / (seed.stem + ".json")).read_text("utf-8"))


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_seed_matches_truth(seed):
    got = parse_file(seed)
    truth = _truth(seed)
    values = {v["key"]: v["value"] for v in got["values"]}
    for key, want in truth["values"].items():
        assert values.get(key) == want, key
    assert set(values) == set(truth["values"])  # nothing mapped that the truth does not know
    m = got["metadata"]
    for field in ("title", "agency", "year", "published", "template"):
        assert m[field] == truth["metadata"][field], field
    assert m["format"] == "text"
    errors = {i["rule"] for i in got["issues"] if i["severity"] == "error"}
    assert errors == set(truth["expected_issues"])


def test_seed_000_details():
    seed = next(s for s in SEEDS if s.name.startswith("000"))
    got = parse_file(seed, url="http://example.gov.cn/a.docx")
    v = {x["key"]: x for x in got["values"]}
    assert v["proactive.centralized_procurement.amount_yuan"]["raw"] == "232586.0"
    assert v["proactive.centralized_procurement.amount_yuan"]["value"] == 232586
    assert v["requests.carried_forward.total"]["value"] is None
    assert v["requests.carried_forward.total"]["raw"] == ""
    assert v["legacy.proactive.via_weibo"]["value"] == 312
    assert v["legacy.org.budget_yuan"]["raw"] == "0.0"
    assert v["requests.granted.natural_person"]["table"] == 3
    assert v["legacy.org.staff"]["table"] == "legacy"
    assert v["appeals.review.total"]["cell"].startswith("t")
    m = got["metadata"]
    assert m["url"] == "http://example.gov.cn/a.docx"
    # seven sections in this report: 五 is 机构建设, 六 the problems, 七 the other matters
    assert m["sections"]["problems"].startswith("（一）存在主要问题")
    assert m["sections"]["other"].startswith("本报告所列数据的统计期限")
    assert m["sections"]["overview"].startswith("（一）加强组织领导")
    assert m["sections"]["requests"] == ""  # heading present, only a table under it
    assert "五、机构建设" not in (m["sections"]["problems"] or "")


def test_seed_002_signed_and_money():
    seed = next(s for s in SEEDS if s.name.startswith("002"))
    v = {x["key"]: x for x in parse_file(seed)["values"]}
    assert v["proactive.licensing.change"]["raw"] == "增（2）"
    assert v["proactive.licensing.change"]["value"] == 2
    assert v["proactive.centralized_procurement.amount_yuan"]["value"] == 419311
    assert v["requests.new_received.natural_person"]["raw"] == "\xa00"  # NBSP kept in raw


def test_seed_004_plus_and_wan():
    seed = next(s for s in SEEDS if s.name.startswith("004"))
    got = parse_file(seed)
    v = {x["key"]: x["value"] for x in got["values"]}
    assert v["proactive.other_services.change"] == 586
    assert v["proactive.centralized_procurement.amount_yuan"] == 6381100
    assert got["metadata"]["sections"]["other"] == "无。"


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_cli_json_passes_shared_checker(seed, tmp_path):
    out = tmp_path / "out.json"
    with out.open("w") as fh:
        proc = subprocess.run([sys.executable, "-m", "xxgk", "parse", "--json", str(seed)], stdout=fh,
                              stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 0, proc.stderr
    check = subprocess.run([sys.executable, str(SHARED / "tools" / "check_parse.py"),
                            str(SHARED / "truth" / (seed.stem + ".json")), str(out)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    assert "values" in check.stdout


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_output_validates_against_schema(seed):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SHARED / "spec" / "parse-output.schema.json").read_text("utf-8"))
    result = parse_file(seed)
    jsonschema.validate(json.loads(json.dumps(result)), schema)
