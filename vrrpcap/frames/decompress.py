"""gzip, bzip2 and xz streams decompressed as they are read, keeping everything before any damage.

Python's GzipFile, BZ2File and LZMAFile raise from read(n) when the input is cut short or corrupt, and
what that call had decompressed is lost: a capture cut at 90% read as nothing. Here the decompressor
objects are driven directly, so every byte they could produce comes out, and the damage (cut short,
corrupt, trailing garbage) is kept in ``damage`` for the reader to report after the last frame.

Concatenated members or streams (``cat a.gz b.gz``, pigz, pbzip2, ``xz`` with several streams) are read
through, and zero padding after the end is accepted, as gzip and xz accept it.
"""

from __future__ import annotations

import bz2
import lzma
import zlib
from collections.abc import Callable
from typing import BinaryIO, Literal, Protocol

Compression = Literal["gzip", "bzip2", "xz"]
MAGICS: dict[Compression, bytes] = {"gzip": b"\x1f\x8b", "bzip2": b"BZh", "xz": b"\xfd7zXZ\x00"}
INPUT_CHUNK = 128 * 1024
ERRORS = (zlib.error, OSError, EOFError, lzma.LZMAError)  # bz2 reports corrupt data as OSError


class _Engine(Protocol):
    """One member or stream: zlib's decompressobj and the bz2/lzma decompressors behind one interface."""

    @property
    def eof(self) -> bool: ...

    @property
    def wants_input(self) -> bool: ...

    @property
    def leftover(self) -> bytes: ...

    def feed(self, data: bytes, limit: int) -> bytes: ...


class _Zlib:
    def __init__(self) -> None:
        self._d = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip header and trailer (CRC, length)
        self._tail = b""

    @property
    def eof(self) -> bool:
        return self._d.eof

    @property
    def wants_input(self) -> bool:
        return not self._tail

    @property
    def leftover(self) -> bytes:
        return self._d.unused_data

    def feed(self, data: bytes, limit: int) -> bytes:
        out = self._d.decompress(self._tail + data if self._tail else data, limit)
        self._tail = self._d.unconsumed_tail
        return out


class _Buffered:
    """bz2 and lzma keep unconsumed input themselves and say when they need more."""

    def __init__(self, decompressor: bz2.BZ2Decompressor | lzma.LZMADecompressor) -> None:
        self._d = decompressor

    @property
    def eof(self) -> bool:
        return self._d.eof

    @property
    def wants_input(self) -> bool:
        return self._d.needs_input

    @property
    def leftover(self) -> bytes:
        return self._d.unused_data

    def feed(self, data: bytes, limit: int) -> bytes:
        return self._d.decompress(data, limit)


ENGINES: dict[Compression, Callable[[], _Engine]] = {
    "gzip": _Zlib,
    "bzip2": lambda: _Buffered(bz2.BZ2Decompressor()),
    "xz": lambda: _Buffered(lzma.LZMADecompressor()),
}


class Decompressed:
    """The decompressed bytes of a compressed file or pipe. read(n) gives up to n bytes and b"" at the end
    of the data or at the damage; it never raises for damage."""

    def __init__(self, kind: Compression, raw: BinaryIO, head: bytes, pipe: bool) -> None:
        self.kind = kind
        self.damage: str | None = None
        self.cut_short = False  # the damage is the end of the input before the end of the stream
        self._raw = raw
        self._input = head  # compressed bytes already read from raw, not yet given to an engine
        # From a pipe take what has arrived: records must come out as they come in.
        read1 = getattr(raw, "read1", None) if pipe else None
        self._read_raw: Callable[[int], bytes] = read1 if read1 is not None else raw.read
        self._engine = ENGINES[kind]()
        self._done = False

    def read(self, n: int) -> bytes:
        while not self._done:
            engine = self._engine
            if engine.eof:
                self._next_stream(engine.leftover)
                continue
            data = b""
            if engine.wants_input:
                data = self._take()
                if not data:
                    self._end(f"{self.kind} data cut short (no end-of-stream marker)", cut_short=True)
                    break
            try:
                out = engine.feed(data, n)
            except ERRORS as exc:
                self._end(f"{self.kind} data corrupt ({exc})")
                break
            if out:
                return out
        return b""

    def close(self) -> None:
        self._done = True

    def _take(self) -> bytes:
        data, self._input = self._input, b""
        return data or self._read_raw(INPUT_CHUNK)

    def _next_stream(self, rest: bytes) -> None:
        """After the end of a member or stream: another one, zero padding, the end, or trailing garbage."""
        magic = MAGICS[self.kind]
        rest += self._input
        self._input = b""
        while True:
            rest = rest.lstrip(b"\x00")
            if len(rest) >= len(magic):
                break
            more = self._read_raw(INPUT_CHUNK)
            if not more:
                if rest:
                    self._end(f"trailing garbage after the {self.kind} data")
                else:
                    self._done = True
                return
            rest += more
        if not rest.startswith(magic):
            self._end(f"trailing garbage after the {self.kind} data")
            return
        self._engine = ENGINES[self.kind]()
        self._input = rest

    def _end(self, damage: str, cut_short: bool = False) -> None:
        self.damage, self.cut_short, self._done = damage, cut_short, True
