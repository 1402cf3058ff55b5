"""The fuzz targets: bytes in, the documented contract asserted; any other exception is a crash.

Each target is a plain function of one ``bytes``, so the seed tests and hypothesis call it directly and
atheris (fuzz/run.py) drives it coverage-guided. The contracts:

reader    a capture file (pcap, pcapng, gzip/bzip2/xz of either): only ``NotACapture``-class errors
          (exit 4/5, docs/exit-codes.md) escape; the pure-Python reading, the pure-Python scan and the C
          scan give the same frames, damage, anomalies, drops and interfaces (the C scan passes a subset
          of the frames that keeps every frame that decodes to an advert); every time is finite.
decoder   one frame of any link type: ``decode_frame`` returns None or an Advert, never raises; the
          advert renders to strict JSON; the C scanner's filter passes it; the decode cache (C slot copy
          and content key, or their Python versions) gives what a fresh decode gives.
analyzer  a sequence of frames with times (the format below) through ``Pipeline`` (decode cache, engine,
          ticks, as ``live`` runs it): nothing raises; the report is strict JSON; the documented bounds
          hold (routers per virtual router, evidence per finding); text, timeline, markdown and JUnit
          (well-formed XML) render.

No hang and bounded memory are libFuzzer's: fuzz/run.py passes ``-timeout`` and ``-rss_limit_mb``.
"""

from __future__ import annotations

import io
import json
import math
import os
import struct
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree

import vrrpcap.decode.cache as cache_module
import vrrpcap.frames.reader as reader_module
from vrrpcap.analysis.placement import MAX_ROUTERS_PER_VIRTUAL_ROUTER
from vrrpcap.decode import Advert, CachingDecoder, advert_to_dict, decode_frame
from vrrpcap.decode.linklayer import UNWRAPPERS
from vrrpcap.errors import ExitCode, VrrpcapError
from vrrpcap.findings import MAX_EVIDENCE
from vrrpcap.frames import CaptureReader, Frame
from vrrpcap.pipeline import Pipeline
from vrrpcap.render.junit import render_junit
from vrrpcap.render.markdown import render_markdown
from vrrpcap.render.text import render_audit
from vrrpcap.render.timeline import render_table, timeline_rows
from vrrpcap.report import Report

# Link types a decoder target's first byte picks from: every one the decoder knows, and one it does not.
LINKTYPES = sorted({*UNWRAPPERS, 147})
# What a capture file on disk may end in: not a capture (4); damage is reported, not raised (5).
READER_EXITS = {ExitCode.NOT_A_CAPTURE, ExitCode.DAMAGED_CAPTURE}
C_SCANNER = reader_module.scanner


def _scratch() -> str:
    """One scratch file per process, in memory when /dev/shm is there (a write per input)."""
    where = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    fd, path = tempfile.mkstemp(prefix="vrrpcap-fuzz-", suffix=".cap", dir=where)
    os.close(fd)
    return path


_SCRATCH: str | None = None


def frame_key(frame: Frame) -> tuple[object, ...]:
    return (frame.number, frame.time, frame.linktype, frame.data, frame.wire_length, frame.interface)


@dataclass
class _Run:
    """One way of reading the file: its frames come out of ``frames``; how it ended, once it has."""

    reader: CaptureReader | None
    error: str | None = None
    verdict: tuple[object, ...] = ()
    _iterator: Iterator[Frame] = field(default_factory=lambda: iter(()))

    def frames(self) -> Iterator[Frame]:
        if self.reader is None:
            return
        try:
            yield from self._iterator
        except VrrpcapError as exc:
            self.error = _allowed(exc)
        r = self.reader
        self.verdict = (r.frames, r.damage, r.anomalies, r.drops, r.interfaces, r._retired, r.problems())


def _allowed(exc: VrrpcapError) -> str:
    assert exc.exit_code in READER_EXITS, f"{type(exc).__name__} (exit {exc.exit_code}) escaped: {exc}"
    message = str(exc)
    assert "\n" not in message, f"a multi-line error message: {message!r}"
    return f"{type(exc).__name__}: {message}"


def _open(path: str, how: str) -> _Run:
    try:
        reader = CaptureReader(path)
    except VrrpcapError as exc:
        return _Run(None, _allowed(exc))
    if how == "iter":
        return _Run(reader, _iterator=iter(reader))
    return _Run(reader, _iterator=reader.scan_frames())


def _with_scanner(scanner: object, body: Callable[[], None]) -> None:
    saved = reader_module.scanner
    reader_module.scanner = scanner  # type: ignore[assignment]  # None: the pure-Python scan
    try:
        body()
    finally:
        reader_module.scanner = saved


def reader(data: bytes) -> None:
    global _SCRATCH
    if _SCRATCH is None:
        _SCRATCH = _scratch()
    with open(_SCRATCH, "wb") as out:
        out.write(data)
    _with_scanner(None, lambda: _compare_python(_SCRATCH or ""))
    if C_SCANNER is not None:
        _with_scanner(C_SCANNER, lambda: _compare_c(_SCRATCH or ""))


def _close(*runs: _Run) -> None:
    for run in runs:
        if run.reader is not None:
            run.reader.close()


def _compare_python(path: str) -> None:
    """Reading every frame and the pure-Python scan: the same frames, in lockstep (no list is kept, so a
    decompression bomb costs the harness no more memory than it costs vrrpcap)."""
    full, scan = _open(path, "iter"), _open(path, "scan")
    try:
        theirs = scan.frames()
        for frame in full.frames():
            assert math.isfinite(frame.time), frame_key(frame)
            other = next(theirs, None)
            assert other is not None and frame_key(other) == frame_key(frame), (frame_key(frame), other)
            check_advert(decode_frame(frame))
        assert next(theirs, None) is None, "the Python scan gave more frames than reading them all"
        assert (full.error, full.verdict) == (scan.error, scan.verdict), ((full.error, full.verdict), scan)
    finally:
        _close(full, scan)


def _compare_c(path: str) -> None:
    """The C scan passes a subset of the frames, in order, with every frame that decodes to an advert."""
    full, scan = _open(path, "iter"), _open(path, "scan")
    try:
        theirs = scan.frames()
        pending = next(theirs, None)
        for frame in full.frames():
            advert = decode_frame(frame)
            if pending is not None and frame_key(pending) == frame_key(frame):
                pending = next(theirs, None)
            else:
                assert advert is None, f"the C scan left out frame {frame.number}, which decodes to {advert}"
        assert pending is None, f"the C scan gave frame {frame_key(pending)}, not in the file's frames"
        assert (full.error, full.verdict) == (scan.error, scan.verdict), ((full.error, full.verdict), scan)
    finally:
        _close(full, scan)


def check_advert(advert: Advert | None) -> None:
    if advert is None:
        return
    assert isinstance(advert, Advert), advert
    for secrets in (False, True):
        json.dumps(advert_to_dict(advert, show_secrets=secrets), allow_nan=False)


def decoder(data: bytes) -> None:
    if not data:
        return
    linktype = LINKTYPES[data[0] % len(LINKTYPES)]
    body = data[1:]
    frame = Frame("fuzz.pcap", 1, 1_700_000_000.0, linktype, body, len(body), "eth0")
    advert = decode_frame(frame)
    check_advert(advert)
    if advert is not None and C_SCANNER is not None:
        assert C_SCANNER.may_carry_vrrp(linktype, body), "the C scanner's filter drops a frame with an advert"
    if C_SCANNER is not None:
        fast, slow = C_SCANNER.content_key(linktype, body), cache_module._content_key_py(linktype, body)
        assert fast == slow, (fast, slow)
    decode = CachingDecoder()
    again = Frame("fuzz.pcap", 2, frame.time + 1.5, linktype, body, len(body), "eth0")
    assert decode(frame) == advert
    cached, fresh = decode(again), decode_frame(again)
    assert cached == fresh, (cached, fresh)
    if cached is not None and fresh is not None:
        assert cached.auth_secret == fresh.auth_secret


# -- analyzer input ----------------------------------------------------------------------------------
# A sequence of records: a control byte, the time, a 2-byte length, the frame's bytes. The control byte's
# low nibble picks the link type; bit 7: the time is an absolute 8-byte double (else a signed 2-byte step
# in hundredths of a second from the previous frame: files are read in file order, so times may go
# back); bit 6: a tick at the frame's time after it, as `live` gives; bit 5 on any record: the report is
# also rendered (four times the cost of the analysis, so the fuzzer chooses how often). Times stay within
# what a capture reader can give (0 to 2^64 seconds).
ANALYZER_LINKTYPES = [1, 101, 113, 276, 0, 108]
MAX_TIME = float(2**64)


@dataclass(frozen=True)
class Step:
    time: float
    linktype: int
    data: bytes
    tick: bool
    render: bool = False


def analyzer_steps(data: bytes) -> Iterator[Step]:
    pos, time = 0, 1_700_000_000.0
    while pos < len(data):
        control = data[pos]
        pos += 1
        if control & 0x80:
            if pos + 8 > len(data):
                return
            (absolute,) = struct.unpack_from("!d", data, pos)
            pos += 8
            time = absolute if math.isfinite(absolute) else time
            time = min(max(time, 0.0), MAX_TIME)
        else:
            if pos + 2 > len(data):
                return
            (step,) = struct.unpack_from("!h", data, pos)
            pos += 2
            time = min(max(time + step / 100, 0.0), MAX_TIME)
        if pos + 2 > len(data):
            return
        (length,) = struct.unpack_from("!H", data, pos)
        pos += 2
        frame = data[pos : pos + length]
        pos += length
        linktype = ANALYZER_LINKTYPES[(control & 0x0F) % len(ANALYZER_LINKTYPES)]
        yield Step(time, linktype, frame, bool(control & 0x40), bool(control & 0x20))


def analyzer_record(
    time: float, linktype: int, frame: bytes, *, absolute: bool, tick: bool = False, render: bool = False
) -> bytes:
    """One record of the analyzer's input (the seed corpus writes these), ``time`` absolute or a step."""
    control = ANALYZER_LINKTYPES.index(linktype) | (0x80 if absolute else 0) | (0x40 if tick else 0)
    control |= 0x20 if render else 0
    head = struct.pack("!Bd", control, time) if absolute else struct.pack("!Bh", control, round(time * 100))
    return head + struct.pack("!H", len(frame)) + frame


def analyzer(data: bytes) -> None:
    pipeline = Pipeline()
    rendered = False
    for number, step in enumerate(analyzer_steps(data), 1):
        rendered |= step.render
        frame = Frame("fuzz.pcap", number, step.time, step.linktype, step.data, len(step.data), "eth0")
        pipeline.frame(frame)
        if step.tick:
            pipeline.tick(step.time)
    report = pipeline.finish(())
    json.dumps(report.as_dict(), allow_nan=False)
    for vr in report.virtual_routers:
        assert len(vr.routers) <= MAX_ROUTERS_PER_VIRTUAL_ROUTER, (vr.id, len(vr.routers))
    for finding in report.findings:
        assert len(finding.evidence) <= MAX_EVIDENCE, (finding.code, len(finding.evidence))
    if rendered:
        _render(report)


def _render(report: Report) -> None:
    """The outputs that cost little per report (HTML and PNG are left to tests/test_output_safety.py):
    text and timeline without colour, markdown, and JUnit XML, which must parse."""
    for render in (render_audit, render_table):
        render(report, io.StringIO(), False)
    render_markdown(report, io.StringIO())
    junit = io.StringIO()
    render_junit(report, junit, None)
    ElementTree.fromstring(junit.getvalue().encode())
    json.dumps(timeline_rows(report), allow_nan=False)


TARGETS: dict[str, Callable[[bytes], None]] = {"reader": reader, "decoder": decoder, "analyzer": analyzer}
