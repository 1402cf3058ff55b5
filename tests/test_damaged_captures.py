"""Damaged inputs (issue 13): compressed files cut short, without their trailer or with trailing garbage;
a file that another process truncates while vrrpcap reads it.

Each capture is generated here (benchmarks/generate.py) and damaged here. What the reader must give is
worked out independently of it: the complete pcap records in the bytes the standard library's
decompressor object can produce from the damaged data.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

import vrrpcap.frames.reader as reader_module
from benchmarks.generate import dense_adverts, write_pcap, write_pcapng
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


# -- a file truncated while it is read -----------------------------------------------------------------

MiB = 1 << 20
BIG = 70_000  # adverts: a 5.8 MB pcap, a 7 MB pcapng
Big = dict[str, tuple[bytes, list[tuple[object, ...]], list[int]]]


@pytest.fixture(scope="module")
def big_captures(tmp_path_factory: pytest.TempPathFactory) -> Big:
    """Per format: the file's bytes, its adverts as decode gives them, and the file offset where each
    frame's record ends (index: frame number - 1)."""
    out = {}
    for kind, writer in (("pcap", write_pcap), ("pcapng", write_pcapng)):
        path = tmp_path_factory.mktemp("big") / f"intact.{kind}"
        writer(path, dense_adverts(BIG, vr_count=50))
        data = path.read_bytes()
        done = run_decode(str(path))
        assert done.returncode == ExitCode.OK, done.stderr
        adverts = keys(done.stdout)
        ends = _record_ends(kind, data)
        assert len(adverts) == len(ends) == BIG
        out[kind] = (data, adverts, ends)
    return out


@pytest.mark.parametrize("extension", [True, False], ids=["c-scanner", "pure-python"])
@pytest.mark.parametrize("kind", ["pcap", "pcapng"])
def test_file_truncated_while_it_is_read(
    tmp_path: Path,
    big_captures: Big,
    kind: str,
    extension: bool,
) -> None:
    """Another process truncates a capture that `vrrpcap decode` is reading. With the C scanner the file is
    memory-mapped, and reading a page past the new end is a SIGBUS: the process died with exit 135 and no
    message. It must end like the pure-Python reader: exit 5, one warning, every advert before the cut.

    No hook in vrrpcap: the test reads decode's output until the adverts come from more than 2 MiB into
    the file (so the reader has mapped it), then stops reading; the full pipe holds vrrpcap there, at most
    a scan window (1 MiB) ahead, while the test cuts the file to 1 MiB.
    """
    if extension and reader_module.scanner is None:
        pytest.skip("the C extension is not built: the pure-Python case covers the reader")
    data, full, ends = big_captures[kind]
    path = tmp_path / f"big.{kind}"
    path.write_bytes(data)
    env = {key: value for key, value in os.environ.items() if key != "VRRPCAP_NO_EXTENSION"}
    if not extension:
        env["VRRPCAP_NO_EXTENSION"] = "1"
    errors = tmp_path / "stderr"
    with errors.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "vrrpcap", "decode", "-f", "jsonl", str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
        )
        assert proc.stdout is not None
        seen = []
        while True:
            line = proc.stdout.readline()
            assert line, "decode ended before it was 2 MiB into the file"
            seen.append(line)
            if ends[json.loads(line)["frame"] - 1] > 2 * MiB:
                break
        os.truncate(path, MiB)
        rest = proc.stdout.read()  # not communicate(): it would skip what readline() has buffered
        proc.stdout.close()
        proc.wait(timeout=120)
    stderr_text = errors.read_text()
    assert proc.returncode == ExitCode.DAMAGED_CAPTURE, (proc.returncode, stderr_text)
    assert "Traceback" not in stderr_text
    lines = stderr_text.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"vrrpcap: warning: {path}: the file shrank"), stderr_text
    got = keys(b"".join([*seen, rest]).decode())
    assert len(seen) <= len(got) < len(full)
    assert got == full[: len(got)]
    assert ends[int(str(got[-1][0])) - 1] < 4 * MiB  # what was read before the cut, no more (the premise)


def _record_ends(kind: str, data: bytes) -> list[int]:
    ends: list[int] = []
    if kind == "pcap":
        position = 24
        while position + 16 <= len(data):
            position += 16 + struct.unpack_from("<I", data, position + 8)[0]
            ends.append(position)
    else:
        position = 0
        while position + 8 <= len(data):
            block_type, length = struct.unpack_from("<II", data, position)
            position += length
            if block_type == 6:  # enhanced packet block: one frame each
                ends.append(position)
    return ends
