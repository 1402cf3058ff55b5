"""``live --metrics``: what the option asks for, and the exporter it starts beside the capture.

The metrics package is imported only when the option is given (prometheus_client is an extra).
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vrrpcap.analysis import Engine
from vrrpcap.report import InputSummary

if TYPE_CHECKING:
    from vrrpcap.metrics import Listen, Metrics, MetricsServer, NameLookup

WAKE = object()  # on the frame queue: a scrape waits


@dataclass(frozen=True)
class MetricsOptions:
    listen: Listen
    expiry: float | None = 3600.0  # seconds without an advert before a router's series end
    max_series: int = 100_000
    names: NameLookup | None = None  # keepalived's instance names, when a configuration is known


def serve(
    options: MetricsOptions,
    engine: Engine,
    vrids: frozenset[int],
    ignored: frozenset[str],
    inputs: Callable[[], Sequence[InputSummary]],
    frames: queue.Queue[object],
) -> tuple[Metrics, MetricsServer]:
    """The engine's metrics, listening (one-line errors: no prometheus_client, the port taken). The
    capture loop serves the scrapes (`Metrics.serve`); a marker on its frame queue wakes it when idle
    (a busy loop serves them after its batch; the session ignores what is not a frame)."""
    from vrrpcap.metrics import Desk, Metrics, MetricsServer, Scope

    def wake() -> None:
        with suppress(queue.Full):
            frames.put_nowait(WAKE)

    metrics = Metrics(engine, Scope(options.expiry, options.max_series, vrids), ignored, options.names, inputs)
    metrics.desk = Desk(wake)
    server = MetricsServer(options.listen, metrics)
    server.start()
    return metrics, server
