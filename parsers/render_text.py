"""The readable form of a parse: metadata, the three tables laid out as the report prints them
(labels and numbers aligned, CJK characters counted double width), legacy values, then issues."""

from __future__ import annotations

import unicodedata

from parsers.keys import all_keys
from parsers.map_appeals import OUTCOMES, PROCEEDINGS
from parsers.map_requests import APPLICANTS

_APPLICANT_ZH = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
_OUTCOME_ZH = ("维持", "纠正", "其他", "未审结", "总计")
_PROCEEDING_ZH = ("行政复议", "诉讼(直接起诉)", "诉讼(复议后起诉)")


def width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def pad(s: str, w: int, right: bool = False) -> str:
    gap = " " * max(0, w - width(s))
    return gap + s if right else s + gap


def _num(v) -> str:
    if v is None:
        return "—"
    return str(v)


def render(result: dict) -> str:
    m = result["metadata"]
    values = {v["key"]: v for v in result["values"]}
    lines = [
        f"标题 title:      {m.get('title') or '—'}",
        f"机关 agency:     {m.get('agency') or '—'}",
        f"年度 year:       {m.get('year') or '—'}",
        f"发布 published:  {m.get('published') or '—'}",
        f"格式 template:   {m.get('template') or '—'}    format: {m.get('format')}",
    ]
    if m.get("url"):
        lines.append(f"URL:             {m['url']}")
    lines.append(f"values: {len(result['values'])}   unmapped cells: {len(result['cells'])}   "
                 f"issues: {len(result['issues'])}")
    lines += _proactive(values) + _requests(values) + _appeals(values) + _legacy(values) + _issues(result["issues"])
    return "\n".join(lines) + "\n"


def _proactive(values: dict) -> list[str]:
    keys = [k for k in all_keys() if k.startswith("proactive.") and k in values]
    if not keys:
        return []
    # blocks as printed: 第二十条第（X）项, a header of measures, one line per item
    blocks: dict[str, dict[str, list[str]]] = {}
    for k in keys:
        block, item, _ = all_keys()[k].zh.split("｜")
        blocks.setdefault(block, {}).setdefault(item, []).append(k)
    out = ["", "二、主动公开政府信息情况"]
    for block, items in blocks.items():
        measures = [all_keys()[k].zh.split("｜")[2].split(" (")[0].split(" / ")[0] for k in next(iter(items.values()))]
        lw = max(width(i) for i in [*items, "信息内容"])
        cw = [max(width(m), 8) for m in measures]
        out.append(f"  {block}")
        out.append("    " + pad("信息内容", lw) + "  " + "  ".join(pad(m, w, True) for m, w in zip(measures, cw, strict=False)))
        for item, ks in items.items():
            nums = [_num(values[k]["value"]) for k in ks]
            out.append("    " + pad(item, lw) + "  " + "  ".join(pad(n, w, True) for n, w in zip(nums, cw, strict=False)))
    return out


def _requests(values: dict) -> list[str]:
    rows = []
    for k in all_keys():
        if k.startswith("requests.") and k.endswith(".natural_person"):
            row = k.split(".")[1]
            if any(f"requests.{row}.{a}" in values for a in APPLICANTS):
                rows.append(row)
    if not rows:
        return []
    lw = 36
    cw = [max(width(h), 5) for h in _APPLICANT_ZH]
    out = ["", "三、收到和处理政府信息公开申请情况",
           "  " + pad("", lw) + " " + " ".join(pad(h, w, True) for h, w in zip(_APPLICANT_ZH, cw, strict=True))]
    group = None
    for r in rows:
        parts = all_keys()[f"requests.{r}.natural_person"].zh.split("｜")[:-1]
        g = parts[0] if len(parts) > 1 and parts[0].startswith("（") else None
        if g and g != group:
            out.append("  " + g)  # a group label with no numbers of its own
        group = g
        label = ("  " if g else "") + parts[-1]
        while width(label) > lw:
            label = label[:-1]
        nums = [_num(values[f"requests.{r}.{a}"]["value"]) if f"requests.{r}.{a}" in values else ""
                for a in APPLICANTS]
        out.append("  " + pad(label, lw) + " " + " ".join(pad(n, w, True) for n, w in zip(nums, cw, strict=True)))
    return out


def _appeals(values: dict) -> list[str]:
    if not any(k.startswith("appeals.") for k in values):
        return []
    cw = [max(width(h), 4) for h in _OUTCOME_ZH]
    out = ["", "四、政府信息公开行政复议、行政诉讼情况",
           "  " + pad("", 18) + " " + " ".join(pad(h, w, True) for h, w in zip(_OUTCOME_ZH, cw, strict=True))]
    for p, pz in zip(PROCEEDINGS, _PROCEEDING_ZH, strict=True):
        nums = [_num(values[f"appeals.{p}.{o}"]["value"]) if f"appeals.{p}.{o}" in values else "" for o in OUTCOMES]
        out.append("  " + pad(pz, 18) + " " + " ".join(pad(n, w, True) for n, w in zip(nums, cw, strict=True)))
    return out


def _legacy(values: dict) -> list[str]:
    keys = [k for k in all_keys() if k.startswith("legacy.") and k in values]
    if not keys:
        return []
    labels = {k: all_keys()[k].zh.split("（")[0] for k in keys}
    lw = min(max(width(x) for x in labels.values()), 40)
    out = ["", "统计指标 (legacy)"]
    for k in keys:
        unit = all_keys()[k].unit or ""
        out.append("  " + pad(labels[k][:30], lw) + " " + pad(_num(values[k]["value"]), 10, True) + " " + unit)
    return out


def _issues(issues: list[dict]) -> list[str]:
    if not issues:
        return ["", "issues: none"]
    out = ["", "issues:"]
    for i in issues:
        out.append(f"  [{i['severity']}] {i['rule']}: {i['message']}")
    return out
