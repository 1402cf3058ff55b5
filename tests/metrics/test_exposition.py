"""Every lab capture through the exporter: both formats parse with prometheus_client's strict parsers,
and what they say agrees with the audit report of the same capture (failovers by cause, takeovers,
adverts per router, runs, resignations, findings). The report is built by the summarizer, the metrics
by the event tally and the engine's state: two paths to the same facts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import lab_captures
from tests.metrics.conftest import Sample, measured, pick, samples
from vrrpcap.metrics.catalogue import exported_names

CAPTURES = lab_captures()


def _vr_labels(vr: object) -> dict[str, str]:
    labels = {"family": vr.family, "vrid": str(vr.vrid), "group": vr.id.rsplit("/", 1)[1]}  # type: ignore[attr-defined]
    if vr.interface:  # type: ignore[attr-defined]
        labels["interface"] = vr.interface  # type: ignore[attr-defined]
    if vr.vlan:  # type: ignore[attr-defined]
        labels["vlan"] = ".".join(str(v) for v in vr.vlan)  # type: ignore[attr-defined]
    if vr.protocol == "carp":  # type: ignore[attr-defined]
        labels["protocol"] = "carp"
    return labels


@pytest.mark.skipif(not CAPTURES, reason="no lab captures in pcaps/")
@pytest.mark.parametrize("capture", CAPTURES, ids=lambda p: p.name)
def test_metrics_agree_with_the_report(capture: Path) -> None:
    result = measured(capture, openmetrics=True)
    assert result.text.endswith("# EOF\n")
    found = samples(result.text, openmetrics=True)
    assert {s.name for s in found} <= exported_names()
    text_found = samples(measured(capture, openmetrics=False).text, openmetrics=False)

    def same(parsed: list[Sample]) -> list[tuple[str, list[tuple[str, str]], float]]:
        return sorted((s.name, sorted(s.labels.items()), s.value) for s in parsed)

    assert same(text_found) == same(found)  # the two formats say the same
    report = result.report
    exported_vrs = pick(found, "vrrpcap_virtual_router_masters")
    assert len(exported_vrs) == len(report.virtual_routers)
    for vr in report.virtual_routers:
        labels = _vr_labels(vr)
        protocol = labels.get("protocol")

        def of_vr(
            name: str, labels: dict[str, str] = labels, protocol: str | None = protocol, **more: str
        ) -> list[Sample]:
            # A VRRP virtual router's labels are a subset of a CARP one's of the same number: not it.
            return [s for s in pick(found, name, **labels, **more) if s.labels.get("protocol") == protocol]

        (masters,) = of_vr("vrrpcap_virtual_router_masters")
        assert masters.labels == labels  # nothing else identifies it, and nothing less
        causes = Counter(f.cause for f in vr.failovers)
        for cause in ("silence", "priority-0", "preempted"):
            (counted,) = of_vr("vrrpcap_virtual_router_failovers_total", cause=cause)
            assert counted.value == causes[cause], (vr.id, cause)
        takeovers = [f.takeover_s for f in vr.failovers if f.takeover_s is not None]
        (count,) = of_vr("vrrpcap_virtual_router_takeover_seconds_count")
        (total,) = of_vr("vrrpcap_virtual_router_takeover_seconds_sum")
        assert count.value == len(takeovers) and total.value == pytest.approx(sum(takeovers))
        buckets = of_vr("vrrpcap_virtual_router_takeover_seconds_bucket")
        assert len(buckets) == 12  # eleven bounds and +Inf
        for bucket in buckets:  # cumulative, le inclusive
            assert bucket.value == sum(t <= float(bucket.labels["le"]) for t in takeovers), bucket
        last = pick(found, "vrrpcap_virtual_router_last_failover_timestamp_seconds", **labels)
        assert [s.value for s in last] == ([vr.failovers[-1].time] if vr.failovers else [])
        for router in vr.routers:
            mine = {**labels, "router": router.address}
            adverts = pick(found, "vrrpcap_router_adverts_total", **mine)
            assert sum(s.value for s in adverts) == router.adverts
            runs = [m for m in vr.masters if m.router == router.address]
            (became,) = pick(found, "vrrpcap_router_become_master_total", **mine)
            assert became.value == len(runs)
            (resigned,) = pick(found, "vrrpcap_router_priority_zero_sent_total", **mine)
            assert resigned.value == sum(m.end_cause == "priority-0" for m in runs)
            states = pick(found, "vrrpcap_router_state", **mine)
            assert sorted(s.labels["state"] for s in states) == ["backup", "master", "resigned", "silent"]
            assert sum(s.value for s in states) == 1
    codes = {(s.labels["code"], s.labels["severity"]) for s in pick(found, "vrrpcap_findings_total")}
    assert codes == {(f.code, f.severity.label) for f in report.findings}


def test_crash_then_preemption_back() -> None:
    """r1 (150) killed, r2 (100) takes over after its Master_Down_Interval, r1 returns and preempts."""
    capture = Path(__file__).resolve().parents[2] / "pcaps" / "v2-failover-kill.pcap"
    if not capture.exists():
        pytest.skip("pcaps/v2-failover-kill.pcap is missing")
    result = measured(capture)
    found = samples(result.text, openmetrics=True)
    (vr,) = result.report.virtual_routers
    assert [f.cause for f in vr.failovers] == ["silence", "preempted"]
    (master,) = pick(found, "vrrpcap_virtual_router_master_info")
    assert master.labels["router"] == vr.failovers[-1].to_router == "192.0.2.1"
    state = {s.labels["router"]: s.labels["state"] for s in pick(found, "vrrpcap_router_state") if s.value == 1}
    assert state == {"192.0.2.1": "master", "192.0.2.2": "backup"}  # r2 stood down for a better router
    priority = {s.labels["router"]: s.value for s in pick(found, "vrrpcap_router_priority")}
    assert priority == {"192.0.2.1": 150, "192.0.2.2": 100}
    (last,) = pick(found, "vrrpcap_virtual_router_last_takeover_seconds")
    assert last.value == vr.failovers[-1].takeover_s
