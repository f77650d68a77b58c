"""Archive-level findings on crafted report sequences (a real archive file, rows as build writes them)."""

from __future__ import annotations

from archive import findings, schema, summary
from archive.agencies import agencies_from_sources, agency_kind, parent_region_codes

APPLICANTS = findings.APPLICANTS
BASE_TEXT = ("本机关坚持以公开为常态、不公开为例外，持续推进决策、执行、管理、服务、结果公开。"
             "围绕重点领域及时公开政策文件、工作动态和财政预决算等信息，做好政策解读和回应关切。"
             "畅通申请渠道，规范办理流程，严格按照法定时限答复。完善信息发布审核机制，落实三审三校制度。"
             "优化政府网站信息公开专栏设置，加强政务新媒体管理。将政务公开工作纳入年度考核。"
             "存在的主要问题：政策解读形式还不够丰富，部分栏目信息更新不够及时，工作人员业务能力有待提升。")  # fmt: skip


def make_db(tmp_path):
    db = schema.connect(tmp_path / "a.db")
    schema.create(db)
    sources = [
        {"id": "s-gov", "agency": "某市人民政府", "region_code": "330100", "level": "prefecture"},
        {"id": "s-dept", "agency": "某市财政局", "region_code": "330100", "level": "prefecture"},
        {"id": "s-prov", "agency": "某省人民政府", "region_code": "330000", "level": "province"},
        {"id": "s-mirror", "agency": "某省政务公开平台", "region_code": "330000", "level": "province"},
    ]
    for a in agencies_from_sources(sources):
        db["agencies"].insert(a)
    for s in sources:
        db["sources"].insert({"id": s["id"], "agency_id": s["id"], "agency": s["agency"]})
    return db


def add_report(db, agency, year, values, published=None, text=BASE_TEXT, source=None, name=None, url=None):
    rid = db["reports"].insert({
        "agency_id": agency, "source_id": source or agency, "year": year, "agency_name": name,
        "published": published, "url": url or f"http://x/{agency}/{year}/{source}", "is_latest": 1,
        "parse_status": "ok", "overview": text, "value_count": len(values), "sha256": f"{agency}{year}{source}",
    }).last_pk  # fmt: skip
    db["report_values"].insert_all(
        [{"report_id": rid, "key": k, "value": v, "table_no": schema.table_no_for(k)} for k, v in values.items()]
    )
    return rid


def issues(db, rule_prefix=""):
    return db.execute(
        "SELECT report_id, rule, left_value, right_value, other_report_id FROM report_issues "
        "WHERE origin = 'archive' AND rule LIKE ? ORDER BY report_id, rule", [rule_prefix + "%"]
    ).fetchall()


def carry(year_values: dict) -> dict:
    return {f"requests.{row}.{a}": v for row, v in year_values.items() for a in APPLICANTS}


def test_carry_over_mismatch_fires_only_where_the_numbers_differ(tmp_path):
    db = make_db(tmp_path)
    r19 = add_report(db, "s-dept", 2019, carry({"carried_forward": 3}))
    r20 = add_report(db, "s-dept", 2020, {**carry({"carried_over": 3, "carried_forward": 5}),
                                          "requests.carried_over.research": 2})  # fmt: skip
    r21 = add_report(db, "s-dept", 2021, carry({"carried_over": 4}))
    add_report(db, "s-gov", 2021, carry({"carried_over": 9}))  # no 2020 report of that agency: nothing to check
    findings.apply(db)
    got = issues(db, "cross_year.carry")
    assert (r20, "cross_year.carry.research", 2, 3, r19) in got
    assert [g for g in got if g[0] == r20] == [(r20, "cross_year.carry.research", 2, 3, r19)]
    assert sorted(g[1] for g in got if g[0] == r21) == sorted(f"cross_year.carry.{a}" for a in APPLICANTS)
    assert all(g[2:4] == (4, 5) for g in got if g[0] == r21)
    assert len(got) == 1 + len(APPLICANTS)


def test_stock_rule_checks_in_force_against_last_year(tmp_path):
    db = make_db(tmp_path)
    k = "proactive.normative_documents."
    add_report(db, "s-gov", 2021, {k + "in_force": 40, "proactive.regulations.in_force": 7})
    ok = add_report(db, "s-gov", 2022, {k + "issued": 5, k + "repealed": 2, k + "in_force": 43})
    add_report(db, "s-dept", 2021, {k + "in_force": 10})
    bad = add_report(db, "s-dept", 2022, {k + "issued": 5, k + "repealed": 2, k + "in_force": 20})
    findings.apply(db)
    got = issues(db, "cross_year.stock")
    assert got == [(bad, "cross_year.stock.normative_documents", 20, 13, bad - 1)]
    assert ok not in [g[0] for g in got]


def test_deadline_distinguishes_governments_from_departments(tmp_path):
    db = make_db(tmp_path)
    gov_ok = add_report(db, "s-gov", 2021, {}, published="2022-03-31", name="某市人民政府")
    gov_late = add_report(db, "s-gov", 2022, {}, published="2023-04-01", name="某市人民政府")
    dept_late = add_report(db, "s-dept", 2021, {}, published="2022-02-01", name="某市财政局")
    dept_ok = add_report(db, "s-dept", 2022, {}, published="2023-01-31", name="某市财政局")
    office_ok = add_report(db, "s-prov", 2022, {}, published="2023-03-01", name="某省人民政府办公厅")
    findings.apply(db)
    got = issues(db, "deadline")
    assert got == [(gov_late, "deadline", 20230401, 20230331, None), (dept_late, "deadline", 20220201, 20220131, None)]
    assert {gov_ok, dept_ok, office_ok}.isdisjoint(g[0] for g in got)
    assert agency_kind("某县人民政府办公室") == "government" and agency_kind("某县教育局") == "department"


def test_deadline_before_2019_is_31_march_for_departments_too(tmp_path):
    db = make_db(tmp_path)
    add_report(db, "s-dept", 2018, {}, published="2019-03-31", name="某市财政局")  # on time under the 2008 rules
    late = add_report(db, "s-dept", 2017, {}, published="2018-04-02", name="某市财政局")
    findings.apply(db)
    assert issues(db, "deadline") == [(late, "deadline", 20180402, 20180331, None)]


def test_copied_text_scores_and_flags_near_copies_with_new_numbers(tmp_path):
    db = make_db(tmp_path)
    add_report(db, "s-dept", 2020, {}, text="2020年" + BASE_TEXT + "收到申请12件。")
    copied = add_report(db, "s-dept", 2021, {}, text="2021年" + BASE_TEXT + "收到申请30件。")
    add_report(db, "s-gov", 2020, {}, text=BASE_TEXT)
    fresh = add_report(db, "s-gov", 2021, {}, text="全年围绕优化营商环境开展专项公开，新建政策问答库，"
                                                 "开通依申请公开网上办理系统，组织全系统培训四次。" * 4)  # fmt: skip
    findings.apply(db)
    got = issues(db, "text.copied")
    assert [g[0] for g in got] == [copied]
    sims = dict(db.execute("SELECT report_id, similarity FROM report_links WHERE kind = 'previous_year'").fetchall())
    assert sims[copied] == 1.0  # numbers are masked
    assert sims[fresh] < 0.1


def test_same_report_on_two_portals_is_linked_and_flagged(tmp_path):
    db = make_db(tmp_path)
    v = {"requests.new_received.total": 7, "appeals.review.total": 1}
    a = add_report(db, "s-gov", 2021, v, name="某市人民政府", source="s-gov")
    b = add_report(db, "s-gov", 2021, v, name="某市人民政府", source="s-mirror", url="http://mirror/1")
    other = add_report(db, "s-dept", 2021, v, name="某市财政局", text="完全不同的文字内容，本局全年工作如下。" * 5)
    findings.apply(db)
    got = issues(db, "duplicate")
    assert got == [(a, "duplicate.other_source", None, None, b), (b, "duplicate.other_source", None, None, a)]
    links = db.execute("SELECT report_id, other_report_id FROM report_links WHERE kind = 'same_report' ORDER BY 1").fetchall()
    assert links == [(a, b), (b, a)]
    assert other not in [g[0] for g in got]


def test_findings_apply_is_a_difference(tmp_path):
    db = make_db(tmp_path)
    add_report(db, "s-dept", 2019, carry({"carried_forward": 3}))
    r20 = add_report(db, "s-dept", 2020, carry({"carried_over": 1}), text="本年度新设公开专栏。")
    first = findings.apply(db)
    assert first["issues_added"] == len(APPLICANTS)
    rowids = db.execute("SELECT rowid FROM report_issues ORDER BY rowid").fetchall()
    again = findings.apply(db)
    assert again["issues_added"] == 0 and again["issues_removed"] == 0
    assert db.execute("SELECT rowid FROM report_issues ORDER BY rowid").fetchall() == rowids
    db.execute("UPDATE report_values SET value = 3 WHERE report_id = ? AND key LIKE 'requests.carried_over.%'", [r20])
    third = findings.apply(db)
    assert third["issues_removed"] == len(APPLICANTS) and issues(db, "cross_year") == []


def test_summary_figures(tmp_path):
    db = make_db(tmp_path)
    v = {"requests.new_received.total": 10, "requests.carried_over.total": 2, "requests.granted.total": 5,
         "requests.withheld_state_secret.total": 1, "requests.withheld_third_party.total": 2,
         "requests.withheld_process_info.total": None, "appeals.review.total": 3, "appeals.review.corrected": 1,
         "appeals.litigation_direct.total": 2, "appeals.litigation_after_review.total": 1,
         "appeals.litigation_direct.corrected": 1, "proactive.fees.amount_yuan": 704900}  # fmt: skip
    rid = add_report(db, "s-dept", 2021, v)
    legacy = add_report(db, "s-gov", 2017, {"legacy.requests.received": 8, "legacy.appeals.reviews": 2,
                                            "legacy.fees.collected_yuan": 0})  # fmt: skip
    summary.apply(db)
    row = dict(zip(*_cols(db, "SELECT * FROM report_summary WHERE report_id = ?", [rid]), strict=True))
    assert row["applications_received"] == 12 and row["granted"] == 5 and row["withheld"] == 3
    assert row["unavailable"] is None  # not given: null, never 0
    assert row["reviews_total"] == 3 and row["reviews_corrected"] == 1
    assert row["lawsuits_total"] == 3 and row["lawsuits_corrected"] == 1
    assert row["fees_collected_yuan"] == 704900 and row["region_code"] == "330100" and row["kind"] == "department"
    lrow = dict(zip(*_cols(db, "SELECT * FROM report_summary WHERE report_id = ?", [legacy]), strict=True))
    assert lrow["applications_received"] == 8 and lrow["reviews_total"] == 2 and lrow["fees_collected_yuan"] == 0
    assert summary.apply(db) == 0  # nothing changed, nothing written


def _cols(db, sql, params):
    cur = db.execute(sql, params)
    return [d[0] for d in cur.description], cur.fetchone()


def test_agency_parents_follow_region_codes():
    rows = {r["id"]: r for r in agencies_from_sources([
        {"id": "prov", "agency": "浙江省人民政府", "region_code": "330000"},
        {"id": "city", "agency": "杭州市人民政府", "region_code": "330100"},
        {"id": "dept", "agency": "杭州市财政局", "region_code": "330100"},
        {"id": "county-dept", "agency": "淳安县财政局", "region_code": "330127"},
        {"id": "renamed", "agency": "杭州市发展和改革委员会", "region_code": "330100",
         "params": '{"agency_id": "dept"}'},
    ])}  # fmt: skip
    assert rows["city"]["parent_id"] == "prov" and rows["dept"]["parent_id"] == "city"
    assert rows["county-dept"]["parent_id"] == "city"  # no county government registered: the city's
    assert rows["prov"]["parent_id"] is None and "renamed" not in rows
    assert parent_region_codes("330127") == ["330100", "330000", "100000"]
