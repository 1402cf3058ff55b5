"""A shard that reads the whole stream itself: for captures dense with adverts.

Where adverts are a large share of the frames, analysis is the work and reading is cheap; handing every
advert's columns to a central plan (plan.py) then costs memory per advert. Here each worker reads all
inputs in the serial order (CaptureSet.scan), keeps the adverts of its own identity groups and lets the
others' times pass, exactly as plan.py's ticks do: before an advert of its own that comes after a
later-timed advert of another shard, the engine is ticked to that time. Memory is one engine's, bounded
by virtual routers; every worker reads every input, so this pays when reading is a small part.

Secrets are numbered by their router's first advert carrying them over the whole stream: each worker
sees every content once, so each finds the same numbers (what plan.py's `_secret_numbers` computes).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import inf

from vrrpcap.analysis import Engine, Options
from vrrpcap.analysis.summary import number_secrets
from vrrpcap.decode import Advert, CachingDecoder, stamped
from vrrpcap.frames import CaptureSet
from vrrpcap.frames.choose import ReaderChoice
from vrrpcap.parallel.decode import SecretUse, secret_use
from vrrpcap.parallel.shard import ShardResult, shard_of
from vrrpcap.pipeline import scanned_summary
from vrrpcap.report import InputSummary

KNOWN_CONTENTS = 65536  # contents whose shard is remembered; cleared when full, as the decoder's cache


@dataclass(frozen=True)
class StreamTask:
    paths: tuple[str, ...]
    shard: int
    shards: int
    options: Options
    reader: ReaderChoice = "auto"


@dataclass(frozen=True)
class StreamedShard:
    result: ShardResult
    inputs: tuple[InputSummary, ...]  # every worker reads every input: any one's are the inputs
    damaged: bool
    problems: tuple[str, ...]
    resolution: float


def analyze_stream(task: StreamTask) -> StreamedShard:
    engine = Engine(task.options)
    feed, tick = engine.feed, engine.tick
    mine, shards = task.shard, task.shards
    template_of = CachingDecoder().template
    known: dict[int, tuple[Advert, bool]] = {}  # id() of a template (kept alive here) -> (it, ours)
    first_use: dict[SecretUse, float] = {}
    adverts: dict[str, int] = {}
    latest = -inf  # the latest advert time of the stream so far, every shard's
    with CaptureSet(list(task.paths), reader=task.reader) as captures:
        for frame in captures.scan():
            template, ip_id = template_of(frame)
            if template is None:
                continue
            t = frame.time
            if latest == -inf:
                engine.as_shard(t, {})
            adverts[frame.file] = adverts.get(frame.file, 0) + 1
            entry = known.get(id(template))
            if entry is None:
                if len(known) >= KNOWN_CONTENTS:
                    known.clear()
                entry = known[id(template)] = (template, shard_of(template, shards) == mine)
                use = secret_use(template)
                if use is not None and use not in first_use:
                    first_use[use] = t
            if entry[1]:
                if latest > t:
                    tick(latest)
                feed(stamped(template, frame.file, frame.number, t, ip_id))
            if t > latest:
                latest = t
        inputs = tuple(scanned_summary(r, adverts.get(r.label, 0)) for r in captures.readers)
        engine.end(inputs)
        earliest: dict[bytes, float] = {}
        for (_, _, _, secret), when in first_use.items():
            earliest[secret] = min(when, earliest.get(secret, when))
        engine.preset_secrets(number_secrets(earliest))
        result = ShardResult(mine, engine.summaries(), engine.book.findings(), engine.carp_adverts)
        return StreamedShard(
            result=result,
            inputs=inputs,
            damaged=captures.damaged,
            problems=tuple(captures.problems()),
            resolution=captures.resolution(),
        )
