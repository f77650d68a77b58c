"""An agency's reports over consecutive years form a consistent series (carry-over and stock chained,
texts reworded every year) except where the replica world injects a break, which it records."""

from archive.findings import COPY_THRESHOLD, jaccard, shingles
from replica.portals import ReplicaWorld
from replica.reports import PARTS, generate

YEARS = (2020, 2021, 2022, 2023)


def text(spec) -> str:
    return "".join(spec.sections.values())


def by_agency_year(reports):
    return {(r.source_id, r.year): r for r in reports}


def test_generate_chains_carry_over_and_stock():
    carried = {"natural_person": 7, "commercial": 2, "research": 0, "public_interest": 0, "legal_services": 1,
               "other_org": 0}
    for seed in range(30):
        spec = generate(seed, "2021", year=2022, carried_over=carried, prev_stock={"regulations": 12, "normative_documents": 40},
                        text_seed=seed, inconsistencies=seed % 3)
        v = spec.values
        for a, n in carried.items():  # also where inconsistencies were injected: the chained rows stay
            assert v[f"requests.carried_over.{a}"] in (n, None)  # None: a blank printed cell
        assert v["requests.carried_over.total"] in (10, None)
        for item, before in (("regulations", 12), ("normative_documents", 40)):
            operands = [v[f"proactive.{item}.{m}"] for m in ("in_force", "issued", "repealed")]
            if None not in operands:
                assert operands[0] == before + operands[1] - operands[2]
        assert set(spec.series["carried_forward"]) == set(PARTS)
        assert all(isinstance(n, int) for n in spec.series["carried_forward"].values())


def test_default_generate_keeps_its_boilerplate_and_a_text_seed_rewords():
    plain = generate(11, "2019")
    assert "（二）依申请公开情况。畅通申请渠道，规范办理流程，严格按照法定时限答复。" in plain.sections["overview"]
    assert plain.series["text_seed"] is None
    a = generate(11, "2019", year=2020, text_seed=1)
    b = generate(12, "2021", year=2021, text_seed=2)
    c = generate(13, "2021", year=2021, text_seed=1)  # last year's wording, this year's figures
    assert jaccard(shingles(text(a)), shingles(text(b))) < 0.6
    assert jaccard(shingles(text(a)), shingles(text(c))) >= 0.85
    assert "2021年" in c.sections["requests"] and f"收到政府信息公开申请{c.values['requests.new_received.total']}件" in \
        c.sections["requests"]


def test_world_series_is_consistent_except_the_injected_breaks():
    world = ReplicaWorld(seed=7, agencies_per_family=1, years=YEARS, allow_doc=False)
    reports = world.reports()
    series = by_agency_year(reports)
    kinds = set()
    for (source, year), cur in series.items():
        prev = series.get((source, year - 1))
        if prev is None:
            assert cur.injected == [] and not (cur.expected_archive_issues - {"deadline"})
            continue
        sim = jaccard(shingles(text(cur.spec)), shingles(text(prev.spec)))
        if "text.copied_from_previous" in cur.injected:
            assert sim >= 0.85, (source, year)
        else:
            assert sim < COPY_THRESHOLD - 0.2, (source, year, sim)
        if "cross_year.carry" not in cur.injected:
            for a in PARTS:
                this = cur.spec.values[f"requests.carried_over.{a}"]
                assert this is None or this == prev.spec.series["carried_forward"][a], (source, year, a)
        found = {r.rsplit(".", 1)[0] if r.startswith("cross_year") else r for r in cur.expected_archive_issues}
        assert found - {"deadline"} <= set(cur.injected), (source, year)
        kinds |= found
    # this world holds each kind of finding at least once (the end-to-end test relies on it)
    assert kinds >= {"cross_year.carry", "cross_year.stock", "text.copied_from_previous", "deadline"}


def test_without_injection_the_truth_has_no_cross_year_or_copy_finding():
    world = ReplicaWorld(seed=7, agencies_per_family=2, years=YEARS, allow_doc=False, series_breaks=0.0)
    reports = world.reports()
    assert len(reports) == 12 * len(YEARS)
    assert all(r.injected == [] for r in reports)
    assert all(r.expected_archive_issues <= {"deadline"} for r in reports)
    assert sum("deadline" in r.expected_archive_issues for r in reports) > 0


def test_a_corrected_version_keeps_its_inputs_and_the_truth_follows_it():
    world = ReplicaWorld(seed=7, agencies_per_family=1, years=YEARS, allow_doc=False, series_breaks=0.0)
    before = by_agency_year(world.reports())
    source = next(iter(before))[0]
    old = before[(source, 2021)]
    site = next(s for s in world.sites if s.agency.source_id == source)
    item = next(it for it in site.items if it.kind == "report" and it.year == 2021)
    site.change_report(item)  # no servers needed: the truth only
    after = by_agency_year(world.reports())
    new = after[(source, 2021)]
    assert new.version == 2 and new.spec.values != old.spec.values
    for a in PARTS:  # still continues from 2020
        assert new.spec.values[f"requests.carried_over.{a}"] in (old.spec.values[f"requests.carried_over.{a}"], None)
    # 2022 stays as published; where the correction moved 结转下年度, the truth expects the break
    nxt = after[(source, 2022)]
    assert nxt.spec.values == before[(source, 2022)].spec.values
    moved = {a for a in ("natural_person", "commercial", "research", "public_interest", "legal_services", "other_org",
                         "total")
             if None not in (new.spec.values[f"requests.carried_forward.{a}"], nxt.spec.values[f"requests.carried_over.{a}"])
             and new.spec.values[f"requests.carried_forward.{a}"] != nxt.spec.values[f"requests.carried_over.{a}"]}
    assert {r for r in nxt.expected_archive_issues if r.startswith("cross_year.carry")} == \
        {f"cross_year.carry.{a}" for a in moved}
