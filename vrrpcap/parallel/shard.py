"""One shard of an audit: the adverts of some identity groups, fed to an engine in the serial order.

An identity group is a segment (interface, VLAN stack, family, VRID): the engine's placement, runs,
failovers and per-router findings never look beyond one, so shards need each other only for the
stream's start, the numbering of secrets and the times of adverts they do not see (the plan gives all
three). Whatever the engine does not place (CARP, malformed packets) goes to shard 0.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from vrrpcap.analysis import Engine, Options
from vrrpcap.analysis.identity import quoted_segment, segment_of
from vrrpcap.decode import Advert, stamped
from vrrpcap.findings import Finding
from vrrpcap.report import InputSummary, VirtualRouter


def shard_of(a: Advert, shards: int) -> int:
    """The shard of an advert's content: a stable hash of its segment (the same in every process)."""
    segment = segment_of(a) or quoted_segment(a)
    if segment is None or shards <= 1:
        return 0
    return zlib.crc32(segment.label().encode("utf-8", "surrogateescape")) % shards


@dataclass(frozen=True)
class ShardInput:
    """A shard's adverts in the serial order: the decoded contents once, five columns per advert."""

    shard: int
    labels: tuple[str, ...]  # input labels, by file index
    templates: list[Advert]  # the shard's distinct contents
    template: npt.NDArray[np.int64]  # per advert: its content
    file: npt.NDArray[np.int64]  # per advert: its file index
    frame: npt.NDArray[np.int64]
    time: npt.NDArray[np.float64]
    ip_id: npt.NDArray[np.int64]  # per advert, its own frame's IPv4 identification; -1: none
    # Before advert tick_at[i], the serial engine had seen an advert of another shard as late as
    # tick_time[i] (later than this advert's own time): its silences ran out then.
    tick_at: npt.NDArray[np.int64]
    tick_time: npt.NDArray[np.float64]
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
    rows = zip(
        work.template.tolist(), work.file.tolist(), work.frame.tolist(), work.time.tolist(), work.ip_id.tolist(),
        strict=True,
    )  # fmt: skip
    # Each advert keeps its own frame's IPv4 identification (timing.py reads the senders' ID steps).
    if not ticks:
        for content, file, frame, time, ip_id in rows:
            feed(stamped(templates[content], labels[file], frame, time, None if ip_id < 0 else ip_id))
    else:
        for i, (content, file, frame, time, ip_id) in enumerate(rows):
            late = ticks.get(i)
            if late is not None:
                tick(late)
            feed(stamped(templates[content], labels[file], frame, time, None if ip_id < 0 else ip_id))
    engine.end(work.inputs)
    return ShardResult(work.shard, engine.summaries(), engine.book.findings(), engine.carp_adverts)
