"""One shard of an audit: the adverts of some identity groups, fed to an engine in the serial order.

An identity group is a segment (interface, VLAN stack, family, VRID): the engine's placement, runs,
failovers and per-router findings never look beyond one, so shards need each other only for the
stream's start, the numbering of secrets and the times of adverts they do not see (the plan gives all
three). Whatever the engine does not place (CARP, malformed packets) goes to shard 0.
"""

from __future__ import annotations

import zlib
from array import array
from dataclasses import dataclass, field

from vrrpcap.analysis import Engine, Options
from vrrpcap.analysis.identity import quoted_segment, segment_of
from vrrpcap.decode import Advert, stamped
from vrrpcap.findings import Finding
from vrrpcap.report import InputSummary, VirtualRouter

CHUNK = 1 << 16  # adverts turned into Python rows at a time


def shard_of(a: Advert, shards: int) -> int:
    """The shard of an advert's content: a stable hash of its segment (the same in every process)."""
    segment = segment_of(a) or quoted_segment(a)
    if segment is None or shards <= 1:
        return 0
    return zlib.crc32(segment.label().encode("utf-8", "surrogateescape")) % shards


@dataclass(frozen=True)
class ShardInput:
    """A shard's adverts in the serial order: the decoded contents once, five columns per advert.

    The columns are `array.array`s ('q' integers, 'd' times): a worker reads them without numpy."""

    shard: int
    labels: tuple[str, ...]  # input labels, by file index
    templates: list[Advert]  # the shard's distinct contents
    template: array[int]  # per advert: its content
    file: array[int]  # per advert: its file index
    frame: array[int]
    time: array[float]
    ip_id: array[int]  # per advert, its own frame's IPv4 identification; -1: none
    # Before advert tick_at[i], the serial engine had seen an advert of another shard as late as
    # tick_time[i] (later than this advert's own time): its silences ran out then.
    tick_at: array[int]
    tick_time: array[float]
    start: float | None  # the time of the stream's first advert
    secrets: dict[bytes, int]
    options: Options
    inputs: tuple[InputSummary, ...]


@dataclass(frozen=True)
class ShardResult:
    shard: int
    virtual_routers: list[VirtualRouter]
    findings: list[Finding] = field(default_factory=list)  # the finding book's, not report-time ones
    carp_adverts: int = 0


def analyze_shard(work: ShardInput) -> ShardResult:
    """Feed the shard's adverts to one engine, as the serial audit feeds them, and summarize."""
    engine = Engine(work.options)
    if work.start is not None:
        engine.as_shard(work.start, work.secrets)
    feed, tick = engine.feed, engine.tick
    templates, labels = work.templates, work.labels
    ticks = dict(zip(work.tick_at.tolist(), work.tick_time.tolist(), strict=True))
    # Rows are made a chunk at a time: Python numbers for every advert at once cost ~40 bytes each.
    for offset in range(0, len(work.template), CHUNK):
        end = offset + CHUNK
        rows = zip(
            work.template[offset:end].tolist(), work.file[offset:end].tolist(), work.frame[offset:end].tolist(),
            work.time[offset:end].tolist(), work.ip_id[offset:end].tolist(),
            strict=True,
        )  # fmt: skip
        # Each advert keeps its own frame's IPv4 identification (timing.py reads the senders' ID steps).
        if not ticks:
            for content, file, frame, time, ip_id in rows:
                feed(stamped(templates[content], labels[file], frame, time, None if ip_id < 0 else ip_id))
            continue
        for i, (content, file, frame, time, ip_id) in enumerate(rows, offset):
            late = ticks.get(i)
            if late is not None:
                tick(late)
            feed(stamped(templates[content], labels[file], frame, time, None if ip_id < 0 else ip_id))
    engine.end(work.inputs)
    return ShardResult(work.shard, engine.summaries(), engine.book.findings(), engine.carp_adverts)
