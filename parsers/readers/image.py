"""Image files (a report's tables published as PNG/JPEG/GIF/TIFF/BMP/WebP pictures, scans saved as
TIFF): every frame read by OCR, assembled like PDF pages."""

from __future__ import annotations

import io
import time
import warnings

from parsers.document import Document
from parsers.errors import UnreadableDocument
from parsers.readers import limits

MAX_OCR_PAGES = 20  # frames of a multi-page TIFF read; the rest skipped with an issue


def read(data: bytes) -> Document:
    return limits.guarded("image", _read, data)


def _read(data: bytes) -> Document:
    from PIL import Image, ImageSequence

    from parsers import ocr
    from parsers.ocr.prepare import MAX_PIXELS
    from parsers.readers.pdf import OCR_BUDGET_SECONDS, assemble

    if not ocr.available():
        raise UnreadableDocument("an image-only document, and OCR is not installed "
                                 "(tesserocr with Tesseract's chi_sim and eng models)")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise UnreadableDocument(f"image of {image.width} x {image.height} pixels is too large to read")
            frames = []
            for n, frame in enumerate(ImageSequence.Iterator(image)):
                if n >= MAX_OCR_PAGES:
                    break
                frame.load()
                frames.append(frame.copy())
            total = getattr(image, "n_frames", 1)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise UnreadableDocument(f"image too large to read ({e})") from None
        except (OSError, SyntaxError, ValueError) as e:
            raise UnreadableDocument(f"not a readable image: {e}") from None
    issues = [{"rule": "parse.ocr", "severity": "warning",
               "message": f"an image document: {len(frames)} page(s) read by OCR (Tesseract); "
                          "its values are marked source=ocr with a confidence"}]
    if total > len(frames):
        issues.append({"rule": "parse.pages_skipped", "severity": "warning",
                       "message": f"only the first {len(frames)} of {total} image pages were read"})
    page_tables = {}
    started = time.monotonic()
    for i, frame in enumerate(frames):
        if i > 0 and time.monotonic() - started > OCR_BUDGET_SECONDS:
            issues.append({"rule": "parse.pages_skipped", "severity": "warning",
                           "message": f"OCR time budget ({OCR_BUDGET_SECONDS:.0f} s) spent: image pages "
                                      f"{i + 1}-{len(frames)} were not read"})
            break
        page_tables[i] = ocr.read_page(frame, i + 1)
    assembler = assemble([], page_tables)
    return Document(blocks=assembler.blocks, format="image", title_hint=assembler.print_title, issues=issues)
