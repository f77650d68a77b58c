"""Scanned-looking copies of rendered reports (for OCR tests and benchmarks): every page rasterised
(optionally at a low resolution, turned, blurred and speckled), saved as an image-only PDF or as images."""

from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter


def page_images(pdf_bytes: bytes, dpi: int = 300, noise: float = 0, skew: float = 0.0, blur: float = 0,
                seed: int = 0) -> list[Image.Image]:
    pdf = pdfium.PdfDocument(pdf_bytes)
    rng = np.random.default_rng(seed)
    pages = []
    try:
        for page in pdf:
            img = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            if skew:
                img = img.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255, expand=True)
            if blur:
                img = img.filter(ImageFilter.GaussianBlur(blur))
            if noise:
                a = np.asarray(img).astype(np.int16) + rng.normal(0, noise, (img.height, img.width)).astype(np.int16)
                img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
            pages.append(img)
    finally:
        pdf.close()
    return pages


def scanned_pdf(pdf_bytes: bytes, dpi: int = 300, **degrade) -> bytes:
    pages = page_images(pdf_bytes, dpi=dpi, **degrade)
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return out.getvalue()
