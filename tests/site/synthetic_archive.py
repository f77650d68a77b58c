"""A synthetic DATA/ directory for the site: archive.db with the tables of ARCHITECTURE.md section 5
(created with archive.schema's own DDL and indexed with archive.search's own bigram ingest), and,
for small archives, real captures written through crawler.store.CaptureStore (WARC + captures.db).

Used by tests/site (a few dozen reports) and benchmarks/site.py (100,000 reports). Deterministic
from the seed. ``build(data_dir, n_reports)`` returns a Facts record the tests assert against.
"""

from __future__ import annotations

import io
import json
import random
import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from archive import schema, search, summary
from parsers.keys import all_keys

REGIONS = [  # (region, region_code, level)
    ("浙江省杭州市", "330100", "prefecture"), ("浙江省宁波市北仑区", "330206", "county"),
    ("江苏省南京市", "320100", "prefecture"), ("江苏省宿迁市沭阳县", "321322", "county"),
    ("广东省广州市", "440100", "prefecture"), ("广东省深圳市南山区", "440305", "county"),
    ("四川省成都市郫都区", "510117", "county"), ("湖北省武汉市硚口区", "420104", "county"),
    ("北京市", "110000", "province"), ("上海市浦东新区", "310115", "county"),
    ("山东省济南市", "370100", "prefecture"), ("河南省郑州市", "410100", "prefecture"),
]  # fmt: skip
BUREAUS = ["人民政府", "人民政府办公室", "发展和改革委员会", "教育局", "公安局", "财政局", "自然资源和规划局",
           "生态环境局", "住房和城乡建设局", "交通运输局", "卫生健康委员会", "市场监督管理局", "商务局",
           "医疗保障局", "人力资源和社会保障局", "司法局"]  # fmt: skip
YEARS = (2019, 2020, 2021, 2022, 2023)

# Plain report prose (no 复议: the tests plant it where they want it). Sentences per section, with slots for
# places, topics, channels and numbers, so that phrases are as selective as in real reports (a search word
# is in some reports, not in all of them).
SENTENCES = [
    "{a}始终把政务公开工作作为一项重要工作来抓，不断强化组织领导，健全组织机构。",
    "成立政务公开工作领导小组，主要负责同志任组长，{o}负责具体工作。",
    "根据政务公开每季度测评结果，第一时间整改，按要求公开政府信息公开统计报表。",
    "做好日常自查工作，按时对{c}目录进行检查，发现公开不及时的栏目及时查缺补漏。",
    "聚焦{t}信息公开，及时发布{t2}和{t3}信息{n}条。",
    "全年通过{c}主动公开政府信息{n}条，{c2}发布信息{n2}条。",
    "严格执行依申请公开工作流程，规范受理、审查、答复各环节，按时办结率达到百分之百。",
    "本年度未收取信息处理费，依申请公开工作未出现收费情形。",
    "加强{t}政策解读，采用{f}等形式解读重要政策文件{n}篇。",
    "政务公开工作还存在{w}等问题。",
    "下一步将加强业务培训，提升工作人员政务公开业务能力，推进数字孪生城市建设信息公开。",
    "健全政府信息发布协调机制，防止{t}发布内容不一致。",
    "在{p}开展政务开放日活动{n}次，邀请群众代表参与{t}工作。",
    "认真办理人大代表建议和政协委员提案{n}件，办理结果全部公开。",
    "{p}便民服务中心设置政务公开专区，提供{t}查阅服务{n}人次。",
    "围绕{t}召开新闻发布会{n}场，回应社会关切{n2}次。",
    "对{p}的{t}项目实行全过程公开，公示{t2}信息{n}条。",
    "收到{p}群众提出的政府信息公开申请{n}件，均在法定期限内答复。",
    "依法办理申请人关于{t}的申请，告知不予公开的理由和依据。",
    "优化{c}栏目设置，新增{t}专题{n}个。",
    "组织{o}工作人员参加政务公开培训{n}次，培训{n2}人次。",
    "将政务公开纳入绩效考核，考核结果在{c}公布。",
    "{t}信息更新不够及时，{w2}，需进一步改进。",
    "推进{t}领域基层政务公开标准化规范化建设，在{p}开展试点。",
]
PLACES = ["城关街道", "东湖街道", "西湖街道", "南门街道", "北塘镇", "新桥镇", "青山镇", "白沙镇", "柳林乡", "石门乡",
          "金山街道", "龙泉镇", "清河街道", "长安镇", "红星街道", "东风乡", "太平镇", "永安街道", "兴隆镇",
          "高新区", "经济开发区", "滨江新区", "港口园区", "大学城", "梅园社区", "桃源村", "杏花村", "松柏社区",
          "新华社区", "和平村", "幸福社区", "光明村", "向阳街道", "枫桥镇", "月湖街道", "凤凰镇"]  # fmt: skip
TOPICS = ["财政预决算", "重大建设项目", "公共资源配置", "义务教育", "医疗卫生", "食品药品监管", "环境保护",
          "安全生产", "征地拆迁", "保障性住房", "乡村振兴", "就业创业", "社会救助", "养老服务", "行政执法",
          "双随机一公开", "营商环境", "疫情防控", "农村集体资产", "河湖长制", "垃圾分类", "老旧小区改造",
          "城市更新", "交通出行", "价格收费", "税费减免", "国有资产", "政府采购", "招标投标", "应急管理",
          "文物保护", "残疾人服务", "退役军人服务", "医保基金", "住房公积金", "不动产登记"]  # fmt: skip
CHANNELS = ["门户网站", "政务微博", "政务微信", "政务服务网", "新闻发布会", "公开栏", "电子显示屏", "政务新媒体",
            "政府公报", "档案馆查阅点", "图书馆查阅点", "便民服务热线"]  # fmt: skip
OFFICES = ["办公室", "综合科", "政策法规科", "行政审批科", "信息中心", "法制科", "宣传科"]
FORMS = ["图文", "视频", "动漫", "访谈", "问答", "一图读懂", "专家解读", "新闻发布"]
WEAKNESSES = ["公开内容不够全面、解读形式较为单一", "部分栏目更新不及时", "政策解读质量有待提高",
              "依申请公开答复规范性不够", "基层公开标准化水平不高", "互动回应不够及时"]  # fmt: skip
WEAK2 = ["个别链接失效", "部分附件无法下载", "检索功能不够完善", "移动端适配不足"]


def _prose(rng: random.Random, agency_name: str, k: int = 3) -> str:
    out = []
    for s in rng.sample(SENTENCES, k):
        t = rng.sample(TOPICS, 3)
        c = rng.sample(CHANNELS, 2)
        out.append(s.format(a=agency_name, n=rng.randint(1, 500), n2=rng.randint(1, 500), p=rng.choice(PLACES),
                            t=t[0], t2=t[1], t3=t[2], c=c[0], c2=c[1], o=rng.choice(OFFICES), f=rng.choice(FORMS),
                            w=rng.choice(WEAKNESSES), w2=rng.choice(WEAK2)))  # fmt: skip
    return "".join(out)


APPEAL_SENTENCE = "本年度因政府信息公开申请引起行政复议{n}件、行政诉讼{m}件，均依法妥善处理。"
NO_APPEAL_SENTENCE = "本年度未发生因政府信息公开引起的行政诉讼案件。"
HOSTILE_TITLE = '<script>alert("xss-title")</script>恶意机关2022年政府信息公开工作年度报告'
HOSTILE_TEXT = '<img src=x onerror=alert("xss-img")><b>加粗</b>&amp;<script>document.title="pwned"</script>'

WITHHELD = ("withheld_state_secret", "withheld_law_prohibited", "withheld_security_stability",
            "withheld_third_party", "withheld_internal_affairs", "withheld_process_info",
            "withheld_enforcement_file", "withheld_admin_query")  # fmt: skip
UNAVAILABLE = ("unavailable_not_held", "unavailable_needs_creation", "unavailable_still_unclear")
NOT_PROCESSED = ("not_processed_petition", "not_processed_repeat", "not_processed_publication",
                 "not_processed_excessive", "not_processed_confirmation")  # fmt: skip
APPLICANTS = ("natural_person", "commercial", "research", "public_interest", "legal_services", "other_org")



@dataclass
class Facts:
    """What the tests need to know about the generated archive."""

    db_path: Path
    report_ids: list[int] = field(default_factory=list)
    with_fuyi: set[int] = field(default_factory=set)  # reports whose text (and only they, table labels) contain 复议
    hostile_id: int | None = None
    failing_ids: set[int] = field(default_factory=set)  # reports with a 勾稽 (error) issue
    late_ids: set[int] = field(default_factory=set)
    captures: dict[int, dict] = field(default_factory=dict)  # report id -> {id, body, content_type}
    agencies: dict[str, dict] = field(default_factory=dict)


def _keys_for(template: str) -> list:
    return [k for k in all_keys().values() if template in k.templates and not k.key.startswith("legacy.")]


def _values(rng: random.Random, template: str, appeals: bool = True) -> dict[str, int | None]:
    """Values whose 勾稽 relations hold (the tests break some on purpose). appeals=False: no review or
    lawsuit (the table labels 行政复议 are then indexed for search only where the text mentions 复议)."""
    v: dict[str, int | None] = {}
    results = ["granted", "partially_granted", *WITHHELD, *UNAVAILABLE, *NOT_PROCESSED]
    results += ["other_no_correction", "other_fee_unpaid", "other_misc"] if template == "2021" else ["other_handling"]
    for a in APPLICANTS:
        big = a in ("natural_person", "commercial")
        handled = 0
        for r in results:
            x = rng.randint(0, 40 if r == "granted" and big else 3) if big or rng.random() < 0.2 else 0
            v[f"requests.{r}.{a}"] = x
            handled += x
        if template == "2021":  # the 2021 form also prints the group row （六）其他处理
            v[f"requests.other_handling.{a}"] = sum(v[f"requests.{r}.{a}"] for r in results if r.startswith("other_"))
        carried_over = rng.randint(0, 3) if big else 0
        forward = rng.randint(0, 3) if big else 0
        v[f"requests.handled_total.{a}"] = handled
        v[f"requests.carried_over.{a}"] = carried_over
        v[f"requests.carried_forward.{a}"] = forward
        v[f"requests.new_received.{a}"] = handled + forward - carried_over if handled + forward >= carried_over else 0
    rows = {k.split(".")[1] for k in v}
    for r in rows:
        v[f"requests.{r}.total"] = sum(v[f"requests.{r}.{a}"] for a in APPLICANTS)
    for p in ("review", "litigation_direct", "litigation_after_review"):
        parts = [rng.choice((0, 0, 0, 1, 2)) if appeals else 0 for _ in range(4)]
        for o, x in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            v[f"appeals.{p}.{o}"] = x
        v[f"appeals.{p}.total"] = sum(parts)
    for k in _keys_for(template):
        if k.key.startswith("proactive."):
            if k.key.endswith("_yuan"):
                v[k.key] = rng.choice((None, 0, rng.randint(1, 900000)))
            elif k.signed:
                v[k.key] = rng.randint(-3, 3)
            else:
                v[k.key] = rng.randint(0, 60)
    return v


def _raw(key: str, value) -> str:
    if value is None:
        return "——"
    if key.endswith("_yuan"):
        return f"{value / 10000:.2f}万元" if value else "0"
    if key.endswith(".change"):
        return f"增（{value}）" if value > 0 else (f"减（{-value}）" if value < 0 else "0")
    return str(value)


def _cell(key: str, order: dict[str, tuple[int, int]]) -> str:
    r, c = order[key]
    t = {"proactive": 0, "requests": 1, "appeals": 2}[key.split(".")[0]]
    return f"t{t}r{r}c{c}"


def _key_positions(template: str) -> dict[str, tuple[int, int]]:
    rows: dict[str, int] = {}
    cols: dict[tuple[str, str], int] = {}
    out = {}
    for k in _keys_for(template):
        table, row, col = k.key.split(".")
        rows.setdefault(f"{table}.{row}", len([x for x in rows if x.startswith(table)]))
        cols.setdefault((table, col), len([x for x in cols if x[0] == table]))
        out[k.key] = (rows[f"{table}.{row}"] + 1, cols[(table, col)] + 1)
    return out


def _page_html(title: str, body_text: str) -> bytes:
    # A portal page as portals serve them, scripts included: the archived copy must not run them.
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + title + "</title>"
        "<script>document.title='portal-script-ran'</script></head><body><h1>" + title + "</h1><p>"
        + body_text + "</p></body></html>"
    ).encode("utf-8")


def _pdf_bytes(title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.drawString(72, 760, title.encode("ascii", "replace").decode("ascii"))
    c.showPage()
    c.save()
    return buf.getvalue()


def build(data_dir: str | Path, n_reports: int = 40, seed: int = 7, with_captures: bool = True,
          hostile: bool = True, values_every: int = 1, progress=None) -> Facts:
    """values_every=k writes report_values and report_cells for every k-th report only (the benchmark's
    100,000 reports would otherwise need ~20M value rows, ~6.5 GB); the summary has every report."""
    rng = random.Random(seed)
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    db_path = data_dir / "archive.db"
    if db_path.exists():
        db_path.unlink()
    facts = Facts(db_path=db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.executescript(schema.DDL)
    conn.executescript(summary.DDL)

    # Agencies: one report per agency and year, so an agency has a history of up to 5 reports.
    n_agencies = max(1, -(-n_reports // len(YEARS)))
    agencies = []
    for i in range(n_agencies):
        region, code, level = REGIONS[i % len(REGIONS)]
        bureau = BUREAUS[(i // len(REGIONS)) % len(BUREAUS)]
        serial = i // (len(REGIONS) * len(BUREAUS))
        name = region.split("省")[-1] + bureau + (f"（{serial}）" if serial else "")
        kind = "government" if "政府" in bureau else "department"
        agencies.append({"id": f"syn-{i:06d}", "name": name, "region": region, "region_code": code,
                         "level": level, "kind": kind, "parent_id": None})
    conn.executemany("INSERT INTO agencies (id, name, region, region_code, level, kind, parent_id)"
                     " VALUES (:id, :name, :region, :region_code, :level, :kind, :parent_id)", agencies)
    conn.executemany(
        "INSERT INTO sources (id, agency_id, agency, family, start_urls, region, region_code, level, notes, params)"
        " VALUES (?, ?, ?, 'generic', ?, ?, ?, ?, 'synthetic', '{}')",
        [(a["id"], a["id"], a["name"], json.dumps([f"http://127.0.0.1/{a['id']}/"]), a["region"],
          a["region_code"], a["level"]) for a in agencies],
    )
    facts.agencies = {a["id"]: a for a in agencies}

    store = None
    if with_captures:
        from crawler.store import CaptureStore

        store = CaptureStore(data_dir)
        store.save_sources([{"id": a["id"], "agency": a["name"], "region": a["region"],
                             "region_code": a["region_code"], "level": a["level"], "family": "generic",
                             "start_urls": [f"http://127.0.0.1/{a['id']}/"]} for a in agencies])
        store.start_run("syn-run", [a["id"] for a in agencies])

    positions = {t: _key_positions(t) for t in ("2019", "2021")}
    report_rows, value_rows, issue_rows, summary_rows, cell_rows = [], [], [], [], []
    hostile_index = n_reports // 2 if hostile and n_reports >= 2 else None

    def flush():
        conn.executemany(f"INSERT INTO reports ({', '.join(REPORT_COLS)}) VALUES ({', '.join('?' * len(REPORT_COLS))})",
                         report_rows)
        conn.executemany("INSERT INTO report_values (report_id, key, table_no, row_key, col_key, value, raw, unit, cell)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", value_rows)
        conn.executemany("INSERT INTO report_issues (report_id, rule, severity, message, key, left_value, right_value,"
                         " origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", issue_rows)
        conn.executemany("INSERT INTO report_cells (report_id, table_no, row, col, row_label, col_label, raw)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)", cell_rows)
        if summary_rows:
            cols = list(summary_rows[0])
            conn.executemany(f"INSERT INTO report_summary ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                             [tuple(r.values()) for r in summary_rows])
        for lst in (report_rows, value_rows, issue_rows, summary_rows, cell_rows):
            lst.clear()

    for i in range(n_reports):
        rid = i + 1
        agency = agencies[i // len(YEARS)]
        year = YEARS[i % len(YEARS)]
        template = "2019" if year <= 2020 else "2021"
        title = f"{agency['name']}{year}年政府信息公开工作年度报告"
        fuyi = rng.random() < 0.5
        texts = []
        for _ in range(6):
            texts.append(_prose(rng, agency["name"]))
        texts[3] = (APPEAL_SENTENCE.format(n=rng.randint(1, 9), m=rng.randint(0, 3)) if fuyi else NO_APPEAL_SENTENCE) + texts[3]
        if i == hostile_index:
            title = HOSTILE_TITLE
            texts[0] = HOSTILE_TEXT + "总体情况。" * 40000  # a huge section (≈200k characters)
            fuyi = False
            texts[3] = NO_APPEAL_SENTENCE
            facts.hostile_id = rid
        if fuyi:
            facts.with_fuyi.add(rid)
        deadline = date(year + 1, 3, 31) if agency["kind"] == "government" else date(year + 1, 1, 31)
        published = date(year + 1, 1, 10) + timedelta(days=rng.choice((0, 5, 12, 30, 45, 70, 110)))
        values = _values(rng, template, appeals=fuyi)
        issues = []
        if rng.random() < 0.15:  # a 勾稽 failure: the printed total is off
            key = "requests.new_received.total"
            right = values[key]
            values[key] = right + rng.randint(1, 9)
            issues.append(("requests.row_total.new_received", "error", f"总计 {values[key]} ≠ 各列之和 {right}",
                           key, values[key], right, "parse"))
            facts.failing_ids.add(rid)
        if rng.random() < 0.05:
            values["proactive.regulations.new_made" if template == "2019" else "proactive.regulations.issued"] = None
        if published > deadline:
            issues.append(("deadline", "warning", f"发布于 {published}，晚于法定期限 {deadline}", None, None, None,
                           "archive"))
            facts.late_ids.add(rid)
        errors = sum(1 for x in issues if x[1] == "error")
        warnings = len(issues) - errors
        url = f"http://127.0.0.1/{agency['id']}/{year}/report.html"
        fmt = "html"
        capture_id = page_capture_id = None
        if store is not None:
            body = _page_html(title, texts[0][:2000])
            row = store.write_exchange(run_id="syn-run", url=url, status=200, body=body, role="report",
                                       response_headers=[("Content-Type", "text/html; charset=utf-8")],
                                       source_id=agency["id"], title=title)
            capture_id = page_capture_id = row["id"]
            facts.captures[rid] = {"id": row["id"], "body": body, "content_type": "text/html; charset=utf-8"}
            if i % 7 == 3:  # the tables are in a PDF attachment
                pdf = _pdf_bytes(f"report {rid}")
                arow = store.write_exchange(run_id="syn-run", url=url.replace(".html", ".pdf"), status=200,
                                            body=pdf, role="attachment", parent_url=url,
                                            response_headers=[("Content-Type", "application/pdf")],
                                            source_id=agency["id"], filename="report.pdf")
                capture_id, fmt = arow["id"], "pdf"
                facts.captures[rid] = {"id": arow["id"], "body": pdf, "content_type": "application/pdf"}
        report_rows.append((
            rid, agency["id"], agency["id"], year, title, agency["name"], template, published.isoformat(), url,
            fmt, f"{rng.getrandbits(256):064x}", capture_id, page_capture_id, None, 1, "ok", None, errors,
            warnings, len(values), *texts, f"{agency['region_code']}-{year}-{rid:05d}", agency["name"],
            None, "synthetic-1", "2026-01-01T00:00:00Z",
        ))
        pos = positions[template]
        for k in _keys_for(template) if i % values_every == 0 else ():
            if k.key not in values:
                continue
            val = values[k.key]
            _, row_key, col_key = k.key.split(".")
            value_rows.append((rid, k.key, schema.table_no_for(k.key), row_key, col_key, val,
                               _raw(k.key, val), k.unit, _cell(k.key, pos)))
        if i % values_every == 0:
            cell_rows.append((rid, "extra", 1, 1, "备注", "说明", "本表数据截至12月31日"))
        for x in issues:
            issue_rows.append((rid, *x))
        facts.report_ids.append(rid)
        summary_rows.append({
            "report_id": rid, "agency_id": agency["id"], "agency": agency["name"], "source_id": agency["id"],
            "region": agency["region"], "region_code": agency["region_code"], "level": agency["level"],
            "kind": agency["kind"], "year": year, "template": template, "published": published.isoformat(),
            "url": url, "is_latest": 1, "parse_status": "ok", **summary.figures(values),
            "error_count": errors, "warning_count": warnings, "previous_year_similarity": None,
        })  # fmt: skip
        if len(report_rows) >= 2000:
            flush()
            if progress:
                progress(rid)
    flush()
    if store is not None:
        store.finish_run("syn-run", "finished", {"reports": n_reports})
        _copy_captures(conn, data_dir / "captures.db")
        store.close()
    for table, cols in schema.INDEXES.items():
        for c in cols:
            conn.execute(f"CREATE INDEX IF NOT EXISTS [idx_{table}_{'_'.join(c)}] ON [{table}] "
                         f"({', '.join(f'[{x}]' for x in c)})")
    summary.create_indexes(conn)
    conn.commit()
    summary.build_aggregates(conn)
    conn.executemany("INSERT OR REPLACE INTO keys (key, table_no, row_key, col_key, zh, unit, templates)"
                     " VALUES (:key, :table_no, :row_key, :col_key, :zh, :unit, :templates)",
                     [schema.key_row(k.key, k.zh, k.unit, k.templates) for k in all_keys().values()])
    conn.commit()
    _index_search(conn, n_reports)
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return facts


REPORT_COLS = (
    "id", "agency_id", "source_id", "year", "title", "agency_name", "template", "published", "url", "format",
    "sha256", "capture_id", "page_capture_id", "previous_version_id", "is_latest", "parse_status", "parse_error",
    "error_count", "warning_count", "value_count", "overview", "proactive_text", "requests_text", "appeals_text",
    "problems_text", "other_text", "index_no", "publisher", "doc_no", "parser_version", "parsed_at",
)


def label_truth(db_path: Path, word: str) -> set[int]:
    """Reports with a non-zero table cell whose label contains word (LIKE over report_values/keys and
    report_cells): what search finds beyond the text."""
    with sqlite3.connect(db_path) as conn:
        ids = {r[0] for r in conn.execute(
            "select distinct v.report_id from report_values v join keys k on k.key = v.key "
            "where v.value is not null and v.value != 0 and k.zh like ?", [f"%{word}%"])}  # fmt: skip
        ids |= {r[0] for r in conn.execute(
            "select distinct report_id from report_cells where (row_label like ? or col_label like ?) "
            "and raw glob '*[1-9]*'", [f"%{word}%"] * 2)}  # fmt: skip
    return ids


def _copy_captures(conn: sqlite3.Connection, captures_db: Path) -> None:
    conn.execute("ATTACH DATABASE ? AS cap", [str(captures_db)])
    for table, cols in (("crawl_runs", schema.CRAWL_RUN_COLUMNS), ("captures", schema.CAPTURE_COLUMNS)):
        names = ", ".join(cols)
        conn.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM cap.{table}")
    conn.commit()
    conn.execute("DETACH DATABASE cap")


def _index_search(conn: sqlite3.Connection, n_reports: int) -> None:
    search_table = search.SEARCH_TABLE
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS [{search_table}] USING fts5("
                 + ", ".join(search.SEARCH_COLUMNS) + ", tokenize='unicode61')")
    cols = ", ".join(("id", "title", "agency_name", *schema.REPORT_TEXT_COLUMNS))
    cur = conn.execute(f"SELECT {cols} FROM reports ORDER BY id")
    names = [d[0] for d in cur.description]
    marks = ", ".join("?" * (len(search.SEARCH_COLUMNS) + 1))
    while True:
        batch = cur.fetchmany(2000)
        if not batch:
            break
        labels = search.labels_of(conn, [r[0] for r in batch])
        rows = [search.search_row(dict(zip(names, r, strict=True)), labels.get(r[0], "")) for r in batch]
        conn.executemany(f"INSERT INTO [{search_table}] (rowid, {', '.join(search.SEARCH_COLUMNS)}) VALUES ({marks})",
                         [(r["rowid"], *(r[c] for c in search.SEARCH_COLUMNS)) for r in rows])
    conn.commit()
