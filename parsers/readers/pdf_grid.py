"""Ruled tables from pdfium page objects: line segments of path objects -> snapped grid -> cells.

The same method as pdfplumber's "lines" strategy (edges, intersections, smallest closed
rectangles, tables = cells sharing corners), on pdfium's C-level page objects: ~10 ms a page
where pdfminer's pure-Python content parsing costs 0.1-1 s a page. Coordinates are PDF user
space (origin bottom left); a table's rows run from the top down.
"""

from __future__ import annotations

import ctypes
from bisect import bisect_left, bisect_right

TOL = 3.0  # points: snapping and joining tolerance (pdfplumber's default)
MIN_EDGE = 2.0  # shorter segments are the ends of thin filled rectangles, not rulings
MAX_GRID = 20_000  # horizontal x vertical lines beyond this is a pattern, not a table (bounds time)


class TooComplex(Exception):
    """The page draws more rulings than a table has: not searched, to keep time bounded."""


class View:
    """Page space <-> display space (after /Rotate), both with the origin at the bottom left."""

    def __init__(self, rotation: int, cropbox: tuple[float, float, float, float]):
        self.rotation = rotation % 360
        self.l, self.b, self.r, self.t = cropbox
        if self.rotation in (90, 270):
            self.width, self.height = self.t - self.b, self.r - self.l
        else:
            self.width, self.height = self.r - self.l, self.t - self.b

    def to_display(self, x: float, y: float) -> tuple[float, float]:
        if self.rotation == 90:  # shown turned clockwise
            return y - self.b, self.r - x
        if self.rotation == 180:
            return self.r - x, self.t - y
        if self.rotation == 270:
            return self.t - y, x - self.l
        return x - self.l, y - self.b

    def to_page(self, dx: float, dy: float) -> tuple[float, float]:
        if self.rotation == 90:
            return self.r - dy, dx + self.b
        if self.rotation == 180:
            return self.r - dx, self.t - dy
        if self.rotation == 270:
            return dy + self.l, self.t - dx
        return dx + self.l, dy + self.b

    def page_rect(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """A display-space box as (left, bottom, right, top) in page space."""
        (ax, ay), (bx, by) = self.to_page(x0, y0), self.to_page(x1, y1)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def page_objects(page, max_depth: int):
    """(handle, type) of the page's objects, descending ``max_depth - 1`` levels into Form XObjects:
    pypdfium2's ``PdfPage.get_objects`` (same order, same errors) without the Python wrapper it builds
    for every object, which cost more than the table search itself on pages of text."""
    import pypdfium2.raw as pdfium_c
    from pypdfium2 import PdfiumError

    def walk(parent, count, get, level: int):
        n = count(parent)
        if n < 0:
            raise PdfiumError("Failed to get number of pageobjects.")
        for i in range(n):
            raw = get(parent, i)
            if not raw:
                raise PdfiumError("Failed to get pageobject.")
            kind = pdfium_c.FPDFPageObj_GetType(raw)
            if kind == pdfium_c.FPDF_PAGEOBJ_UNKNOWN:
                raise PdfiumError("Failed to determine pageobject type, did you pass in a valid FPDF_PAGEOBJECT handle?")
            yield raw, kind
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM and level < max_depth - 1:
                yield from walk(raw, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, level + 1)

    return walk(page, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, 0)


def page_segments(page, view: View) -> tuple[list, list]:
    """Horizontal (y, x0, x1) and vertical (x, y0, y1) segments of the page's top-level paths,
    in display space."""
    import pypdfium2.raw as pdfium_c
    from pypdfium2 import PdfiumError

    horizontal: list[tuple[float, float, float]] = []
    vertical: list[tuple[float, float, float]] = []
    x = ctypes.c_float()
    y = ctypes.c_float()
    matrix = pdfium_c.FS_MATRIX()
    for raw, kind in page_objects(page, max_depth=1):
        if kind != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        if not pdfium_c.FPDFPageObj_GetMatrix(raw, matrix):
            raise PdfiumError("Failed to get matrix of pageobject.")
        a, b, c, d, e, f = matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f
        n = pdfium_c.FPDFPath_CountSegments(raw)
        if n <= 0 or n > 2000:
            continue
        start = prev = None
        for i in range(n):
            seg = pdfium_c.FPDFPath_GetPathSegment(raw, i)
            pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
            point = view.to_display(a * x.value + c * y.value + e, b * x.value + d * y.value + f)
            kind = pdfium_c.FPDFPathSegment_GetType(seg)
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
                start = prev = point
                continue
            if kind == pdfium_c.FPDF_SEGMENT_LINETO and prev is not None:
                _add(prev, point, horizontal, vertical)
            prev = point
            if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
                _add(prev, start, horizontal, vertical)
                prev = start
    return horizontal, vertical


def _add(p, q, horizontal, vertical) -> None:
    (x0, y0), (x1, y1) = p, q
    if abs(y0 - y1) <= 0.5 and abs(x1 - x0) >= MIN_EDGE:
        horizontal.append(((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
    elif abs(x0 - x1) <= 0.5 and abs(y1 - y0) >= MIN_EDGE:
        vertical.append(((x0 + x1) / 2, min(y0, y1), max(y0, y1)))


def _snap_and_join(segments: list[tuple[float, float, float]]) -> dict[float, list[tuple[float, float]]]:
    """Cluster positions within TOL, then merge overlapping or nearly touching spans on each line."""
    if not segments:
        return {}
    segments = sorted(segments)
    clusters: list[list[tuple[float, float, float]]] = [[segments[0]]]
    for seg in segments[1:]:
        if seg[0] - clusters[-1][-1][0] <= TOL:
            clusters[-1].append(seg)
        else:
            clusters.append([seg])
    lines: dict[float, list[tuple[float, float]]] = {}
    for cluster in clusters:
        pos = sum(s[0] for s in cluster) / len(cluster)
        spans = sorted((s[1], s[2]) for s in cluster)
        merged = [list(spans[0])]
        for lo, hi in spans[1:]:
            if lo <= merged[-1][1] + TOL:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        lines[pos] = [(lo, hi) for lo, hi in merged]
    return lines


def _covers(spans: list[tuple[float, float]], lo: float, hi: float) -> bool:
    # a plain loop: any() over a generator cost a generator frame per call, and find_tables calls
    # this for every ruling crossing of every page
    for s_lo, s_hi in spans:
        if s_lo - TOL <= lo and hi <= s_hi + TOL:
            return True
    return False


def find_tables(horizontal, vertical) -> list[list[tuple[float, float, float, float]]]:
    """Tables as lists of cells (left, bottom, right, top), each table's cells in reading order."""
    hlines = _snap_and_join(horizontal)
    vlines = _snap_and_join(vertical)
    if len(hlines) < 2 or len(vlines) < 2:
        return []
    if len(hlines) * len(vlines) > MAX_GRID:
        raise TooComplex(f"{len(hlines)} x {len(vlines)} rulings")
    ys = sorted(hlines)
    xs = sorted(vlines)
    # Intersections: a vertical line at x crossing a horizontal line at y.
    points: set[tuple[float, float]] = set()
    for y in ys:
        for x in xs:
            if _covers(hlines[y], x, x) and _covers(vlines[x], y, y):
                points.add((x, y))
    cells = []
    for x, y in points:  # (x, y) as a cell's top-left corner
        below = [yy for yy in ys[: bisect_left(ys, y)][::-1] if (x, yy) in points]
        right = [xx for xx in xs[bisect_right(xs, x):] if (xx, y) in points]
        found = None
        for yy in below:
            if not _covers(vlines[x], yy, y):
                break
            for xx in right:
                if not _covers(hlines[y], x, xx):
                    break
                if (xx, yy) in points and _covers(vlines[xx], yy, y) and _covers(hlines[yy], x, xx):
                    found = (x, yy, xx, y)
                    break
            if found:
                break
        if found:
            cells.append(found)
    return _group(cells)


def _group(cells):
    """Cells sharing a corner belong to one table (union-find over corners)."""
    parent = list(range(len(cells)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[float, float], int] = {}
    for i, (x0, y0, x1, y1) in enumerate(cells):
        for corner in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
            j = owner.setdefault(corner, i)
            if j != i:
                parent[root(i)] = root(j)
    groups: dict[int, list] = {}
    for i, cell in enumerate(cells):
        groups.setdefault(root(i), []).append(cell)
    tables = [sorted(g, key=lambda c: (-c[3], c[0])) for g in groups.values() if len(g) >= 2]
    tables.sort(key=lambda t: -max(c[3] for c in t))
    return tables
