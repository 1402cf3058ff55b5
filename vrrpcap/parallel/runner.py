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
from vrrpcap.frames import CaptureSet
from vrrpcap.frames.choose import ReaderChoice
from vrrpcap.parallel.decode import DecodedFile, DecodeTask, decode_file
from vrrpcap.parallel.merge import merge_shards
from vrrpcap.parallel.plan import plan_shards
from vrrpcap.parallel.shard import ShardInput, ShardResult, analyze_shard
from vrrpcap.report import Report

T = TypeVar("T")
R = TypeVar("R")
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
    decoded: list[DecodedFile] = list(mapper(decode, tasks))
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


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def audit_files(paths: Sequence[str], options: Options, jobs: int, reader: ReaderChoice = "auto") -> ShardedAudit:
    """`vrrpcap audit -j N`: decode in up to N worker processes, analyze N shards in them, merge here.

    Every input is opened here first, in order, as the serial audit opens them, so a missing file or
    one that is no capture ends the run with the same message and exit code before any worker starts."""
    with CaptureSet(list(paths), reader=reader):
        pass
    # fork: the workers start without importing vrrpcap again (a spawned worker pays ~0.3 s of imports).
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:

        def mapper(function: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
            return list(pool.map(function, items))

        return run_sharded(paths, options, jobs, mapper, reader)
