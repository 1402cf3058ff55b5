"""``live --metrics``: what the option asks for, and the exporter it starts beside the capture.

The metrics package is imported only when the option is given (prometheus_client is an extra).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vrrpcap.analysis import Engine
from vrrpcap.report import InputSummary

if TYPE_CHECKING:
    from vrrpcap.metrics import Listen, Metrics, MetricsServer, NameLookup


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
) -> tuple[Metrics, MetricsServer]:
    """The engine's metrics, listening (one-line errors: no prometheus_client, the port taken)."""
    from vrrpcap.metrics import Metrics, MetricsServer, Scope

    metrics = Metrics(engine, Scope(options.expiry, options.max_series, vrids), ignored, options.names, inputs)
    server = MetricsServer(options.listen, metrics)
    server.start()
    return metrics, server
