"""OCR of image-only pages (scanned PDFs, tables published as pictures) with Tesseract.

``engine`` wraps the tesserocr binding, ``prepare`` cleans a scan (grey, scale, deskew, binarise),
``rulings`` finds a table's ruling lines in the pixels and ``page`` reads a page cell by cell.
"""

from parsers.ocr.engine import OcrUnavailable, available
from parsers.ocr.page import read_page

__all__ = ["OcrUnavailable", "available", "read_page"]
