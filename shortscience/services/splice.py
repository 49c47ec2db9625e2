"""A page of fixed parts with holes, sent plain or gzipped without compressing the fixed parts
again for every reader.

A shared signed-in copy (services/neutralpages.py) is the same for every reader but for two
kinds of hole: the reader's header and their CSRF token. Compressing the whole page per request
cost more than everything else the shared copy does (about 0.8 ms of 2 ms for the home page). So
the fixed parts are compressed once, when the copy is stored, each as raw deflate ending on a
byte boundary (a sync flush, never a final block); a request adds its holes as *stored*
(uncompressed) deflate blocks, an empty final block, and gzip's header and trailer (the CRC-32 of
the whole plain page, which zlib computes at memory speed). The result is one valid gzip member
(RFC 1951, 1952) that any decoder reads as the page.

The reader's token is never compressed together with text someone else chose, so the gzipped
page gives no compression oracle on it (BREACH), where Django's GZipMiddleware relies on
randomising its header's length.
"""

from __future__ import annotations

import functools
import re
import secrets
import struct
import zlib
from dataclasses import dataclass
from typing import Any

# Gzip's member header: magic, deflate, no flags, no mtime, no extra flags, OS unknown.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
# An empty final fixed-Huffman block: BFINAL=1, BTYPE=01, end-of-block code.
_FINAL_BLOCK = b"\x03\x00"
_STORED_MAX = 0xFFFF
_WINDOW = 32768


# Bytes that never occur in UTF-8 (RFC 3629): a stand-in made of them can only ever match
# itself while the fixed parts are compressed.
_NOT_UTF8 = bytes([0xC0, 0xC1, *range(0xF5, 0x100)])


@dataclass(frozen=True)
class Spliced:
    """Fixed parts (plain and deflated) and, between each two, the number of the hole there.

    `lengths` gives the holes whose fillings always have one length (the CSRF token): the
    compressor saw a stand-in of that length there, so the parts after it may refer back across
    it and compress as well as the whole page would. A hole of any other length starts the
    compression afresh after it."""

    parts: tuple[bytes, ...]
    deflated: tuple[bytes, ...]
    holes: tuple[int, ...]  # len(parts) - 1 entries
    lengths: dict[int, int]
    # Per hole: the compressor's own output for its stand-in when that is a reference to an
    # earlier hole with the same filling (checked when prepared), else None: a stored block.
    repeats: tuple[bytes | None, ...] = ()

    @property
    def size(self) -> int:
        return sum(map(len, self.parts)) + sum(map(len, self.deflated))


def prepare(
    body: str,
    placeholders: tuple[str, ...],
    *,
    first_only: frozenset[int] = frozenset(),
    lengths: dict[int, int] | None = None,
) -> Spliced:
    """Cut `body` at each occurrence of each placeholder (hole n for placeholders[n]); a
    placeholder whose number is in `first_only` is a hole at its first occurrence only."""
    pattern = re.compile("|".join(re.escape(placeholder) for placeholder in placeholders))
    parts: list[str] = []
    holes: list[int] = []
    start = 0
    for match in pattern.finditer(body):
        number = placeholders.index(match.group())
        if number in first_only and number in holes:
            continue
        parts.append(body[start : match.start()])
        holes.append(number)
        start = match.end()
    parts.append(body[start:])
    encoded = tuple(part.encode() for part in parts)
    fixed = dict(lengths or {})
    if len(fixed) > 1:  # two holes of one length would share a stand-in, not their fillings
        raise ValueError("at most one hole of fixed length")
    deflated, repeats = _deflate(encoded, holes, fixed)
    page = Spliced(encoded, deflated, tuple(holes), fixed, repeats)
    # The repeats are right by construction; a check on made-up fillings costs one
    # decompression per stored copy and makes sure of it.
    trial = tuple(
        secrets.token_bytes(fixed[hole]) if hole in fixed else b"<>"
        for hole in range(len(placeholders))
    )
    if zlib.decompress(gzipped(page, trial), 31) != plain(page, trial):  # pragma: no cover
        page = Spliced(encoded, deflated, tuple(holes), fixed, (None,) * len(holes))
    return page


def plain(page: Spliced, fillings: tuple[bytes, ...]) -> bytes:
    """The page with each hole filled."""
    out = [page.parts[0]]
    for hole, part in zip(page.holes, page.parts[1:], strict=True):
        out.append(fillings[hole])
        out.append(part)
    return b"".join(out)


def gzipped(page: Spliced, fillings: tuple[bytes, ...]) -> bytes:
    """The same page as one gzip member: the fixed parts as compressed when prepared, the
    holes as stored blocks."""
    if any(len(fillings[hole]) != length for hole, length in page.lengths.items()):
        # A filling of another length than the stand-in's would shift every distance after it.
        return _gzip_whole(plain(page, fillings))
    stored = [_stored(filling) for filling in fillings]
    out = [_GZIP_HEADER, page.deflated[0]]
    crc = zlib.crc32(page.parts[0])
    length = len(page.parts[0])
    for index, (hole, part, deflated) in enumerate(
        zip(page.holes, page.parts[1:], page.deflated[1:], strict=True)
    ):
        filling = fillings[hole]
        repeat = page.repeats[index] if page.repeats else None
        out.append(stored[hole] if repeat is None else repeat)
        crc = zlib.crc32(part, zlib.crc32(filling, crc))
        length += len(filling) + len(part)
        out.append(deflated)
    out.append(_FINAL_BLOCK)
    out.append(struct.pack("<II", crc & 0xFFFFFFFF, length & 0xFFFFFFFF))
    return b"".join(out)


def _deflate(
    parts: tuple[bytes, ...], holes: list[int], lengths: dict[int, int]
) -> tuple[tuple[bytes, ...], tuple[bytes | None, ...]]:
    """Each part as raw deflate ending on a byte boundary (a sync flush). Across a hole of fixed
    length the compressor goes on over a stand-in whose own output is dropped (a stored block
    with the real filling goes there), so later parts keep their back-references: the distances
    are the same. The stand-in's bytes occur nowhere in the parts and each three of them in a
    row at one place only, so a back-reference that reaches into it copies the filling at the
    same offset of an earlier hole of the same number: the same bytes, as every hole of one
    number gets one filling."""
    stand_ins = {hole: stand_in(length) for hole, length in lengths.items()}
    trials = {hole: secrets.token_bytes(length) for hole, length in lengths.items()}
    out = []
    repeats: list[bytes | None] = []
    seen: set[int] = set()  # holes passed since the compressor (re)started
    history = b""  # the last window of output, with made-up fillings in the holes
    compressor = _compressor()
    for index, part in enumerate(parts):
        out.append(compressor.compress(part) + compressor.flush(zlib.Z_SYNC_FLUSH))
        history = (history + part)[-_WINDOW:]
        if index == len(holes):
            break
        hole = holes[index]
        if hole not in stand_ins:
            repeats.append(None)
            compressor = _compressor()  # no back-reference may cross a hole of any length
            seen.clear()
            history = b""
            continue
        own = compressor.compress(stand_ins[hole]) + compressor.flush(zlib.Z_SYNC_FLUSH)
        # When the compressor wrote this stand-in as copies of an earlier one, those copies
        # are copies of the earlier filling, the same bytes: it may stay. Decoding it after
        # made-up fillings tells whether it did (a literal stand-in byte would show).
        kept = None
        if hole in seen:
            decoder = zlib.decompressobj(-15, zdict=history)
            if decoder.decompress(own) == trials[hole]:
                kept = own
        repeats.append(kept)
        seen.add(hole)
        history = (history + trials[hole])[-_WINDOW:]
    return tuple(out), tuple(repeats)


def _compressor() -> Any:
    return zlib.compressobj(6, zlib.DEFLATED, -15)


@functools.cache
def stand_in(length: int) -> bytes:
    """`length` bytes that are not UTF-8, no three of them in a row repeated."""
    seen: set[bytes] = set()
    out = bytearray(_NOT_UTF8[:2])
    while len(out) < length:
        for byte in _NOT_UTF8:
            triple = bytes([out[-2], out[-1], byte])
            if triple not in seen:
                seen.add(triple)
                out.append(byte)
                break
        else:  # pragma: no cover - 13 ** 3 triples allow stand-ins far longer than any token
            raise ValueError(f"no stand-in of {length} bytes")
    return bytes(out[:length])


def _gzip_whole(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = compressor.compress(data) + compressor.flush()
    return (
        _GZIP_HEADER
        + body
        + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    )


def _stored(data: bytes) -> bytes:
    blocks = []
    for start in range(0, len(data), _STORED_MAX):
        chunk = data[start : start + _STORED_MAX]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)
