"""Generated annual reports: realistic values, consistent by construction, with known truth.

``generate(seed, template)`` returns a ReportSpec: the values a parser must find (``values``), the
text printed for each (``raw``), the narrative sections, metadata, and ``expected_issues``: the
rule ids of report-schema.md that the values violate, computed by ``check_rules`` (an independent
checker written from the spec, not from the parsers). ``inconsistencies=N`` breaks N distinct
rules on purpose. ``options`` records the printing choices (units, label variants, table layout)
that the renderers in ``replica.render`` follow, so a spec renders the same way every time.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from replica.names import Region, government_name, pick_agency, region_for

TEMPLATES = ("2019", "2021", "legacy", "2019_legacy")

APPLICANTS = ("natural_person", "commercial", "research", "public_interest", "legal_services", "other_org", "total")
PARTS = APPLICANTS[:6]  # the six applicant columns summed into 总计
RESULTS_COMMON = (
    "granted", "partially_granted",
    "withheld_state_secret", "withheld_law_prohibited", "withheld_security_stability", "withheld_third_party",
    "withheld_internal_affairs", "withheld_process_info", "withheld_enforcement_file", "withheld_admin_query",
    "unavailable_not_held", "unavailable_needs_creation", "unavailable_still_unclear",
    "not_processed_petition", "not_processed_repeat", "not_processed_publication", "not_processed_excessive",
    "not_processed_confirmation",
)
OTHER_2019 = ("other_handling",)
OTHER_2021 = ("other_no_correction", "other_fee_unpaid", "other_misc")
PROCEEDINGS = ("review", "litigation_direct", "litigation_after_review")
OUTCOMES = ("upheld", "corrected", "other", "pending", "total")

PROACTIVE_2019 = (
    "regulations.new_made", "regulations.new_published", "regulations.total_published",
    "normative_documents.new_made", "normative_documents.new_published", "normative_documents.total_published",
    "licensing.prev_items", "licensing.change", "licensing.decisions",
    "other_services.prev_items", "other_services.change", "other_services.decisions",
    "penalty.prev_items", "penalty.change", "penalty.decisions",
    "coercion.prev_items", "coercion.change", "coercion.decisions",
    "fees.prev_items", "fees.change",
    "centralized_procurement.projects", "centralized_procurement.amount_yuan",
)
PROACTIVE_2021 = (
    "regulations.issued", "regulations.repealed", "regulations.in_force",
    "normative_documents.issued", "normative_documents.repealed", "normative_documents.in_force",
    "licensing.decisions", "penalty.decisions", "coercion.decisions", "fees.amount_yuan",
)

# Legacy (national 统计指标 form) parts of the sum rules; which channel / answer items a report
# prints is a per-report choice (options["legacy_channels"], options["legacy_answers"]).
LEGACY_CHANNEL_SETS = (
    ("in_person", "by_fax", "online", "by_letter"),
    ("in_person", "by_letter_or_fax", "online"),
    ("in_person", "by_fax", "online", "by_email", "by_letter", "other_channels"),
)
LEGACY_ANSWERS = (
    "already_public", "granted", "partially_granted", "refused", "not_this_agency", "not_exist",
    "told_to_amend", "told_other_channel",
)
LEGACY_REFUSED = (
    "refused_state_secret", "refused_commercial_secret", "refused_privacy", "refused_security_stability",
    "refused_not_gov_info", "refused_other_law",
)
NULL_MARKS = ("", "——", "/", "", "——", "—", "无")  # printed for a blank cell (value None)


@dataclass
class ReportSpec:
    seed: int
    template: str  # "2019" | "2021" | "legacy": what a parser must report as metadata.template
    layout: str  # template plus "2019_legacy" (2019 tables plus legacy tables, like seed 000)
    agency: str
    region: str
    region_code: str
    level: str
    is_government: bool
    year: int
    published: dt.date
    title: str
    values: dict[str, int | Decimal | None]
    raw: dict[str, str]
    sections: dict[str, str]
    expected_issues: set[str]
    options: dict = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)  # the rules broken on purpose, in order
    # what the agency's next report continues from, even where this one prints a blank:
    # carried_forward (applicant -> 结转下年度), in_force (item -> 现行有效件数), text_seed
    series: dict = field(default_factory=dict)


# ---------------------------------------------------------------- rules (independent checker)

def request_rows(template: str) -> tuple[str, ...]:
    others = OTHER_2021 if template == "2021" else OTHER_2019
    return ("new_received", "carried_over") + RESULTS_COMMON + others + ("handled_total", "carried_forward")


def rule_operands(values: dict) -> dict[str, tuple[list[str], list[str]]]:
    """Every rule of report-schema.md that applies to the keys present: rule id -> (left keys, right keys)."""
    rules: dict[str, tuple[list[str], list[str]]] = {}
    present = set(values)
    req_rows = []
    for k in values:
        if k.startswith("requests."):
            row = k.split(".")[1]
            if row not in req_rows:
                req_rows.append(row)
    results = [r for r in req_rows if r not in ("new_received", "carried_over", "handled_total", "carried_forward")]
    if req_rows:
        for a in APPLICANTS:
            rules[f"requests.balance.{a}"] = (
                [f"requests.new_received.{a}", f"requests.carried_over.{a}"],
                [f"requests.handled_total.{a}", f"requests.carried_forward.{a}"],
            )
        for row in req_rows:
            rules[f"requests.row_total.{row}"] = ([f"requests.{row}.total"], [f"requests.{row}.{p}" for p in PARTS])
        for a in APPLICANTS:
            rules[f"requests.handled_sum.{a}"] = ([f"requests.handled_total.{a}"], [f"requests.{r}.{a}" for r in results])
    for p in PROCEEDINGS:
        if f"appeals.{p}.total" in present:
            rules[f"appeals.sum.{p}"] = ([f"appeals.{p}.total"], [f"appeals.{p}.{o}" for o in OUTCOMES[:4]])
    if "legacy.org.staff" in present:
        rules["legacy.org.staff_sum"] = (["legacy.org.staff"], ["legacy.org.staff_full_time", "legacy.org.staff_part_time"])
    if "legacy.requests.received" in present:
        chans = [f"legacy.requests.{c}" for c in LEGACY_CHANNEL_SETS[2] + ("by_letter_or_fax",)
                 if f"legacy.requests.{c}" in present]
        rules["legacy.requests.channel_sum"] = (["legacy.requests.received"], chans)
    if "legacy.requests.answered" in present:
        parts = [f"legacy.requests.{c}" for c in LEGACY_ANSWERS + ("other_answers",) if f"legacy.requests.{c}" in present]
        rules["legacy.requests.answer_sum"] = (["legacy.requests.answered"], parts)
    if "legacy.requests.refused" in present and "legacy.requests.refused_state_secret" in present:
        rules["legacy.requests.refused_sum"] = (
            ["legacy.requests.refused"], [f"legacy.requests.{c}" for c in LEGACY_REFUSED]
        )
    return rules


def check_rules(values: dict) -> set[str]:
    """The error rules the values violate. A rule with a missing or blank operand is not checked."""
    broken = set()
    for rule, (left, right) in rule_operands(values).items():
        keys = left + right
        if not right or any(values.get(k) is None for k in keys):
            continue
        if sum(Decimal(values[k]) for k in left) != sum(Decimal(values[k]) for k in right):
            broken.add(rule)
    return broken


# ---------------------------------------------------------------- value generation

def _small(rng: random.Random, scale: float, zero_p: float = 0.6) -> int:
    if rng.random() < zero_p:
        return 0
    return max(0, int(rng.expovariate(1 / max(scale, 0.5))))


def _split(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Distribute total over the weights (multinomial), many parts stay zero for small totals."""
    out = [0] * len(weights)
    s = sum(weights)
    for _ in range(total):
        x = rng.random() * s
        for i, w in enumerate(weights):
            x -= w
            if x <= 0:
                out[i] += 1
                break
        else:
            out[-1] += 1
    return out


def _requests(rng: random.Random, template: str, values: dict, carried_over: dict | None = None) -> None:
    scale = rng.choice([0, 1, 2, 4, 8, 15, 30, 60, 150, 400])
    results = RESULTS_COMMON + (OTHER_2021 if template == "2021" else OTHER_2019)
    base_w = [rng.uniform(2, 8), rng.uniform(0, 2)] + [rng.uniform(0, 0.4) for _ in range(8)] + \
        [rng.uniform(0.5, 4), rng.uniform(0, 1), rng.uniform(0, 1)] + [rng.uniform(0, 1) for _ in range(5)] + \
        [rng.uniform(0, 0.6) for _ in range(len(results) - 18)]
    col_scale = {"natural_person": 1.0, "commercial": 0.25, "research": 0.03, "public_interest": 0.03,
                 "legal_services": 0.08, "other_org": 0.1}
    rows: dict[str, dict[str, int]] = {r: {} for r in request_rows(template)}
    for a in PARTS:
        s = scale * col_scale[a]
        new = _small(rng, s, zero_p=0.15 if a == "natural_person" else 0.6) if scale else 0
        carried = _small(rng, s * 0.08 + 0.3, zero_p=0.7) if scale else 0
        if carried_over is not None and carried_over.get(a) is not None:
            carried = carried_over[a]  # last year's 结转下年度继续办理 (the stream above stays aligned)
        fwd = min(new + carried, _small(rng, s * 0.08 + 0.3, zero_p=0.65))
        handled = new + carried - fwd
        parts = _split(rng, handled, base_w)
        rows["new_received"][a] = new
        rows["carried_over"][a] = carried
        for r, n in zip(results, parts, strict=True):
            rows[r][a] = n
        rows["handled_total"][a] = handled
        rows["carried_forward"][a] = fwd
    for r, cols in rows.items():
        cols["total"] = sum(cols[a] for a in PARTS)
        for a in APPLICANTS:
            values[f"requests.{r}.{a}"] = cols[a]


def _appeals(rng: random.Random, values: dict) -> None:
    busy = rng.random() < 0.35
    for p in PROCEEDINGS:
        outs = [(_small(rng, 3, zero_p=0.55) if busy else 0) for _ in range(4)]
        if busy and p != "review":
            outs = [x // 2 for x in outs]
        for o, n in zip(OUTCOMES[:4], outs, strict=True):
            values[f"appeals.{p}.{o}"] = n
        values[f"appeals.{p}.total"] = sum(outs)


def _proactive_2019(rng: random.Random, is_gov: bool, values: dict, wan: bool) -> None:
    def block_docs(prefix: str, scale: float) -> None:
        made = _small(rng, scale, zero_p=0.5)
        values[f"proactive.{prefix}.new_made"] = made
        values[f"proactive.{prefix}.new_published"] = made if rng.random() < 0.8 else max(0, made - 1)
        values[f"proactive.{prefix}.total_published"] = made + _small(rng, scale * 6, zero_p=0.3)

    block_docs("regulations", 2 if is_gov else 0.3)
    block_docs("normative_documents", 6 if is_gov else 2)
    for item, scale in (("licensing", 40), ("other_services", 20), ("penalty", 60), ("coercion", 8)):
        prev = _small(rng, scale, zero_p=0.35)
        values[f"proactive.{item}.prev_items"] = prev
        change = 0 if rng.random() < 0.6 else rng.randint(-min(prev, 10), 15)
        values[f"proactive.{item}.change"] = change
        values[f"proactive.{item}.decisions"] = _small(rng, scale * 25, zero_p=0.4)
    prev = _small(rng, 3, zero_p=0.6)
    values["proactive.fees.prev_items"] = prev
    values["proactive.fees.change"] = 0 if rng.random() < 0.8 else rng.randint(-min(prev, 2), 2)
    projects = _small(rng, 10, zero_p=0.3)
    values["proactive.centralized_procurement.projects"] = projects
    values["proactive.centralized_procurement.amount_yuan"] = _money(rng, projects, wan)


def _money(rng: random.Random, projects: int, wan: bool) -> int | Decimal:
    """Procurement total in yuan; whole hundreds when printed in 万元 (2 decimals, as publishers do)."""
    if projects == 0:
        return 0
    yuan = sum(rng.randint(5_000, 900_000) for _ in range(projects))
    if wan:
        return yuan // 100 * 100
    if rng.random() < 0.1:
        return Decimal(yuan) + Decimal("0.5")
    return yuan


def _proactive_2021(rng: random.Random, is_gov: bool, values: dict, prev_stock: dict | None = None) -> None:
    for prefix, scale in (("regulations", 2 if is_gov else 0.2), ("normative_documents", 6 if is_gov else 2)):
        issued = _small(rng, scale, zero_p=0.5)
        repealed = _small(rng, scale / 2, zero_p=0.7)
        in_force = issued + _small(rng, scale * 8, zero_p=0.25)
        before = (prev_stock or {}).get(prefix)
        if before is not None:  # the stock moves on from last year's: + 制发 - 废止
            repealed = min(repealed, before + issued)
            in_force = before + issued - repealed
        values[f"proactive.{prefix}.issued"] = issued
        values[f"proactive.{prefix}.repealed"] = repealed
        values[f"proactive.{prefix}.in_force"] = in_force
    for item, scale in (("licensing", 800), ("penalty", 1500), ("coercion", 100)):
        values[f"proactive.{item}.decisions"] = _small(rng, scale, zero_p=0.35)
    # 本年收费金额（单位：万元）: whole hundreds of yuan so the 万元 figure has at most 2 decimals
    values["proactive.fees.amount_yuan"] = 0 if rng.random() < 0.7 else rng.randint(1, 5000) * 100


def _legacy(rng: random.Random, year: int, values: dict, options: dict, full: bool) -> None:
    v = values
    items = rng.randint(30, 3000)
    v["legacy.proactive.items"] = items
    if full and rng.random() < 0.4:
        v["legacy.proactive.normative_documents_published"] = _small(rng, 5, 0.3)
        v["legacy.proactive.normative_documents_issued"] = _small(rng, 5, 0.3)
    v["legacy.proactive.via_gazette"] = _small(rng, items / 20, 0.6)
    v["legacy.proactive.via_website"] = items - rng.randint(0, items // 10)
    modern = year >= 2013
    if modern:
        v["legacy.proactive.via_weibo"] = _small(rng, items / 2, 0.4)
        v["legacy.proactive.via_wechat"] = _small(rng, items / 3, 0.4)
    v["legacy.proactive.via_other"] = _small(rng, items / 10, 0.6)
    if modern:
        v["legacy.response.hot_topics"] = _small(rng, 5, 0.5)
        pc = _small(rng, 6, 0.5)
        v["legacy.response.press_conferences"] = pc
        v["legacy.response.press_conferences_by_head"] = rng.randint(0, pc)
        oi = _small(rng, 4, 0.6)
        v["legacy.response.online_interviews"] = oi
        v["legacy.response.online_interviews_by_head"] = rng.randint(0, oi)
        v["legacy.response.interpretations"] = _small(rng, 8, 0.4)
        v["legacy.response.weibo_wechat"] = _small(rng, 10, 0.5)
        v["legacy.response.other_channels"] = _small(rng, 3, 0.7)
    if full:
        chans = options["legacy_channels"]
        parts = {c: _small(rng, 6, 0.45) for c in chans}
        received = sum(parts.values())
        v["legacy.requests.received"] = received
        for c, n in parts.items():
            v[f"legacy.requests.{c}"] = n
        extended = rng.randint(0, received // 5)
        v["legacy.requests.completed"] = received
        v["legacy.requests.completed_on_time"] = received - extended
        v["legacy.requests.completed_extended"] = extended
        answers = _split(rng, received, [5, 8, 2, 1.5, 2, 2, 0.5, 1])
        v["legacy.requests.answered"] = received
        for a, n in zip(LEGACY_ANSWERS, answers, strict=True):
            v[f"legacy.requests.{a}"] = n
        for r, n in zip(LEGACY_REFUSED, _split(rng, v["legacy.requests.refused"], [1, 2, 2, 1, 3, 1]), strict=True):
            v[f"legacy.requests.{r}"] = n
        for block, scale in (("reviews", 1.5), ("lawsuits", 1.0), ("complaints", 0.8)):
            outs = [_small(rng, scale, 0.6) for _ in range(3)]
            v[f"legacy.appeals.{block}"] = sum(outs)
            for o, n in zip(("upheld", "corrected", "other"), outs, strict=True):
                v[f"legacy.appeals.{block}_{o}"] = n
        v["legacy.fees.collected_yuan"] = 0 if rng.random() < 0.75 else rng.randint(1, 300) * 10
        v["legacy.fees.waived_yuan"] = 0 if rng.random() < 0.85 else rng.randint(1, 50) * 10
    v["legacy.org.dedicated_units"] = rng.choice([0, 1, 1, 1, 2])
    v["legacy.org.reading_points"] = rng.choice([0, 1, 1, 2, 3])
    full_time, part_time = rng.randint(0, 3), rng.randint(0, 5)
    v["legacy.org.staff"] = full_time + part_time
    v["legacy.org.staff_full_time"] = full_time
    v["legacy.org.staff_part_time"] = part_time
    v["legacy.org.budget_yuan"] = 0 if rng.random() < 0.5 else rng.randint(1, 400) * 100
    v["legacy.training.meetings"] = _small(rng, 3, 0.3)
    v["legacy.training.courses"] = _small(rng, 2, 0.4)
    v["legacy.training.trainees"] = _small(rng, 40, 0.3)


# ---------------------------------------------------------------- blanks and deliberate errors

def _blank_some(rng: random.Random, values: dict) -> None:
    """Some publishers leave cells blank or print ——: these are null, never 0."""
    if rng.random() < 0.7:
        return
    keys = sorted(values)
    for k in rng.sample(keys, k=min(len(keys), rng.randint(1, 6))):
        values[k] = None


def _break_rules(rng: random.Random, values: dict, n: int, frozen: tuple[str, ...] = ()) -> list[str]:
    """Change cells until at least n distinct rules fail (each change keeps earlier breaks broken).
    Cells whose key starts with one of `frozen` are left alone (a series' carry-over chain)."""
    chosen: list[str] = []
    ops = rule_operands(values)
    candidates = sorted(r for r, (left, right) in ops.items()
                        if right and all(values.get(k) is not None for k in left + right))
    rng.shuffle(candidates)
    for rule in candidates:
        if len(check_rules(values)) >= n:
            break
        before = check_rules(values)
        if rule in before:
            continue
        left, right = ops[rule]
        cells = [k for k in left + right if not k.startswith(frozen)] if frozen else left + right
        rng.shuffle(cells)
        for key in cells:
            old = values[key]
            for delta in (rng.randint(1, 3), -1):
                if old + delta < 0:
                    continue
                values[key] = old + delta
                after = check_rules(values)
                if rule in after and before <= after:
                    chosen.append(rule)
                    break
                values[key] = old
            if values[key] != old:
                break
    if len(check_rules(values)) < n:
        raise ValueError(f"cannot break {n} rules in this report (only {len(check_rules(values))} possible)")
    return chosen


# ---------------------------------------------------------------- printing (raw text of each cell)

def _wan(yuan: int | Decimal) -> str:
    """Yuan as a 万元 figure without trailing zeros: 704900 -> 70.49."""
    d = (Decimal(yuan) / Decimal(10000)).normalize()
    s = format(d, "f")
    return s


def _fmt_count(n: int, rng: random.Random, options: dict) -> str:
    s = str(n)
    if options.get("fullwidth_digits") and rng.random() < 0.3:
        s = s.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return s


def _fmt_change(n: int, rng: random.Random, options: dict) -> str:
    style = options["change_style"]
    if n == 0:
        return "0"
    if style == "zh":
        return f"增（{n}）" if n > 0 else f"减（{-n}）"
    if style == "fullwidth":
        return f"＋{n}" if n > 0 else f"－{-n}"
    return f"+{n}" if n > 0 else f"-{-n}"  # ascii


def _fmt_money(yuan: int | Decimal, mode: str) -> str:
    if mode == "wan_suffix":
        return f"{_wan(yuan)}万元"
    if mode == "yuan_suffix":
        return f"{yuan}元"
    if mode == "yuan_header":
        return f"{yuan}.0" if isinstance(yuan, int) else str(yuan)
    if mode in ("wan_header", "wan_unit"):
        return _wan(yuan)
    return str(yuan)  # bare or yuan_unit


def money_mode(key: str, options: dict) -> str | None:
    if key == "proactive.centralized_procurement.amount_yuan":
        return options["procurement_money"]
    if key == "proactive.fees.amount_yuan":
        return "wan_header"
    if key.startswith("legacy.") and key.endswith("_yuan"):
        return options["legacy_money"]
    return None


def _print_values(rng: random.Random, values: dict, options: dict) -> dict[str, str]:
    raw = {}
    for k, v in values.items():
        if v is None:
            raw[k] = rng.choice(NULL_MARKS)
            continue
        mode = money_mode(k, options)
        if mode:
            raw[k] = _fmt_money(v, mode)
        elif k.endswith(".change"):
            raw[k] = _fmt_change(v, rng, options)
        else:
            raw[k] = _fmt_count(v, rng, options)
        if options.get("nbsp_first") and k.startswith("requests.") and k.endswith(".natural_person"):
            raw[k] = "\u00a0" + raw[k]
        elif options.get("padded_values") and rng.random() < 0.2:  # " 0", "0 " as typed in Word
            raw[k] = rng.choice([" ", "\u3000"]) + raw[k] if rng.random() < 0.5 else raw[k] + " "
    return raw


# ---------------------------------------------------------------- narrative

def _num(values: dict, key: str) -> int | None:
    v = values.get(key)
    return None if v is None else int(v)


def _sections(rng: random.Random, spec_agency: str, year: int, values: dict) -> dict[str, str]:
    we = "本机关" if rng.random() < 0.5 else "我局" if spec_agency.endswith("局") else "本单位"
    overview = [
        f"{year}年，{spec_agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》"
        f"和上级关于政务公开工作的部署要求，坚持“以公开为常态、不公开为例外”，持续推进决策、执行、管理、服务、结果“五公开”。",
        "（一）主动公开情况。" + (
            f"全年通过政府信息公开平台主动公开政府信息{_num(values, 'legacy.proactive.items')}条。"
            if _num(values, "legacy.proactive.items") is not None else
            "围绕重点领域及时公开政策文件、工作动态和财政预决算等信息，做好政策解读和回应关切。"),
        "（二）依申请公开情况。畅通申请渠道，规范办理流程，严格按照法定时限答复。",
        "（三）政府信息管理情况。完善信息发布审核机制，落实“三审三校”制度，动态更新政府信息公开目录。",
        "（四）平台建设情况。优化政府网站信息公开专栏设置，加强政务新媒体管理。",
        "（五）监督保障情况。将政务公开工作纳入年度考核，明确责任科室和工作人员。",
    ]
    proactive = [f"{year}年，{we}主动公开政府信息情况如下。"]
    nt = _num(values, "requests.new_received.total")
    if nt is None:
        nt = _num(values, "legacy.requests.received")
    ct = _num(values, "requests.carried_over.total")
    req = f"{year}年，{we}"
    if nt is not None:
        req += f"共收到政府信息公开申请{nt}件"
        if ct is not None:
            req += f"，上年结转{ct}件"
        req += "。"
    else:
        req += "依法办理政府信息公开申请。"
    ft = _num(values, "requests.carried_forward.total")
    if ft is not None:
        req += f"结转下年度继续办理{ft}件。"
    requests = [req]
    rv = _num(values, "appeals.review.total") if "appeals.review.total" in values else _num(values, "legacy.appeals.reviews")
    lit_keys = ["appeals.litigation_direct.total", "appeals.litigation_after_review.total"]
    if all(k in values for k in lit_keys):
        parts = [_num(values, k) for k in lit_keys]
        lt = None if None in parts else sum(parts)
    else:
        lt = _num(values, "legacy.appeals.lawsuits")
    app = f"{year}年，{we}"
    app += f"因政府信息公开工作被申请行政复议{rv}件，" if rv is not None else "行政复议情况见下表，"
    app += f"被提起行政诉讼{lt}件。" if lt is not None else "行政诉讼情况见下表。"
    appeals = [app]
    problems = [
        "存在的主要问题：一是政策解读的形式还不够丰富；二是部分栏目信息更新不够及时；三是工作人员业务能力有待提升。",
        "改进措施：一是加强业务培训，提高工作人员的公开意识和业务水平；二是完善信息发布机制，"
        "确保信息公开及时、准确、全面；三是丰富政策解读形式，增强解读的可读性。",
    ]
    if year >= 2021:
        fee = _num(values, "proactive.fees.amount_yuan")
        other = [f"{year}年，{we}未收取信息处理费。" if rng.random() < 0.85 or fee is None
                 else f"{year}年，{we}依据《政府信息公开信息处理费管理办法》收取信息处理费{rng.randint(1, 40) * 100}元。"]
    else:
        other = [f"{year}年，{we}无其他需要报告的事项。"]
    return {
        "overview": "\n".join(overview), "proactive": "\n".join(proactive), "requests": "\n".join(requests),
        "appeals": "\n".join(appeals), "problems": "\n".join(problems), "other": "\n".join(other),
    }


# Alternative wordings per paragraph: an agency's reports of consecutive years share the outline
# but not the sentences (real reports are rewritten, not copied; copying is injected on purpose).
_OPENINGS = (
    "{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》"
    "和上级关于政务公开工作的部署要求，坚持“以公开为常态、不公开为例外”，持续推进决策、执行、管理、服务、结果“五公开”。",
    "{year}年，{agency}在上级政务公开主管部门的指导下，围绕中心工作不断完善政务公开制度，扎实推进政府信息公开各项工作，"
    "公开质量和实效进一步提升。",
    "{year}年，{agency}深入贯彻党中央、国务院关于全面推进政务公开的决策部署，严格执行新修订的《政府信息公开条例》，"
    "以提升公开质量为重点，推动政务公开工作取得新进展。",
    "本报告依据《中华人民共和国政府信息公开条例》要求编制。{year}年，{we}把政务公开作为建设法治政府、服务型政府的重要抓手，"
    "主要负责同志多次听取汇报并研究部署相关工作。",
    "{year}年是{agency}深化政务公开标准化规范化建设的重要一年。{we}对照年度政务公开工作要点，逐项分解任务、压实责任，"
    "各项工作有序推进。",
)
_PARAGRAPHS = (
    ("（一）主动公开情况。", (
        "围绕重点领域及时公开政策文件、工作动态和财政预决算等信息，做好政策解读和回应关切。",
        "全年在门户网站发布各类信息{n1}条，其中政策文件{n2}件，政策解读{n3}篇。",
        "聚焦群众关注的民生事项，集中公开惠企政策、办事指南和重大项目进展，同步开展图文、视频等多种形式的政策解读。",
        "严格落实财政预决算公开要求，按时公开部门预算、决算和“三公”经费情况，主动回应社会关切。",
    )),
    ("（二）依申请公开情况。", (
        "畅通申请渠道，规范办理流程，严格按照法定时限答复。",
        "进一步规范依申请公开受理、审查、答复等环节，做到件件有登记、事事有回音，答复文书统一规范。",
        "完善依申请公开工作机制，对疑难申请组织法律顾问会商研判，有效防范行政复议和诉讼风险。",
        "安排专人负责网上申请、信函申请和当面申请的接收登记，全年未发生超期答复情况。",
    )),
    ("（三）政府信息管理情况。", (
        "完善信息发布审核机制，落实“三审三校”制度，动态更新政府信息公开目录。",
        "开展政策文件清理，对已失效、废止的文件及时标注，确保公开信息准确有效。",
        "严格落实公开前保密审查和合法性审查，全年未发生泄密和不当公开事件。",
        "按照政务公开标准目录要求梳理公开事项，实行清单化管理和动态调整。",
    )),
    ("（四）平台建设情况。", (
        "优化政府网站信息公开专栏设置，加强政务新媒体管理。",
        "对政府信息公开专栏进行改版，新增政策文件库和解读专区，提升栏目的易用性和检索功能。",
        "充分发挥政务微信公众号、政务微博的作用，全年推送信息{n1}条，扩大了政务信息的传播面。",
        "推进政务服务大厅政务公开专区建设，配备查阅终端，为群众查阅政府信息提供便利。",
    )),
    ("（五）监督保障情况。", (
        "将政务公开工作纳入年度考核，明确责任科室和工作人员。",
        "组织开展政务公开业务培训{n2}次，参训人员{n1}人次，干部队伍的公开意识和业务能力进一步增强。",
        "主动接受社会监督，畅通意见建议渠道，对群众反映的问题及时核实整改，全年未发生因政务公开引发的责任追究事项。",
        "建立政务公开工作季度通报制度，对栏目更新不及时等问题督促整改到位。",
    )),
)
_HIGHLIGHTS = (
    "此外，{we}组织开展“政府开放日”活动{n2}场，邀请人大代表、政协委员和群众代表走进机关，面对面听取意见建议。",
    "此外，{we}探索开展政策“简明问答”，将专业术语转化为群众看得懂的语言，累计发布问答{n3}条。",
    "此外，{we}建立重大决策预公开制度，对涉及群众切身利益的决策事项公开征求意见，并反馈意见采纳情况。",
    "此外，{we}推进基层政务公开标准化规范化，指导下属单位编制公开事项清单，实现应公开尽公开。",
)
_PROACTIVE_LEADS = (
    "{year}年，{we}主动公开政府信息情况如下。",
    "本年度主动公开政府信息的情况见下表（数据统计截至{year}年12月31日）。",
    "{we}主动公开政府信息的具体数据统计如下。",
)
_REQUEST_TAILS = (
    "所有申请均在法定期限内答复，未收取任何费用。",
    "对申请内容不明确的，一次性告知申请人补正，最大限度满足申请人的合理需求。",
    "申请事项主要涉及征地拆迁、规划建设和社会保障等领域。",
    "",
)
_APPEAL_TAILS = ("", "目前均已审结，未发生被纠错的情况。", "对复议、诉讼中发现的问题，已逐项分析原因并完善答复流程。")
_PROBLEMS = (
    "政策解读的形式还不够丰富", "部分栏目信息更新不够及时", "工作人员业务能力有待提升",
    "公开内容与群众需求的契合度有待提高", "基层政务公开发展还不平衡", "依申请公开答复的规范性还需加强",
    "政务新媒体互动回应不够及时", "公开平台的检索功能仍不完善",
)
_MEASURES = (
    "加强业务培训，提高工作人员的公开意识和业务水平", "完善信息发布机制，确保信息公开及时、准确、全面",
    "丰富政策解读形式，增强解读的可读性", "健全公众参与机制，扩大公开的覆盖面和影响力",
    "加强对基层政务公开工作的指导和督查", "规范依申请公开答复文书，严格落实法律审核",
    "强化政务新媒体日常监管和互动回应", "优化网站栏目和检索功能，方便群众查找信息",
)
_ORDINALS = ("一", "二", "三", "四")
_OTHER_ITEMS = (
    "无其他需要报告的事项。",
    "本年度{we}按要求完成了上级部署的政务公开工作要点各项任务。",
    "{we}人大代表建议和政协提案办理结果已全部按规定公开。",
)


def _varied_sections(rng: random.Random, agency: str, year: int, values: dict) -> dict[str, str]:
    """The six sections worded from the pools above. Every draw is made whatever the year or the values,
    so the same rng seed gives the same wording in another year (a text copied from last year)."""
    we = rng.choice(["本机关", "我局" if agency.endswith("局") else "本单位", "我单位"])
    nums = {"n1": rng.randint(80, 3000), "n2": rng.randint(2, 30), "n3": rng.randint(5, 120)}
    fill = dict(year=year, agency=agency, we=we, **nums)
    overview = [rng.choice(_OPENINGS).format(**fill)]
    for heading, pool in _PARAGRAPHS:
        overview.append(heading + rng.choice(pool).format(**fill))
    highlight = rng.choice(_HIGHLIGHTS).format(**fill)
    if rng.random() < 0.5:
        overview.append(highlight)
    items = _num(values, "legacy.proactive.items")
    if items is not None:
        overview[1] = f"（一）主动公开情况。全年通过政府信息公开平台主动公开政府信息{items}条。"
    proactive = rng.choice(_PROACTIVE_LEADS).format(**fill)
    nt = _num(values, "requests.new_received.total")
    if nt is None:
        nt = _num(values, "legacy.requests.received")
    ct, ft = _num(values, "requests.carried_over.total"), _num(values, "requests.carried_forward.total")
    req = f"{year}年，{we}"
    req += (f"共收到政府信息公开申请{nt}件" + (f"，上年结转{ct}件" if ct is not None else "") + "。"
            if nt is not None else "依法办理政府信息公开申请。")
    req += f"结转下年度继续办理{ft}件。" if ft is not None else ""
    req += rng.choice(_REQUEST_TAILS)
    rv = _num(values, "appeals.review.total") if "appeals.review.total" in values else _num(values, "legacy.appeals.reviews")
    lit_keys = ["appeals.litigation_direct.total", "appeals.litigation_after_review.total"]
    parts = [_num(values, k) for k in lit_keys] if all(k in values for k in lit_keys) else None
    lt = (None if None in parts else sum(parts)) if parts is not None else _num(values, "legacy.appeals.lawsuits")
    app = f"{year}年，{we}"
    app += f"因政府信息公开工作被申请行政复议{rv}件，" if rv is not None else "行政复议情况见下表，"
    app += f"被提起行政诉讼{lt}件。" if lt is not None else "行政诉讼情况见下表。"
    app += rng.choice(_APPEAL_TAILS)
    problems = rng.sample(_PROBLEMS, 3)
    measures = rng.sample(_MEASURES, 3)
    lead = rng.choice(["存在的主要问题：", "工作中还存在一些不足：", "对照新要求，仍存在以下问题："])
    text_p = lead + "；".join(f"{_ORDINALS[i]}是{p}" for i, p in enumerate(problems)) + "。"
    text_m = rng.choice(["改进措施：", "下一步，我们将：", "下一步工作打算："]) + "；".join(
        f"{_ORDINALS[i]}是{m}" for i, m in enumerate(measures)) + "。"
    charged, fee_amount = rng.random() >= 0.85, rng.randint(1, 40) * 100
    other_item = rng.choice(_OTHER_ITEMS).format(**fill)
    if year >= 2021:
        fee = _num(values, "proactive.fees.amount_yuan")
        other = (f"{year}年，{we}依据《政府信息公开信息处理费管理办法》收取信息处理费{fee_amount}元。"
                 if charged and fee is not None else f"{year}年，{we}未收取信息处理费。") + other_item
    else:
        other = other_item
    return {
        "overview": "\n".join(overview), "proactive": proactive, "requests": req, "appeals": app,
        "problems": text_p + "\n" + text_m, "other": other,
    }


# ---------------------------------------------------------------- generate

def _year_for(rng: random.Random, template: str) -> int:
    if template in ("2019", "2019_legacy"):
        return rng.choice([2019, 2020])
    if template == "2021":
        return rng.randint(2021, 2025)
    return rng.randint(2008, 2018)


def _options(rng: random.Random) -> dict:
    return {
        "title_style": rng.choice(["one_line", "one_line", "two_lines", "year_first"]),
        "change_style": rng.choice(["zh", "fullwidth", "ascii", "zh"]),
        "procurement_money": rng.choice(["wan_suffix", "yuan_suffix", "yuan_header", "wan_header", "bare"]),
        "legacy_money": rng.choice(["wan_unit", "yuan_unit"]),
        "legacy_channels": list(rng.choice(LEGACY_CHANNEL_SETS)),
        "legacy_tables": rng.choice(["split", "appendix"]),
        "nbsp_first": rng.random() < 0.3,
        "fullwidth_digits": False,
        "broken_labels": rng.random() < 0.5,
        "t2_split": rng.random() < 0.3,
        "t4_header_row": rng.choice([2, 3]),  # text dumps: where the 行政复议 headers appear
        "html_style": rng.choice(["one_table", "split_tables", "br_labels", "vertical_headers"]),
        "encoding": "gbk" if rng.random() < 0.25 else "utf-8",
        "intro": rng.random() < 0.6,
    }


def generate(seed: int, template: str, agency: str | None = None, region: str | None = None,
             year: int | None = None, inconsistencies: int = 0, carried_over: dict | None = None,
             prev_stock: dict | None = None, text_seed: int | None = None) -> ReportSpec:
    """A report for template "2019", "2021", "legacy" (or the hybrid "2019_legacy"), deterministic from seed.

    One report of an agency's series (replica.portals.world chains them): ``carried_over`` is last
    year's 结转下年度继续办理 per applicant (the previous spec's ``series["carried_forward"]``),
    ``prev_stock`` last year's 现行有效件数 per item (``series["in_force"]``), and ``text_seed`` words
    the sections from varied phrasings (the same seed as last year: a copied text). In a series the
    carry-over rows are never the cells broken by ``inconsistencies``, so the chain holds."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}; expected one of {TEMPLATES}")
    rng = random.Random(f"xxgk-report:{seed}:{template}")
    reg: Region | None = region_for(region) if region else None
    if region and reg is None:  # a region outside the pool: keep the caller's name
        reg = Region(region, region, "000000", "other")
    name, reg, is_gov = pick_agency(rng, reg)
    if agency:
        name = agency
        is_gov = agency.endswith("人民政府") or agency == government_name(reg)
    yr = year or _year_for(rng, template)
    options = _options(rng)
    # label and layout variants of real reports (formats-research.md 5.1, 6.4), from their own stream
    # so that adding one does not reshuffle the values of every seed
    vrng = random.Random(f"xxgk-variants:{seed}:{template}")
    options.update({
        "label_variants": vrng.random() < 0.3,
        "heading_variants": vrng.random() < 0.25,
        "t2_caption_space": vrng.random() < 0.2,
        "fullwidth_digits": vrng.random() < 0.1,
        "t3_single_other": template == "2021" and vrng.random() < 0.15,
        "blank_subtotals": template != "legacy" and vrng.random() < 0.1,
        "padded_values": vrng.random() < 0.15,
        "word_html": vrng.random() < 0.2,
    })
    values: dict = {}
    if template == "legacy":
        _legacy(rng, yr, values, options, full=True)
    else:
        if template == "2021":
            _proactive_2021(rng, is_gov, values, prev_stock)
        else:
            _proactive_2019(rng, is_gov, values, options["procurement_money"].startswith("wan"))
        # some 2021-format reports still print the single 2019 row （六）其他处理 (report-schema.md)
        _requests(rng, "2021" if template == "2021" and not options["t3_single_other"] else "2019", values, carried_over)
        if options["blank_subtotals"]:  # row totals left blank in the result rows, （七）总计 filled
            for k in list(values):
                row = k.split(".")[1]
                if k.startswith("requests.") and k.endswith(".total") and row not in (
                        "new_received", "carried_over", "handled_total", "carried_forward"):
                    values[k] = None
        _appeals(rng, values)
        if template == "2019_legacy":
            _legacy(rng, yr, values, options, full=False)
    full = dict(values)
    _blank_some(rng, values)
    if inconsistencies:
        ops = rule_operands(values)
        checkable = [r for r, (lft, rgt) in ops.items() if all(values[k] is not None for k in lft + rgt)]
        if len(checkable) < inconsistencies:  # blanks hide rules: print those operands after all
            for lft, rgt in ops.values():
                for k in lft + rgt:
                    values[k] = full[k]
    in_series = carried_over is not None or prev_stock is not None or text_seed is not None
    frozen = ("requests.carried_over.", "requests.carried_forward.", "proactive.") if in_series else ()
    broken = _break_rules(rng, values, inconsistencies, frozen) if inconsistencies else []
    expected = check_rules(values)
    raw = _print_values(rng, values, options)
    # departments publish by 31 January, governments by 31 March (the legal deadlines)
    last_day = dt.date(yr + 1, 3, 31) if is_gov else dt.date(yr + 1, 1, 31)
    published = dt.date(yr + 1, 1, 10) + dt.timedelta(days=rng.randint(0, (last_day - dt.date(yr + 1, 1, 10)).days))
    if options["title_style"] == "year_first" and not is_gov:  # "2020年X人民政府政府信息…" would be wrong
        title = f"{yr}年{name}政府信息公开工作年度报告"
    else:
        title = f"{name}{yr}年政府信息公开工作年度报告"
    return ReportSpec(
        seed=seed, template="2019" if template == "2019_legacy" else template, layout=template,
        agency=name, region=reg.name, region_code=reg.code, level=reg.level, is_government=is_gov,
        year=yr, published=published, title=title, values=values, raw=raw,
        sections=_sections(rng, name, yr, values) if text_seed is None else
        _varied_sections(random.Random(f"xxgk-text:{text_seed}"), name, yr, values),
        expected_issues=expected, options=options, broken=broken, series=_series(values, full, text_seed),
    )


def _series(values: dict, full: dict, text_seed: int | None) -> dict:
    """What next year's report continues from: the real figures, also where this report printed a blank."""
    def real(key):
        return values[key] if values.get(key) is not None else full.get(key)

    return {
        "carried_forward": {a: real(f"requests.carried_forward.{a}") for a in PARTS
                            if f"requests.carried_forward.{a}" in full},
        "in_force": {i: real(f"proactive.{i}.in_force") for i in ("regulations", "normative_documents")
                     if f"proactive.{i}.in_force" in full},
        "text_seed": text_seed,
    }
