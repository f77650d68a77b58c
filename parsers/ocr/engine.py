"""Tesseract through tesserocr: one API object per thread and reading kind (loading a model costs
~0.3 s, a small crop ~10-30 ms)."""

from __future__ import annotations

import os
import re
import threading
from functools import cache
from pathlib import Path

_TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                  "/usr/share/tessdata", "/usr/local/share/tessdata")
# Tesseract puts spaces between CJK glyphs; keep a space only between two Latin letters or digits.
_CJK_SPACE = re.compile(r"(?<![A-Za-z0-9]) +| +(?![A-Za-z0-9])")

_local = threading.local()


class OcrUnavailable(Exception):
    """tesserocr or the chi_sim/eng models are not installed."""


@cache
def tessdata() -> str | None:
    """The folder holding chi_sim and eng models (Debian's tesseract-ocr-chi-sim), or None."""
    candidates = [os.environ.get("TESSDATA_PREFIX", ""), *_TESSDATA_DIRS]
    for d in candidates:
        if d and (Path(d) / "chi_sim.traineddata").exists() and (Path(d) / "eng.traineddata").exists():
            return d
    return None


@cache
def available() -> bool:
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return tessdata() is not None


def _api(kind: str, psm):
    import tesserocr

    apis = getattr(_local, "apis", None)
    if apis is None:
        apis = _local.apis = {}
    key = (kind, int(psm))
    api = apis.get(key)
    if api is None:
        if not available():
            raise OcrUnavailable("Tesseract (tesserocr with chi_sim and eng models) is not installed")
        # no character whitelist for figures: eng restricted to digits drops a 0 it reads as O
        lang = "eng" if kind == "latin" else "chi_sim"
        api = apis[key] = tesserocr.PyTessBaseAPI(path=tessdata(), lang=lang, psm=psm)
    return api


def clean(text: str) -> str:
    lines = [_CJK_SPACE.sub("", line).strip() for line in text.replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line)


def recognise(image, kind: str = "text", psm=None) -> tuple[str, float]:
    """The text of a crop and Tesseract's mean confidence (0..1; 0 when nothing was read).
    kind: "text" (chi_sim, Latin and digits included) or "latin" (eng: a second opinion on figures)."""
    import tesserocr

    api = _api(kind, tesserocr.PSM.SINGLE_BLOCK if psm is None else psm)
    api.SetImage(image)
    text = clean(api.GetUTF8Text())
    conf = api.MeanTextConf() / 100 if text else 0.0
    api.Clear()
    return text, max(0.0, min(conf, 1.0))


def page_lines(image) -> list[tuple[str, float, float]]:
    """Text lines of a page region in reading order: (text, confidence 0..1, vertical centre px)."""
    import tesserocr

    api = _api("text", tesserocr.PSM.AUTO)
    api.SetImage(image)
    api.Recognize()
    out: list[tuple[str, float, float]] = []
    it = api.GetIterator()
    level = tesserocr.RIL.TEXTLINE
    if it is not None and not it.Empty(level):
        while True:
            text = clean(it.GetUTF8Text(level) or "")
            box = it.BoundingBox(level)
            if text and box:
                out.append((text, max(0.0, it.Confidence(level) / 100), (box[1] + box[3]) / 2))
            if not it.Next(level):
                break
    api.Clear()
    return out
