"""zipdir.Archive must give zipfile's names, bytes and errors for every archive, reading plain ones itself."""

import io
import re
import struct
import zipfile
import zlib

import pytest

from parsers.errors import UnreadableDocument
from parsers.readers import limits, zipdir

MEMBERS = [
    ("[Content_Types].xml", b"<Types/>" * 50),
    ("word/document.xml", "<w:document>报告</w:document>".encode() * 400),
    ("docProps/core.xml", b"<core/>"),
    ("media/文件.bin", bytes(range(256)) * 8),
]


def _zip(method=zipfile.ZIP_DEFLATED, comment=b"", members=MEMBERS) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, payload in members:
            z.writestr(name, payload)
        z.comment = comment
    return buf.getvalue()


def _outcome(read, name, limit):
    try:
        return read(name, limit)
    except (
        KeyError,
        UnreadableDocument,
        zipfile.BadZipFile,
        NotImplementedError,
        RuntimeError,
        OSError,
        zlib.error,
    ) as e:
        return type(e).__name__, str(e)


def _same_as_zipfile(data: bytes) -> zipdir.Archive:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception as e:
        with pytest.raises(type(e), match=re.escape(str(e))):
            zipdir.Archive(data)
        return None
    arc = zipdir.Archive(data)
    assert arc.namelist() == zf.namelist()
    for name in [*zf.namelist(), "missing.xml"]:
        for limit in (limits.MAX_ZIP_MEMBER_BYTES, 100):
            assert _outcome(arc.read, name, limit) == _outcome(
                lambda n, lim: limits.read_zip_member(zf, n, lim), name, limit
            )
    return arc


def test_plain_archives_are_read_without_zipfile():
    for method in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        arc = _same_as_zipfile(_zip(method))
        assert arc._zf is None  # every member came from the fast path
        assert arc.read("media/文件.bin") == bytes(range(256)) * 8


def test_unusual_archives_read_as_zipfile_reads_them():
    data = _zip()
    directory = struct.unpack("<L", data[-6:-2])[0]
    doc_cd = data.find(b"word/document.xml", directory) - 46  # its central directory entry
    assert data[doc_cd : doc_cd + 4] == b"PK\x01\x02"
    variants = [_zip(comment=b"note"), b"prefix" * 7 + data, data[:-1], data[: len(data) // 2], b"PK\x03\x04"]
    for offset, change in ((8, 0x01), (10, 0x0C), (16, 0x01), (20, 0x03), (24, 0x03), (6, 0x60)):
        corrupt = bytearray(data)
        corrupt[doc_cd + offset] ^= change
        variants.append(bytes(corrupt))
    packed = bytearray(data)
    packed[data.find(b"word/document.xml") + len("word/document.xml") + 40] ^= (
        0x55  # the deflate stream itself
    )
    variants.append(bytes(packed))
    for variant in variants:
        _same_as_zipfile(variant)
    # a comment, a prefix or a bad member are left to zipfile
    assert zipdir.Archive(variants[0])._zf is not None
    assert zipdir.Archive(variants[1])._zf is not None
