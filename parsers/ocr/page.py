"""One page image -> ('text', lines) and ('table', Table) blocks, top to bottom, as the PDF reader
assembles them. Ruled tables are read cell by cell (each crop on its own, so a cell's figure can
never slide into its neighbour's); the rest of the page is read as lines."""

from __future__ import annotations

import re

import numpy as np
from PIL import Image

from parsers.document import Cell, Table
from parsers.ocr import engine, rulings
from parsers.ocr.prepare import binarise, prepare
from parsers.readers.tables import starts_within

NUMBER = re.compile(r"^[-+]?\d[\d,.]*$")
UNSURE = 0.3  # the confidence given to a figure two readings disagree on
MIN_LINE_CONF = 0.3  # page lines read with less are specks, not text
PAD = 12  # white px around a cell's ink: Tesseract reads glyphs touching the border badly


def _denoise(ink: np.ndarray) -> np.ndarray:
    """Ink pixels with at least two inked neighbours (lone specks of a scan dropped)."""
    p = np.pad(ink, 1).astype(np.uint8)
    n = sum(p[1 + dy : p.shape[0] - 1 + dy, 1 + dx : p.shape[1] - 1 + dx]
            for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx)
    return ink & (n >= 2)


def _norm_number(text: str) -> str:
    return text.replace(" ", "").replace("，", ",").replace("．", ".").replace("。", ".")


def read_cell(grey: np.ndarray, ink: np.ndarray, box, thickness: int) -> tuple[str, float]:
    """The text of one ruled cell and how sure the reading is (1.0 for a cell with no ink)."""
    x0, y0, x1, y1 = box
    inset = thickness + 2
    sub_ink = ink[y0 + inset : y1 - inset, x0 + inset : x1 - inset].copy()
    if sub_ink.size == 0:
        return "", 1.0
    sub_grey = grey[y0 + inset : y1 - inset, x0 + inset : x1 - inset].copy()
    # remnants of a ruling the inset did not clear (a skewed or thick line): whitened
    full_rows = sub_ink.mean(axis=1) > 0.6
    full_cols = sub_ink.mean(axis=0) > 0.6
    sub_ink[full_rows, :] = False
    sub_ink[:, full_cols] = False
    sub_grey[full_rows, :] = 255
    sub_grey[:, full_cols] = 255
    sub_ink = _denoise(sub_ink)
    if int(sub_ink.sum()) < 12:
        return "", 1.0
    ys, xs = np.nonzero(sub_ink)
    crop = sub_grey[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    glyphs = sub_ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    line = _line_height(glyphs)
    img = _scaled(crop, LABEL_LINE / line, PAD)
    text, conf = engine.recognise(img, "text")
    if not text:
        # Tesseract's page layout step sometimes finds no text block in a clean one-line crop: read it
        # as a raw line instead
        import tesserocr

        text, conf = engine.recognise(img, "text", tesserocr.PSM.RAW_LINE)
    if _looks_label(text, conf):
        if conf < 0.8:  # one more sampling of the glyphs; the surer reading is kept
            text2, conf2 = engine.recognise(_scaled(crop, 1.4 * LABEL_LINE / line, PAD), "text")
            if conf2 > conf and _looks_label(text2, conf2):
                text, conf = text2, conf2
        return text, conf
    return _read_figure(crop, text, conf)


LABEL_LINE = 40  # px: a text line's height for chi_sim (read worst below 25 and above 60)
# (glyph height, padding) px of a figure's readings
_QUICK = (24, 20)
_LATIN_SAMPLINGS = ((20, 10), (20, 30), (28, 10), (28, 30), (36, 10), (36, 30))
_TEXT_SAMPLINGS = ((30, 30), (40, 10))
_AS_DIGIT = str.maketrans({"O": "0", "o": "0", "〇": "0", "D": "0", "l": "1", "I": "1", "|": "1", "丨": "1"})


def _line_height(glyphs: np.ndarray) -> float:
    """The median height of the ink's text lines (bands of inked rows)."""
    rows = glyphs.any(axis=1)
    bands, run = [], 0
    for inked in rows:
        if inked:
            run += 1
        elif run:
            bands.append(run)
            run = 0
    if run:
        bands.append(run)
    bands = [b for b in bands if b >= 4] or [max(glyphs.shape[0], 1)]
    return float(np.median(bands))


def _scaled(crop: np.ndarray, scale: float, pad: int, binary: bool = False) -> Image.Image:
    img = Image.fromarray(crop)
    if abs(scale - 1) > 0.05:
        img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                         Image.Resampling.LANCZOS)
    a = np.pad(np.asarray(img), pad, constant_values=255)
    if binary:  # figures read best as pure black on white (grey edges turn a 1 into 工)
        a = np.where(a < 160, 0, 255).astype(np.uint8)
    return Image.fromarray(a)


def _looks_label(text: str, conf: float) -> bool:
    squashed = _norm_number(text).translate(_AS_DIGIT)
    if NUMBER.match(squashed):
        return False
    cjk = sum(1 for ch in squashed if "\u4e00" <= ch <= "\u9fff")
    return "\n" in text or len(squashed) > 3 or (cjk >= 2 and conf >= 0.85)


def _as_figure(text: str) -> str | None:
    s = _norm_number(text).translate(_AS_DIGIT)
    if s.startswith("十") and len(s) > 1:
        s = "+" + s[1:]  # chi_sim's reading of a plus sign (增减 columns: +14)
    return s if NUMBER.match(s) else None


def _read_figure(crop: np.ndarray, first: str, first_conf: float) -> tuple[str, float]:
    """A figure read by vote: chi_sim and eng at one sampling first; when they disagree, eng over six
    samplings (glyph heights x paddings) and chi_sim over two more. Tesseract's reading of a lone
    glyph swings with its size (a 宋体 1 with a foot reads as 1, 4 or 工), a majority does not."""
    import tesserocr

    line = tesserocr.PSM.SINGLE_LINE
    height = max(crop.shape[0], 1)

    def read(kind: str, h: int, pad: int) -> tuple[str | None, float]:
        t, c = engine.recognise(_scaled(crop, h / height, pad, binary=True), kind, line)
        return _as_figure(t), c

    (a, ca), (b, cb) = read("latin", *_QUICK), read("text", *_QUICK)
    if a is not None and a == b and min(ca, cb) >= 0.75:
        return a, max(ca, cb)
    votes = [a, b, _as_figure(first)]
    votes += [read("latin", h, pad)[0] for h, pad in _LATIN_SAMPLINGS]
    votes += [read("text", h, pad)[0] for h, pad in _TEXT_SAMPLINGS]
    counts: dict[str, int] = {}
    for v in votes:
        if v is not None:
            counts[v] = counts.get(v, 0) + 1
    if not counts:
        return (first, 0.0) if _norm_number(first) else ("", 0.0)
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    best, n = ranked[0]
    rival = ranked[1][1] if len(ranked) > 1 else 0
    if n < len(votes) / 3 and _norm_number(first):
        return first, first_conf  # not a figure (a dash, a unit word): stray readings of it are no vote
    if n >= 2 * len(votes) / 3 and rival <= 1:
        return best, 0.9
    if n >= len(votes) / 2 and n >= 2 * rival + 1:
        return best, 0.7
    return best, UNSURE


def _table(grey: np.ndarray, ink: np.ndarray, boxes, thickness: int, page_number: int) -> Table:
    """Spans from the cell boxes, as the PDF reader's: a cell covers every column start and row top
    inside its box."""
    xs = sorted({b[0] for b in boxes})
    tops = sorted({b[1] for b in boxes})
    by_top: dict[int, list] = {}
    for b in boxes:
        by_top.setdefault(b[1], []).append(b)
    rows: list[list[Cell]] = []
    for top in tops:
        line = []
        for box in sorted(by_top[top]):
            x0, y0, x1, y1 = box
            colspan = starts_within(xs, x0 - 2, x1 - 2)
            rowspan = starts_within(tops, y0 - 2, y1 - 2)
            text, conf = read_cell(grey, ink, box, thickness)
            line.append(Cell(text, rowspan=max(rowspan, 1), colspan=max(colspan, 1), confidence=conf))
        rows.append(line)
    return Table(rows=rows, page=page_number)


def read_page(image: Image.Image, page_number: int = 1) -> list:
    """Blocks of one page image: ('text', [line, ...]) and ('table', Table), top to bottom."""
    page = prepare(image)
    grey = np.asarray(page)
    ink = binarise(grey)
    tables, thickness = rulings.find_cells(binarise(grey, lenient=True))
    placed: list[tuple[int, int, Table]] = []
    masked = grey.copy()
    for boxes in tables:
        left = min(b[0] for b in boxes)
        top = min(b[1] for b in boxes)
        right = max(b[2] for b in boxes)
        bottom = max(b[3] for b in boxes)
        placed.append((top, bottom, _table(grey, ink, boxes, thickness, page_number)))
        masked[max(top - 3, 0) : bottom + 4, max(left - 3, 0) : right + 4] = 255
    placed.sort(key=lambda t: t[0])
    lines = [(y, text) for text, conf, y in engine.page_lines(Image.fromarray(masked)) if conf >= MIN_LINE_CONF]
    blocks: list = []
    for top, bottom, table in placed:
        above = [text for y, text in lines if y < top]
        lines = [(y, text) for y, text in lines if y > bottom]
        if above:
            blocks.append(("text", above))
        blocks.append(("table", table))
    if lines:
        blocks.append(("text", [text for _y, text in lines]))
    return blocks
