"""Image-only reports read by OCR: values exact on clean scans, never wrong-and-exact on degraded
ones (every figure that may be misread is marked uncertain), and bad images refused clearly."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from parsers import ocr, parse
from parsers.errors import UnreadableDocument
from parsers.readers import read_document, sniff
from replica.render import render
from replica.render.scan import page_images, scanned_pdf
from replica.reports import generate

FONTS = ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


@pytest.fixture(scope="module", autouse=True)
def _tesseract():
    # setup.sh installs tesseract-ocr + chi_sim and tesserocr: its absence is a broken install, not a skip
    assert ocr.available(), "OCR unavailable: run scripts/setup.sh (tesserocr, tesseract-ocr-chi-sim)"


def _font(size: int):
    path = next((p for p in FONTS if Path(p).exists()), None)
    assert path, "no CJK font: run scripts/setup.sh"
    return ImageFont.truetype(path, size)


def _same(got, want) -> bool:
    if want is None or got is None:
        return got is None and want is None
    return Decimal(str(got)) == Decimal(str(want))


def _score(result: dict, truth: dict) -> dict:
    got = {v["key"]: v for v in result["values"]}
    out = {"exact": 0, "missing": 0, "wrong_certain": [], "uncertain": 0}
    for key, want in truth.items():
        v = got.get(key)
        if v is None:
            out["missing"] += 1
            continue
        assert v["source"] == "ocr" and 0 <= v["confidence"] <= 1, v
        if _same(v["value"], want):
            out["exact"] += 1
        elif not v["uncertain"]:
            out["wrong_certain"].append((key, want, v["raw"]))
        out["uncertain"] += bool(v["uncertain"])
    return out


def _ruled_table_png(rows: list[list[str]], widths: list[int]) -> bytes:
    """A table drawn with 2-px rulings at about 200 dpi, as a picture on a portal page would be."""
    row_h, x0, y0 = 64, 60, 80
    font = _font(30)
    img = Image.new("L", (x0 * 2 + sum(widths), y0 * 2 + row_h * len(rows)), 255)
    d = ImageDraw.Draw(img)
    d.text((x0, 20), "附件：政府信息公开情况统计表", font=font, fill=0)
    for r, row in enumerate(rows):
        x = x0
        for c, text in enumerate(row):
            box = (x, y0 + r * row_h, x + widths[c], y0 + (r + 1) * row_h)
            d.rectangle(box, outline=0, width=2)
            tw = d.textlength(text, font=font)
            d.text((x + (widths[c] - tw) / 2, box[1] + 16), text, font=font, fill=0)
            x += widths[c]
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def test_a_ruled_table_picture_is_read_cell_by_cell():
    rows = [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            ["规章", "0", "1", "17"], ["行政规范性文件", "23", "4", "105"]]
    data = _ruled_table_png(rows, [330, 250, 250, 250])
    assert sniff(data) == "image"
    doc = read_document(data)
    assert doc.format == "image" and len(doc.tables) == 1
    grid = [[c.text for c in row] for row in doc.tables[0].rows]
    assert [r[1:] for r in grid[1:]] == [r[1:] for r in rows[1:]]
    assert all(c.confidence >= 0.6 for row in doc.tables[0].rows[1:] for c in row[1:])
    assert any("统计表" in b for b in doc.paragraphs)


def test_clean_scanned_pdf_gives_back_every_value_exactly():
    spec = generate(1, "2021")
    result = parse(scanned_pdf(render(spec, "pdf")), filename="scan.pdf")
    score = _score(result, spec.values)
    assert score["wrong_certain"] == []
    assert score["exact"] >= len(spec.values) - 2, score  # measured: 200 of 200
    assert score["uncertain"] <= 6, score
    assert result["metadata"]["title"] == spec.title
    assert result["metadata"]["year"] == spec.year
    assert any(i["rule"] == "parse.ocr" for i in result["issues"])


@pytest.mark.parametrize(("seed", "template", "degrade"), [
    (4, "2021", {"dpi": 150, "noise": 28, "skew": 1.2}),
    (5, "2019", {"dpi": 200, "noise": 20, "skew": -2.0, "blur": 0.8}),
])
def test_degraded_scans_are_never_wrong_and_exact(seed, template, degrade):
    spec = generate(seed, template)
    result = parse(scanned_pdf(render(spec, "pdf"), **degrade), filename="scan.pdf")
    score = _score(result, spec.values)
    assert score["wrong_certain"] == [], score
    assert score["exact"] >= len(spec.values) // 2, score  # most figures still read


def test_a_table_breaking_its_rules_is_uncertain_as_a_whole():
    spec = generate(7, "2021", inconsistencies=2)
    assert spec.broken
    result = parse(scanned_pdf(render(spec, "pdf")), filename="scan.pdf")
    broken_tables = {r.split(".", 1)[0] for r in spec.broken}
    for v in result["values"]:
        if v["key"].split(".", 1)[0] in broken_tables:
            assert v["uncertain"], v
    assert any(i["rule"] == "parse.ocr_uncertain" and "break" in i["message"] for i in result["issues"])
    assert _score(result, spec.values)["wrong_certain"] == []


def test_page_images_as_png_and_multipage_tiff():
    spec = generate(1, "2021")
    pages = page_images(render(spec, "pdf"), dpi=300)
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    result = parse(buf.getvalue(), filename="report.tif")
    assert result["metadata"]["format"] == "image"
    score = _score(result, spec.values)
    assert score["wrong_certain"] == [] and score["exact"] >= len(spec.values) - 2, score


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,  # a PNG cut after its signature
    b"\xff\xd8\xff\xe0" + b"junk" * 100,  # a JPEG with no image in it
    b"GIF89a" + b"\x01" * 20,
])
def test_broken_images_are_unreadable_not_a_crash(data):
    with pytest.raises(UnreadableDocument):
        read_document(data)


def test_an_image_too_large_to_read_is_refused():
    buf = io.BytesIO()
    Image.new("1", (12000, 9000), 1).save(buf, "PNG")  # 108 Mpx of white compresses to a few KB
    with pytest.raises(UnreadableDocument, match="too large"):
        read_document(buf.getvalue())


def test_ocr_stops_at_its_time_budget_and_says_which_pages_it_left(monkeypatch):
    from parsers.readers import pdf

    monkeypatch.setattr(pdf, "OCR_BUDGET_SECONDS", 0.0)  # the first page is read, no page after it
    spec = generate(1, "2021")
    doc = read_document(scanned_pdf(render(spec, "pdf"), dpi=200))
    skipped = [i for i in doc.issues if i["rule"] == "parse.image_pages"]
    assert len(skipped) == 1 and "not read: 2" in skipped[0]["message"] and "75" not in skipped[0]["message"]
    assert doc.tables and all(t.page == 1 for t in doc.tables)
