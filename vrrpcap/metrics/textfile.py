"""`vrrpcap audit --format openmetrics|prometheus`: the live exporter's metrics for capture files.

The files go through the pipeline with a `Metrics` consumer attached, as `live --metrics` runs; at
the capture's end the clock is ticked once (runs whose Master_Down_Interval ran out are closed, as
live would have done), the findings a report adds are counted, and the metrics are written as a
scrape would have read them at that moment. Series do not expire: the file describes the whole
capture. node_exporter's textfile collector reads the Prometheus text format only (its parser has no
OpenMetrics), hence `prometheus` for it; `openmetrics` for everything that reads OpenMetrics.
"""

from __future__ import annotations

from dataclasses import dataclass

from vrrpcap.analysis import Options
from vrrpcap.metrics.model import Metrics
from vrrpcap.metrics.scrape import Scope
from vrrpcap.pipeline import AdvertStream, Pipeline
from vrrpcap.report import Report


@dataclass(frozen=True, slots=True)
class Measured:
    text: str
    report: Report  # the audit's final report, for the exit code


def measure(
    stream: AdvertStream,
    options: Options,
    openmetrics: bool,
    ignored: frozenset[str] = frozenset(),
    vrids: frozenset[int] = frozenset(),
    max_series: int = 100_000,
) -> Measured:
    pipeline = Pipeline(options)
    metrics = Metrics(pipeline.engine, Scope(None, max_series, vrids), ignored, inputs=stream.inputs)
    for advert in stream:
        events = pipeline.advert(advert)
        if events:
            metrics.observe(events)
    inputs = stream.inputs()
    ends = [i.last_time for i in inputs if i.last_time is not None]
    if ends:
        metrics.observe(pipeline.tick(max(ends)))
    metrics.report_findings(pipeline.snapshot(inputs).findings)
    text = metrics.exposition(openmetrics)
    return Measured(text, pipeline.finish(inputs))
