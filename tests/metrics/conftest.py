"""Helpers for the metrics tests: captures run through the pipeline with the exporter attached, and
what an exposition says, read back with prometheus_client's parsers (the reference for both formats)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_text

from vrrpcap.analysis import Options
from vrrpcap.frames import CaptureSet
from vrrpcap.metrics.textfile import Measured, measure
from vrrpcap.pipeline import AdvertStream

Labels = frozenset[tuple[str, str]]


@dataclass(frozen=True)
class Sample:
    name: str
    labels: dict[str, str]
    value: float


def samples(text: str, openmetrics: bool) -> list[Sample]:
    """Every sample of an exposition, parsed strictly (a malformed line raises)."""
    parse = parse_openmetrics if openmetrics else parse_text
    return [Sample(s.name, dict(s.labels), s.value) for family in parse(text) for s in family.samples]


def pick(found: Iterable[Sample], name: str, **labels: str) -> list[Sample]:
    return [s for s in found if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())]


def measured(path: Path, openmetrics: bool = True, **kwargs: object) -> Measured:
    with CaptureSet([str(path)]) as captures:
        return measure(AdvertStream(captures), Options(), openmetrics, **kwargs)  # type: ignore[arg-type]
