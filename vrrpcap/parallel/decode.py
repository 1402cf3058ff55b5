"""One capture file decoded into columns, in a worker process (or a cluster task).

Each distinct frame content is decoded once (decode/columns.py); every advert adds its content's index,
frame number, time, IPv4 identification and merge key (the latest timestamp of its file so far: the key
the serial merge of several files orders by) to arrays. No Advert object is made per advert here.

The columns travel back as `array.array`s (typed, compact, pickled as raw bytes): a worker never
imports numpy, and the parent imports it while the workers decode (vrrpcap/parallel/runner.py).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, replace

from vrrpcap.analysis.identity import segment_of
from vrrpcap.analysis.summary import numbered
from vrrpcap.decode import Advert
from vrrpcap.decode.columns import AdvertColumns
from vrrpcap.frames.choose import ReaderChoice, open_reader
from vrrpcap.parallel.shard import shard_of
from vrrpcap.pipeline import scanned_summary
from vrrpcap.report import InputSummary

# (segment label, source, auth type, secret): one router's use of a secret, numbered by first appearance.
SecretUse = tuple[str, str, int | None, bytes]


@dataclass(frozen=True)
class DecodeTask:
    path: str
    index: int  # the file's position on the command line: the merge's tie-break
    shards: int
    reader: ReaderChoice = "auto"
    label: str | None = None  # the input's name in the report when `path` is a local copy (object storage)


@dataclass(frozen=True)
class DecodedFile:
    index: int
    label: str
    summary: InputSummary
    damaged: bool
    problems: tuple[str, ...]
    resolution: float  # the finest timestamp resolution of its interfaces (seconds)
    templates: list[Advert]
    template_shard: array[int]  # per content
    template_secret: dict[int, SecretUse]  # contents whose router summary numbers a secret
    template: array[int]  # per advert, in file order ('q')
    frame: array[int]  # 'q'
    time: array[float]  # 'd'
    ip_id: array[int]  # 'q': per advert, its own frame's IPv4 identification; -1: none
    key: array[float]  # 'd'


def secret_use(a: Advert) -> SecretUse | None:
    """The router and secret whose first appearance an advert may be (what Router.auth records)."""
    segment = segment_of(a)
    if segment is None or a.version != 2:
        return None
    secret = numbered(a.auth_type, a.auth_secret)
    return None if secret is None else (segment.label(), a.src, a.auth_type, secret)


def decode_file(task: DecodeTask) -> DecodedFile:
    reader = open_reader(task.path, task.reader)
    try:
        columns = AdvertColumns()
        keys = array("d")
        for key, frame in reader.scan():
            if columns.add(frame):
                keys.append(key)
        templates = columns.templates
        content, frames, times, ip_ids = columns.arrays()
        label = task.label or reader.label
        problems = tuple(label + line.removeprefix(reader.label) for line in reader.problems())
        summary = replace(scanned_summary(reader, len(columns)), path=label, problems=problems)
        return DecodedFile(
            index=task.index,
            label=label,
            summary=summary,
            damaged=bool(reader.damage or reader.anomalies),
            problems=problems,
            resolution=min((i.resolution for i in reader.interfaces), default=1e-6),
            templates=templates,
            template_shard=array("q", [shard_of(t, task.shards) for t in templates]),
            template_secret={i: use for i, t in enumerate(templates) if (use := secret_use(t)) is not None},
            template=content,
            frame=frames,
            time=times,
            ip_id=ip_ids,
            key=keys,
        )
    finally:
        reader.close()
