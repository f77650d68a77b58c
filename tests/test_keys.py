import json
from pathlib import Path

import pytest

from parsers.keys import all_keys, keys_for, raw_spec

SPEC = Path(__file__).resolve().parents[1].parent / "shared" / "spec" / "keys.json"


def test_package_keys_match_spec():
    if not SPEC.exists():
        pytest.skip("../shared/spec is absent")
    assert raw_spec() == json.loads(SPEC.read_text("utf-8"))


def test_key_counts_per_template():
    keys = all_keys()
    assert len(keys) == 293
    assert len([k for k in keys_for("2019") if k.table == "proactive"]) == 22
    assert len([k for k in keys_for("2021") if k.table == "proactive"]) == 10
    assert len([k for k in keys_for("2019") if k.table == "requests"]) == 23 * 7
    assert len([k for k in keys_for("2021") if k.table == "requests"]) == 26 * 7
    assert keys["proactive.centralized_procurement.amount_yuan"].is_money
