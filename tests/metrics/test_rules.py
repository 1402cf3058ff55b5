"""contrib/prometheus/vrrpcap.rules.yml: valid for Prometheus (`promtool check rules`), doing what it
says on series a sensor exports (`promtool test rules` with contrib/prometheus/vrrpcap.rules.test.yml),
and naming only metrics vrrpcap exports. promtool comes with Debian's `prometheus`, installed in
set-up as root. The rules fire on a real Prometheus in tests/live/test_metrics_e2e.py."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from tests.conftest import ROOT
from tests.live.conftest import ensure_tools
from tests.metrics.conftest import PROMETHEUS_OWN, metric_names
from vrrpcap.metrics.catalogue import exported_names

RULES = ROOT / "contrib" / "prometheus" / "vrrpcap.rules.yml"
RULE_TESTS = ROOT / "contrib" / "prometheus" / "vrrpcap.rules.test.yml"
ALERTS = {
    "VRRPSplitBrain", "VRRPNoMaster", "VRRPVRIDCollision", "VRRPFlapping", "VRRPSlowTakeover",
    "VRRPCaptureDrops", "VRRPSensorDown",
}  # fmt: skip


@pytest.fixture(scope="module")
def promtool() -> str:
    why = ensure_tools({"promtool": "prometheus"})
    if why:
        pytest.skip(f"promtool: {why}")
    return "promtool"


def test_promtool_checks_the_rules(promtool: str) -> None:
    done = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(ALERTS)} rules found" in done.stdout


def test_promtool_unit_tests_pass(promtool: str) -> None:
    done = subprocess.run([promtool, "test", "rules", str(RULE_TESTS)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "SUCCESS" in done.stdout, done.stdout + done.stderr


def test_every_alert_is_unit_tested_and_names_exported_metrics() -> None:
    rules = [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]
    assert {rule["alert"] for rule in rules} == ALERTS
    tested = {case["alertname"] for test in yaml.safe_load(RULE_TESTS.read_text())["tests"]
              for case in test["alert_rule_test"]}  # fmt: skip
    assert tested == ALERTS
    for rule in rules:
        names = metric_names(rule["expr"])
        assert names and names <= exported_names() | PROMETHEUS_OWN, (rule["alert"], names - exported_names())
