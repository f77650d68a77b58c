"""A zip's member names and contents without zipfile's per-member cost, for the plain zips Word writes.

zipfile builds a ZipInfo per member and a file object per read: for a DOCX of ~17 members that is
more than parsing its XML tables. Here a plain archive (no comment, no zip64, no extra fields,
nothing prepended, deflated or stored members) is read with struct and zlib; anything else, and any
member whose reading is not clean (a size or CRC that does not match), goes to zipfile, so names,
bytes and errors are zipfile's in every case.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from parsers.readers import limits

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record (22 bytes)
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # central directory entry (46 bytes)
_LOCAL = struct.Struct("<4s2B4HL2L2H")  # local file header (30 bytes)
_MAX_EXTRACT_VERSION = 63  # zipfile refuses later versions
_FLAGS_ZIPFILE_DECIDES = 0x1 | 0x20 | 0x40  # encrypted, patched, strongly encrypted
_UTF8_NAME = 0x800


def _central_directory(data: bytes) -> list[tuple] | None:
    """[(name, raw name, flags, method, crc, compressed size, size, header offset)] in archive order,
    or None when the archive is not plain (zipfile reads it then)."""
    end = len(data) - _EOCD.size
    if end < 0 or data[end : end + 4] != b"PK\x05\x06" or data[-2:] != b"\0\0":
        return None  # too short, or an archive comment: zipfile searches for the record
    if end >= 20 and data[end - 20 : end - 16] == b"PK\x06\x07":
        return None  # a zip64 locator
    _sig, _disk, _disk_cd, _n_disk, _n, size_cd, offset_cd, _comment = _EOCD.unpack_from(data, end)
    if offset_cd + size_cd != end:
        return None  # data before the archive ("concat") or a directory that does not end at the record
    entries = []
    pos = offset_cd
    while pos < end:
        if pos + _CENTRAL.size > end:
            return None
        (
            sig,
            _cv,
            _cs,
            extract_version,
            _reserved,
            flags,
            method,
            _t,
            _d,
            crc,
            csize,
            size,
            nlen,
            elen,
            clen,
            _vol,
            _iattr,
            _eattr,
            offset,
        ) = _CENTRAL.unpack_from(data, pos)
        if sig != b"PK\x01\x02" or extract_version > _MAX_EXTRACT_VERSION or elen:
            return None  # zipfile's errors, or extra fields (zip64 sizes) it interprets
        raw = data[pos + _CENTRAL.size : pos + _CENTRAL.size + nlen]
        pos += _CENTRAL.size + nlen + elen + clen
        if pos > end or b"\0" in raw:
            return None
        try:
            name = raw.decode("utf-8") if flags & _UTF8_NAME else raw.decode("cp437")
        except UnicodeDecodeError:
            return None
        entries.append((name, raw, flags, method, crc, csize, size, offset))
    return entries


class Archive:
    """Member names and bounded reads of a zip held in memory (see the module docstring)."""

    def __init__(self, data: bytes):
        self._data = data
        entries = _central_directory(data)
        self._zf: zipfile.ZipFile | None = None
        if entries is None:
            self._zf = zipfile.ZipFile(io.BytesIO(data))  # raises what reading the zip always raised
            self._names = self._zf.namelist()
            self._entries: dict = {}
        else:
            self._names = [e[0] for e in entries]
            self._entries = {e[0]: e for e in entries}  # like zipfile: a repeated name's last entry

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._zf is not None:
            self._zf.close()

    def namelist(self) -> list[str]:
        return list(self._names)

    def read(self, name: str, limit: int = limits.MAX_ZIP_MEMBER_BYTES) -> bytes:
        """limits.read_zip_member(zipfile.ZipFile(data), name, limit): the same bytes or error."""
        if self._zf is None:
            entry = self._entries.get(name)
            if entry is None:
                raise KeyError(f"There is no item named {name!r} in the archive")
            _name, raw, flags, method, crc, csize, size, offset = entry
            limits.check_zip_member(name, size, csize, limit)
            out = self._clean_read(raw, flags, method, crc, csize, size, offset)
            if out is not None:
                return out
            self._zf = zipfile.ZipFile(io.BytesIO(self._data))
        return limits.read_zip_member(self._zf, name, limit)

    def _clean_read(
        self, raw: bytes, flags: int, method: int, crc: int, csize: int, size: int, offset: int
    ) -> bytes | None:
        """The member's bytes when its local header, sizes and CRC all agree, else None."""
        data = self._data
        if flags & _FLAGS_ZIPFILE_DECIDES or method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return None
        if offset + _LOCAL.size > len(data):
            return None
        sig, _v, _s, lflags, _m, _t, _d, _crc, _cs, _sz, nlen, elen = _LOCAL.unpack_from(data, offset)
        start = offset + _LOCAL.size
        if sig != b"PK\x03\x04" or data[start : start + nlen] != raw:
            return None
        if (lflags ^ flags) & _UTF8_NAME and not raw.isascii():
            return None  # zipfile compares the names as each header's flag decodes them
        start += nlen + elen
        packed = data[start : start + csize]
        if len(packed) != csize:
            return None
        if method == zipfile.ZIP_STORED:
            if csize != size:
                return None
            out = bytes(packed)  # bytes even when handed a bytearray, as zipfile returns
        else:
            inflater = zlib.decompressobj(-15)
            try:
                out = inflater.decompress(packed, size + 1)
            except zlib.error:
                return None
            if not inflater.eof or len(out) != size:
                return None
        return out if zlib.crc32(out) == crc else None
