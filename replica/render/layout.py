"""The report as blocks every renderer draws: paragraphs and tables of labelled cells with spans.

Tables follow the national templates cell by cell (formats-research.md sections 1.2-1.5 and 4.1):
merged cells carry rowspan/colspan, a value cell carries its canonical key. Renderers differ
only in how they draw a cell, never in what the table holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from replica.reports import OTHER_2019, OTHER_2021, PARTS, ReportSpec

STYLES = ("one_table", "split_tables", "br_labels", "vertical_headers", "word_html")


@dataclass
class LCell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    key: str | None = None  # the canonical key of a value cell
    header: bool = False
    bottom: bool = False  # text dumps: a vertically merged cell whose text shows in its last row


@dataclass
class LTable:
    name: str  # t2 | t3 | t4 | legacy
    ncols: int
    rows: list[list[LCell]]
    widths: list[float] = field(default_factory=list)  # relative column widths

    def slots(self) -> list[list[tuple[LCell, bool]]]:
        """Per row, (cell, starts_here) for every grid slot, in column order."""
        grid: list[list[tuple[LCell, bool] | None]] = [[None] * self.ncols for _ in self.rows]
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while c < self.ncols and grid[r][c] is not None:
                    c += 1
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        if r + dr < len(grid) and c + dc < self.ncols:
                            grid[r + dr][c + dc] = (cell, dr == 0 and dc == 0)
                c += cell.colspan
        return [[s for s in line if s is not None] for line in grid]

    def positions(self) -> list[list[tuple[int, LCell]]]:
        """Per row, (grid column, cell) of the cells that start in that row."""
        out: list[list[tuple[int, LCell]]] = []
        taken: set[tuple[int, int]] = set()
        for r, row in enumerate(self.rows):
            line = []
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                line.append((c, cell))
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken.add((r + dr, c + dc))
                c += cell.colspan
            out.append(line)
        return out


@dataclass
class Para:
    text: str
    kind: str = "body"  # title | heading | subheading | body | signature | intro


Block = Para | LTable

BREAKS = {
    "本年新制作数量": "本年新\n制作数量", "本年新公开数量": "本年新\n公开数量", "对外公开总数量": "对外公开\n总数量",
    "上一年项目数量": "上一年\n项目数量", "处理决定数量": "处理决\n定数量", "本年制发件数": "本年制\n发件数",
    "本年废止件数": "本年废\n止件数", "现行有效件数": "现行有\n效件数", "商业企业": "商业\n企业", "科研机构": "科研\n机构",
    "社会公益组织": "社会公\n益组织", "法律服务机构": "法律服\n务机构", "采购项目数量": "采购项\n目数量",
    "本年处理决定数量": "本年处理\n决定数量",
}

NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
REQUEST_LABELS = {
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "withheld_state_secret": "1.属于国家秘密", "withheld_law_prohibited": "2.其他法律行政法规禁止公开",
    "withheld_security_stability": "3.危及“三安全一稳定”", "withheld_third_party": "4.保护第三方合法权益",
    "withheld_internal_affairs": "5.属于三类内部事务信息", "withheld_process_info": "6.属于四类过程性信息",
    "withheld_enforcement_file": "7.属于行政执法案卷", "withheld_admin_query": "8.属于行政查询事项",
    "unavailable_not_held": "1.本机关不掌握相关政府信息", "unavailable_needs_creation": "2.没有现成信息需要另行制作",
    "unavailable_still_unclear": "3.补正后申请内容仍不明确",
    "not_processed_petition": "1.信访举报投诉类申请", "not_processed_repeat": "2.重复申请",
    "not_processed_publication": "3.要求提供公开出版物", "not_processed_excessive": "4.无正当理由大量反复申请",
    "not_processed_confirmation": "5.要求行政机关确认或重新出具已获取信息",
    "other_handling": "（六）其他处理",
    "other_no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_fee_unpaid": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_misc": "3.其他",
}
LABEL_VARIANTS = {
    "一、本年新收政府信息公开申请数量": "一、本年新收到政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量": "二、上年转结政府信息公开申请数量",
    "四、结转下年度继续办理": "四、转结下年度继续办理",
    "（三）不予公开": "(三)不予公开", "（四）无法提供": "(四)无法提供", "（五）不予处理": "(五)不予处理",
    "其他": "其他组织",
}
HEADING_VARIANTS = {
    "三、收到和处理政府信息公开申请情况": "三、依申请公开情况",
    "四、政府信息公开行政复议、行政诉讼情况": "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
    "五、存在的主要问题及改进情况": "五、政府信息公开工作存在的主要问题及改进情况",
}


def variant_label(text: str) -> str:
    """A label as some publishers print it: 本年新收到, 上年转结, 1、 for 1., (三) for （三）, straight quotes."""
    text = LABEL_VARIANTS.get(text, text)
    if len(text) > 2 and text[0].isdigit() and text[1] == ".":
        text = text[0] + "、" + text[2:]
    return text.replace("“", '"').replace("”", '"')


GROUPS = (  # (group label, its item rows)
    ("（三）不予公开", ("withheld_state_secret", "withheld_law_prohibited", "withheld_security_stability",
                   "withheld_third_party", "withheld_internal_affairs", "withheld_process_info",
                   "withheld_enforcement_file", "withheld_admin_query")),
    ("（四）无法提供", ("unavailable_not_held", "unavailable_needs_creation", "unavailable_still_unclear")),
    ("（五）不予处理", ("not_processed_petition", "not_processed_repeat", "not_processed_publication",
                   "not_processed_excessive", "not_processed_confirmation")),
)


class Builder:
    def __init__(self, spec: ReportSpec, flags: set[str]):
        self.spec = spec
        self.flags = flags
        self.broken = "br_labels" in flags

    def lab(self, text: str) -> str:
        if self.spec.options.get("label_variants"):
            text = variant_label(text)
        if self.spec.options.get("t2_caption_space") and text.startswith("第二十条第"):
            text = text.replace("第二十条第", "第二十条 第")
        return BREAKS.get(text, text) if self.broken else text

    def h(self, text: str, **kw) -> LCell:
        return LCell(self.lab(text), header=True, **kw)

    def v(self, key: str, **kw) -> LCell:
        return LCell(self.spec.raw.get(key, ""), key=key, **kw)

    # ------------------------------------------------------------ table 二
    def t2_blocks(self) -> list[list[list[LCell]]]:
        """Table 二 as blocks of rows (a caption row, a header row, item rows), on a 4-column grid."""
        s = self.spec
        if s.template == "2021":
            blocks = [
                ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"],
                 [("规章", "regulations"), ("行政规范性文件", "normative_documents")], ["issued", "repealed", "in_force"]),
                ("第二十条第（五）项", ["本年处理决定数量"], [("行政许可", "licensing")], ["decisions"]),
                ("第二十条第（六）项", ["本年处理决定数量"], [("行政处罚", "penalty"), ("行政强制", "coercion")], ["decisions"]),
                ("第二十条第（八）项", ["本年收费金额（单位：万元）"], [("行政事业性收费", "fees")], ["amount_yuan"]),
            ]
        else:
            money = {"yuan_header": "采购总金额（元）", "wan_header": "采购总金额（万元）"}.get(
                s.options["procurement_money"], "采购总金额")
            blocks = [
                ("第二十条第（一）项", ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
                 [("规章", "regulations"), ("规范性文件", "normative_documents")],
                 ["new_made", "new_published", "total_published"]),
                ("第二十条第（五）项", ["上一年项目数量", "本年增/减", "处理决定数量"],
                 [("行政许可", "licensing"), ("其他对外管理服务事项", "other_services")], ["prev_items", "change", "decisions"]),
                ("第二十条第（六）项", ["上一年项目数量", "本年增/减", "处理决定数量"],
                 [("行政处罚", "penalty"), ("行政强制", "coercion")], ["prev_items", "change", "decisions"]),
                ("第二十条第（八）项", ["上一年项目数量", "本年增/减"], [("行政事业性收费", "fees")], ["prev_items", "change"]),
                ("第二十条第（九）项", ["采购项目数量", money], [("政府集中采购", "centralized_procurement")],
                 ["projects", "amount_yuan"]),
            ]
        out = []
        for caption, heads, items, measures in blocks:
            spans = [1] * len(heads)
            spans[-1] = 4 - len(heads)  # the last column takes what is left of the 4-column grid
            rows = [[self.h(caption, colspan=4)],
                    [self.h("信息内容")] + [self.h(t, colspan=sp) for t, sp in zip(heads, spans, strict=True)]]
            for label, item in items:
                rows.append([self.h(label)] + [self.v(f"proactive.{item}.{m}", colspan=sp)
                                               for m, sp in zip(measures, spans, strict=True)])
            out.append(rows)
        return out

    def t2(self) -> list[LTable]:
        blocks = self.t2_blocks()
        widths = [3, 2, 2, 2]
        if "split_tables" in self.flags:
            return [LTable("t2", 4, rows, widths) for rows in blocks]
        return [LTable("t2", 4, [r for rows in blocks for r in rows], widths)]

    # ------------------------------------------------------------ table 三
    def t3(self) -> LTable:
        s = self.spec
        rows: list[list[LCell]] = [
            [self.h(NOTE, rowspan=3, colspan=3), self.h("申请人情况", colspan=7)],
            [self.h("自然人", rowspan=2), self.h("法人或其他组织", colspan=5), self.h("总计", rowspan=2)],
            [self.h(t) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")],
        ]

        def vals(row: str) -> list[LCell]:
            return [self.v(f"requests.{row}.{a}") for a in (*PARTS, "total")]

        others = OTHER_2021 if s.template == "2021" and not s.options.get("t3_single_other") else OTHER_2019
        n_results = 2 + sum(len(items) for _, items in GROUPS) + (len(others) if len(others) > 1 else 1) + 1
        rows.append([self.h("一、本年新收政府信息公开申请数量", colspan=3)] + vals("new_received"))
        rows.append([self.h("二、上年结转政府信息公开申请数量", colspan=3)] + vals("carried_over"))
        rows.append([self.h("三、本年度办理结果", rowspan=n_results), self.h(REQUEST_LABELS["granted"], colspan=2)]
                    + vals("granted"))
        rows.append([self.h(REQUEST_LABELS["partially_granted"], colspan=2)] + vals("partially_granted"))
        groups = list(GROUPS)
        if len(others) > 1:
            groups.append(("（六）其他处理", others))
        for label, items in groups:
            for i, item in enumerate(items):
                head = [self.h(label, rowspan=len(items))] if i == 0 else []
                rows.append(head + [self.h(REQUEST_LABELS[item])] + vals(item))
            if label == "（五）不予处理" and len(others) == 1:
                rows.append([self.h(REQUEST_LABELS["other_handling"], colspan=2)] + vals("other_handling"))
        rows.append([self.h("（七）总计", colspan=2)] + vals("handled_total"))
        rows.append([self.h("四、结转下年度继续办理", colspan=3)] + vals("carried_forward"))
        return LTable("t3", 10, rows, [1.2, 1.6, 3.2] + [1] * 7)

    # ------------------------------------------------------------ table 四
    def t4(self) -> LTable:
        vertical = "vertical_headers" in self.flags
        bottom = self.spec.options.get("t4_header_row") == 3

        def out(t: str, **kw) -> LCell:
            return LCell("\n".join(t) if vertical else t, header=True, **kw)

        outcomes = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
        rows = [
            [self.h("行政复议", colspan=5), self.h("行政诉讼", colspan=10)],
            [out(t, rowspan=2, bottom=bottom) for t in outcomes]
            + [self.h("未经复议直接起诉", colspan=5), self.h("复议后起诉", colspan=5)],
            [out(t) for t in outcomes * 2],
            [self.v(f"appeals.{p}.{o}") for p in ("review", "litigation_direct", "litigation_after_review")
             for o in ("upheld", "corrected", "other", "pending", "total")],
        ]
        return LTable("t4", 15, rows, [1] * 15)

    # ------------------------------------------------------------ legacy 统计指标 tables
    def legacy_rows(self, part: str) -> list[tuple[str, str, str | None]]:
        """(label, unit, key) rows of one part of the national statistics form; keys absent from the spec are left out."""
        s = self.spec
        money_unit = "万元" if s.options.get("legacy_money") == "wan_unit" else "元"
        ind, ind2 = "　　", "　　　　"
        rows: list[tuple[str, str, str | None]] = []

        def group(label: str, items: list[tuple[str, str, str]]) -> None:
            present = [(lab, unit, f"legacy.{key}") for lab, unit, key in items if f"legacy.{key}" in s.values]
            if present:
                rows.append((label, "——", None))
                rows.extend(present)

        def numbered(items: list[tuple[str, str, str]], prefix: str = ind2) -> list[tuple[str, str, str]]:
            out, n = [], 0
            for lab, unit, key in items:
                if f"legacy.{key}" not in s.values:
                    continue
                if lab.startswith("其中："):
                    out.append((prefix + "　　" + lab, unit, key))
                else:
                    n += 1
                    out.append((f"{prefix}{n}.{lab}", unit, key))
            return out

        if part == "proactive":
            group("一、主动公开情况", [
                (ind + "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "proactive.items"),
                (ind2 + "其中：主动公开规范性文件数", "条", "proactive.normative_documents_published"),
                (ind2 + "制发规范性文件总数", "件", "proactive.normative_documents_issued"),
            ])
            chans = numbered([("政府公报公开政府信息数", "条", "proactive.via_gazette"),
                              ("政府网站公开政府信息数", "条", "proactive.via_website"),
                              ("政务微博公开政府信息数", "条", "proactive.via_weibo"),
                              ("政务微信公开政府信息数", "条", "proactive.via_wechat"),
                              ("其他方式公开政府信息数", "条", "proactive.via_other")])
            if chans:
                rows.append((ind + "（二）通过不同渠道和方式公开政府信息的情况", "——", None))
                rows.extend((a, b, f"legacy.{c}") for a, b, c in chans)
            if "legacy.response.hot_topics" in s.values:
                rows.append(("二、回应解读情况", "——", None))
                rows.append((ind + "（一）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次）", "次",
                             "legacy.response.hot_topics"))
                rows.append((ind + "（二）通过不同渠道和方式回应解读的情况", "——", None))
                rows.extend((a, b, f"legacy.{c}") for a, b, c in numbered([
                    ("参加或举办新闻发布会总次数", "次", "response.press_conferences"),
                    ("其中：主要负责同志参加新闻发布会次数", "次", "response.press_conferences_by_head"),
                    ("政府网站在线访谈次数", "次", "response.online_interviews"),
                    ("其中：主要负责同志参加政府网站在线访谈次数", "次", "response.online_interviews_by_head"),
                    ("政策解读稿件发布数", "篇", "response.interpretations"),
                    ("微博微信回应事件数", "次", "response.weibo_wechat"),
                    ("其他方式回应事件数", "次", "response.other_channels")]))
        elif part == "requests" and "legacy.requests.received" in s.values:
            labels = {"in_person": "当面申请数", "by_fax": "传真申请数", "online": "网络申请数",
                      "by_email": "电子邮件申请数", "by_letter": "信函申请数", "by_letter_or_fax": "信函、传真申请数",
                      "other_channels": "其他形式申请数"}
            rows.append(("三、依申请公开情况", "——", None))
            rows.append((ind + "（一）收到申请数", "件", "legacy.requests.received"))
            rows.extend((a, b, f"legacy.{c}") for a, b, c in numbered(
                [(labels[c], "件", f"requests.{c}") for c in s.options["legacy_channels"]]))
            rows.append((ind + "（二）申请办结数", "件", "legacy.requests.completed"))
            rows.extend((a, b, f"legacy.{c}") for a, b, c in numbered(
                [("按时办结数", "件", "requests.completed_on_time"), ("延期办结数", "件", "requests.completed_extended")]))
            rows.append((ind + "（三）申请答复数", "件", "legacy.requests.answered"))
            rows.extend((a, b, f"legacy.{c}") for a, b, c in numbered([
                ("属于已主动公开范围数", "件", "requests.already_public"),
                ("同意公开答复数", "件", "requests.granted"),
                ("同意部分公开答复数", "件", "requests.partially_granted"),
                ("不同意公开答复数", "件", "requests.refused"),
                ("其中：涉及国家秘密", "件", "requests.refused_state_secret"),
                ("其中：涉及商业秘密", "件", "requests.refused_commercial_secret"),
                ("其中：涉及个人隐私", "件", "requests.refused_privacy"),
                ("其中：危及国家安全、公共安全、经济安全和社会稳定", "件", "requests.refused_security_stability"),
                ("其中：不是《条例》所指政府信息", "件", "requests.refused_not_gov_info"),
                ("其中：法律法规规定的其他情形", "件", "requests.refused_other_law"),
                ("不属于本行政机关公开数", "件", "requests.not_this_agency"),
                ("申请信息不存在数", "件", "requests.not_exist"),
                ("告知作出更改补充数", "件", "requests.told_to_amend"),
                ("告知通过其他途径办理数", "件", "requests.told_other_channel")]))
            rows.append(("四、依申请公开信息收取的费用", money_unit, "legacy.fees.collected_yuan"))
            rows.append(("五、依申请公开信息减免的费用", money_unit, "legacy.fees.waived_yuan"))
        elif part == "appeals" and "legacy.appeals.reviews" in s.values:
            for n, (block, title, upheld, corrected) in enumerate((
                    ("reviews", "行政复议数量", "维持具体行政行为数", "被依法纠错数"),
                    ("lawsuits", "行政诉讼数量", "维持具体行政行为或者驳回原告诉讼请求数", "被依法纠错数"),
                    ("complaints", "举报投诉数量", "维持具体行政行为数", "被纠错数"))):
                rows.append((f"{'六七八'[n]}、{title}", "件", f"legacy.appeals.{block}"))
                rows.append((ind + "（一）" + upheld, "件", f"legacy.appeals.{block}_upheld"))
                rows.append((ind + "（二）" + corrected, "件", f"legacy.appeals.{block}_corrected"))
                rows.append((ind + "（三）其他情形数", "件", f"legacy.appeals.{block}_other"))
        elif part == "org":
            rows.append(("九、机构建设和保障经费情况", "——", None))
            rows.append((ind + "（一）政府信息公开工作专门机构数", "个", "legacy.org.dedicated_units"))
            rows.append((ind + "（二）设置政府信息公开查阅点数", "个", "legacy.org.reading_points"))
            rows.append((ind + "（三）从事政府信息公开工作人员数", "人", "legacy.org.staff"))
            rows.append((ind2 + "1.专职人员数（不包括政府公报及政府网站工作人员数）", "人", "legacy.org.staff_full_time"))
            rows.append((ind2 + "2.兼职人员数", "人", "legacy.org.staff_part_time"))
            rows.append((ind + "（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）",
                         money_unit, "legacy.org.budget_yuan"))
            rows.append(("十、政府信息公开会议和培训情况", "——", None))
            rows.append((ind + "（一）召开政府信息公开工作会议或专题会议数", "次", "legacy.training.meetings"))
            rows.append((ind + "（二）举办各类培训班数", "次", "legacy.training.courses"))
            rows.append((ind + "（三）接受培训人员数", "人次", "legacy.training.trainees"))
        return [r for r in rows if r[2] is None or r[2] in s.values]

    def legacy_table(self, parts: list[str]) -> LTable | None:
        body = [r for p in parts for r in self.legacy_rows(p)]
        if not body:
            return None
        rows = [[self.h("统　计　指　标"), self.h("单位"), self.h("统计数")]]
        for label, unit, key in body:
            rows.append([LCell(label, header=True), LCell(unit), self.v(key) if key else LCell("")])
        return LTable("legacy", 3, rows, [7, 1.2, 1.5])

    # ------------------------------------------------------------ document
    def blocks(self) -> list[Block]:
        s = self.spec
        y = s.year
        out: list[Block] = []
        if s.options.get("title_style") == "two_lines" and s.title.startswith(s.agency) and s.title != s.agency:
            out += [Para(s.agency, "title"), Para(s.title[len(s.agency):], "title")]
        else:
            out.append(Para(s.title, "title"))
        if s.options.get("intro"):
            contents = "" if s.layout == "legacy" else (
                "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
                "存在的主要问题及改进情况、其他需要报告的事项。")
            out.append(Para(
                f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制。{contents}"
                f"本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。如对本报告有疑问，请与{s.agency}办公室联系。",
                "intro"))

        def section(heading: str, key: str, tables: list[Block] | None = None) -> None:
            if s.options.get("heading_variants"):
                heading = HEADING_VARIANTS.get(heading, heading)
            out.append(Para(heading, "heading"))
            for line in s.sections[key].split("\n"):
                out.append(Para(line))
            out.extend(tables or [])

        if s.layout == "legacy":
            appendix = s.options.get("legacy_tables") == "appendix"

            def lt(parts: list[str]) -> list[Block]:
                t = self.legacy_table(parts)
                return [t] if t and not appendix else []

            section("一、概述", "overview")
            section("二、主动公开政府信息情况", "proactive", lt(["proactive"]))
            section("三、依申请公开政府信息情况", "requests", lt(["requests"]))
            section("四、因政府信息公开申请提起行政复议、行政诉讼的情况", "appeals", lt(["appeals"]))
            section("五、政府信息公开工作存在的主要问题及改进情况", "problems")
            section("六、其他需要报告的事项", "other", lt(["org"]))
            if appendix:
                out.append(Para(f"附件：{y}年政府信息公开情况统计表", "subheading"))
                t = self.legacy_table(["proactive", "requests", "appeals", "org"])
                if t:
                    out.append(t)
        else:
            t2: list[Block] = list(self.t2())
            if s.layout == "2019_legacy":
                t = self.legacy_table(["proactive"])
                t2 = [Para("1.不同渠道方式主动公开及回应解读总体情况", "subheading"), *([t] if t else []),
                      Para("2.主动公开政府信息具体情况", "subheading"), *t2]
            section("一、总体情况", "overview")
            section("二、主动公开政府信息情况", "proactive", t2)
            section("三、收到和处理政府信息公开申请情况", "requests", [self.t3()])
            section("四、政府信息公开行政复议、行政诉讼情况", "appeals", [self.t4()])
            n = "五"
            if s.layout == "2019_legacy":
                out.append(Para("五、机构建设及组织保障情况", "heading"))
                t = self.legacy_table(["org"])
                if t:
                    out.append(t)
                n = "六"
            section(f"{n}、存在的主要问题及改进情况", "problems")
            section(f"{'七' if n == '六' else '六'}、其他需要报告的事项", "other")
        p = s.published
        out.append(Para(s.agency, "signature"))
        out.append(Para(f"{p.year}年{p.month}月{p.day}日", "signature"))
        return out


def parse_style(spec: ReportSpec, fmt: str, style: str | None) -> set[str]:
    """Style flags: an explicit style string ("split_tables", "br_labels+gbk", ...) or the spec's own choice."""
    if style:
        flags = {t.strip() for t in style.replace(",", "+").split("+") if t.strip()}
        unknown = flags - set(STYLES) - {"gbk", "utf-8"}
        if unknown:
            raise ValueError(f"unknown style {sorted(unknown)}; expected {STYLES} (+gbk|utf-8)")
        return flags
    o = spec.options
    if fmt == "html":
        flags = {o["html_style"]}
        flags.add("gbk" if o["encoding"] == "gbk" else "utf-8")
        if o.get("word_html"):
            flags.add("word_html")
        return flags
    flags = {"split_tables" if o.get("t2_split") else "one_table"}
    if o.get("broken_labels"):
        flags.add("br_labels")
    return flags


def build(spec: ReportSpec, fmt: str, style: str | None = None) -> list[Block]:
    return Builder(spec, parse_style(spec, fmt, style)).blocks()

