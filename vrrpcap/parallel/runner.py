"""Run a sharded audit with any map function: a local process pool (`vrrpcap audit -j N`), Dask or Spark.

decoded = map(decode_file, one task per file)      # in parallel
shards  = plan_shards(decoded, ...)                # one central step (numpy over the columns)
results = map(analyze_shard, shards)               # in parallel
report  = merge_shards(results, ...)               # the serial report, byte for byte
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from vrrpcap.analysis import Options
from vrrpcap.decode import CachingDecoder
from vrrpcap.frames import CaptureSet
from vrrpcap.frames.choose import ReaderChoice, open_reader
from vrrpcap.parallel.decode import DecodedFile, DecodeTask, decode_file
from vrrpcap.parallel.merge import merge_shards
from vrrpcap.parallel.shard import ShardInput, ShardResult, analyze_shard
from vrrpcap.parallel.stream import StreamedShard, StreamTask, analyze_stream
from vrrpcap.report import Report

T = TypeVar("T")
R = TypeVar("R")
# Adverts from this share of the frames on, analysis is most of the work (a frame of other traffic costs
# the scanner ~0.1 us, an advert the engine ~5 us): shards read the whole stream each (stream.py).
STREAM_FROM_SHARE = 0.02
SAMPLE_FRAMES = 2_000  # the first frames of the first input: a few milliseconds
Mapper = Callable[[Callable[[Any], Any], Sequence[Any]], Iterable[Any]]


@dataclass(frozen=True)
class ShardedAudit:
    report: Report
    damaged: bool  # a capture was truncated or inconsistent (exit 5, as the serial audit)
    problems: tuple[str, ...]  # the readers' warnings, input by input
    resolution: float  # the finest timestamp resolution among the inputs (seconds)


def serial_map(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """The map of one process: the reference the tests compare a pool and Dask with."""
    return [function(item) for item in items]


def run_sharded(
    paths: Sequence[str],
    options: Options,
    shards: int,
    mapper: Mapper = serial_map,
    reader: ReaderChoice = "auto",
    decode: Callable[[DecodeTask], DecodedFile] = decode_file,
) -> ShardedAudit:
    """The audit of ``paths`` in ``shards`` shards; ``decode`` may wrap decode_file (fetch the object
    a path names to local disk first, docs/parallel.md)."""
    tasks = [DecodeTask(path, index, shards, reader) for index, path in enumerate(paths)]
    pending = mapper(decode, tasks)  # a pool's map has handed out every task by now
    # numpy (a tenth of a second to import) is the plan's alone: imported while the workers decode.
    from vrrpcap.parallel.plan import plan_shards

    decoded: list[DecodedFile] = list(pending)
    work: list[ShardInput] = plan_shards(decoded, shards, options)
    results: list[ShardResult] = list(mapper(analyze_shard, work))
    decoded.sort(key=lambda d: d.index)
    inputs = tuple(d.summary for d in decoded)
    return ShardedAudit(
        report=merge_shards(results, inputs, options),
        damaged=any(d.damaged for d in decoded),
        problems=tuple(line for d in decoded for line in d.problems),
        resolution=min((d.resolution for d in decoded), default=1e-6),
    )


def run_streamed(
    paths: Sequence[str], options: Options, shards: int, mapper: Mapper = serial_map, reader: ReaderChoice = "auto"
) -> ShardedAudit:
    """The audit of ``paths`` by ``shards`` shards that each read the whole stream (stream.py)."""
    tasks = [StreamTask(tuple(paths), shard, shards, options, reader) for shard in range(max(shards, 1))]
    done: list[StreamedShard] = list(mapper(analyze_stream, tasks))
    whole = done[0]
    report = merge_shards([d.result for d in done], whole.inputs, options)
    return ShardedAudit(report, whole.damaged, whole.problems, whole.resolution)


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def audit_files(paths: Sequence[str], options: Options, jobs: int, reader: ReaderChoice = "auto") -> ShardedAudit:
    """`vrrpcap audit -j N`: N worker processes; the report is the serial audit's.

    Captures where adverts are a small share of the frames (the bulk is other traffic) are decoded
    file by file in the workers and planned here (run_sharded); captures dense with adverts are
    analysed by shards that each read the whole stream (stream.py), in memory bounded by virtual
    routers. Every input is opened here first, in order, as the serial audit opens them, so a missing
    file or one that is no capture ends the run with the same message and exit code before any worker
    starts."""
    with CaptureSet(list(paths), reader=reader):
        pass
    streamed = advert_share(paths[0], reader) >= STREAM_FROM_SHARE if paths else False
    # fork: the workers start without importing vrrpcap again (a spawned worker pays ~0.3 s of imports).
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        if streamed:
            return run_streamed(paths, options, jobs, lambda function, items: pool.map(function, items), reader)

        def mapper(function: Callable[[Any], Any], items: Sequence[Any]) -> Iterable[Any]:
            return pool.map(function, items)  # every task handed out now; results as they are taken

        return run_sharded(paths, options, jobs, mapper, reader)


def sharding_pays(paths: Sequence[str], reader: ReaderChoice = "auto") -> bool:
    """Whether auditing ``paths`` in several processes beats one, for -j left to its default.

    Planned shards decode file by file in parallel: one file is decoded by one worker, and the plan and
    the pool only add to it (a 1.49 GB capture: 1.6 s in two processes, 0.5 s in one). Captures dense
    with adverts would be streamed shards, which feed every advert one by one; one process counts their
    repeats in C (vrrpcap/folding.py) and is faster and lighter (3M adverts of 200 virtual routers: 25 s
    in two streamed shards, 4.5 s and 33 MB in one)."""
    from vrrpcap import folding

    if len(paths) < 2:
        return False
    return folding.folder is None or advert_share(paths[0], reader) < STREAM_FROM_SHARE


def advert_share(path: str, reader: ReaderChoice = "auto") -> float:
    """The share of adverts among the first frames of a capture (a sample of up to SAMPLE_FRAMES)."""
    capture = open_reader(path, reader)
    template_of = CachingDecoder().template
    adverts = frames = 0
    try:
        # Every frame, not the scan: a scan passes on candidates only, and may run long between them.
        for frame in capture:
            frames += 1
            adverts += template_of(frame)[0] is not None
            if frames >= SAMPLE_FRAMES:
                break
    finally:
        capture.close()
    return adverts / frames if frames else 0.0
