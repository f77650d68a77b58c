"""DOCX reader: zipfile + lxml on word/document.xml (python-docx's cell iteration is ~36x slower).

Body order is kept: paragraphs and tables as they appear. gridSpan -> colspan, vMerge
restart/continue -> rowspan, gridBefore -> a leading empty cell so columns stay aligned, w:br in a
cell -> "\\n". Text boxes are read once (the VML fallback copy is skipped) as paragraphs after the
paragraph that anchors them; deleted text and field instructions are skipped.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

from lxml import etree

from parsers.document import Cell, Document, Table
from parsers.errors import UnreadableDocument
from parsers.readers import limits
from parsers.readers.tables import LAYOUT_CELL_CHARS, flatten_table_text, is_layout_table

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DC_NS = "http://purl.org/dc/elements/1.1/"
OFFICE_DOC_REL = "/officeDocument"

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)

# Wrappers whose children belong to the enclosing block/row/cell sequence.
_WRAPPERS = ("sdt", "sdtContent", "customXml", "smartTag", "ins", "moveTo")
_SKIP = (
    "del",
    "moveFrom",
    "instrText",
    "delText",
    "rPr",
    "pPr",
    "tcPr",
    "trPr",
    "tblPr",
    "tblGrid",
    "sectPr",
    "fldData",
    "footnoteReference",
    "endnoteReference",
    "commentReference",
)


class _Names:
    """Qualified tag names for the document's WordprocessingML namespace (transitional or strict)."""

    def __init__(self, ns: str):
        self.ns = ns
        for local in (
            "body",
            "p",
            "r",
            "t",
            "tab",
            "br",
            "cr",
            "tbl",
            "tr",
            "tc",
            "tcPr",
            "gridSpan",
            "vMerge",
            "hMerge",
            "trPr",
            "gridBefore",
            "txbxContent",
            "sym",
            "noBreakHyphen",
            "val",
            "tabs",
        ):
            setattr(self, local, f"{{{ns}}}{local}")
        self.wrappers = frozenset(f"{{{ns}}}{x}" for x in _WRAPPERS)
        self.skip = frozenset(f"{{{ns}}}{x}" for x in _SKIP) | {f"{{{MC_NS}}}Fallback"}
        # What a paragraph's text is made of (Reader.index_paragraphs).
        self.text_parts = (self.t, self.tab, self.br, self.cr, self.noBreakHyphen, self.sym)
        # between a text element and its paragraph, these make the paragraph's walk leave it out
        self.cut = self.skip | {self.tbl, *self.text_parts}


def read(data: bytes) -> Document:
    return limits.guarded("DOCX", _read, data)


def _read(data: bytes) -> Document:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        raise UnreadableDocument(f"not a readable DOCX (zip): {e}") from None
    with zf:
        main = _main_part(zf)
        if main is None:
            raise UnreadableDocument("zip has no word/document.xml: not a DOCX")
        xml = limits.read_zip_member(zf, main)
        try:
            root = etree.fromstring(xml, _XML_PARSER)
        except etree.XMLSyntaxError as e:
            raise UnreadableDocument(f"word/document.xml is not well-formed XML: {e}") from None
        title = _core_title(zf)
    ns = etree.QName(root).namespace or W_NS
    names = _Names(ns if ns in (W_NS, W_STRICT_NS) else W_NS)
    body = root.find(names.body)
    if body is None:
        raise UnreadableDocument("word/document.xml has no body")
    reader = _Reader(names)
    reader.index_paragraphs(body)
    reader.blocks_of(body, reader.blocks)
    doc = Document(blocks=reader.blocks, format="docx", title_hint=title, issues=reader.issues)
    if not doc.blocks:
        doc.issues.append(
            {"rule": "parse.no_text", "severity": "error", "message": "the document has no text"}
        )
    return doc


def _main_part(zf: zipfile.ZipFile) -> str | None:
    names = set(zf.namelist())
    if "_rels/.rels" in names:
        try:
            rels = etree.fromstring(limits.read_zip_member(zf, "_rels/.rels", 1024 * 1024), _XML_PARSER)
            for rel in rels.iter(f"{{{REL_NS}}}Relationship"):
                if (rel.get("Type") or "").endswith(OFFICE_DOC_REL):
                    target = posixpath.normpath((rel.get("Target") or "").lstrip("/"))
                    if target in names:
                        return target
        except (etree.XMLSyntaxError, UnreadableDocument):
            pass
    return "word/document.xml" if "word/document.xml" in names else None


def _core_title(zf: zipfile.ZipFile) -> str | None:
    try:
        core = etree.fromstring(limits.read_zip_member(zf, "docProps/core.xml", 1024 * 1024), _XML_PARSER)
    except (KeyError, etree.XMLSyntaxError, UnreadableDocument, zipfile.BadZipFile):
        return None
    title = core.findtext(f"{{{DC_NS}}}title")
    return title.strip() if title and title.strip() else None


class _Reader:
    def __init__(self, names: _Names):
        self.w = names
        self.blocks: list = []
        self.issues: list[dict] = []
        self.plain: dict | None = None  # paragraph -> its text pieces (index_paragraphs)
        self.plain_slow: set = set()  # paragraphs with text boxes: read by the full walk
        self.props: dict | None = None  # cell -> (gridSpan, vMerge, hMerge) (index_paragraphs)
        self.cell_paras: dict | None = None  # cell -> its paragraphs (index_paragraphs)
        self.cell_complex: set = set()  # cells with a table or wrapper inside: read by the walk
        self.cell_texts: dict = {}  # cell -> its text, the other cells' (index_paragraphs; absent: "")

    def index_paragraphs(self, body) -> None:
        """Every paragraph's text pieces, every cell's spans and paragraphs, from a few passes over
        the elements that carry them, found by lxml in C: a Python walk over each paragraph's runs
        and each cell's properties costs several times more, and so does each element touched
        from Python (a proxy, its tag), so each pass touches as few as it can. A text piece goes
        to its nearest paragraph unless something the paragraph walk skips (deleted text, a
        fallback, properties, a table, another text element) lies between them, so the result is
        the walk's; paragraphs anchoring text boxes and cells holding tables or wrappers are left
        to the walks."""
        w = self.w
        plain: dict = {}  # paragraph -> its text pieces
        cell_paras: dict = {}
        tc_tag = w.tc
        # Pass 1, the rarer elements: spans, text boxes, what makes a cell complex, and whether any
        # text part other than w:t (a tab, a break...) counts anywhere; when none does, the text pass
        # below reads w:t only and need not look at tags.
        others = self._index_rare(body)
        # Pass 2, text pieces in document order. The usual place, w:p/w:r/w:t, is recognised from two
        # tags; anything else climbs to its paragraph. A cell's paragraphs are the ones with text
        # (an empty one adds no line a cell keeps), met in order.
        p_tag, r_tag, t_tag = w.p, w.r, w.t
        for el in body.iter(*w.text_parts) if others else body.iter(t_tag):
            parent = el.getparent()
            if parent.tag != r_tag or (node := parent.getparent()).tag != p_tag:
                node, excluded = self._nearest_paragraph(el)
                if node is None or excluded:
                    continue
            if others:
                tag = el.tag
                if tag == t_tag:
                    piece = el.text
                    if not piece:
                        continue
                elif tag == w.tab:
                    piece = "\t"
                elif tag == w.br or tag == w.cr:
                    piece = "\n"
                elif tag == w.noBreakHyphen:
                    piece = "-"
                else:
                    piece = self._sym(el)
            else:
                piece = el.text
                if not piece:
                    continue
            pieces = plain.get(node)
            if pieces is not None:
                pieces.append(piece)
                continue
            plain[node] = [piece]
            cell = node.getparent()
            if cell is not None and cell.tag == tc_tag:
                paras = cell_paras.get(cell)
                if paras is None:
                    cell_paras[cell] = [node]
                else:
                    paras.append(node)
        self.plain = plain
        self.cell_paras = cell_paras
        # Cell texts up front, in one loop: the usual cell (one paragraph of one piece) inline.
        texts = self.cell_texts
        slow = self.plain_slow
        for tc, paras in cell_paras.items():
            if len(paras) == 1 and paras[0] not in slow:
                pieces = plain[paras[0]]
                if len(pieces) == 1 and "\n" not in pieces[0]:
                    line = pieces[0].strip(" \t")
                    texts[tc] = line if line.strip(" \u3000\xa0") else ""
                    continue
            texts[tc] = self._plain_cell_text(tc)

    def _nearest_paragraph(self, el):
        """(the paragraph ``el`` is in or None, whether something the walk skips lies between)."""
        w = self.w
        p_tag, cut = w.p, w.cut
        node = el.getparent()
        excluded = False
        while node is not None:
            up = node.tag
            if up == p_tag:
                break
            if up in cut:
                excluded = True
            node = node.getparent()
        return node, excluded

    def _index_rare(self, body) -> bool:
        """Spans, text boxes and complex cells (index_paragraphs); True when a text part other than
        w:t counts in some paragraph."""
        w = self.w
        slow = self.plain_slow
        props: dict = {}
        first_pr: dict = {}
        complex_cells = self.cell_complex
        tc_tag, tcpr_tag, box = w.tc, w.tcPr, w.txbxContent
        other_parts = frozenset(w.text_parts) - {w.t}
        span_tags = (w.gridSpan, w.vMerge, w.hMerge)
        others = False
        for el in body.iter(*other_parts, box, *span_tags, w.tbl, *w.wrappers):
            tag = el.tag
            if tag in other_parts or tag == box:
                if others and tag != box:
                    continue
                node, excluded = self._nearest_paragraph(el)
                if node is None:
                    continue  # not inside a paragraph: no walk reads it
                if tag == box:
                    slow.add(node)
                    cell = node.getparent()
                    if cell is not None and cell.tag == tc_tag:
                        complex_cells.add(cell)  # read by the walk, which reads the box paragraph too
                elif not excluded:
                    others = True
            elif tag in span_tags:
                # gridSpan/vMerge/hMerge count under the first w:tcPr of a w:tc only
                pr = el.getparent()
                if pr is None or pr.tag != tcpr_tag:
                    continue
                tc = pr.getparent()
                if tc is None or tc.tag != tc_tag:
                    continue
                first = first_pr.get(tc)
                if first is None:
                    first = pr
                    if tc[0] is not pr:  # the usual tcPr is the cell's first child: no search
                        for x in pr.itersiblings(preceding=True):
                            if x.tag == tcpr_tag:
                                first = x
                    first_pr[tc] = first
                if first is not pr:
                    continue
                span, vmerge, hmerge = props.get(tc, (1, None, None))
                if tag == w.gridSpan:
                    try:
                        span = max(1, min(int(el.get(w.val, 1)), limits.MAX_SPAN))
                    except ValueError:
                        span = 1
                elif tag == w.vMerge:
                    vmerge = el.get(w.val) or "continue"
                else:
                    hmerge = el.get(w.val) or "continue"
                props[tc] = (span, vmerge, hmerge)
            else:  # a table or a wrapper right in a cell makes the cell complex
                parent = el.getparent()
                if parent is not None and parent.tag == tc_tag:
                    complex_cells.add(parent)
        self.props = props
        return others

    # ---------------------------------------------------------- block level
    def blocks_of(self, parent, out: list, depth: int = 0) -> None:
        w = self.w
        if depth > 50:
            self._issue("parse.deep_markup", "tables nested deeper than 50 levels skipped")
            return
        for el in parent:
            tag = el.tag
            if tag == w.p:
                lines, boxes = self.paragraph(el)
                # A line break in a body paragraph separates what readers see as lines (headings).
                out.extend(line.strip() for line in lines if line.strip())
                for box in boxes:
                    self.blocks_of(box, out, depth + 1)
            elif tag == w.tbl:
                self.table(el, out, depth)
            elif tag in w.wrappers:
                self.blocks_of(el, out, depth)

    # ---------------------------------------------------------- paragraph
    def paragraph(self, p) -> tuple[list[str], list]:
        """The paragraph's text split at breaks, and the text boxes anchored in it."""
        parts: list[str] = []
        boxes: list = []
        w = self.w
        if self.plain is not None and p not in self.plain_slow:
            pieces = self.plain.get(p)
            if not pieces:
                return [""], boxes
            return (pieces[0] if len(pieces) == 1 else "".join(pieces)).split("\n"), boxes

        def walk(el) -> None:
            for child in el:
                tag = child.tag
                if not isinstance(tag, str) or tag in w.skip:
                    continue
                if tag == w.t:
                    if child.text:
                        parts.append(child.text)
                elif tag == w.tab:
                    parts.append("\t")
                elif tag in (w.br, w.cr):
                    parts.append("\n")
                elif tag == w.noBreakHyphen:
                    parts.append("-")
                elif tag == w.sym:
                    parts.append(self._sym(child))
                elif tag == w.txbxContent:
                    boxes.append(child)
                elif tag in (w.p, w.tbl):
                    continue  # only inside text boxes, collected above
                else:
                    walk(child)

        walk(p)
        return "".join(parts).split("\n"), boxes

    def _sym(self, el) -> str:
        """A w:sym character ("" when its code is not four hex digits)."""
        char = el.get(f"{{{self.w.ns}}}char")
        if char and re.fullmatch(r"[0-9A-Fa-f]{4}", char):
            code = int(char, 16)
            return chr(code - 0xF000) if code >= 0xF000 else chr(code)
        return ""

    def cell_text(self, tc, depth: int) -> str:
        if self.cell_paras is not None and tc not in self.cell_complex:
            return self.cell_texts.get(tc, "")
        lines: list[str] = []
        w = self.w

        def walk(parent) -> None:
            for el in parent:
                tag = el.tag
                if tag == w.p:
                    para_lines, _boxes = self.paragraph(el)
                    lines.extend(para_lines)
                elif tag == w.tbl:
                    rows = self.table_rows(el, depth + 1)
                    lines.append(flatten_table_text([[c.text for c in row] for row in rows]))
                elif tag in w.wrappers:
                    walk(el)

        walk(tc)
        return _join_cell_lines(lines)

    def _plain_cell_text(self, tc) -> str:
        """cell_text of a cell holding paragraphs only, from the index (the usual cell)."""
        plain, slow = self.plain, self.plain_slow
        paras = self.cell_paras.get(tc, ())
        if len(paras) == 1 and paras[0] not in slow:  # the usual cell: one paragraph, one piece
            pieces = plain.get(paras[0])
            if pieces and len(pieces) == 1 and "\n" not in pieces[0]:
                line = pieces[0].strip(" \t")
                return line if line.strip(" \u3000\xa0") else ""
        lines: list[str] = []
        for p in paras:
            if p in slow:
                lines.extend(self.paragraph(p)[0])
            else:
                pieces = plain.get(p)
                if not pieces:
                    lines.append("")
                elif len(pieces) == 1 and "\n" not in pieces[0]:
                    lines.append(pieces[0])
                else:
                    lines.extend("".join(pieces).split("\n"))
        if len(lines) == 1:
            line = lines[0].strip(" \t")
            return line if line.strip(" \u3000\xa0") else ""
        return _join_cell_lines(lines)

    # ---------------------------------------------------------- tables
    def _rows(self, tbl) -> list:
        return self._parts(tbl, self.w.tr, limits.MAX_TABLE_ROWS)

    def _cells(self, tr) -> list:
        return self._parts(tr, self.w.tc, limits.MAX_TABLE_COLS)

    def _parts(self, parent, tag: str, limit: int) -> list:
        """``parent``'s ``tag`` children, looking through wrappers (sdt, customXml...), at most ``limit``."""
        wrappers = self.w.wrappers
        found = []

        def collect(el) -> None:
            for child in el:
                if child.tag == tag:
                    found.append(child)
                elif child.tag in wrappers:
                    collect(child)

        collect(parent)
        return found[:limit]

    def _child_int(self, parent, tag: str, default: int = 1) -> int:
        """The w:val of ``parent``'s child ``tag`` as a span (1..MAX_SPAN), or ``default``."""
        for el in parent:
            if el.tag == tag:
                try:
                    return max(1, min(int(el.get(self.w.val, default)), limits.MAX_SPAN))
                except ValueError:
                    return default
        return default

    def _cell_props(self, tc) -> tuple[int, str | None, str | None]:
        """(gridSpan, vMerge value, hMerge value) of a cell; a merge without w:val is "continue"."""
        if self.props is not None:
            return self.props.get(tc, (1, None, None))
        w = self.w
        span, vmerge, hmerge = 1, None, None
        for el in tc:
            if el.tag != w.tcPr:
                continue
            for prop in el:
                tag = prop.tag
                if tag == w.gridSpan:
                    try:
                        span = max(1, min(int(prop.get(w.val, 1)), limits.MAX_SPAN))
                    except ValueError:
                        span = 1
                elif tag == w.vMerge:
                    vmerge = prop.get(w.val) or "continue"
                elif tag == w.hMerge:
                    hmerge = prop.get(w.val) or "continue"
            break
        return span, vmerge, hmerge

    def _row_cells(self, tr) -> tuple[list, int]:
        """A row's cells (through wrappers, at most MAX_TABLE_COLS) and its gridBefore (from its first
        w:trPr), in one pass over the row's children."""
        w = self.w
        tc_tag, trpr_tag, wrappers = w.tc, w.trPr, w.wrappers
        found = []
        before = None
        for child in tr:
            tag = child.tag
            if tag == tc_tag:
                found.append(child)
            elif tag == trpr_tag:
                if before is None:
                    before = self._child_int(child, w.gridBefore, 0)
            elif tag in wrappers:
                found.extend(self._parts(child, tc_tag, limits.MAX_TABLE_COLS))
        return found[: limits.MAX_TABLE_COLS], before or 0

    def table_rows(self, tbl, depth: int) -> list[list[Cell]]:
        """Rows of cells that start in each row; vMerge continuations extend the cell above."""
        out: list[list[Cell]] = []
        open_merges: dict[int, Cell] = {}  # grid column -> cell whose vertical merge is running
        # _cell_props' and cell_text's index look-ups inline: this loop runs once per cell of every table
        props, indexed, complex_cells = self.props, self.cell_paras is not None, self.cell_complex
        texts = self.cell_texts
        no_props = (1, None, None)
        for tr in self._rows(tbl):
            tcs, col = self._row_cells(tr)
            row: list[Cell] = []
            if col:
                row.append(Cell("", colspan=col))
            started: dict[int, Cell] = {}
            for tc in tcs:
                span, vmerge, hmerge = props.get(tc, no_props) if props is not None else self._cell_props(tc)
                if hmerge is not None and hmerge != "restart" and row:
                    row[-1].colspan += span  # legacy horizontal merge: widen the cell on the left
                    col += span
                    continue
                if vmerge is not None and vmerge != "restart" and col in open_merges:
                    open_merges[col].rowspan += 1
                    started[col] = open_merges[col]
                    col += open_merges[col].colspan
                    continue
                if indexed and tc not in complex_cells:
                    text = texts.get(tc, "")
                else:
                    text = self.cell_text(tc, depth)
                cell = Cell(text, 1, span)  # positional: a third cheaper than keywords
                row.append(cell)
                if vmerge is not None:  # restart (or a continue with nothing above: treat as restart)
                    started[col] = cell
                col += span
            open_merges = started
            out.append(row)
        return out

    def table(self, tbl, out: list, depth: int) -> None:
        w = self.w
        nested = list(tbl.iter(w.tbl))[1:]
        if nested:
            own = _text_len(tbl, w)
            if own and is_layout_table(own, sum(_text_len(t, w) for t in nested)):
                for tr in self._rows(tbl):
                    for tc in self._cells(tr):
                        self.blocks_of(tc, out, depth + 1)
                return
        rows = self.table_rows(tbl, depth)
        if not any(rows):
            return
        if sum(len(r) for r in rows) == 1 or any(len(c.text) > LAYOUT_CELL_CHARS for r in rows for c in r):
            # A one-cell frame around content (a boxed note or the whole report): read it as text.
            for tr in self._rows(tbl):
                for tc in self._cells(tr):
                    self.blocks_of(tc, out, depth + 1)
            return
        out.append(Table(rows=rows))

    def _issue(self, rule: str, message: str) -> None:
        self.issues.append({"rule": rule, "severity": "warning", "message": message})


def _join_cell_lines(lines: list[str]) -> str:
    lines = [line.strip(" \t") for line in lines]
    # Trailing/leading empty paragraphs are Word layout; empty lines inside stay out too.
    return "\n".join(line for line in lines if line.strip(" \u3000\xa0"))


def _text_len(el, w: _Names) -> int:
    return sum(len(t.text or "") for t in el.iter(w.t))
