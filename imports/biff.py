"""How far the cells of each sheet of an Excel 97-2003 (.xls) workbook reach, read before calamine sees it.

calamine allocates a sheet's rows × columns up to its farthest cell: a 6 KB .xls with one cell at IV65536
takes a gigabyte. So, as for an .xlsx (reading._ExtentScan), the file's own records are read first: the
compound file (OLE2) holding the "Workbook" stream, then the BIFF8 records of each sheet. Only what the
bound needs is read, and every length and chain is checked against the file's size: a malformed file
raises Malformed, and is refused as damaged.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

__all__ = ["Malformed", "extents"]

# Records that place a cell, each starting with its row and column (BIFF8); MULRK and MULBLANK also end
# with their last column.
_CELLS = frozenset({0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6})
_MULTI = frozenset({0x00BD, 0x00BE})
_BOUNDSHEET, _EOF = 0x0085, 0x000A
_END_OF_CHAIN = 0xFFFFFFFE
_FREE = 0xFFFFFFFF


class Malformed(Exception):
    """Not a compound file holding a BIFF8 workbook that can be measured."""


def extents(data: bytes) -> dict[str, tuple[int, int]]:
    """Sheet name -> (rows, columns) up to its farthest cell, 1-based; (0, 0) for a sheet without cells."""
    stream = _workbook_stream(data)
    sheets: list[tuple[str, int]] = []
    for kind, start, length in _records(stream, 0):
        if kind == _BOUNDSHEET and length >= 8:
            sheets.append((_sheet_name(stream, start, length), struct.unpack_from("<I", stream, start)[0]))
        elif kind == _EOF:
            break
    found = {}
    for name, offset in sheets:
        rows = columns = 0
        for kind, start, length in _records(stream, offset):
            if kind == _EOF:
                break
            if kind in _CELLS and length >= 4:
                row, column = struct.unpack_from("<HH", stream, start)
                rows, columns = max(rows, row + 1), max(columns, column + 1)
            elif kind in _MULTI and length >= 6:
                row = struct.unpack_from("<H", stream, start)[0]
                last = struct.unpack_from("<H", stream, start + length - 2)[0]
                rows, columns = max(rows, row + 1), max(columns, last + 1)
        found[name] = (rows, columns)
    return found


def _records(stream: bytes, offset: int) -> Iterator[tuple[int, int, int]]:
    """(type, start of its data, length) of each record from offset on, up to the stream's end."""
    if not 0 <= offset <= len(stream):
        raise Malformed("sheet offset")
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        start = offset + 4
        if start + length > len(stream):
            raise Malformed("record past the end")
        yield kind, start, length
        offset = start + length


def _sheet_name(stream: bytes, start: int, length: int) -> str:
    count, high = stream[start + 6], stream[start + 7] & 1
    text = stream[start + 8 : start + 8 + count * (2 if high else 1)]
    return text.decode("utf-16-le" if high else "latin-1", errors="replace")


def _workbook_stream(data: bytes) -> bytes:
    """The "Workbook" (BIFF8) or "Book" (BIFF5) stream of a compound file."""
    if len(data) < 512 or data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise Malformed("not a compound file")
    sector_shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if sector_shift not in (9, 12) or mini_shift != 6:
        raise Malformed("sector size")
    size = 1 << sector_shift
    fat_sectors, directory, _sig, cutoff, minifat, _minifat_count, difat, difat_count = struct.unpack_from(
        "<IIIIIIII", data, 0x2C
    )
    sectors = (len(data) - 512) // size + 1  # an upper bound of every count below

    def sector(number: int) -> bytes:
        at = size * (number + 1)  # the header takes the first sector's place
        if number >= sectors or at >= len(data):
            raise Malformed("sector past the end")
        return data[at : at + size]

    # The FAT's sectors: 109 in the header, the rest in the DIFAT chain.
    fat_at = [n for n in struct.unpack_from("<109I", data, 0x4C) if n < _END_OF_CHAIN]
    for _i in range(min(difat_count, sectors)):
        if difat >= _END_OF_CHAIN:
            break
        entries = struct.unpack(f"<{size // 4}I", sector(difat).ljust(size, b"\0"))
        fat_at += [n for n in entries[:-1] if n < _END_OF_CHAIN]
        difat = entries[-1]
    if fat_sectors > sectors or len(fat_at) < fat_sectors:
        raise Malformed("FAT")
    fat = b"".join(sector(n).ljust(size, b"\0") for n in fat_at[:fat_sectors])
    fat_entries = struct.unpack(f"<{len(fat) // 4}I", fat)

    def chain(first: int, table: tuple[int, ...], limit: int) -> list[int]:
        out: list[int] = []
        n = first
        while n < _END_OF_CHAIN:
            if n >= len(table) or len(out) > limit:
                raise Malformed("chain")
            out.append(n)
            n = table[n]
        return out

    def regular(first: int) -> bytes:
        return b"".join(sector(n).ljust(size, b"\0") for n in chain(first, fat_entries, sectors))

    listing = regular(directory)
    root_start = root_size = 0
    found: tuple[int, int] | None = None
    for at in range(0, len(listing) - 127, 128):
        name_length = struct.unpack_from("<H", listing, at + 64)[0]
        name = listing[at : at + max(0, min(name_length, 64) - 2)].decode("utf-16-le", errors="replace")
        kind = listing[at + 66]
        start, stream_size = struct.unpack_from("<II", listing, at + 116)
        if kind == 5:
            root_start, root_size = start, stream_size
        elif kind == 2 and name in ("Workbook", "Book") and found is None:
            found = (start, stream_size)
    if found is None:
        raise Malformed("no workbook stream")
    start, stream_size = found
    if stream_size > len(data):
        raise Malformed("stream size")
    if stream_size >= cutoff:
        return regular(start)[:stream_size]
    # A small stream lives in the mini stream, in 64-byte sectors chained by the mini FAT.
    mini = regular(root_start)[:root_size]
    mini_fat = regular(minifat) if minifat < _END_OF_CHAIN else b""
    mini_entries = struct.unpack(f"<{len(mini_fat) // 4}I", mini_fat[: len(mini_fat) // 4 * 4])
    out = b"".join(mini[n * 64 : n * 64 + 64] for n in chain(start, mini_entries, len(mini) // 64 + 1))
    return out[:stream_size]
