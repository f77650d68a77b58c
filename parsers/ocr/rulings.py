"""Ruling lines of tables drawn in pixels, and the cells they close.

Ink runs much longer than a glyph stroke are line candidates; a candidate is kept when it is long
(a table's frame) or when both its ends meet kept lines of the other direction (an inner ruling), so
strokes of characters and underlines are dropped. The kept lines go through the same grid search as
vector PDFs (``parsers.readers.pdf_grid``), in a 595-unit page scale so its tolerances hold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parsers.readers import pdf_grid

PAGE_UNITS = 595.0  # an A4 page's width in points: pdf_grid's tolerances are in points


@dataclass
class Line:
    pos: float  # y of a horizontal line, x of a vertical one (px, centre)
    lo: int  # first px along the line
    hi: int  # last px along the line
    thickness: int


def _window_sum(mask: np.ndarray, k: int) -> np.ndarray:
    """Sums of every k consecutive slots along axis 1 (width - k + 1 of them)."""
    cs = np.cumsum(mask, axis=1, dtype=np.int32)
    cs = np.concatenate([np.zeros((mask.shape[0], 1), np.int32), cs], axis=1)
    return cs[:, k:] - cs[:, :-k]


def _spread(starts: np.ndarray, k: int, width: int) -> np.ndarray:
    """Slots covered by a window of length k starting at any True of ``starts``."""
    pad = np.zeros((starts.shape[0], width + 1), np.int32)
    pad[:, : starts.shape[1]] += starts
    pad[:, k : k + starts.shape[1]] -= starts
    return np.cumsum(pad[:, :width], axis=1) > 0


def _long_runs(ink: np.ndarray, length: int, gap: int = 2) -> np.ndarray:
    """Ink along axis 1 that belongs to a run of at least ``length`` px (gaps up to ``gap`` closed,
    so a scan's broken line still counts)."""
    w = ink.shape[1]
    if w < max(length, 2 * gap + 1):
        return np.zeros_like(ink)
    closed = ink
    if gap:
        k = 2 * gap + 1
        dilated = ink.copy()
        dilated[:, gap : w - gap] |= _window_sum(ink, k) > 0
        closed = ink.copy()
        closed[:, gap : w - gap] |= _window_sum(dilated, k) == k
    full = _window_sum(closed, length) == length
    return _spread(full, length, w)


def _segments(mask: np.ndarray) -> list[Line]:
    """Runs of True along axis 1, joined over adjacent rows into thick lines."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), np.int8)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1)
    starts = np.argwhere(d == 1)
    ends = np.argwhere(d == -1)
    groups: list[list] = []  # [first_row, last_row, lo, hi]
    open_groups: list[list] = []
    current_row = -1
    for (row, lo), (_row2, hi) in zip(starts.tolist(), ends.tolist(), strict=True):
        if row != current_row:
            open_groups = [g for g in open_groups if g[1] >= row - 1]
            current_row = row
        hi -= 1
        for g in open_groups:
            if g[1] == row - 1 and lo <= g[3] and hi >= g[2]:
                g[1], g[2], g[3] = row, min(g[2], lo), max(g[3], hi)
                break
            if g[1] == row and lo <= g[3] + 1 and hi >= g[2] - 1:
                g[2], g[3] = min(g[2], lo), max(g[3], hi)
                break
        else:
            g = [row, row, lo, hi]
            groups.append(g)
            open_groups.append(g)
    return [Line((g[0] + g[1]) / 2, g[2], g[3], g[1] - g[0] + 1) for g in groups]


def _meets(end: float, pos: float, cross: Line, tol: float) -> bool:
    """Does a line whose end is at ``end`` (along it) and which sits at ``pos`` touch ``cross``?"""
    return abs(cross.pos - end) <= tol + cross.thickness / 2 and cross.lo - tol <= pos <= cross.hi + tol


def find_lines(ink: np.ndarray) -> tuple[list[Line], list[Line]]:
    """Kept horizontal and vertical rulings of a page's ink."""
    h, w = ink.shape
    h_cand = [s for s in _segments(_long_runs(ink, max(40, w // 40))) if s.thickness <= max(12, w // 150)]
    v_cand = [s for s in _segments(_long_runs(ink.T, max(30, w // 80))) if s.thickness <= max(12, w // 150)]
    tol = max(6.0, w * 0.004)
    hor = [s for s in h_cand if s.hi - s.lo >= 0.15 * w]
    ver: list[Line] = []
    for _ in range(3):
        ver = [v for v in v_cand
               if (any(_meets(v.lo, v.pos, x, tol) for x in hor) and any(_meets(v.hi, v.pos, x, tol) for x in hor))]
        more = [s for s in h_cand if s.hi - s.lo >= 0.15 * w
                or (any(_meets(s.lo, s.pos, x, tol) for x in ver) and any(_meets(s.hi, s.pos, x, tol) for x in ver))]
        if len(more) == len(hor):
            break
        hor = more
    return hor, ver


def find_cells(ink: np.ndarray) -> tuple[list[list[tuple[int, int, int, int]]], int]:
    """Tables as lists of cell boxes (left, top, right, bottom) in px, top to bottom, each table's
    cells in reading order; and the rulings' typical thickness."""
    height, width = ink.shape
    hor, ver = find_lines(ink)
    if len(hor) < 2 or len(ver) < 2:
        return [], 0
    s = PAGE_UNITS / width
    horizontal = [((height - ln.pos) * s, ln.lo * s, ln.hi * s) for ln in hor]
    vertical = [(ln.pos * s, (height - ln.hi) * s, (height - ln.lo) * s) for ln in ver]
    try:
        found = pdf_grid.find_tables(horizontal, vertical)
    except pdf_grid.TooComplex:
        return [], 0
    tables = []
    for cells in found:
        boxes = []
        for left, bottom, right, top in cells:
            box = (round(left / s), round(height - top / s), round(right / s), round(height - bottom / s))
            if box[2] - box[0] >= 8 and box[3] - box[1] >= 8:
                boxes.append(box)
        if len(boxes) >= 2:
            tables.append(boxes)
    thickness = int(np.median([ln.thickness for ln in hor + ver]))
    return tables, thickness
