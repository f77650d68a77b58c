"""Title, agency, year covered, publication date and the six narrative sections of a report."""

from __future__ import annotations

import re
from datetime import date

from parsers.document import Document
from parsers.labels import squash

SECTIONS = ("overview", "proactive", "requests", "appeals", "problems", "other")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]{1,2}[、.．]|第[一二三四五六七八九十]{1,2}部分)")
# a lower-level heading ("（二）主动公开"): a top-level one only in reports that number no "一、" headings
_SUB_HEADING = re.compile(r"^[(（][一二三四五六七八九十]{1,2}[)）]")
_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "0000123456789")
_DATE_LINE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$|^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$")
# the agency and the date on one closing line ("某某局 2022年1月20日"); a date with no day ("2022年1月")
_AGENCY_DATE = re.compile(r"^(.{2,30}?)(\d{4})年(\d{1,2})月(\d{1,2})日$")
_MONTH_LINE = re.compile(r"^\d{4}年\d{1,2}月$")
_ANY_DATE = re.compile(r"(\d{4})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})")
_YEAR = re.compile(r"((?:19|20)\d{2})年")
# the end year is often left out ("2022年1月1日至12月31日")
_PERIOD = re.compile(r"((?:19|20)\d{2})年0?1月0?1日(?:起)?(?:至|到|—|-|~)(?:((?:19|20)\d{2})年)?12月31日")
_TITLE_YEAR = re.compile(r"(?:(?:19|20)\d{2}|[〇零○Ｏ一二三四五六七八九]{4})\s*年度?")
# best first; "…工作情况的报告" and "…工作总结" are what some agencies call their annual report
_TITLE_WORDS = ("年度报告", "年报", "工作报告", "情况的报告", "情况报告", "工作总结")
_AGENCY_CUT = ("政府信息公开", "政务信息公开", "政务公开", "信息公开", "政府信息", "年度报告", "工作年度报告")
_SIGNATURE_END = ("局", "委", "厅", "办", "政府", "院", "会", "中心", "所", "处", "站", "室", "馆", "部", "署",
                  "街道", "镇", "乡", "委员会", "公司", "队", "办事处", "管委会", "集团")


def _cn_numeral_date(s: str) -> str:
    """二〇二一年一月二十二日 -> 2021年1月22日 (only called on short date-like lines)."""
    def number(m):
        t = m.group(0)
        if "十" in t:
            a, _, b = t.partition("十")
            return str((int(a.translate(_CN_DIGITS)) if a else 1) * 10 + (int(b.translate(_CN_DIGITS)) if b else 0))
        return t.translate(_CN_DIGITS)
    return re.sub(r"[〇零○Ｏ一二三四五六七八九十]+", number, s.replace("元月", "一月"))


def _iso(y, m, d) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except (TypeError, ValueError):
        return None


def section_of(heading: str) -> str | None:
    s = squash(heading)
    if "其他需要报告" in s or "其他事项" in s:
        return "other"
    if "问题" in s and ("改进" in s or "存在" in s or "不足" in s):
        return "problems"
    if "复议" in s or "诉讼" in s:
        return "appeals"
    if "依申请" in s or "收到和处理" in s or ("申请" in s and "公开" in s):
        return "requests"
    if "主动公开" in s:
        return "proactive"
    if "总体情况" in s or "概述" in s or "基本情况" in s or "概况" in s or "总体工作情况" in s or "基本工作情况" in s:
        return "overview"
    return None


def _is_heading(p: str) -> bool:
    s = squash(p)
    if len(s) > 40 or s.endswith(("。", "；", ";")):
        return False
    if _HEADING.match(s):
        return True
    # an unnumbered heading must be the whole line ("总体情况"), not a lead-in ("存在的主要问题：")
    return len(s) <= 14 and section_of(s) is not None and not s.endswith((":", "：", "。"))


# the end of a title broken over lines ("…政府信息" / "公开工作年度报告")
_TITLE_TAIL = re.compile(r"^(?:政府信息公开|信息公开|公开)?(?:工作)?(?:年度)?(?:报告|年报)$")
# a title line that cannot start a title: it goes on from the line above (the year, "年度", 关于…)
_TITLE_BARE = re.compile(r"^(?:(?:(?:19|20)\d{2}|[〇零○Ｏ一二三四五六七八九]{4})?年?度?)(?:政府|政务)?信息公开|^关于|^年度")
# a line ending in the year, or only a year word ("平潭综合实验区2020" / "年度政府信息公开…")
_TITLE_YEAR_END = re.compile(r"(?:(?:19|20)\d{2}|[〇零○Ｏ一二三四五六七八九]{4})(?:年度?)?$|^年度?$")
# the year printed under the title ("（2021年度）")
_TITLE_YEAR_BELOW = re.compile(r"^[（(]?(?:(?:19|20)\d{2}|[〇零○Ｏ一二三四五六七八九]{4})年度?[)）]?$")
_TITLE_LABEL = re.compile(r"^(?:标题|题名|文章标题|信息名称|名称)[:：]")
_CHROME = re.compile(r"[>»›]|当前位置|首页|您现在的位置|索引号|发布日期|来源[:：]")


def _title(paras: list[str]) -> str | None:
    head = []
    for p in paras[:15]:
        if _is_heading(p) and section_of(p):
            break
        head.append(p)
    best = None  # (rank, index, text): 年度报告 beats 工作报告 beats 年报
    for i, p in enumerate(head):
        s = _TITLE_LABEL.sub("", squash(p))  # a portal's 标题： field printed as a line
        if len(s) > 70 or _CHROME.search(s) or s.endswith(("。", "；", ":", "：")) or "，" in s or "如下" in s:
            continue
        rank = next((r for r, w in enumerate(_TITLE_WORDS) if w in s), None)
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, i, s)
    if best is None:
        return None
    _, i, s = best
    if s != squash(head[i]):
        return s  # the portal's 标题 field: the whole title
    if i + 1 < len(head) and not _YEAR.search(s):
        below = squash(head[i + 1])
        if _TITLE_YEAR_BELOW.match(below):
            s += below  # "…工作年度报告" / "（2021年度）"
    # a title printed in two or three paragraphs: join the lines above that it goes on from
    while i > 0:
        prev = squash(head[i - 1])
        if not prev or len(prev) > 40 or re.search(r"[。，,；;：:〔〕]", prev) or _CHROME.search(prev) \
                or any(w in prev for w in _TITLE_WORDS) or (_is_heading(prev) and section_of(prev)):
            break
        year_above = _TITLE_YEAR_END.search(prev) and not _YEAR.search(s)
        if not (_TITLE_TAIL.match(s) or _TITLE_BARE.match(s) or year_above):
            break
        i, s = i - 1, prev + s
    return s


_SITE_SUFFIX = re.compile(r"((?:年度报告|年报|报告|工作总结))[-—–－].{2,30}$")


def _from_hint(hint: str) -> str | None:
    """An HTML <title> or PDF title: drop the site name the page appends ("…报告_某某区人民政府")."""
    parts = [squash(p) for p in re.split(r"\s*[_|｜]\s*|\s+[-—]+\s+", hint) if squash(p)]
    for p in parts:
        if any(w in p for w in _TITLE_WORDS):
            # the site's name after a dash with no spaces ("…年度报告-沭阳县发改局")
            return _SITE_SUFFIX.sub(r"\1", p)
    return parts[0] if parts else None


def _agency_from_title(title: str) -> str | None:
    t = title
    if t.startswith("关于"):
        t = t[2:]
    m = _TITLE_YEAR.search(t)
    if m and m.start() > 0 and t[: m.start()].strip("【[（(「 "):
        cand = t[: m.start()]
        if any(w in cand for w in _TITLE_WORDS):
            # the year after the whole title ("…工作年度报告（2021年度）"): the agency is before its subject
            cut = min((cand.find(w) for w in _AGENCY_CUT if cand.find(w) > 0), default=-1)
            cand = cand[:cut] if cut > 0 else cand
    else:
        rest = t[m.end():] if m else t
        cut = min((rest.find(w) for w in _AGENCY_CUT if w in rest), default=-1)
        cand = rest[:cut] if cut > 0 else ""
    cand = cand.strip("（(）)《》“”\"、，, 【】[]「」")
    for tail in ("关于印发", "关于公布", "关于发布", "关于"):  # "某某办公室关于印发2021年…报告的通知"
        if cand.endswith(tail):
            cand = cand[: -len(tail)]
            break
    return cand or None


def _signature(paras: list[str]) -> tuple[str | None, str | None, set[int]]:
    """(agency, ISO date, indexes of those lines) from the closing lines: an agency line and a date line."""
    agency = published = None
    used: set[int] = set()
    offset = max(0, len(paras) - 8)
    tail = paras[offset:]
    for i in range(len(tail) - 1, -1, -1):
        s = squash(tail[i])
        if published is None:
            m = _DATE_LINE.match(s) or _DATE_LINE.match(_cn_numeral_date(s))
            if not m and len(s) <= 45:
                m2 = _AGENCY_DATE.match(s)
                if m2 and m2.group(1).endswith(_SIGNATURE_END) and not re.search(r"[。，,；;：:]", m2.group(1)):
                    published = _iso(*m2.groups()[1:])
                    if published:
                        agency = m2.group(1)
                        used.add(offset + i)
                        break
            if not m and _MONTH_LINE.match(s):
                # the month only: no publication date, but the line and the agency above it are the signature
                used.add(offset + i)
                a = squash(tail[i - 1]) if i else ""
                if a and len(a) <= 30 and not re.search(r"[。，,；;：:]", a) and a.endswith(_SIGNATURE_END):
                    agency = a
                    used.add(offset + i - 1)
                break
            if m:
                g = [x for x in m.groups() if x is not None]
                published = _iso(*g[:3])
                if published:
                    used.add(offset + i)
                    for j in range(i - 1, max(i - 3, -1), -1):
                        a = squash(tail[j])
                        if a and len(a) <= 30 and not re.search(r"[。，,；;：:]", a) and a.endswith(_SIGNATURE_END):
                            agency = a
                            used.add(offset + j)
                            break
                    break
    return agency, published, used


def _page_date(page_meta: dict) -> str | None:
    for name in ("发布日期", "成文日期", "发布时间", "公开日期", "日期"):
        v = page_meta.get(name)
        if v:
            m = _ANY_DATE.search(str(v))
            if m:
                iso = _iso(*m.groups())
                if iso:
                    return iso
    return None


def _year(title: str | None, paras: list[str], published: str | None) -> int | None:
    if title:
        for s in (title, _cn_numeral_date(title)):
            m = _YEAR.search(s)
            if m:
                return int(m.group(1))
    for p in paras:
        s = squash(p)
        if "12月31日" in s:
            m = _PERIOD.search(s)
            if m:
                return int(m.group(2) or m.group(1))
    if published:
        return int(published[:4]) - 1
    return None


def sections(paras: list[str], skip: set[int] = frozenset()) -> dict[str, str | None]:
    out: dict[str, list[str]] = {}
    current = None
    # with "一、…" part headings, "（一）主动公开" is a point of the overview, not the part: only numbered
    # headings start parts; without them, "（一）总体情况 … （六）其他需要报告的事项" are the parts
    top = sum(1 for n, p in enumerate(paras)
              if n not in skip and _HEADING.match(squash(p)) and _is_heading(p) and section_of(p)) >= 2
    for n, p in enumerate(paras):
        if n in skip:
            continue
        s = squash(p)
        sub = not top and bool(_SUB_HEADING.match(s)) and len(s) <= 40 and not s.endswith(("。", "；", ";"))
        if (_is_heading(p) or (sub and section_of(s))) and not (top and not _HEADING.match(s)):
            kind = section_of(p)
            numbered = bool(_HEADING.match(s)) or sub
            if numbered or (kind and kind not in out):
                current = kind if kind and kind not in out else None
                if current:
                    out[current] = []
                continue
        if current and p.strip():
            out[current].append(p.strip())
    # a heading with only tables under it is a present, empty section ("")
    return {k: ("\n".join(out[k]) if k in out else None) for k in SECTIONS}


def extract(doc: Document) -> dict:
    paras = [p for p in doc.paragraphs if p and p.strip()]
    title = _title(paras)
    if not title and doc.title_hint:
        title = _from_hint(doc.title_hint)
    if not title and doc.page_meta.get("标题"):
        title = squash(doc.page_meta["标题"])
    sig_agency, published, signature = _signature(paras)
    if published is None:
        published = _page_date(doc.page_meta)
    agency = _agency_from_title(title) if title else None
    agency = agency or sig_agency or (doc.page_meta.get("发布机构") or None)
    year = _year(title, paras, published)
    if year is not None and not 2000 <= year <= 2100:
        year = None
    return {"title": title, "agency": agency, "year": year, "published": published,
            "sections": sections(paras, signature), "page_meta": dict(doc.page_meta)}
