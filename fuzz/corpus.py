"""The seed corpus, generated from the lab's captures (pcaps/*.pcap*): nothing binary is committed.

reader    each capture as it is (the largest cut to MAX_SEED bytes: a damaged file is a seed too), as
          pcapng (little- and big-endian, nanosecond and 2^-20 resolutions, an interface name), and
          compressed with gzip, bzip2 and xz
decoder   every distinct frame of every capture, its link type in the first byte
analyzer  each capture's frames in the analyzer's record format (fuzz/targets.py), one seed per capture

``python -m fuzz.corpus OUT`` writes OUT/<target>/<name> for the three targets.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import struct
import sys
from collections.abc import Iterator
from pathlib import Path

from fuzz.targets import ANALYZER_LINKTYPES, LINKTYPES, analyzer_record
from vrrpcap.errors import VrrpcapError
from vrrpcap.frames import CaptureReader, Frame

PCAPS = Path(__file__).resolve().parents[1] / "pcaps"
MAX_SEED = 16 * 1024  # libFuzzer's -max_len in fuzz/run.py: longer seeds would be cut anyway
ANALYZER_FRAMES = 120


def captures() -> list[Path]:
    return sorted(p for p in PCAPS.glob("*.pcap*") if p.is_file())


def frames_of(path: Path) -> list[Frame]:
    try:
        with open(path, "rb"):
            pass
        reader = CaptureReader(str(path))
    except (OSError, VrrpcapError):
        return []
    try:
        return list(reader)
    except VrrpcapError:
        return []
    finally:
        reader.close()


def _block(order: str, kind: int, body: bytes) -> bytes:
    body += b"\0" * (-len(body) % 4)
    total = len(body) + 12
    return struct.pack(order + "II", kind, total) + body + struct.pack(order + "I", total)


def _option(order: str, code: int, value: bytes) -> bytes:
    return struct.pack(order + "HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def pcapng(frames: list[Frame], order: str = "<", tsresol: int = 6) -> bytes:
    """A pcapng of the frames (written from draft-ietf-opsawg-pcapng): one interface per link type."""
    shb = struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1) + struct.pack(order + "HH", 0, 0)
    out = [_block(order, 0x0A0D0D0A, shb)]
    ids: dict[int, int] = {}
    scale = 2 ** (tsresol & 0x7F) if tsresol & 0x80 else 10**tsresol
    for frame in frames:
        if frame.linktype not in ids:
            ids[frame.linktype] = len(ids)
            options = _option(order, 2, b"eth0") + _option(order, 9, bytes([tsresol])) + _option(order, 0, b"")
            out.append(_block(order, 1, struct.pack(order + "HHI", frame.linktype, 0, 65535) + options))
        ts = round(frame.time * scale)
        body = struct.pack(
            order + "IIIII", ids[frame.linktype], ts >> 32, ts & 0xFFFFFFFF, len(frame.data), frame.wire_length
        )
        out.append(_block(order, 6, body + frame.data))
    return b"".join(out)


def reader_seeds() -> Iterator[tuple[str, bytes]]:
    for path in captures():
        raw = path.read_bytes()
        yield path.name, raw[:MAX_SEED]
        if len(raw) > MAX_SEED // 2:
            continue
        frames = frames_of(path)
        yield f"{path.name}.le.pcapng", pcapng(frames)
        yield f"{path.name}.be-ns.pcapng", pcapng(frames, ">", 9)
        yield f"{path.name}.bin20.pcapng", pcapng(frames, "<", 0x94)
        if len(raw) < 2048:
            yield f"{path.name}.gz", gzip.compress(raw, mtime=0)
            yield f"{path.name}.bz2", bz2.compress(raw)
            yield f"{path.name}.xz", lzma.compress(raw)


def decoder_seeds() -> Iterator[tuple[str, bytes]]:
    seen: set[bytes] = set()
    for path in captures():
        for frame in frames_of(path):
            if frame.linktype not in LINKTYPES:
                continue
            seed = bytes([LINKTYPES.index(frame.linktype)]) + frame.data
            digest = hashlib.sha1(seed).digest()
            if digest not in seen:
                seen.add(digest)
                yield f"{path.name}.{frame.number}", seed


def analyzer_seeds() -> Iterator[tuple[str, bytes]]:
    """Every other capture's seed asks for the report to be rendered too (on its first record)."""
    for index, path in enumerate(captures()):
        frames = [f for f in frames_of(path) if f.linktype in ANALYZER_LINKTYPES][:ANALYZER_FRAMES]
        if not frames:
            continue
        records: list[bytes] = []
        previous: float | None = None
        for frame in frames:
            step: float | None = None if previous is None else frame.time - previous
            absolute = step is None or not -327 < step < 327
            when = frame.time if absolute else step or 0.0
            render = index % 2 == 1 and not records
            records.append(analyzer_record(when, frame.linktype, frame.data, absolute=absolute, render=render))
            previous = frame.time
        yield path.name, b"".join(records)[:MAX_SEED]


SEEDS = {"reader": reader_seeds, "decoder": decoder_seeds, "analyzer": analyzer_seeds}


def write(out: Path, targets: list[str] | None = None) -> dict[str, int]:
    """The seeds of each target in out/<target>/; how many each got."""
    counts = {}
    for target in targets or list(SEEDS):
        folder = out / target
        folder.mkdir(parents=True, exist_ok=True)
        counts[target] = 0
        for name, data in SEEDS[target]():
            (folder / name).write_bytes(data)
            counts[target] += 1
    return counts


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m fuzz.corpus OUT [TARGET...]")
    for target, count in write(Path(sys.argv[1]), sys.argv[2:] or None).items():
        print(f"{target}: {count} seeds")
