"""HTML reader: decode, find the report body inside the portal chrome, emit paragraphs and tables.

lxml does the parsing; BeautifulSoup only serves for encoding detection of undeclared pages
(UnicodeDammit) and as a fallback when lxml cannot make a tree of badly broken markup.
"""

from __future__ import annotations

import codecs
import json
import re

from lxml import etree

from parsers.document import Cell, Document, Table
from parsers.errors import UnreadableDocument
from parsers.readers import limits
from parsers.readers.tables import LAYOUT_CELL_CHARS, flatten_table_text, is_layout_table

# Containers of the report body on the portal families (platforms.md), most specific first:
# ("id" | "class", name, tag or None).
BODY_CONTAINERS = (
    ("class", "TRS_Editor", None), ("class", "TRS_UEDITOR", None), ("id", "UCAP-CONTENT", None),
    ("id", "ivs_content", None), ("class", "Article_content", None), ("class", "v_news_content", None),
    ("id", "vsb_content", None), ("id", "vsb_content_2", None), ("class", "news_cont_d_wrap", None),
    ("id", "zoom", None), ("class", "bt-content", None), ("class", "main-txt", None), ("class", "artile_zw", None),
    ("class", "Custom_UnionStyle", None), ("class", "content", "div"), ("class", "article-content", None),
    ("class", "article", None), ("id", "content", None),
)
_CONTAINER_RANK = {(kind, name): i for i, (kind, name, _tag) in enumerate(BODY_CONTAINERS)}
_CONTAINER_TAG = {(kind, name): tag for kind, name, tag in BODY_CONTAINERS}


def _scan(root) -> tuple[list, list]:
    """One pass over the page's elements (each costs a Python touch): the elements whose own text
    holds a metadata label (for page_meta, at most 200) and those matching BODY_CONTAINERS, best
    rank first (document order within a rank, for find_body)."""
    body = root.find("body")
    hits: list = []
    found = []
    search = _ANY_LABEL.search
    for el in (body if body is not None else root).iter(etree.Element):
        text = el.text
        if text and len(hits) < 200 and search(text):
            hits.append(el)
        if not el.attrib:  # most elements: no attributes at all
            continue
        ident, classes = el.get("id"), el.get("class")
        keys = [("id", ident.strip())] if ident else []
        if classes:
            keys.extend(("class", c) for c in classes.split())
        for key in keys:
            rank = _CONTAINER_RANK.get(key)
            if rank is not None and _CONTAINER_TAG[key] in (None, el.tag):
                found.append((rank, el))
    return hits, [el for _rank, el in sorted(found, key=lambda x: x[0])]


DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "select", "button",
             "svg", "canvas", "textarea")

BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd section article header footer main aside nav "
    "blockquote pre center form fieldset address figure figcaption hr caption tr body html".split()
)
TABLE_PARTS = frozenset(("thead", "tbody", "tfoot"))

META_LABELS = {
    "索引号": ("索引号", "信息索引号", "索取号"),
    "发布机构": ("发布机构", "发文机关", "发布单位", "公开机构", "发文单位"),
    "成文日期": ("成文日期", "生成日期", "成文时间"),
    "发布日期": ("发布日期", "发布时间", "公开日期", "公开时间"),
    "文号": ("文号", "发文字号"),
    "主题分类": ("主题分类", "分类"),  # gkmlpt and xxgk_table print a bare 分类
}
_ALIAS = {alias: key for key, aliases in META_LABELS.items() for alias in aliases}
# Labels that end a value in a one-line metadata strip ("发布日期：… 浏览次数：… 来源：…").
_STOP_LABELS = sorted(set(_ALIAS) | {"浏览次数", "来源", "字体", "分类", "名称", "主题词", "有效性", "访问量",
                                     "信息来源", "作者", "点击数", "时效"}, key=len, reverse=True)
_LABEL_RE = re.compile(
    "(" + "|".join(sorted(_ALIAS, key=len, reverse=True)) + r")\s*[:：]?\s*(.*?)"
    r"(?=\s{2,}|(?:" + "|".join(_STOP_LABELS) + r")\s*[:：]|$)",
    re.S,
)
_DATE_RE = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?")
_WS = re.compile(r"[ \t\r\n\f]+")  # HTML whitespace; NBSP and U+3000 are content
_ALL_WS = re.compile(r"[\s\u3000\xa0]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


# ---------------------------------------------------------------- decoding

def _norm_encoding(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in ("gb2312", "gbk", "x-gbk", "gb_2312-80", "gb_2312", "cp936", "ms936", "euc-cn", "gb18030", "x-euc-cn"):
        return "gb18030"  # the superset: GB2312 pages routinely contain GBK-only characters
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", content_type, re.I)
    return _norm_encoding(m.group(1)) if m else None


def decode(data: bytes, content_type: str | None = None) -> tuple[str, str, list[dict]]:
    """Return (text, encoding, issues): BOM, then header/meta (checked), then sniffing."""
    issues: list[dict] = []
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, "replace"), enc, issues
    declared = [e for e in (_charset_from_content_type(content_type), _meta_charset(data)) if e]
    for enc in declared:
        if enc.startswith("utf-16") or enc.startswith("utf-32"):
            try:
                return data.decode(enc), enc, issues
            except UnicodeDecodeError:
                continue
    # Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the page claims (GBK text is almost never
    # valid UTF-8); otherwise the declared encodings, checked strictly, then GB18030.
    try:
        text = data.decode("utf-8")
        if declared and declared[0] != "utf-8" and not data.isascii():
            issues.append(_issue("parse.encoding", "warning", f"page declares {declared[0]} but is UTF-8"))
        return text, "utf-8", issues
    except UnicodeDecodeError:
        pass
    for enc in [*declared, "gb18030"]:
        if enc == "utf-8":
            continue
        try:
            return data.decode(enc), enc, issues
        except (UnicodeDecodeError, LookupError):
            continue
    from bs4 import UnicodeDammit

    dammit = UnicodeDammit(data, ["gb18030", "utf-8", "big5"])
    if dammit.unicode_markup is not None and dammit.original_encoding:
        enc = dammit.original_encoding
        issues.append(_issue("parse.encoding", "warning", f"encoding guessed as {enc}; some characters may be wrong"))
        return dammit.unicode_markup, enc, issues
    issues.append(_issue("parse.encoding", "warning", "undecodable bytes replaced (decoded as GB18030)"))
    return data.decode("gb18030", "replace"), "gb18030", issues


def _meta_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:8192])
    return _norm_encoding(m.group(1).decode("ascii", "ignore")) if m else None


def _issue(rule: str, severity: str, message: str) -> dict:
    return {"rule": rule, "severity": severity, "message": message}


# ---------------------------------------------------------------- tree

def _parse_tree(text: str, issues: list[dict]):
    text = _XML_DECL.sub("", text, count=1).replace("\x00", "")
    # Plain etree elements: lxml.html's element classes cost a lookup per node touched.
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    root = None
    try:
        root = etree.fromstring(text.encode("utf-8"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        # libxml2 stops nesting at 256 levels and drops what lies deeper: say so
        issues.append(_issue("parse.deep_markup", "warning",
                             "markup nested deeper than the HTML parser allows (256 levels): the deeper part is lost"))
    body = root.find("body") if root is not None else None
    if body is None or (not len(body) and not (body.text or "").strip()):
        # lxml gave up or produced an empty body from broken markup: let html.parser re-serialise it.
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(text, "html.parser")
        if soup.get_text(strip=True):
            try:
                root = etree.fromstring(str(soup).encode("utf-8"), parser=parser)
                issues.append(_issue("parse.broken_markup", "warning", "markup repaired by html.parser"))
            except (etree.ParserError, etree.XMLSyntaxError, ValueError):
                pass
    return root


_STYLED = etree.XPath("//*[@style]")


# Whether the page can have an inline style that _HIDDEN matches, decided on its bytes lowered in C
# (a case-blind regex over the text, or a look at every styled element, cost as much as parsing the
# page, and Word's HTML styles every run): each "display"/"visibility" followed by ":" and
# "none"/"hidden" (whitespace: every character str's \s takes, in UTF-8, or an entity such as &nbsp;)
# that lies inside a tag that has a style attribute.
_WS_BYTES = (rb"(?:\s|[\x1c-\x1f]|\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]|\xe2\x81\x9f"
             rb"|\xe3\x80\x80|&[a-z0-9]+;)*")
_HIDING_VALUE = {b"display": re.compile(_WS_BYTES + rb":" + _WS_BYTES + rb"none"),
                 b"visibility": re.compile(_WS_BYTES + rb":" + _WS_BYTES + rb"hidden")}


def _may_hide(text: str) -> bool:
    """Whether an inline style can hide anything (a superset: _clean_tree then checks every styled
    element): see above; letters behind character references (&#...;), or the dotted/dotless i that
    re's IGNORECASE also takes for i, always may."""
    low = text.encode("utf-8", "surrogatepass").lower()
    if b"&#" in low or "\u0130".encode() in low or "\u0131".encode() in low:
        return True
    for word, value in _HIDING_VALUE.items():
        at = low.find(word)
        while at >= 0:
            end = at + len(word)
            if value.match(low, end):
                tag_start = low.rfind(b"<", 0, at)
                if tag_start > low.rfind(b">", 0, at) and b"style" in low[tag_start:at]:
                    return True
            at = low.find(word, end)
    return False


def _clean_tree(root, text: str | None = None) -> None:
    """Drop scripts, styles, form controls and elements hidden by an inline style. ``text``: the
    source, when given, tells whether any inline style can hide anything."""
    for el in list(root.iter(*DROP_TAGS)):
        _drop(el)
    if text is not None and not _may_hide(text):
        return
    for el in _STYLED(root):
        if _HIDDEN.search(el.get("style")):
            _drop(el)


def _drop(el) -> None:
    """Remove an element but keep its tail text."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _visible_len(text: str) -> int:
    """Characters that are not whitespace (str.split also splits on NBSP and U+3000)."""
    return sum(map(len, text.split()))


def _text_content(el) -> str:
    return "".join(el.itertext())


_STRING = etree.XPath("string()")


class _TextSizes:
    """Non-link text length of elements, computed when asked: find_body looks at a few elements
    only, and XPath string() concatenates a subtree's text in C (a Python walk over every element
    cost more than parsing the page)."""

    def __init__(self):
        self._memo: dict = {}

    def get(self, el, default: int = 0) -> int:
        n = self._memo.get(el)
        if n is None:
            n = self._memo[el] = self._size(el)
        return n

    __getitem__ = get

    @staticmethod
    def _size(el) -> int:
        if not isinstance(el.tag, str) or el.tag == "a" or next(el.iterancestors("a"), None) is not None:
            return 0  # link text is navigation, not content
        n = _visible_len(_STRING(el))
        for link in el.iter("a"):
            if next(link.iterancestors("a"), None) is None:  # a link inside a link counts once
                n -= _visible_len(_STRING(link))
        return n


def find_body(root, containers: list | None = None):
    """The element holding the report: a known container if it holds much of the page's text, else
    descend from <body> while one child holds most of the text and its siblings are only chrome.
    ``containers``: _scan's, when already found."""
    body = root.find("body")
    if body is None:
        body = root
    sizes = _TextSizes()
    total = sizes.get(body, 0)
    if total == 0:
        return body
    if containers is None:
        containers = _scan(root)[1]
    passing = [el for el in containers if sizes.get(el, 0) >= 0.4 * total]
    if passing:
        chosen = passing[0]
        # A container nested in the chosen one and holding most of its text is the tighter body
        # (a portal page pasted whole into #zoom brings its own header and footer along).
        inner = [el for el in passing[1:] if sizes.get(el, 0) >= 0.7 * sizes[chosen]
                 and any(a is chosen for a in el.iterancestors())]
        if inner:
            chosen = max(inner, key=lambda el: sum(1 for _ in el.iterancestors()))
        return chosen
    return _descend(body, sizes)


# Below these the text is paragraphs, not containers.
_LEAFISH = frozenset("p h1 h2 h3 h4 h5 h6 li dt dd span font a b strong em i u pre caption".split())
CHROME_MAX = 200  # non-link characters a sibling of the body may have (footer, metadata strip)


def _descend(el, sizes):
    while True:
        own = sizes.get(el, 0)
        children = sorted((c for c in el if isinstance(c.tag, str)), key=lambda c: sizes.get(c, 0), reverse=True)
        if own == 0 or not children:
            return el
        best, others = children[0], children[1:]
        if (sizes.get(best, 0) < 0.5 * own or best.tag in _LEAFISH
                or any(sizes.get(c, 0) >= CHROME_MAX for c in others)
                or any(c.tag in ("h1", "h2", "h3") and sizes.get(c, 0) for c in others)):
            return el  # several substantial parts, or the report's own heading: this is the body
        if best.tag == "table" and not _table_is_wrapper(best, sizes):
            return el
        el = best


def _table_is_wrapper(table, sizes) -> bool:
    """A layout table: one of its cells holds most of its text."""
    need = 0.7 * sizes.get(table, 0)
    # a cell's size is at most its text's length: only cells long enough are measured
    return any(len(_STRING(c)) >= need and sizes.get(c, 0) >= need for c in table.iter("td", "th"))


# ---------------------------------------------------------------- blocks

class _Blocks:
    def __init__(self, issues: list[dict]):
        self.tables_seen = False
        self.blocks: list = []
        self.buf: list[str] = []
        self.issues = issues

    def text(self, s: str | None) -> None:
        if s:
            self.buf.append(s)

    def flush(self) -> None:
        buf = self.buf
        if buf:
            # Indentation (U+3000, NBSP) is layout, not content, in a paragraph.
            para = _WS.sub(" ", "".join(buf)).strip(" \u3000\xa0")
            buf.clear()  # in place: walk holds a reference to it
            if para:
                self.blocks.append(para)

    def walk(self, el, depth: int = 0) -> None:
        if depth > 200:
            self.issues.append(_issue("parse.deep_markup", "warning", "markup nested deeper than 200 levels skipped"))
            return
        tag = el.tag  # not a str for a comment: then no table, br or block
        if tag == "table":
            self.flush()
            self.table(el, depth)
            return
        if tag == "br":
            self.flush()
            return
        block = tag in BLOCK_TAGS
        if block:
            self.flush()
        buf = self.buf
        text = el.text
        if text:
            buf.append(text)
        for child in el:
            self.walk(child, depth + 1)
            tail = child.tail
            if tail:
                buf.append(tail)
        if block:
            self.flush()

    def table(self, el, depth: int) -> None:
        for caption in el.iterchildren("caption"):  # often the table's heading ("三、收到和处理…")
            self.walk(caption, depth + 1)
        rows = _table_rows(el)
        if not rows:
            return
        ncells = sum(len(r) for r in rows)
        nested = next(el.iterdescendants("table"), None) is not None
        cells = None if ncells == 1 else [[_cell(c) for c in row] for row in rows]
        if (cells is None or any(len(c.text) > LAYOUT_CELL_CHARS for row in cells for c in row)
                or (nested and is_layout_table(_el_text_len(el), sum(_el_text_len(t) for t in el.iter("table")
                                                                       if t is not el)))):
            # Layout wrapper: read its cells as ordinary content.
            for row in rows:
                for cell in row:
                    self.walk_cell_content(cell, depth)
            return
        self.tables_seen = True
        table = Table(rows=cells)
        _clamp_spans(table)
        self.blocks.append(table)

    def walk_cell_content(self, cell_el, depth: int) -> None:
        self.flush()
        self.text(cell_el.text)
        for child in cell_el:
            self.walk(child, depth + 1)
            self.text(child.tail)
        self.flush()


def _el_text_len(el) -> int:
    return sum(_visible_len(t) for t in el.itertext())


def _table_rows(table) -> list[list]:
    """The tr elements of this table (not of nested tables), each as its list of td/th."""
    rows = []
    for child in table:
        tag = child.tag
        if tag == "tr":
            rows.append(child)
        elif tag in TABLE_PARTS:
            rows.extend(child.iterchildren("tr"))
    out = []
    for tr in rows[: limits.MAX_TABLE_ROWS]:
        cells = list(tr.iterchildren("td", "th"))[: limits.MAX_TABLE_COLS]
        if cells:
            out.append(cells)
    return out


def _span(value: str | None, default: int = 1) -> int:
    if not value:
        return default
    if value.isdigit():
        return min(int(value), limits.MAX_SPAN)
    m = re.match(r"\s*(\d+)", value)
    if not m:
        return default
    return min(int(m.group(1)), limits.MAX_SPAN)


def _cell(td) -> Cell:
    rowspan, colspan = td.get("rowspan"), td.get("colspan")
    return Cell(cell_text(td), _span(rowspan) if rowspan else 1, max(_span(colspan), 1) if colspan else 1)


_LINE_BREAKERS = BLOCK_TAGS | {"br", "table"}


def _blank(text: str | None) -> bool:
    """No line of its own: cell_text drops lines of HTML whitespace, NBSP and U+3000 only."""
    return not text or not text.strip(" \t\r\n\f\u3000\xa0")


def _one_line(text: str) -> str:
    """A cell's text that has no line break of its own: HTML whitespace collapsed, "" when blank."""
    text = _WS.sub(" ", text).strip(" ")
    return text if text.strip(" \u3000\xa0") else ""


def cell_text(td) -> str:
    """Cell text with <br> and block boundaries as "\\n"; nested tables flattened row by row."""
    if not len(td):  # the common case: plain text
        text = td.text
        if not text:
            return ""
        if text.isalnum():  # a number or a label without spaces: nothing to normalise
            return text
        return _one_line(text)
    if len(td) == 1:
        # Word's cell: one <p> of runs (<span>, <o:p>) and nothing that breaks a line: one line
        p = td[0]
        if p.tag == "p" and _blank(td.text) and _blank(p.tail):
            for el in p.iterdescendants():
                if el.tag in _LINE_BREAKERS:
                    break
            else:
                # serialised as text in C: itertext() or XPath string() cost several times more
                return _one_line(etree.tostring(p, method="text", encoding=str, with_tail=False))
    parts: list[str] = []

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag == "br":
            parts.append("\n")
            return
        if tag == "table":
            parts.append("\n" + flatten_table_text([[cell_text(c) for c in row] for row in _table_rows(el)]) + "\n")
            return
        block = tag in BLOCK_TAGS and el is not td
        if block:
            parts.append("\n")
        # Source line breaks are whitespace in HTML: only <br>, blocks and rows break a cell's lines.
        if el.text:
            parts.append(_WS.sub(" ", el.text))
        for child in el:
            walk(child)
            if child.tail:
                parts.append(_WS.sub(" ", child.tail))
        if block:
            parts.append("\n")

    walk(td)
    lines = (_WS.sub(" ", line).strip(" ") for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line.strip(" \u3000\xa0"))


def _clamp_spans(table: Table) -> None:
    """rowspan=0 means "to the end"; spans past the last row are cut there (as browsers do)."""
    n = len(table.rows)
    for r, row in enumerate(table.rows):
        for cell in row:
            if cell.rowspan <= 0 or r + cell.rowspan > n:
                cell.rowspan = n - r


# ---------------------------------------------------------------- page metadata

_ANY_LABEL = re.compile("|".join(r"[\s\u3000\xa0]*".join(alias) for alias in _ALIAS))


def _metas(root, names: tuple[str, ...], prop: str | None = None) -> list:
    """<meta> elements with one of these names (or this property), in document order."""
    return [el for el in root.iter("meta") if el.get("name") in names or (prop and el.get("property") == prop)]


def page_meta(root, hits: list | None = None) -> dict[str, str]:
    """The portal's metadata fields; ``hits``: _scan's label elements, when already found."""
    meta: dict[str, str] = {}
    ranks: dict[str, int] = {}
    if hits is None:
        hits = _scan(root)[0]
    for el in hits:
        own = _text_content(el)
        if len(own) > 300:
            own = el.text
        text = own.replace("\xa0", " ").replace("\u3000", " ")
        squeezed = re.sub(r"(?<=[\u4e00-\u9fff]) +(?=[\u4e00-\u9fff])", "", text)  # "索 引 号" -> "索引号"
        for m in _LABEL_RE.finditer(squeezed):
            key = _ALIAS[m.group(1)]
            rank = META_LABELS[key].index(m.group(1))
            if key in meta and ranks[key] <= rank:
                continue  # keep the first value found under the best label
            value = m.group(2).strip(" ：:\t\r\n")
            if not value:
                value = _value_after(el)
            value = _clean_meta_value(key, value)
            if value:
                meta[key] = value
                ranks[key] = rank
    if "发布日期" not in meta:
        for el in _metas(root, ("PubDate", "pubdate", "publishdate")):
            value = _clean_meta_value("发布日期", el.get("content") or "")
            if value:
                meta["发布日期"] = value
                break
    return meta


def meta_from_text(text: str, meta: dict[str, str] | None = None) -> dict[str, str]:
    """The portal metadata fields in a plain text ("索引号：… 发布日期：2023-01-20 …"): for the same
    block printed to PDF. Fields already in ``meta`` are kept."""
    meta = {} if meta is None else meta
    squeezed = re.sub(r"(?<=[\u4e00-\u9fff]) +(?=[\u4e00-\u9fff])", "", text.replace("\xa0", " ").replace("\u3000", " "))
    for m in _LABEL_RE.finditer(squeezed):
        key = _ALIAS[m.group(1)]
        value = _clean_meta_value(key, m.group(2).strip(" ：:\t\r\n"))
        if value and key not in meta:
            meta[key] = value
    return meta


def _value_after(el) -> str:
    """The value of a label element: its next sibling, or its parent's (label in a span inside a td)."""
    node = el
    for _ in range(3):
        nxt = node.getnext()
        if nxt is not None:
            return _ALL_WS.sub(" ", _text_content(nxt)).strip()
        if node.tail and node.tail.strip():
            return node.tail.strip()
        node = node.getparent()
        if node is None or node.tag in ("body", "table", "tr"):
            break
    return ""


def _clean_meta_value(key: str, value: str) -> str:
    value = _ALL_WS.sub(" ", value).strip(" ：:")
    if key in ("发布日期", "成文日期"):
        m = _DATE_RE.search(value)
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else ""
    if len(value) > 120 or any(label in value for label in ("索引号", "发布机构", "成文日期")):
        return ""
    return value


def title_hint(root) -> str | None:
    for el in _metas(root, ("ArticleTitle", "articletitle"), "og:title"):
        t = (el.get("content") or "").strip()
        if t:
            return t
    body = root.find("body")
    for tag in ("h1", "h2"):
        for el in (body if body is not None else root).iter(tag):
            t = _ALL_WS.sub(" ", _text_content(el)).strip()
            if t and len(t) <= 200:
                return t
    t = root.findtext(".//title")
    if t and t.strip():
        return _ALL_WS.sub(" ", t).strip()
    return None


# ---------------------------------------------------------------- entry point

def read(data: bytes, content_type: str | None = None) -> Document:
    if len(data) > limits.MAX_HTML_BYTES:
        raise UnreadableDocument(f"HTML page too large ({len(data)} bytes)")
    return limits.guarded("HTML", _read, data, content_type)


_DETAIL_CONTENT = re.compile(r"DETAIL\s*:\s*\{.*?[\"']?content[\"']?\s*:\s*\"((?:[^\"\\]|\\.)*)\"", re.S)


def _embedded_detail(text: str) -> str | None:
    """The body HTML a gkmlpt page carries in ``window._CONFIG = {DETAIL: {..., content: "..."}}``."""
    if "_CONFIG" not in text:
        return None
    m = _DETAIL_CONTENT.search(text)
    if not m:
        return None
    try:
        content = json.loads('"' + m.group(1) + '"')
    except ValueError:
        return None
    return content if content.strip() else None


def _read(data: bytes, content_type: str | None) -> Document:
    text, _encoding, issues = decode(data, content_type)
    root = _parse_tree(text, issues)
    if root is None:
        raise UnreadableDocument("no HTML content")
    _clean_tree(root, text)
    hits, containers = _scan(root)
    meta = page_meta(root, hits)
    title = title_hint(root)
    container = find_body(root, containers)
    walker = _Blocks(issues)
    walker.walk(container)
    walker.flush()
    if not walker.tables_seen and sum(len(b) for b in walker.blocks) < 200:
        embedded = _embedded_detail(text)
        if embedded is not None:
            # A gkmlpt page whose body is rendered by script: read window._CONFIG.DETAIL.content.
            sub = _parse_tree(f"<html><body>{embedded}</body></html>", issues)
            if sub is not None:
                _clean_tree(sub, embedded)
                walker = _Blocks(issues)
                walker.walk(find_body(sub))
                walker.flush()
    doc = Document(blocks=walker.blocks, format="html", page_meta=meta, title_hint=title, issues=issues)
    if not doc.blocks:
        issues.append(_issue("parse.no_text", "error", "the page has no text"))
    elif (not walker.tables_seen and container.find(".//img") is not None
          and sum(len(b) for b in walker.blocks) >= 100):  # a report body, not a page linking a file
        issues.append(_issue("parse.tables_as_images", "warning",
                             "the report body has images but no tables (tables published as pictures?)"))
    return doc
