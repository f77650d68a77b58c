"""Chinese first where a person reads: column headers, coded values (central -> 中央, county -> 县级) and
issue rules, each with the English identifier beside it. HTML only: JSON, CSV and SQL keep the stored
identifiers, so queries and downloads are unchanged.

Jinja filters (templates/_table.html, _facet_results.html, xxgk_search.html): ``zh_column(name)`` and
``zh_value(value, column)``; render_cell shows coded values the same way in table cells.
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from datasette import hookimpl

VALUE_ZH: dict[str, dict[str, str]] = {
    "level": {"central": "中央", "province": "省级", "prefecture": "地市级", "county": "县级",
              "township": "乡镇", "other": "其他"},
    "kind": {"government": "人民政府", "department": "部门"},
    "template": {"2019": "2019 版表格", "2021": "2021 版表格", "legacy": "旧版（2019 年前）"},
    "severity": {"error": "错误", "warning": "警告"},
    "parse_status": {"ok": "已解析", "no_tables": "无表格", "failed": "解析失败"},
    "origin": {"parse": "单份文件", "archive": "跨报告"},
    "role": {"listing": "列表页", "report": "报告页", "attachment": "附件", "robots": "robots", "other": "其他",
             "error": "错误", "page": "报告页"},
    "format": {},
}  # fmt: skip
# Rule ids by prefix (longest first wins): the kind of check in Chinese.
RULE_ZH = {
    "requests.balance": "收支平衡（新收+结转=办结+结转下年）",
    "requests.row_total": "行合计（总计=各列之和）",
    "requests.handled_sum": "办理结果合计",
    "appeals.sum": "复议诉讼合计",
    "cross_year": "跨年度不一致",
    "deadline": "逾期发布",
    "text.vs_table": "正文与表格不一致",
    "completeness": "内容缺失",
    "requests": "依申请公开校验",
    "appeals": "复议诉讼校验",
}
COLUMN_ZH = {
    "id": "编号", "report_id": "报告", "agency_id": "机关编号", "agency": "机关", "agency_name": "机关名称",
    "name": "名称", "source_id": "门户", "region": "地区", "region_code": "区划代码", "level": "层级",
    "kind": "类型", "parent_id": "上级机关", "year": "年度", "title": "标题", "template": "模板",
    "published": "发布日期", "url": "原文链接", "format": "格式", "sha256": "哈希", "capture_id": "存档",
    "page_capture_id": "存档页面", "previous_version_id": "上一版本", "is_latest": "最新版本",
    "parse_status": "解析状态", "parse_error": "解析错误", "error_count": "错误数", "warning_count": "警告数",
    "value_count": "数值个数", "overview": "总体情况", "proactive_text": "主动公开", "requests_text": "依申请公开",
    "appeals_text": "复议诉讼", "problems_text": "问题和改进", "other_text": "其他事项", "index_no": "索引号",
    "publisher": "发布机构", "doc_no": "文号", "fetched_at": "抓取时间", "parser_version": "解析器版本",
    "parsed_at": "解析时间", "applications_new": "本年新收申请", "applications_carried_over": "上年结转",
    "applications_received": "收到申请", "granted": "予以公开", "partially_granted": "部分公开",
    "withheld": "不予公开", "unavailable": "无法提供", "not_processed": "不予处理", "other_handling": "其他处理",
    "handled_total": "办理总计", "carried_forward": "结转下年", "reviews_total": "行政复议",
    "reviews_corrected": "复议纠正", "lawsuits_direct": "直接起诉", "lawsuits_after_review": "复议后起诉",
    "lawsuits_total": "行政诉讼", "lawsuits_corrected": "诉讼纠正", "fees_collected_yuan": "收费（元）",
    "previous_year_similarity": "与上年相似度", "key": "指标", "table_no": "表", "row_key": "行", "col_key": "列",
    "value": "数值", "raw": "原文", "unit": "单位", "cell": "单元格", "row": "行号", "col": "列号",
    "row_label": "行标签", "col_label": "列标签", "rule": "规则", "severity": "级别", "message": "说明",
    "left_value": "左边", "right_value": "右边", "origin": "来源", "other_report_id": "相关报告",
    "role": "角色", "is_primary": "主文件", "filename": "文件名", "error": "错误", "zh": "表格标签",
    "templates": "模板", "similarity": "相似度", "reports": "报告数", "family": "门户系统", "start_urls": "起始网址",
    "notes": "备注", "params": "参数", "started": "开始", "finished": "结束", "status": "状态", "sources": "门户",
    "stats": "统计", "run_id": "批次", "method": "方法", "content_type": "类型", "size": "大小",
    "warc_file": "WARC 文件", "warc_offset": "WARC 偏移", "warc_length": "WARC 长度", "record_type": "记录类型",
    "revisit_of": "重复自", "parent_url": "来源页面", "page_meta": "页面元数据", "etag": "ETag",
    "last_modified": "修改时间", "first_year": "首年", "last_year": "末年", "reviews": "行政复议",
    "lawsuits": "行政诉讼", "corrected": "纠正合计", "cases": "案件合计", "corrected_share": "纠正比例",
    "received_incl_carried_over": "收到申请（含结转）", "granted_pct": "公开比例 %", "difference": "差额",
}  # fmt: skip


# Longest prefix first; sorted once (rule_zh runs for every rule cell of a 1,000-row canned list).
RULE_PREFIXES = sorted(RULE_ZH, key=len, reverse=True)


@lru_cache(maxsize=4096)
def rule_zh(rule: str | None) -> str | None:
    if not rule:
        return None
    for prefix in RULE_PREFIXES:
        if rule == prefix or rule.startswith(prefix + "."):
            return RULE_ZH[prefix]
    return None


def zh_value(value, column: str | None = None) -> Markup:
    """'县级 county' for a coded value; the value itself otherwise."""
    return _zh_text("" if value is None else str(value), column)


@lru_cache(maxsize=4096)  # few distinct (value, column) pairs; Markup.format is ~50 us a call
def _zh_text(text: str, column: str | None) -> Markup:
    zh = rule_zh(text) if column == "rule" else VALUE_ZH.get(column or "", {}).get(text)
    if not zh:
        return escape(text)
    return Markup('{} <span class="xxgk-en">{}</span>').format(zh, text)


def zh_column(name: str) -> Markup:
    zh = COLUMN_ZH.get(name)
    if not zh:
        return escape(name)
    return Markup('{}<br><span class="xxgk-en">{}</span>').format(zh, name)


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["zh_value"] = zh_value
    env.filters["zh_column"] = zh_column


@hookimpl
def render_cell(value, column, table, database):
    if database != "archive" or not isinstance(value, str):
        return None
    if column == "rule" or (column in VALUE_ZH and value in VALUE_ZH[column] and column != "template"):
        out = zh_value(value, column)
        return out if str(out) != str(escape(value)) else None
    return None
