"""Decide a document's format: from the bytes first, then the file name, then the content type."""

from __future__ import annotations

import re

FORMATS = ("html", "docx", "doc", "wps", "pdf", "image", "text")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")

_EXTENSIONS = {
    "html": "html",
    "htm": "html",
    "shtml": "html",
    "xhtml": "html",
    "jhtml": "html",
    "jsp": "html",
    "asp": "html",
    "aspx": "html",
    "php": "html",
    "docx": "docx",
    "docm": "docx",
    "dotx": "docx",
    "doc": "doc",
    "dot": "doc",
    "rtf": "doc",
    "wps": "wps",
    "wpt": "wps",
    "pdf": "pdf",
    "png": "image",
    "jpg": "image",
    "jpeg": "image",
    "gif": "image",
    "tif": "image",
    "tiff": "image",
    "bmp": "image",
    "webp": "image",
    "txt": "text",
    "text": "text",
}

_CONTENT_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc",
    "application/rtf": "doc",
    "text/rtf": "doc",
    "application/kswps": "wps",
    "application/wps-office.wps": "wps",
    "application/vnd.ms-works": "wps",
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "image/png": "image",
    "image/jpeg": "image",
    "image/gif": "image",
    "image/tiff": "image",
    "image/bmp": "image",
    "image/webp": "image",
    "text/plain": "text",
}

_HTML_START = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|link|script|style|div|table|p|h[1-6]|span|center|form)[\s>/]",
    re.I | re.S,
)
_HTML_ANYWHERE = re.compile(rb"<(html|body|table)[\s>]", re.I)


def _utf16_names(*names: str) -> list[bytes]:
    return [n.encode("utf-16-le") for n in names]


_WORD_STREAMS = _utf16_names("WordDocument")
_WORKS_STREAMS = _utf16_names("MatOST", "CONTENTS")  # Microsoft Works word processor


def _from_name(filename: str | None) -> str | None:
    if not filename:
        return None
    name = filename.lower().split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if "." not in name.rsplit("/", 1)[-1]:
        return None
    return _EXTENSIONS.get(name.rsplit(".", 1)[-1])


def _from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return _CONTENT_TYPES.get(content_type.split(";", 1)[0].strip().lower())


def _zip_is_docx(data: bytes) -> bool:
    """A member under word/: a zip stores every member's name as is in its local header and again in
    its central directory, so the bytes tell without opening the archive (which the DOCX reader does
    anyway; opening it twice cost more than reading its tables). A zip that is not a DOCX would be
    read as one anyway when neither its name nor its content type says otherwise, and then fails
    with the reader's reason."""
    return b"word/" in data


def _looks_html(data: bytes) -> bool:
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            head = head.decode("utf-16").encode("utf-8", "replace")
        except UnicodeDecodeError:
            return False
    head = head.removeprefix(b"\xef\xbb\xbf")
    head = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", head)
    return bool(_HTML_START.match(head) or _HTML_ANYWHERE.search(head))


def sniff(data: bytes, filename: str | None = None, content_type: str | None = None) -> str:
    """Return one of FORMATS. Magic numbers win over the name, the name over the content type."""
    by_name = _from_name(filename)
    by_type = _from_content_type(content_type)
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        if _zip_is_docx(data):
            return "docx"
        return by_name or by_type or "docx"
    if head.startswith(OLE_MAGIC):
        # Kingsoft WPS files are OLE2 with a WordDocument stream like Word's: only the name or
        # content type tells them apart. A Works file (.wps too) has its own stream names.
        if by_name == "wps" or by_type == "wps":
            return "wps"
        if any(s in data for s in _WORD_STREAMS):
            return "doc"
        if any(s in data for s in _WORKS_STREAMS):
            return "wps"
        return "doc"
    if is_image(head):
        return "image"
    if head.lstrip().startswith(b"{\\rtf"):
        return "doc"  # RTF saved as .doc is common; LibreOffice converts it
    if _looks_html(data):
        return "html"
    guess = by_name or by_type
    if guess in (None, "html", "text") or looks_textual(data):
        return guess or "text"
    return guess  # junk under a binary format's name: that reader says why it cannot read it


def is_image(head: bytes) -> bool:
    """PNG, JPEG, GIF, TIFF, BMP or WebP magic numbers."""
    if head.startswith(b"BM"):
        return len(head) >= 26 and head[14:15] in (b"\x0c", b"(", b"@", b"l", b"|")  # a BMP info header size
    return head.startswith(IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")  # below 32 but not tab, LF, FF or CR


def looks_textual(data: bytes) -> bool:
    """True when the bytes read as text (UTF-8/16 or GB18030 without control bytes)."""
    sample = data[:65536]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in sample:
        return False
    for enc in ("utf-8", "gb18030"):
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError as e:
            if e.start >= len(sample) - 4:  # a character cut by the sample's end
                text = sample[: e.start].decode(enc, "ignore")
            else:
                continue
        controls = len(_CONTROLS.findall(text))
        return controls <= len(text) // 100
    return False
