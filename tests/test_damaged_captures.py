"""Damaged inputs (issue 13): compressed files cut short, without their trailer or with trailing garbage.

Each capture is generated here (5,000 adverts of 10 virtual routers, benchmarks/generate.py) and damaged
here. What the reader must give is worked out independently of it: the complete pcap records in the bytes
the standard library's decompressor object can produce from the damaged data.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.generate import dense_adverts, write_pcap
from vrrpcap.errors import ExitCode
from vrrpcap.frames import CaptureReader

ADVERTS = 5000
COMPRESS: dict[str, Callable[[bytes], bytes]] = {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress}


def decompressible(kind: str, data: bytes) -> bytes:
    """Everything a streaming decompressor yields from data, however data ends."""
    if kind == "gzip":
        return zlib.decompressobj(wbits=31).decompress(data)
    decompressor = bz2.BZ2Decompressor() if kind == "bzip2" else lzma.LZMADecompressor()
    return decompressor.decompress(data)


def complete_records(plain: bytes) -> int:
    """Whole records of a little-endian microsecond pcap, counted by walking the record headers."""
    count, position = 0, 24
    while position + 16 <= len(plain):
        (caplen,) = struct.unpack_from("<I", plain, position + 8)
        if position + 16 + caplen > len(plain):
            break
        count, position = count + 1, position + 16 + caplen
    return count


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[tuple[object, ...]]]:
    """The plain capture and its adverts as `vrrpcap decode -f jsonl` gives them (frame, time, src, vrid)."""
    path = tmp_path_factory.mktemp("plain") / "plain.pcap"
    assert write_pcap(path, dense_adverts(ADVERTS, vr_count=10)) == ADVERTS
    done = run_decode(str(path))
    assert done.returncode == ExitCode.OK, done.stderr
    adverts = keys(done.stdout)
    assert len(adverts) == ADVERTS
    return path.read_bytes(), adverts


def run_decode(path: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "vrrpcap", "decode", "-f", "jsonl", path],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )
    result = subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())
    assert "Traceback" not in result.stderr, result.stderr
    return result


def keys(stdout: str) -> list[tuple[object, ...]]:
    records = [json.loads(line) for line in stdout.splitlines()]
    return [(r["frame"], r["time"], r["src"], r["vrid"], r["priority"]) for r in records]


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "cut at 90%": lambda data: data[: len(data) * 9 // 10],
    "cut early": lambda data: data[:40],
    "no trailer": lambda data: data[:-8],
    "trailing garbage": lambda data: data + b"not compressed data, appended by mistake",
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
@pytest.mark.parametrize("kind", sorted(COMPRESS))
def test_damaged_compressed_file_keeps_what_came_before(
    tmp_path: Path, capture: tuple[bytes, list[tuple[object, ...]]], kind: str, damage: str
) -> None:
    plain, adverts = capture
    damaged = DAMAGE[damage](COMPRESS[kind](plain))
    expected = ADVERTS if damage == "trailing garbage" else complete_records(decompressible(kind, damaged))
    if damage == "cut at 90%" and kind != "bzip2":  # bzip2 gives nothing of a block it has not read whole
        assert expected > ADVERTS * 8 // 10  # premise: most of the capture is there to be read
    path = tmp_path / f"capture.{kind}"
    path.write_bytes(damaged)
    from_file = run_decode(str(path))
    from_stdin = run_decode("-", stdin=damaged)
    for done, label in ((from_file, str(path)), (from_stdin, "<stdin>")):
        assert done.returncode == ExitCode.DAMAGED_CAPTURE, done.stderr  # never 4: the data says it is a capture
        assert keys(done.stdout) == adverts[:expected]
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"vrrpcap: warning: {label}: "), done.stderr
        assert ("trailing garbage" if damage == "trailing garbage" else "cut short") in lines[0]


@pytest.mark.parametrize("kind", sorted(COMPRESS))
def test_zero_padding_after_the_compressed_data_is_no_damage(
    tmp_path: Path, capture: tuple[bytes, list[tuple[object, ...]]], kind: str
) -> None:
    """gzip and xz accept zero bytes after the data (tape blocks, xz stream padding)."""
    plain, adverts = capture
    path = tmp_path / f"padded.{kind}"
    path.write_bytes(COMPRESS[kind](plain) + bytes(1024))
    done = run_decode(str(path))
    assert done.returncode == ExitCode.OK, done.stderr
    assert keys(done.stdout) == adverts


def test_concatenated_members_are_read_through(tmp_path: Path, capture: tuple[bytes, list[tuple[object, ...]]]) -> None:
    plain, adverts = capture
    cut = 24  # after the file header, then half the records
    for _ in range(ADVERTS // 2):
        cut += 16 + struct.unpack_from("<I", plain, cut + 8)[0]
    path = tmp_path / "members.gz"
    path.write_bytes(gzip.compress(plain[:cut]) + gzip.compress(plain[cut:]))  # what pigz -i or cat a.gz b.gz make
    done = run_decode(str(path))
    assert done.returncode == ExitCode.OK, done.stderr
    assert keys(done.stdout) == adverts


def test_reader_reports_the_compressed_damage(tmp_path: Path, capture: tuple[bytes, list[tuple[object, ...]]]) -> None:
    plain, _ = capture
    damaged = gzip.compress(plain)[:-8]
    path = tmp_path / "no-trailer.pcap.gz"
    path.write_bytes(damaged)
    reader = CaptureReader(str(path))
    try:
        frames = list(reader)
    finally:
        reader.close()
    assert (reader.format, reader.compression, len(frames), reader.frames) == ("pcap", "gzip", ADVERTS, ADVERTS)
    assert reader.damage is not None and "gzip data cut short" in reader.damage
