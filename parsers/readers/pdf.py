"""PDF reader: pypdfium2 for text (~1 ms a page), pdfplumber ruling-line tables only on pages that
draw lines (40-80 ms a page). Tables continued over a page break are joined. Pages that are only
an image (scans) are rendered and read by OCR (``parsers.ocr``, ~2 s a page)."""

from __future__ import annotations

import io
import re
import time
from bisect import bisect_right

from parsers.document import Cell, Document, Table
from parsers.errors import UnreadableDocument
from parsers.readers import limits, pdf_grid
from parsers.readers.tables import cell_positions, starts_within

TOL = pdf_grid.TOL  # points: two rulings this close are one
MIN_RULING_PATHS = 4  # a page with fewer vector paths has no ruled table
OCR_DPI = 300  # scans are rendered at this resolution for OCR (A4: 2480 px wide)
MAX_OCR_PAGES = 15  # image pages read by OCR (~3-5 s each, 20 s on a poor scan); a report has 2-10
OCR_BUDGET_SECONDS = 75.0  # no OCR page is started after this: the build gives one document 120 s
SCAN_TEXT_CHARS = 40  # an image page whose text layer has fewer characters (a page number) is a scan
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3,
                  "join_tolerance": 3, "intersection_tolerance": 3}

_PAGE_NUMBER = re.compile(r"^[\s\-—–－·•]*(第\s*)?[\dIVXivx]+(\s*页)?(\s*[/／共]\s*\d+\s*页?)?[\s\-—–－·•]*$")
# what a browser prints around a web page: the date and time with the page's title on top, the URL
# and the page count at the bottom (Chrome/Edge "2023/3/15 上午10:21 <title>", "http://… 1/3";
# Firefox "<title> … http://…", "1 of 3")
_PRINT_TIME = (r"(?:\d{4}[/.-]\d{1,2}[/.-]\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}),?\s*(?:(?:上午|下午|AM|PM)\s*)?"
               r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:AM|PM))?")
_PRINT_HEADER = re.compile(rf"^{_PRINT_TIME}\s*(.*)$", re.I)
_PRINT_URL = re.compile(r"^(.*?)\s*(?:https?|file)://\S+\s*(?:\d+\s*/\s*\d+|\d+\s+of\s+\d+|第\s*\d+\s*页.*)?$")
# "2 of 3", "第 2 页，共 3 页", with the print date after it (Firefox)
_PAGE_OF = re.compile(rf"^(?:\d+\s+of\s+\d+|第\s*\d+\s*页[，,\s]*共\s*\d+\s*页|\d+\s*/\s*\d+)(?:\s*{_PRINT_TIME})?$", re.I)
# the portal's footer under a printed report page (打印本页/关闭窗口 buttons, ICP and 公安 filings)
_SITE_FOOTER = re.compile(r"打印本页|关闭窗口|【打印】|【关闭】|ICP备|公网安备|网站标识码|版权所有|^主办单位[:：]")
# a portal page's own lines: the metadata strip, the breadcrumb, accessibility links, the footer
_PORTAL = re.compile(r"打印本页|关闭窗口|【打印】|【关闭】|ICP备|公网安备|网站标识码|版权所有|主办单位[:：]|承办单位[:：]"
                     r"|浏览次数|访问量|字号[:：]|当前位置|您现在的位置|无障碍|长者模式")
_META_LINE = re.compile(r"索\s*引\s*号|发布机构|发布日期|发布时间|成文日期|文\s*号[:：]")
# a report's part heading ("三、收到和处理政府信息公开申请情况"): never inside a table cell
_PART_LINE = re.compile(r"^[一二三四五六七八九十]{1,2}[、.．](?:总体情况|概述|主动公开政府信息情况|收到和处理政府信息公开申请情况"
                        r"|依申请公开政府信息情况|政府信息公开行政复议|因政府信息公开申请提起行政复议|存在的主要问题"
                        r"|政府信息公开工作存在的主要问题|其他需要报告的事项)")
_SENTENCE_END = ("。", "！", "？", "；", "!", "?", ";")
_HEADING = re.compile(r"^\s*([一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+\s*[.、．](?!\d))")
_PLACEHOLDER_TITLES = {"(anonymous)", "untitled", "无标题", "(unspecified)"}


def read(data: bytes) -> Document:
    return limits.guarded("PDF", _read, data)


def _issue(rule: str, severity: str, message: str) -> dict:
    return {"rule": rule, "severity": severity, "message": message}


def _open(data: bytes):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        reason = str(e)
        if "password" in reason.lower():
            raise UnreadableDocument("PDF is encrypted with a password") from None
        raise UnreadableDocument(f"not a readable PDF: {reason}") from None


def _read(data: bytes) -> Document:
    import pypdfium2.raw as pdfium_c

    pdf = _open(data)
    issues: list[dict] = []
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise UnreadableDocument("PDF has no pages")
        n_read = min(n_pages, limits.MAX_PDF_PAGES)
        if n_pages > n_read:
            issues.append(_issue("parse.pages_skipped", "warning",
                                 f"only the first {n_read} of {n_pages} pages were read"))
        page_texts: list[str] = []
        page_blocks: dict[int, list] = {}
        fallback_pages: list[int] = []  # ruled-looking pages where pdfium found no table
        image_pages: list[int] = []
        ocr_pages: list[int] = []
        ocr_empty: list[int] = []  # image pages where OCR found nothing to read
        ocr_started: float | None = None
        rotated_pages: list[int] = []
        for i in range(n_read):
            page = pdf[i]
            try:
                textpage = page.get_textpage()
                text = textpage.get_text_range()
            except Exception:
                textpage, text = None, ""
                issues.append(_issue("parse.pdf_page", "warning", f"page {i + 1}: text could not be read"))
            page_texts.append(text)
            kinds = [kind for _raw, kind in pdf_grid.page_objects(page, max_depth=2)]
            if textpage is not None and kinds.count(pdfium_c.FPDF_PAGEOBJ_PATH) >= MIN_RULING_PATHS \
                    and re.search(r"\S", text):
                try:
                    blocks = _pdfium_page_blocks(page, textpage, i)
                except pdf_grid.TooComplex as e:
                    issues.append(_issue("parse.pdf_tables", "warning", f"page {i + 1}: tables not read ({e})"))
                    blocks = []
                except Exception:
                    blocks = None
                if blocks:
                    page_blocks[i] = blocks
                elif blocks is None:
                    fallback_pages.append(i)
            if page.get_rotation() in (90, 270):
                rotated_pages.append(i)
            if len(text.strip()) < SCAN_TEXT_CHARS and pdfium_c.FPDF_PAGEOBJ_IMAGE in kinds and i not in page_blocks:
                image_pages.append(i)
                if ocr_started is None:
                    ocr_started = time.monotonic()
                done = len(ocr_pages) + len(ocr_empty)
                over = done >= MAX_OCR_PAGES or (done > 0 and time.monotonic() - ocr_started > OCR_BUDGET_SECONDS)
                blocks = None if over else _ocr_page(page, i, issues)
                if blocks:
                    page_blocks[i] = blocks
                    ocr_pages.append(i)
                elif blocks is not None:
                    ocr_empty.append(i)
            if textpage is not None:
                textpage.close()
            page.close()
        title = _title(pdf)
    finally:
        pdf.close()

    if ocr_pages:
        issues.append(_issue("parse.ocr", "warning",
                             "pages read by OCR (Tesseract): " + ", ".join(str(p + 1) for p in ocr_pages)
                             + "; their values are marked source=ocr with a confidence"))
    elif not any(t.strip() for t in page_texts):
        issues.append(_issue("parse.no_text", "error", "the PDF has no text layer (scanned or image-only)"
                             + ("; OCR found no text on its images" if ocr_empty and len(ocr_empty) == len(image_pages)
                                else "; " + _no_ocr_reason() if image_pages else "")))
        return Document(blocks=[], format="pdf", title_hint=title, issues=issues)
    missed = [p for p in image_pages if p not in ocr_pages and p not in ocr_empty]
    if missed:
        issues.append(_issue("parse.image_pages", "warning",
                             "pages without text, only images (tables as images?), not read: "
                             + ", ".join(str(p + 1) for p in missed) + f" ({_no_ocr_reason()})"))

    page_tables = dict(page_blocks)
    page_tables.update(_extract_tables(data, fallback_pages, issues))
    for i in rotated_pages:
        if i in fallback_pages and any(kind == "table" for kind, _item in page_tables.get(i, [])):
            # pdfplumber reads rulings and glyphs in unrotated page space: rows may come out as columns.
            issues.append(_issue("parse.pdf_rotated", "warning",
                                 f"page {i + 1} is displayed rotated; its tables may be transposed"))
    assembler = assemble(page_texts, page_tables)
    blocks, meta = _portal_meta(assembler.blocks)
    return Document(blocks=blocks, format="pdf", page_meta=meta, title_hint=title or assembler.print_title,
                    issues=issues)


def _portal_meta(blocks: list) -> tuple[list, dict[str, str]]:
    """A portal page printed to PDF: its metadata block (索引号, 发布机构, 发布日期…, a small ruled table
    or lines) above the report gives ``page_meta``; that table is not one of the report's tables."""
    from parsers.readers.html import meta_from_text

    meta: dict[str, str] = {}
    keep = []
    for n, block in enumerate(blocks):
        if n >= 15 or (isinstance(block, str) and _HEADING.match(block)):
            keep.extend(blocks[n:])
            break
        if isinstance(block, Table):
            if len(block.rows) <= 8:
                found: dict[str, str] = {}
                for row in block.rows:  # a row at a time: a value never runs into the next row's label
                    meta_from_text("  ".join(c.text.replace("\n", "") for c in row), found)
                if len(found) >= 2:
                    for k, v in found.items():
                        meta.setdefault(k, v)
                    continue
        elif _META_LINE.search(block):
            meta_from_text(block, meta)
        keep.append(block)
    return keep, meta


def assemble(page_texts: list[str], page_tables: dict[int, list]) -> _Assembler:
    """Pages in order -> the document's blocks (``.blocks``): a page with tables (ruled or OCR'd) gives
    its own text and table blocks, any other page its lines."""
    widths = list(page_texts)
    for blocks in page_tables.values():
        widths += ["\n".join(item) for kind, item in blocks if kind == "text"]
    assembler = _Assembler(_line_width(widths))
    if page_texts:
        assembler.footer = (len(page_texts) - 1, _site_footer(page_texts[-1]))
    for i in range(max(len(page_texts), max(page_tables, default=-1) + 1)):
        if i in page_tables:
            assembler.add_table_page(i, page_tables[i])
        elif i < len(page_texts):
            assembler.add_lines(i, page_texts[i].replace("\r\n", "\n").split("\n"))
    assembler.flush()
    return assembler


# ---------------------------------------------------------------- scanned pages (OCR)

def _no_ocr_reason() -> str:
    from parsers import ocr

    return "OCR is not installed (tesserocr with Tesseract's chi_sim and eng models)" if not ocr.available() \
        else f"OCR reads at most {MAX_OCR_PAGES} pages and {OCR_BUDGET_SECONDS:.0f} s of a document"


def _ocr_page(page, index: int, issues: list[dict]) -> list | None:
    """A scanned page's blocks read by OCR ([] when it holds nothing readable), or None (OCR not
    installed, or it failed)."""
    from parsers import ocr

    if not ocr.available():
        return None
    try:
        image = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
        return ocr.read_page(image, index + 1)
    except Exception as e:  # one unreadable scan must not lose the rest of the document
        issues.append(_issue("parse.ocr_failed", "warning", f"page {index + 1}: OCR failed ({type(e).__name__}: {e})"))
        return None


def _title(pdf) -> str | None:
    try:
        title = (pdf.get_metadata_dict().get("Title") or "").strip()
    except Exception:
        return None
    title = re.sub(r"^Microsoft Word - ", "", title)
    title = re.sub(r"\.(docx?|wps)$", "", title, flags=re.I).strip()
    return None if not title or title.lower() in _PLACEHOLDER_TITLES else title


# ---------------------------------------------------------------- tables (pdfium rulings)

def _pdfium_page_blocks(page, textpage, index: int) -> list | None:
    """('text', lines) and ('table', Table) top to bottom, or None when the page has no ruled table.
    Geometry is worked out in display space, so a page shown rotated (/Rotate) reads upright."""
    view = pdf_grid.View(page.get_rotation(), page.get_cropbox())
    horizontal, vertical = pdf_grid.page_segments(page, view)
    found = pdf_grid.find_tables(horizontal, vertical)
    if not found:
        return None  # no ruled table found here: pdfplumber gets a try
    found = [part for cells in found for part in _split_at_text_bands(textpage, view, cells)]
    if not found:
        return [("text", _bounded_lines(textpage, view, 0, 0, view.width, view.height))]
    blocks: list = []
    y = view.height
    for cells in found:  # tables from the top down
        t_top = max(c[3] for c in cells)
        t_bottom = min(c[1] for c in cells)
        if t_top < y:
            blocks.append(("text", _bounded_lines(textpage, view, 0, t_top, view.width, y)))
        blocks.append(("table", _grid_table(textpage, view, cells, index)))
        y = min(y, t_bottom)
    if y > 0:
        blocks.append(("text", _bounded_lines(textpage, view, 0, 0, view.width, y)))
    return blocks


def _split_at_text_bands(textpage, view, cells) -> list[list]:
    """A border drawn round the page's content (a portal's content box, a bordered layout cell) joins
    the report's tables and the text between them into one grid: its full-width cells holding running
    text are text, and the grid is cut there into the tables above and below."""
    left = min(c[0] for c in cells)
    right = max(c[2] for c in cells)
    bands = []
    for c in cells:
        if c[0] - left > TOL or right - c[2] > TOL:
            continue
        raw = textpage.get_text_bounded(*view.page_rect(c[0] + 0.5, c[1] + 0.5, c[2] - 0.5, c[3] - 0.5))
        if _running_text(raw):
            bands.append(c)
    if not bands:
        return [cells]
    parts: list[list] = []
    rest = [c for c in cells if c not in bands]
    for top, bottom in _gaps(bands, max(c[3] for c in cells), min(c[1] for c in cells)):
        part = [c for c in rest if c[3] <= top + TOL and c[1] >= bottom - TOL]
        if len(part) >= 2:
            parts.append(part)
    return parts


def _gaps(bands, top: float, bottom: float) -> list[tuple[float, float]]:
    """The vertical stretches (top, bottom) between the text bands, from the top down."""
    out = []
    y = top
    for b in sorted(bands, key=lambda c: -c[3]):
        if y - b[3] > TOL:
            out.append((y, b[3]))
        y = min(y, b[1])
    if y - bottom > TOL:
        out.append((y, bottom))
    return out


def _running_text(raw: str) -> bool:
    """Paragraphs rather than a cell's label: a sentence, a part heading or several long lines."""
    lines = [line.strip() for line in raw.replace("\r\n", "\n").split("\n") if line.strip()]
    text = "".join(lines)
    if not text:
        return False
    return ("。" in text and len(text) > 30) or any(_PART_LINE.match(line) for line in lines) or len(lines) >= 4


def _bounded_lines(textpage, view, left, bottom, right, top) -> list[str]:
    if top - bottom < 1:
        return []
    text = textpage.get_text_bounded(*view.page_rect(left, bottom, right, top))
    return text.replace("\r\n", "\n").split("\n")


def _grid_table(textpage, view, cells, page_index: int) -> Table:
    """Spans from the cell boxes: a cell covers every column start and row top inside its box."""
    xs = sorted({c[0] for c in cells})
    tops = sorted({c[3] for c in cells}, reverse=True)
    rising = tops[::-1]  # for bisect: counting with a loop over every column and row per cell was quadratic
    rows: dict[float, list] = {}
    for cell in cells:
        rows.setdefault(cell[3], []).append(cell)
    out: list[list[Cell]] = []
    for row_top in tops:
        line: list[Cell] = []
        for x0, y0, x1, y1 in sorted(rows[row_top]):
            colspan = starts_within(xs, x0 - 1, x1 - 1)
            rowspan = bisect_right(rising, y1 + 1) - bisect_right(rising, y0 + 1)  # y0 + 1 < top <= y1 + 1
            # Shrink the box a little so glyphs of neighbouring cells touching the ruling stay out.
            raw = textpage.get_text_bounded(*view.page_rect(x0 + 0.5, y0 + 0.5, x1 - 0.5, y1 - 0.5))
            line.append(Cell(_cell_text(raw), rowspan=max(rowspan, 1), colspan=max(colspan, 1)))
        out.append(line)
    return Table(rows=out, page=page_index + 1, xs=(*xs, max(c[2] for c in cells)))


def _cell_text(raw: str) -> str:
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.strip(" \t") for line in lines if line.strip(" \u3000\xa0"))


# ---------------------------------------------------------------- tables (pdfplumber fallback)

def _extract_tables(data: bytes, pages: list[int], issues: list[dict]) -> dict[int, list]:
    """page index -> list of ('text', lines) and ('table', Table) in top-to-bottom order."""
    if not pages:
        return {}
    import pdfplumber

    out: dict[int, list] = {}
    try:
        pdf = pdfplumber.open(io.BytesIO(data), pages=[p + 1 for p in pages])
    except Exception as e:
        issues.append(_issue("parse.pdf_tables", "warning", f"tables could not be read: {type(e).__name__}"))
        return {}
    with pdf:
        for index, page in zip(pages, pdf.pages, strict=False):
            try:
                found = [t for t in page.find_tables(TABLE_SETTINGS) if len(t.cells) >= 2]
                if not found:
                    continue
                out[index] = _page_blocks(page, found, index)
            except Exception as e:
                issues.append(_issue("parse.pdf_tables", "warning",
                                     f"page {index + 1}: tables could not be read ({type(e).__name__})"))
            finally:
                page.close()
    return out


def _page_blocks(page, found, index: int) -> list:
    found.sort(key=lambda t: t.bbox[1])
    bboxes = [t.bbox for t in found]

    def outside_tables(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        xm, ym = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= xm <= x1 and top <= ym <= bottom for x0, top, x1, bottom in bboxes)

    free = page.filter(outside_tables)
    x0, top, x1, bottom = page.bbox
    blocks: list = []
    y = top
    for table, (_tx0, t_top, _tx1, t_bottom) in zip(found, bboxes, strict=True):
        if t_top > y:
            blocks.append(("text", _band_lines(free, (x0, y, x1, t_top))))
        blocks.append(("table", _table(table, index)))
        y = max(y, t_bottom)
    if y < bottom:
        blocks.append(("text", _band_lines(free, (x0, y, x1, bottom))))
    return blocks


def _band_lines(free, bbox) -> list[str]:
    try:
        text = free.crop(bbox, strict=False).extract_text() or ""
    except ValueError:
        return []
    return text.split("\n")


def _table(table, page_index: int) -> Table:
    """Spans from the cell boxes: a cell covers every column start and row top inside its box."""
    texts = table.extract()
    rows = table.rows
    xs = sorted({c[0] for c in table.cells})
    tops = sorted({c[1] for c in table.cells})
    out: list[list[Cell]] = []
    for r, row in enumerate(rows):
        line: list[Cell] = []
        for c, bbox in enumerate(row.cells):
            if bbox is None:
                continue
            x0, top, x1, bottom = bbox
            colspan = starts_within(xs, x0 - 1, x1 - 1)
            rowspan = starts_within(tops, top - 1, bottom - 1)
            text = _cell_text(texts[r][c] or "")
            line.append(Cell(text, rowspan=max(rowspan, 1), colspan=max(colspan, 1)))
        out.append(line)
    return Table(rows=out, page=page_index + 1, xs=(*xs, max(c[2] for c in table.cells)))


# ---------------------------------------------------------------- assembly

class _Assembler:
    """Lines -> paragraphs (a full-width line continues into the next), tables in order, and a table
    that opens a page with nothing above it joined to a table that closed the previous page."""

    def __init__(self, width: float):
        self.width = width  # characters in a full line of body text
        self.blocks: list = []
        self.lines: list[str] = []  # the paragraph being built
        self.para_open = False
        self.table_open = False  # the last block is a table with nothing after it yet
        self.print_title: str | None = None  # the page title a browser printed on top of the pages
        self.footer: tuple[int, set[str]] = (-1, set())  # (last page, its site footer lines)

    def add_lines(self, page: int, lines: list[str]) -> None:
        lines = [line.strip() for line in lines]
        lines = [line for line in lines if line and not _PAGE_NUMBER.match(line) and not self._print_chrome(line)]
        if page == self.footer[0] and self.footer[1]:
            lines = [line for line in lines if line not in self.footer[1]]
        if not lines:
            return
        for line in lines:
            if self.lines and self.para_open and not _HEADING.match(line):
                self.lines.append(line)
            else:
                self.flush()
                self.lines = [line]
            # a full line goes on in the next one, unless the next one cannot be the end of a paragraph
            # (an agency name under a last sentence that happened to fill its line)
            self.para_open = _visual_len(line) >= 0.9 * self.width and not _PORTAL.search(line)
            if self.lines and len(self.lines) > 1 and _short_unpunctuated(line, self.width) \
                    and self.lines[-2].endswith(_SENTENCE_END):
                self.lines.pop()
                self.flush()
                self.lines = [line]
        self.table_open = False

    def _print_chrome(self, line: str) -> bool:
        """A line of the header or footer a browser prints on every page of a web page."""
        m = _PRINT_HEADER.match(line)
        if m:
            rest = _PRINT_URL.match(m.group(1))  # Firefox: title and URL on one line
            self.print_title = self.print_title or (rest.group(1) if rest else m.group(1)).strip() or None
            return True
        m = _PRINT_URL.match(line)
        if m and len(m.group(1)) <= 60:
            self.print_title = self.print_title or m.group(1).strip() or None
            return True
        return bool(_PAGE_OF.match(line))

    def add_table_page(self, page: int, blocks: list) -> None:
        first = True
        for kind, item in blocks:
            if kind == "text":
                before = len(self.blocks), len(self.lines)
                self.add_lines(page, item)
                if (len(self.blocks), len(self.lines)) != before:
                    first = False
                continue
            self.flush()
            if first and self.table_open and self._join(item):
                pass
            else:
                self.blocks.append(item)
            self.table_open = True
            first = False

    def _join(self, table: Table) -> bool:
        prev = self.blocks[-1]
        prev_grid, grid = prev.grid(), table.grid()
        if prev_grid and grid and len(prev_grid[0]) != len(grid[0]):
            # one part draws fewer column rulings (its rows merge cells the other draws apart)
            if _regrid(table, prev.xs):
                grid = table.grid()
            elif _regrid(prev, table.xs):
                prev_grid = prev.grid()
        if not prev_grid or not grid or len(prev_grid[0]) != len(grid[0]):
            return False
        # A repeated header: drop the rows that equal the previous table's first rows.
        skip = 0
        while (skip < len(grid) and skip < len(prev_grid)
               and [c.text if c else None for c in grid[skip]] == [c.text if c else None for c in prev_grid[skip]]):
            skip += 1
        rows = table.rows[skip:]
        if not rows:
            return True
        _extend_spans(prev, rows)
        prev.rows.extend(rows)
        return True

    def flush(self) -> None:
        if self.lines:
            self.blocks.append("".join(self.lines) if _all_cjk_joins(self.lines) else " ".join(self.lines))
            self.lines = []
            self.para_open = False
            self.table_open = False


def _line_width(page_texts: list[str]) -> float:
    """The length of a full line: the longest text line, at least 20 characters (official documents
    set 28 characters a line; a page of short lines has no wrapped paragraphs). The lines a browser or
    the portal prints around a report page are small print, longer than the report's: not counted."""
    longest = 0
    for text in page_texts:
        for line in text.splitlines():
            line = line.strip()
            if len(line) > longest and not _portal_line(line):
                longest = max(longest, _visual_len(line))
    return max(longest, 20)


def _visual_len(line: str) -> float:
    """Characters counted by the room they take: Latin letters and digits half a CJK character."""
    return sum(0.55 if ord(ch) < 0x2E80 else 1.0 for ch in line)


def _portal_line(line: str) -> bool:
    return bool(_PRINT_HEADER.match(line) or _PRINT_URL.match(line) or _PORTAL.search(line))


def _short_unpunctuated(line: str, width: int) -> bool:
    return len(line) < 0.6 * width and not line.endswith(("。", "！", "？", "；", "，", "、", "）", ")", "”", "\"", "：", ":"))


def _site_footer(text: str) -> set[str]:
    """The lines of a portal's footer at the end of the last page: from the first footer line among
    the last twelve lines to the end."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    tail = lines[-12:]
    for i, line in enumerate(tail):
        if _SITE_FOOTER.search(line):
            return set(tail[i:])
    return set()


def _all_cjk_joins(lines: list[str]) -> bool:
    """Join wrapped lines without a space unless both sides of a join are Latin letters or digits."""
    return not any(a[-1:].isascii() and a[-1:].isalnum() and b[:1].isascii() and b[:1].isalnum()
                   for a, b in zip(lines, lines[1:], strict=False))


def _regrid(table: Table, xs: tuple[float, ...] | None, tol: float = 3.0) -> bool:
    """Put the table on the finer column grid ``xs`` when its own column rulings are a subset of
    them and span the same width: True when done."""
    if not xs or not table.xs or len(table.xs) >= len(xs):
        return False
    idx = []
    for x in table.xs:
        j = min(range(len(xs)), key=lambda k: abs(xs[k] - x))
        if abs(xs[j] - x) > tol:
            return False
        idx.append(j)
    if idx[0] != 0 or idx[-1] != len(xs) - 1:
        return False
    pos = cell_positions(table)
    for row in table.rows:
        for cell in row:
            c = pos[id(cell)][1]
            cell.colspan = idx[min(c + cell.colspan, len(idx) - 1)] - idx[c]
    table.xs = xs
    return True


def _extend_spans(prev: Table, rows: list[list[Cell]]) -> None:
    """An empty cell opening the continuation under a cell whose rowspan ended at the page break is
    the rest of that merged cell (a vertical label cut by the break): extend it instead."""
    if not prev.rows or not rows:
        return
    last = len(prev.rows) - 1
    pos = cell_positions(prev)
    ending = {}
    for row in prev.rows:
        for cell in row:
            r, c = pos[id(cell)]
            if r + cell.rowspan - 1 == last:
                ending[c] = cell
    cont = Table(rows=[rows[0]])
    cont_pos = cell_positions(cont)
    keep = []
    for cell in rows[0]:
        c = cont_pos[id(cell)][1]
        above = ending.get(c)
        if cell.text == "" and above is not None and above.colspan == cell.colspan and above.rowspan > 1:
            above.rowspan += cell.rowspan
        else:
            keep.append(cell)
    rows[0] = keep
