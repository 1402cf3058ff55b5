"""The bytes of one capture: open the file (or stdin), sniff its compression and format, and serve it
through a read-ahead buffer, or to the C scanner as a memory map of a plain file.

The format is recognised by its magic number, never by the file's name: a gzip, bzip2 or xz stream is
decompressed as it is read, and must hold a pcap or pcapng inside.
"""

from __future__ import annotations

import io
import mmap
import os
import stat
import sys
from collections.abc import Callable
from typing import BinaryIO, Literal

from vrrpcap.errors import InputUnavailable, NotACapture
from vrrpcap.frames.decompress import Compression, Decompressed

Format = Literal["pcap", "pcapng"]

# magic -> (byte order, timestamp resolution, record header length)
PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6, 16),
    b"\xa1\xb2\xc3\xd4": (">", 1e-6, 16),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9, 16),
    b"\xa1\xb2\x3c\x4d": (">", 1e-9, 16),
    # Alexey Kuznetzov's patched libpcap: 8 more bytes per record header (ifindex, protocol, type).
    b"\x34\xcd\xb2\xa1": ("<", 1e-6, 24),
    b"\xa1\xb2\xcd\x34": (">", 1e-6, 24),
}
PCAPNG_SHB = b"\x0a\x0d\x0d\x0a"
COMPRESSED_MAGICS: dict[bytes, Compression] = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zX": "xz"}
# What a failing read raises (damage in compressed data is reported by Decompressed, not raised).
READ_ERRORS = (OSError,)

CHUNK = 1 << 20
# The scanner walks at most this much of a mapped file per call: the frames of one call are held at once,
# and the pages behind it are let go (the file's pages would otherwise count in the process's memory).
SCAN_WINDOW = 1 << 20
# The file is mapped (again) when no more than this is left of the read-ahead: no read is wasted.
REMAP_BELOW = 64 * 1024


def open_path(path: str) -> tuple[BinaryIO, int | None]:
    """The file (or stdin for "-") and its size when it is a regular file."""
    if path == "-":
        return sys.stdin.buffer, None
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputUnavailable(f"{path}: no such file") from None
    except OSError as exc:
        raise InputUnavailable(f"{path}: cannot read ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputUnavailable(f"{path}: is a directory, not a capture file")
    size = st.st_size if stat.S_ISREG(st.st_mode) else None
    try:
        return open(path, "rb"), size
    except OSError as exc:
        raise InputUnavailable(f"{path}: cannot read ({exc.strerror})") from None


def read_exact(stream: BinaryIO, n: int) -> bytes:
    """Read n bytes, or fewer only at the end of the stream (pipes may return short reads)."""
    if n <= 0:
        return b""
    data = stream.read(n)
    if len(data) == n or not data:
        return data
    parts = [data]
    got = len(data)
    while got < n:
        more = stream.read(n - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


class ByteSource:
    """One capture's bytes after decompression, from `pos` of the read-ahead buffer `buf` on.

    The parsers take `buf` and `pos` over and parse records straight out of them (two small reads per
    record cost more than the parsing), asking `fill` for more when a record does not fit."""

    def __init__(self, raw: BinaryIO, label: str, size: int | None) -> None:
        self.label = label
        self.size = size  # of a regular file on disk; None for a pipe or stdin
        self.compression: Compression | None = None
        self.buf: bytes | mmap.mmap = b""
        self.pos = 0
        self._raw = raw
        self._decompressed: Decompressed | None = None
        self._more = self._reader_of(raw)
        self._map: mmap.mmap | None = None
        self._map_failed = False
        self._released = 0  # pages of the map before this offset were let go
        try:
            self.magic = self._sniff()
        except BaseException:
            self.close()
            raise
        # None: a compressed stream cut short before the capture's first four bytes (stream_damage says so).
        self.format: Format | None = None
        if self.magic in PCAP_MAGICS:
            self.format = "pcap"
        elif self.magic == PCAPNG_SHB:
            self.format = "pcapng"

    def _reader_of(self, raw: BinaryIO) -> Callable[[int], bytes]:
        """read(n) of the input: what has arrived from a pipe (records must come out as they come in:
        `tcpdump -U -w - | vrrpcap decode -`), n bytes unless the end from a file."""
        read1 = getattr(raw, "read1", None) if self.size is None else None
        if read1 is not None:
            return read1  # type: ignore[no-any-return]
        return lambda n: read_exact(raw, n)

    @property
    def stream_damage(self) -> str | None:
        """Why the compressed data ended early (cut short, corrupt, trailing garbage), once it has."""
        return self._decompressed.damage if self._decompressed is not None else None

    # -- opening -------------------------------------------------------------------------------
    def _sniff(self) -> bytes:
        head = self._read_head()
        for magic, name in COMPRESSED_MAGICS.items():
            if head.startswith(magic):
                self.compression = name
                self._decompressed = Decompressed(name, self._raw, head, pipe=self.size is None)
                self._more = self._decompressed.read
                head = self._read_head()
                if len(head) < 4 and self._decompressed.cut_short:
                    return head  # damaged before the capture's header: the reader reports it
                break
        if head not in PCAP_MAGICS and head != PCAPNG_SHB:
            what = f"{self.compression}-compressed data" if self.compression else "file"
            shown = head.hex() if head else "nothing"
            raise NotACapture(f"{self.label}: not a pcap or pcapng {what} (starts with {shown})")
        return head

    def _read_head(self) -> bytes:
        """The first four bytes (of the file, or of the decompressed data)."""
        try:
            head = self._more(4)
            while 0 < len(head) < 4:  # a pipe may give fewer
                more = self._more(4 - len(head))
                if not more:
                    break
                head += more
        except READ_ERRORS as exc:
            raise NotACapture(f"{self.label}: cannot read ({exc})") from None
        damage = self.stream_damage
        if len(head) < 4 and damage is not None and self._decompressed is not None:
            if self._decompressed.cut_short:
                return head
            raise NotACapture(f"{self.label}: cannot decompress ({damage})")
        if not head:
            raise NotACapture(f"{self.label}: empty file, not a capture")
        if len(head) < 4:
            raise NotACapture(f"{self.label}: only {len(head)} bytes, not a capture")
        return head

    def close(self) -> None:
        if self._map is not None:
            self.buf = b""
            self._map.close()
            self._map = None
        if self._decompressed is not None:
            self._decompressed.close()
        if self._raw is not sys.stdin.buffer:
            self._raw.close()

    def position(self) -> int:
        """Bytes consumed of the file on disk (compressed bytes for a compressed file), for progress."""
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0

    # -- the mapped file -----------------------------------------------------------------------
    # A plain capture file on disk is handed to the C scanner as a read-only mmap: it walks it with no
    # copy (reading 1 MiB chunks into fresh bytes cost more than the scan). Python never reads the map:
    # a read of a page the file no longer has (another process truncated it) is a SIGBUS, which only the
    # scanner guards against. So the parsers leave the map at the first record the scanner stops at and
    # read on from the file there; they map the file again when their read-ahead is used up.
    def map_from(self, buffer: bytes | mmap.mmap, position: int) -> tuple[bytes | mmap.mmap, int]:
        """buffer[position:] and the rest of the file as the map (positions in it are file offsets), when
        could_map says so; else buffer unchanged."""
        if not self.could_map(buffer, position):
            return buffer, position
        try:
            offset = self._raw.tell() - (len(buffer) - position)
            mapped = mmap.mmap(self._raw.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError, io.UnsupportedOperation):
            self._map_failed = True
            return buffer, position
        if offset > len(mapped):  # the file shrank below what was read already: reading tells the damage
            mapped.close()
            self._map_failed = True
            return buffer, position
        self._raw.seek(len(mapped))  # reading goes on from the mapped size: a file that grows is read to its end
        if hasattr(mmap, "MADV_SEQUENTIAL"):
            mapped.madvise(mmap.MADV_SEQUENTIAL)
        self._map, self._released = mapped, 0
        return mapped, offset

    def could_map(self, buffer: bytes | mmap.mmap, position: int) -> bool:
        """A plain file, not mapped now, and no more than REMAP_BELOW left of the read-ahead (none wasted)."""
        return (
            self._map is None
            and not self._map_failed
            and len(buffer) - position <= REMAP_BELOW
            and self.compression is None
            and self.size is not None
            and self._raw is not sys.stdin.buffer
        )

    def is_map(self, buffer: bytes | mmap.mmap) -> bool:
        return self._map is not None and buffer is self._map

    def unmap(self, position: int) -> tuple[bytes, int]:
        """Leave the map at file offset position: what follows is read from the file (an empty buffer)."""
        if self._map is not None:
            self._map.close()
            self._map = None
        self._raw.seek(position)
        return b"", 0

    def shrank(self) -> str | None:
        """Why reading ended early when the file on disk is now shorter than it was when opened (another
        process truncated it); None when it is not."""
        if self.size is None:
            return None
        try:
            now = os.fstat(self._raw.fileno()).st_size
        except (OSError, ValueError):
            return None
        if now >= self.size:
            return None
        return f"the file shrank from {self.size:,} to {now:,} bytes while it was being read"

    def release(self, buffer: bytes | mmap.mmap, position: int) -> None:
        """Let go of the mapped pages before position (they stay in the page cache)."""
        mapped = self._map
        if mapped is None or buffer is not mapped or not hasattr(mmap, "MADV_DONTNEED"):
            return
        done = position - position % mmap.PAGESIZE
        if done - self._released >= SCAN_WINDOW:
            mapped.madvise(mmap.MADV_DONTNEED, self._released, done - self._released)
            self._released = done

    # -- reading -------------------------------------------------------------------------------
    def read(self, n: int) -> bytes:
        """n bytes, or fewer only at the end of the stream; served from the read-ahead buffer."""
        if n <= 0:
            return b""
        end = self.pos + n
        if end > len(self.buf):
            self.buf, self.pos = self.fill(self.buf, self.pos, n)
            end = n
        data = self.buf[self.pos : end]
        self.pos = min(end, len(self.buf))
        return data

    def fill(self, buffer: bytes | mmap.mmap, position: int, need: int) -> tuple[bytes, int]:
        """The unread rest of buffer plus more input, at least `need` bytes unless the input ends."""
        parts = [buffer[position:]]
        have = len(parts[0])
        more = self._more
        while have < need:
            data = more(max(CHUNK, need - have))
            if not data:
                break
            parts.append(data)
            have += len(data)
        return b"".join(parts), 0
