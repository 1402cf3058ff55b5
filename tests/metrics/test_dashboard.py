"""contrib/grafana/vrrpcap.json: every PromQL expression in it parses (a real PromQL parser), and
every metric it names is one vrrpcap exports (or Prometheus' own `up`, or the process metrics served
beside vrrpcap's). tests/live/test_metrics_e2e.py also runs each one on a real Prometheus."""

from __future__ import annotations

import json

from tests.metrics.conftest import DASHBOARD, PROCESS, PROMETHEUS_OWN, dashboard_queries, metric_names
from vrrpcap.metrics.catalogue import exported_names


def test_every_expression_names_only_exported_metrics() -> None:
    queries = dashboard_queries()
    assert len(queries) >= 15
    allowed = exported_names() | PROMETHEUS_OWN | PROCESS
    used: set[str] = set()
    for where, expr in queries:
        names = metric_names(expr)
        assert names, (where, expr)
        assert names <= allowed, (where, names - allowed)
        used |= names
    # What the issue asks the dashboard to show is there.
    for wanted in (
        "vrrpcap_router_state",  # master per virtual router over time
        "vrrpcap_virtual_router_failovers_total",
        "vrrpcap_virtual_router_takeover_seconds_bucket",
        "vrrpcap_router_priority",
        "vrrpcap_findings_total",
    ):
        assert wanted in used, wanted


def test_panels_are_what_grafana_needs() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    panels = dashboard["panels"]
    assert any(p["type"] == "state-timeline" for p in panels)
    assert len({p["id"] for p in panels}) == len(panels)
    for panel in panels:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"] and panel["description"], panel["title"]
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
