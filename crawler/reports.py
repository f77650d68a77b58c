"""Recognising annual reports by title, reading the 信息公开 metadata block, finding listing rows
and attachment links. Pure functions over text/HTML, shared by every spider.

Title rule (decided, see also tests/crawler/test_reports_rules.py):
- accept: a year (2008, 2021年度, 二〇二一年) + 信息公开 + 年度报告 / 年报 / 年度工作报告, e.g.
  "2021年政府信息公开工作年度报告", "XX局2020年度信息公开年报", "2019年政府信息公开年度报告（区教育局）".
- reject 政务公开 reports that do not say 信息公开 ("2021年政务公开工作年度报告"): they are work
  summaries, not the statutory report with the four tables.
- reject items that are about a report rather than the report: 指南, 目录, 通知, 意见, 公告, 图解,
  解读, 要点, 申请表, 征求, 考核, 报送, and 统计表-only items ("…年度报告统计表"), which repeat
  tables that the full report carries.
- a notice about a report ("关于《…2021年政府信息公开工作年度报告》的更正说明", "…年度报告补充说明",
  "关于…年度报告有关情况的说明", 勘误, 更正声明) is not a report either, but it is kept: it changes
  what the report says. ``title_kind`` tells the three apart (report, notice, neither).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from crawler.filenames import ATTACHMENT_EXTS

_CN_DIGITS = str.maketrans("〇零一二三四五六七八九○Ｏ０１２３４５６７８９", "00123456789000123456789")
_SKIP_WORDS = ("指南", "目录", "通知", "意见", "公告", "图解", "解读", "要点", "申请表", "征求", "考核",
               "报送", "统计表", "情况表", "一图读懂", "图读")
_REPORT_WORDS = ("年度报告", "年报", "年度工作报告")
YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")
_YEAR_ANY_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def normalize_title(title: str | None) -> str:
    if not title:
        return ""
    text = re.sub(r"\s+", "", str(title))
    return text.translate(_CN_DIGITS)


def title_year(title: str | None) -> int | None:
    text = normalize_title(title)
    m = YEAR_RE.search(text) or _YEAR_ANY_RE.search(text)
    return int(m.group(1)) if m else None


# Words of a notice correcting or completing a report; 更正/勘误 win over the skip words (a 更正通知
# or 更正公告 is still a correction), a closing 说明/声明 does not (an 解读说明 stays out).
_CORRECTION_WORDS = ("更正", "勘误", "纠错")
_NOTICE_RE = re.compile(r"(补充说明|补正说明|(?:的|情况|有关|事项)说明|声明)[)）]?$")
_NOTICE_SKIP = ("图解", "解读", "要点", "一图读懂", "图读", "指南", "目录")


def title_kind(title: str | None) -> str | None:
    """'report' (an annual report), 'notice' (a correction / supplement / explanation of one), or None."""
    text = normalize_title(title)
    if not text or "信息公开" not in text or not any(w in text for w in _REPORT_WORDS):
        return None
    if title_year(text) is None:
        return None
    if any(w in text for w in _CORRECTION_WORDS):
        return "notice"
    if _NOTICE_RE.search(text) and not any(w in text for w in _NOTICE_SKIP):
        return "notice"
    if any(w in text for w in _SKIP_WORDS):
        return None
    return "report"


def is_annual_report(title: str | None) -> bool:
    return title_kind(title) == "report"


def notice_kind(title: str | None) -> str:
    """correction (更正/勘误), supplement (补充说明) or explanation (其他说明): what a notice does."""
    text = normalize_title(title)
    if any(w in text for w in _CORRECTION_WORDS):
        return "correction"
    if "补充" in text or "补正" in text:
        return "supplement"
    return "explanation"


def names_disclosure_column(text: str | None) -> bool:
    """Link text naming a column worth walking (generic spider): 政府信息公开, 信息公开年报, 政务公开…

    Column names are short and carry no year; items (a 通知 about the 年报, a 2021 统计表) do."""
    t = normalize_title(text)
    if not t or len(t) > 16 or re.search(r"\d{4}", t):
        return False
    if any(w in t for w in ("通知", "意见", "公告", "解读", "图解", "申请", "指南", "统计表")):
        return False
    if not any(w in t for w in ("信息公开", "政务公开", "年报", "年度报告")):
        return False
    # a column is named by what it is (…信息公开, …年报, …专栏), not by a document (…制度, …流程)
    return t.endswith(("信息公开", "政务公开", "年报", "年度报告", "专栏", "目录", "公开", "栏目"))


# ---- dates ------------------------------------------------------------------------------------
_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def find_date(text: str | None) -> str | None:
    """First date in text as YYYY-MM-DD."""
    if not text:
        return None
    m = _DATE_RE.search(text.translate(_CN_DIGITS))
    if not m:
        return None
    y, mo, d = (int(x) for x in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


# ---- the 信息公开 metadata block --------------------------------------------------------------
META_KEYS = ("索引号", "发布机构", "成文日期", "发布日期", "文号", "主题分类")
_LABELS = {
    "索引号": "索引号", "索 引 号": "索引号",
    "发布机构": "发布机构", "发文机关": "发布机构", "发布机关": "发布机构", "发布单位": "发布机构",
    "信息来源": None, "来源": None,
    "成文日期": "成文日期", "成文时间": "成文日期", "生成日期": "成文日期", "发文日期": "成文日期",
    "发布日期": "发布日期", "发布时间": "发布日期", "公开日期": "发布日期", "公开时间": "发布日期",
    "文号": "文号", "发文字号": "文号", "文件编号": "文号",
    "主题分类": "主题分类", "分类": "主题分类", "主题": "主题分类", "信息分类": "主题分类",
    "名称": None, "标题": None, "主题词": None, "关键词": None, "浏览次数": None, "有效性": None,
    "公开方式": None, "公开范围": None, "体裁分类": None, "字体": None,
}
_LABEL_RE = re.compile(
    "(" + "|".join(sorted((re.escape(k).replace(r"\ ", r"\s*") for k in _LABELS), key=len, reverse=True))
    + r")\s*[:：]"
)
_BARE_LABEL_RE = re.compile(
    "^(" + "|".join(sorted((re.escape(k).replace(r"\ ", r"\s*") for k in _LABELS), key=len, reverse=True))
    + r")\s*[:：]?$"
)
_DATE_KEYS = {"成文日期", "发布日期"}


def _label_key(label: str) -> str | None:
    return _LABELS.get(re.sub(r"\s+", "", label), _LABELS.get(label))


def _clean_value(key: str, value: str) -> str | None:
    value = value.strip(" ：:;；|")
    if not value:
        return None
    if key in _DATE_KEYS:
        return find_date(value) or value
    return value


def read_page_meta(doc) -> dict:
    """索引号, 发布机构, 成文日期, 发布日期, 文号, 主题分类 from the page's metadata block (first seen wins)."""
    meta: dict[str, str] = {}
    segs = _ordered_segments(doc)
    pending = None  # a label whose value is the next segment (table cell layout)
    for seg in segs:
        if pending is not None:
            if not _BARE_LABEL_RE.match(seg) and not _LABEL_RE.match(seg):
                value = _clean_value(pending, seg)
                if value and pending not in meta:
                    meta[pending] = value
                pending = None
                continue
            pending = None
        bare = _BARE_LABEL_RE.match(seg)
        if bare:
            pending = _label_key(bare.group(1))
            continue
        matches = list(_LABEL_RE.finditer(seg))
        if not matches or matches[0].start() > 0:
            continue
        for i, m in enumerate(matches):
            key = _label_key(m.group(1))
            end = matches[i + 1].start() if i + 1 < len(matches) else len(seg)
            raw = seg[m.end():end]
            if key is None:
                continue
            value = _clean_value(key, raw)
            if value is None and i == len(matches) - 1:
                pending = key
            elif value and key not in meta:
                meta[key] = value[:200]
    return {k: meta[k] for k in META_KEYS if k in meta}


def _ordered_segments(doc) -> list[str]:
    out: list[str] = []

    def walk(node):
        if not isinstance(node.tag, str):
            if node.tail and node.tail.strip():
                out.append(_squash(node.tail))
            return
        if node.tag in ("script", "style", "head", "title", "noscript"):
            if node.tail and node.tail.strip():
                out.append(_squash(node.tail))
            return
        if node.text and node.text.strip():
            out.append(_squash(node.text))
        for child in node:
            walk(child)
        if node.tail and node.tail.strip():
            out.append(_squash(node.tail))

    walk(doc)
    return out


def _squash(text: str) -> str:
    return re.sub(r"[\s\u3000\xa0]+", " ", text).strip()


def page_title(doc) -> str | None:
    for xp in ('//meta[@name="ArticleTitle"]/@content', "//h1//text()", '//*[contains(@class,"title")]//text()',
               "//title/text()"):
        vals = [v.strip() for v in doc.xpath(xp) if v and v.strip()]
        if vals:
            return _squash("".join(vals) if "text()" in xp and xp.startswith("//h1") else vals[0])
    return None


def parse_html(text: str, base_url: str | None = None):
    try:
        doc = lxml_html.document_fromstring(text or "<html></html>", base_url=base_url)
    except (ValueError, lxml_html.etree.ParserError):
        doc = lxml_html.document_fromstring("<html></html>")
    return doc


# ---- listing rows and links ------------------------------------------------------------------
@dataclass
class Link:
    url: str
    text: str
    date: str | None = None


def link_rows(doc, base_url: str) -> list[Link]:
    """Every <a href> with its title (title attribute, else text) and the date shown in its row."""
    rows, seen = [], set()
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:", "tel:")):
            continue
        url = urljoin(base_url, href).split("#", 1)[0]
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        text = _squash(a.get("title") or a.text_content() or "")
        if not text:
            text = _squash(a.get("alt") or "")
        date = None
        row = a
        for _ in range(3):  # the date sits in the same <li>/<tr>, at most a few levels up
            row = row.getparent()
            if row is None or sum(1 for _ in row.iter("a")) > 1:
                break  # past the row: an ancestor holding other links is the list, not this row
            date = find_date(row.text_content())
            if date or row.tag in ("li", "tr", "dd"):
                break
        key = (url, text)
        if key in seen:
            continue
        seen.add(key)
        rows.append(Link(url=url, text=text, date=date))
    return rows


_CHROME_XPATH = (
    "ancestor::nav|ancestor::header|ancestor::footer|ancestor::*[@id='header' or @id='footer' or @id='nav'"
    " or contains(concat(' ', normalize-space(@class), ' '), ' nav ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' menu ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' header ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' footer ')]"
)
_DOWNLOAD_HINTS = ("downfile", "download", "wbfileid", "/attach/", "/attachment/", "fileid=", "getfile")


def attachment_links(doc, base_url: str) -> list[Link]:
    """File links of a report page: by extension, by download-handler URL, or by link text naming a file."""
    found: dict[str, Link] = {}
    # The whole page minus site chrome: attachments often sit after the body container, not in it.
    anchors = [a for a in doc.iter("a") if not a.xpath(_CHROME_XPATH)]
    for a in anchors:
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        url = urljoin(base_url, href).split("#", 1)[0]
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        text = _squash(a.get("alt") or a.get("title") or a.text_content() or "")
        path = urlsplit(url).path.lower()
        page_like = path.endswith((".html", ".htm", ".shtml"))
        by_ext = path.endswith(ATTACHMENT_EXTS)
        by_handler = any(h in url.lower() for h in _DOWNLOAD_HINTS)
        by_text = text.lower().endswith(ATTACHMENT_EXTS)
        if (by_ext or ((by_handler or by_text) and not page_like)) and url not in found:
            found[url] = Link(url=url, text=text)
    return list(found.values())
