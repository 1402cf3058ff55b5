"""The central step of a sharded audit: every file's adverts in the serial order, cut into shards.

The serial audit merges files by (merge key, file index, position in the file); the arrays of the
files, concatenated in file order and sorted stably by key, are in exactly that order. From it:

- the stream's first advert (its time is where every run's "began before the capture" is judged);
- the numbers of secrets: by the time of each router's first advert carrying one (analysis/summary.py);
- the ticks: an advert that comes after a later-timed advert of another shard (timestamps going
  backwards) must first let that later time pass, as the serial engine's deadline check did.

Costs 50-60 bytes an advert while it runs (the columns and a sort); no Advert object is made.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np

from vrrpcap.analysis import Options
from vrrpcap.analysis.summary import number_secrets
from vrrpcap.parallel.decode import DecodedFile, SecretUse
from vrrpcap.parallel.shard import ShardInput


def plan_shards(decoded: Sequence[DecodedFile], shards: int, options: Options) -> list[ShardInput]:
    files = sorted(decoded, key=lambda d: d.index)
    labels = tuple(d.label for d in files)
    inputs = tuple(d.summary for d in files)
    offsets = np.cumsum([0, *(len(d.templates) for d in files)])
    templates = [t for d in files for t in d.templates]
    key = np.concatenate([d.key for d in files]) if files else np.zeros(0)
    order = np.argsort(key, kind="stable")
    time = np.concatenate([d.time for d in files])[order] if files else np.zeros(0)
    file = np.concatenate([np.full(len(d.time), i, dtype=np.int64) for i, d in enumerate(files)])[order]
    frame = np.concatenate([d.frame for d in files])[order]
    ip_id = np.concatenate([d.ip_id for d in files])[order]
    content = np.concatenate([np.asarray(d.template) + offsets[i] for i, d in enumerate(files)])[order]
    shard = np.concatenate([d.template_shard for d in files])[content] if len(content) else content
    seen = np.maximum.accumulate(time) if len(time) else time
    before = np.concatenate([[-np.inf], seen[:-1]]) if len(time) else time
    start = float(time[0]) if len(time) else None
    secrets = _secret_numbers(files, offsets, content, time)
    out = []
    for s in range(max(shards, 1)):
        mine = np.nonzero(shard == s)[0]
        used, local = np.unique(content[mine], return_inverse=True)
        late = np.nonzero(before[mine] > time[mine])[0]
        out.append(
            ShardInput(
                shard=s,
                labels=labels,
                templates=[templates[i] for i in used.tolist()],
                template=_ints(local),
                file=_ints(file[mine]),
                frame=_ints(frame[mine]),
                ip_id=_ints(ip_id[mine]),
                time=_floats(time[mine]),
                tick_at=_ints(late),
                tick_time=_floats(before[mine][late]),
                start=start,
                secrets=secrets,
                options=options,
                inputs=inputs,
            )
        )
    return out


def _ints(values: np.ndarray) -> array[int]:
    """A column as the array.array a worker reads without numpy."""
    packed = array("q")
    packed.frombytes(values.astype(np.int64).tobytes())
    return packed


def _floats(values: np.ndarray) -> array[float]:
    packed = array("d")
    packed.frombytes(values.astype(np.float64).tobytes())
    return packed


def _secret_numbers(
    files: Sequence[DecodedFile], offsets: np.ndarray, content: np.ndarray, time: np.ndarray
) -> dict[bytes, int]:
    """Each router's first advert with a secret, in the serial order; a secret's number follows the
    earliest of those times."""
    uses: dict[SecretUse, int] = {}
    use_of = np.full(int(offsets[-1]), -1, dtype=np.int64)
    for i, d in enumerate(files):
        for template, use in d.template_secret.items():
            use_of[offsets[i] + template] = uses.setdefault(use, len(uses))
    if not uses:
        return {}
    per_advert = use_of[content]
    carrying = np.nonzero(per_advert >= 0)[0]
    found, first = np.unique(per_advert[carrying], return_index=True)
    by_id = {number: use for use, number in uses.items()}
    earliest: dict[bytes, float] = {}
    for use_id, position in zip(found.tolist(), carrying[first].tolist(), strict=True):
        secret, when = by_id[use_id][3], float(time[position])
        earliest[secret] = min(when, earliest.get(secret, when))
    return number_secrets(earliest)
