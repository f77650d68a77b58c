"""A scan made ready for reading: grey, a working resolution, upright, and its ink found."""

from __future__ import annotations

import numpy as np
from PIL import Image

MIN_WIDTH = 1600  # px: below this a 10.5-pt figure is too small for Tesseract (A4 at ~140 dpi)
MAX_WIDTH = 3600  # px: above this reading costs more and gains nothing (A4 at ~300 dpi is 2480)
MAX_PIXELS = 80_000_000  # a page this large is a bomb or a poster, not a report page
MAX_SKEW = 5.0  # degrees searched either way


class ImageTooLarge(Exception):
    pass


def to_grey(image: Image.Image) -> Image.Image:
    if image.width * image.height > MAX_PIXELS:
        raise ImageTooLarge(f"{image.width} x {image.height} pixels")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, rgba)
    grey = image.convert("L")
    if grey.width < MIN_WIDTH or grey.width > MAX_WIDTH:
        target = MIN_WIDTH if grey.width < MIN_WIDTH else MAX_WIDTH
        scale = target / grey.width
        grey = grey.resize((target, max(1, round(grey.height * scale))), Image.Resampling.LANCZOS)
    return grey


def otsu(values: np.ndarray) -> int:
    hist = np.bincount(values.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return 128
    levels = np.arange(256)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    mean = m0[-1] / total
    w1 = total - w0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean * w0 - m0) ** 2 / (w0 * w1)
    between[~np.isfinite(between)] = 0
    return int(np.argmax(between))


def binarise(grey: np.ndarray, lenient: bool = False) -> np.ndarray:
    """True where there is ink. lenient: the threshold halfway to the paper level, so that faint
    1-px rulings drawn in grey (anti-aliased in a render) still count."""
    t = otsu(grey)
    if lenient:
        paper = int(np.percentile(grey, 90))
        t = (t + paper) // 2 if paper > t else t
    return grey <= t


def _profile_score(ink: np.ndarray) -> float:
    rows = ink.sum(axis=1).astype(np.float64)
    return float(np.var(rows))


def skew_angle(grey: Image.Image) -> float:
    """The rotation (degrees, counter-clockwise) that makes text rows and rulings level: the angle
    whose row-ink profile is the sharpest, searched coarse then fine on a small copy."""
    small = grey.resize((800, max(1, round(grey.height * 800 / grey.width))), Image.Resampling.BILINEAR)
    arr = np.asarray(small)
    if binarise(arr).mean() < 0.002:
        return 0.0

    def score(angle: float) -> float:
        turned = small.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
        return _profile_score(binarise(np.asarray(turned)))

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), key=score)
    best = max(np.arange(best - 0.4, best + 0.41, 0.1), key=score)
    return float(round(best, 2))


def prepare(image: Image.Image) -> Image.Image:
    """A grey, levelled page at a working resolution."""
    grey = to_grey(image)
    angle = skew_angle(grey)
    if abs(angle) >= 0.1:
        grey = grey.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    return grey
