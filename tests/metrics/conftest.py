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


# Metrics a query may name that vrrpcap does not export: Prometheus' own per-target series, and
# prometheus_client's process collector (served beside vrrpcap's by `live --metrics`).
PROMETHEUS_OWN = frozenset({"up", "scrape_duration_seconds", "scrape_samples_scraped"})
PROCESS = frozenset({"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds"})


def metric_names(expression: str) -> set[str]:
    """Every metric a PromQL expression selects, from the AST of a real PromQL parser (a syntax
    error raises); a selector without a metric name is reported as the empty string."""
    import promql_parser

    found: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            found.add(node.name or "")

    promql_parser.walk(promql_parser.parse(expression), visit)
    return found


DASHBOARD = Path(__file__).resolve().parents[2] / "contrib" / "grafana" / "vrrpcap.json"
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "1h"}


def dashboard_queries() -> list[tuple[str, str]]:
    """(where, PromQL) of every panel target and every variable of the dashboard, Grafana's variables
    replaced as Grafana would (multi-value variables by their `.*` All value)."""
    import json
    import re

    dashboard = json.loads(DASHBOARD.read_text())
    found: list[tuple[str, str]] = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            found.append((f"panel {panel['title']!r} {target['refId']}", target["expr"]))
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            inner = re.fullmatch(r"label_values\((.+),\s*\w+\)", variable["query"]["query"])
            assert inner, variable
            found.append((f"variable {variable['name']}", inner.group(1)))
    names = {v["name"] for v in dashboard["templating"]["list"]}

    def substitute(expr: str) -> str:
        for variable, value in GRAFANA_VARIABLES.items():
            expr = expr.replace(variable, value)
        for name in names:
            expr = expr.replace(f"${{{name}}}", ".*").replace(f"${name}", ".*")
        assert "$" not in expr, expr
        return expr

    return [(where, substitute(expr)) for where, expr in found]
