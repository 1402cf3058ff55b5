"""The sharded audit on Dask: decode_file and analyze_shard as delayed tasks (docs/parallel.md).

    from vrrpcap.parallel.dask import dask_map
    from vrrpcap.parallel.runner import run_sharded
    audit = run_sharded(paths, Options(), shards=16, mapper=dask_map())              # local processes
    audit = run_sharded(paths, Options(), shards=64, mapper=dask_map(client.get))    # a cluster

The scheduler is Dask's: "processes", "threads", "synchronous", or a distributed Client's ``get``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from vrrpcap.parallel.runner import Mapper


def dask_map(scheduler: str | Callable[..., Any] = "processes") -> Mapper:
    """A map function that runs each call as one Dask task and gathers the results in order."""
    from dask.base import compute
    from dask.delayed import delayed

    def mapper(function: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        tasks = [delayed(function, pure=False)(item) for item in items]
        return list(compute(*tasks, scheduler=scheduler))  # type: ignore[no-untyped-call]

    return mapper
