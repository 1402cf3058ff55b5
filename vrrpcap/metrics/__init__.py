"""Prometheus metrics from the wire: `vrrpcap live --metrics` and `vrrpcap audit -f openmetrics`.

A consumer of the analysis engine (docs/metrics.md): `Metrics` is fed the engine's events and reads
its state when scraped; `MetricsServer` serves it over HTTP; `textfile.measure` writes it for files.
prometheus_client (the `metrics` extra) negotiates the format and adds the process metrics.
"""

from vrrpcap.metrics.catalogue import FAMILIES, Family, exported_names
from vrrpcap.metrics.labels import ConfiguredName, NameLookup, VirtualRouterFacts
from vrrpcap.metrics.model import Busy, Desk, Metrics
from vrrpcap.metrics.scrape import Scope
from vrrpcap.metrics.server import DEFAULT_PORT, Listen, MetricsServer, parse_listen

__all__ = [
    "DEFAULT_PORT",
    "FAMILIES",
    "Busy",
    "ConfiguredName",
    "Desk",
    "Family",
    "Listen",
    "Metrics",
    "MetricsServer",
    "NameLookup",
    "Scope",
    "VirtualRouterFacts",
    "exported_names",
    "parse_listen",
]
