"""The FRR parser against vrrpd itself: the lab's vrrpd.conf files and crafted ones, read by FRR
8.4 vrrpd in a network namespace; ``show vrrp json`` must agree with vrrpcap.config on every
field it extracts (root only; frr installed in set-up)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lab.frr import FrrVirtualRouter, render_vrrpd_conf
from lab.netns import Router
from lab.scenarios import SCENARIOS
from tests.config.compare_keepalived import Comparison
from tests.config.frr_runner import FrrProbe, FrrResult, frr_ready, run_frr
from tests.config.keepalived_runner import private_dir
from vrrpcap.config.frr import parse_frr
from vrrpcap.config.model import FrrConfig

SKIP = frr_ready()
pytestmark = pytest.mark.skipif(SKIP is not None, reason=f"FRR differential: {SKIP}")

CRAFTED = {
    "defaults": """!
vrrp default priority 120
vrrp default advertisement-interval 2000
no vrrp default preempt
interface %IF%
 vrrp 7
 vrrp 7 ip 192.0.2.70
 vrrp 8 priority 90
 vrrp 8 ip 192.0.2.80
exit
vrrp default priority 100
interface %IF%
 vrrp 9 version 2
 vrrp 9 ip 192.0.2.90
exit
!
""",
    "commands": """interface %IF%
 vrrp 10 version 3
 vrrp 10 priority 200
 vrrp 10 advertisement-interval 1505
 vrrp 10 ip 192.0.2.101
 vrrp 10 ip 192.0.2.102
 vrrp 10 ip 192.0.2.103
 no vrrp 10 ip 192.0.2.102
 vrrp 10 ipv6 2001:db8::10
 no vrrp 10 preempt
 vrrp 10 shutdown
 vrrp 11 version 2
 vrrp 11 ip 192.0.2.110
 vrrp 11 advertisement-interval 3000
 vrrp 11 priority 5
 no vrrp 11 priority
 vrrp 12
 vrrp 12 ipv6 2001:db8::12
 no vrrp 12
 vrrp 13 ip 192.0.2.130
 vrrp 13 preempt
 vrrp 13 shutdown
 no vrrp 13 shutdown
!
""",
    "frr-conf": """frr version 8.4.4
frr defaults traditional
hostname r1
log syslog informational
!
interface %IF%
 description uplink
 ip address 192.0.2.250/24
 vrrp 20 priority 150
 vrrp 20 ip 192.0.2.200
exit
!
interface vrrpcap0
 vrrp 21 ip 192.0.2.210
exit
!
router bgp 65000
 bgp router-id 192.0.2.1
 neighbor 192.0.2.2 remote-as 65001
exit
!
line vty
!
""",
}


def _lab_probes() -> list[tuple[str, list[FrrProbe]]]:
    out = []
    for name, sc in SCENARIOS.items():
        if not sc.frr:
            continue

        def render(vrs: list[FrrVirtualRouter]) -> Any:
            return lambda on, workdir: render_vrrpd_conf(on, vrs, workdir / "lab-vrrpd.log")

        probes = [FrrProbe(f"{name}/{router}", render(vrs), router=router) for router, vrs in sc.frr.items()]
        out.append((name, probes))
    return out


def _crafted(text: str) -> Any:
    return lambda router, workdir: text.replace("%IF%", router.ifname)


@pytest.fixture(scope="module")
def results() -> Iterator[list[FrrResult]]:
    base = private_dir()
    try:
        out: list[FrrResult] = []
        for name, probes in _lab_probes():
            out += run_frr(probes, base, routers=SCENARIOS[name].routers)
        out += run_frr([FrrProbe(label, _crafted(text)) for label, text in CRAFTED.items()], base)
        yield out
    finally:
        shutil.rmtree(base, ignore_errors=True)


def compare(config: FrrConfig, result: FrrResult) -> Comparison:
    cmp = Comparison(result.probe.label)
    shown = {(vr["interface"], vr["vrid"]): vr for vr in result.show}
    cmp.check("virtual routers", sorted((i.interface, i.vrid) for i in config.instances), sorted(shown))
    for inst in config.instances:
        vr = shown.get((inst.interface, inst.vrid))
        if vr is None:
            continue
        name = inst.name
        cmp.check(f"{name} version", inst.version, vr["version"])
        cmp.check(f"{name} advertisement-interval", inst.advertisement_interval_ms, vr["advertisementInterval"])
        cmp.check(f"{name} preempt", inst.preempt, vr["preemptMode"])
        cmp.check(f"{name} shutdown", inst.shutdown, vr["shutdown"])
        cmp.check(f"{name} priority (v4)", inst.priority, vr["v4"]["effectivePriority"])
        cmp.check(f"{name} priority (v6)", inst.priority, vr["v6"]["effectivePriority"])
        cmp.check(f"{name} ip", list(inst.ipv4), vr["v4"]["addresses"])
        cmp.check(f"{name} ipv6", list(inst.ipv6), vr["v6"]["addresses"])
    return cmp


def test_frr_configs_read_as_vrrpd_reads_them(results: list[FrrResult]) -> None:
    assert len(results) >= 6
    failures: list[str] = []
    checked = 0
    for result in results:
        config = parse_frr(result.conf)
        assert result.show, f"{result.probe.label}: vrrpd answered nothing\n{result.log}"
        cmp = compare(config, result)
        checked += cmp.checked
        failures += cmp.mismatches
    print(f"\nFRR differential: {len(results)} configurations, {checked} fields compared")
    assert not failures, "\n".join(failures)


def test_frr_lab_renders_are_parsed_without_problems(tmp_path: Path) -> None:
    router = Router("r1", 1, "ns", "eth0", "p", "192.0.2.1", "2001:db8::1", "m")
    for _, probes in _lab_probes():
        for probe in probes:
            path = tmp_path / "vrrpd.conf"
            path.write_text(probe.render(router, tmp_path))
            assert parse_frr(path).problems == ()
