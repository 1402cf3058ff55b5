"""Every failover's takeover names the timer rule it follows (VRRP-TAKEOVER-OUTLIER, docs/findings.md).

The expected rule of each failover in the lab captures comes from the truth files alone: the actions
(kill, stop) and keepalived's/vrrpd's state changes say why the old master stopped, the instances say
the priorities, intervals and versions the RFC timers are computed from. Crafted captures give the
figures no lab run gives: a takeover far later than any rule, whole intervals late, a late backup.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PCAPS, SHARED_PCAPS
from tests.forge import Advert, pcap_of, series
from tests.support import write
from vrrpcap.findings import Severity
from vrrpcap.frames import CaptureSet
from vrrpcap.pipeline import AdvertStream, Pipeline
from vrrpcap.report import Failover, Report

TRUTHS = sorted(PCAPS.glob("*.truth.json"))
NEAR = 0.1  # two state changes this close belong to one event (FIFO lines are stamped on arrival)
ON_TIME = 0.05  # a keepalived/FRR takeover on the wire lands this close to its rule (measured: < 6 ms)
CAUSE_RULE = {"silence": "master-down-interval", "priority-0": "skew", "preempted": "preempted"}


def audit(paths: list[str]) -> Report:
    with CaptureSet(paths) as captures:
        return Pipeline().run(AdvertStream(captures))


def captures_of(truth_path: Path) -> list[Path]:
    scenario = truth_path.name.removesuffix(".truth.json")
    return sorted({*PCAPS.glob(f"{scenario}.pcap"), *PCAPS.glob(f"{scenario}.*.pcap")})


def skew(version: int, priority: int, interval: float) -> float:
    """RFC 3768 section 6.1 (v2: seconds) and RFC 5798 section 6.1 (v3: a share of the interval)."""
    return (256 - priority) * interval / 256 if version == 3 else (256 - priority) / 256


class Lab:
    """A truth file's routers, instances and events, looked up by what the wire shows."""

    def __init__(self, truth: dict[str, Any]) -> None:
        self.truth = truth
        self.names: dict[str, str] = {}
        for r in truth["routers"]:
            link_locals = [m.get("ipv6_link_local") for m in r.get("frr_macvlans", [])]
            for address in (r.get("ipv4"), r.get("ipv6"), r.get("ipv6_link_local"), *link_locals):
                if address:
                    self.names[address] = r["name"]

    def instance(self, router: str, family: str, vrid: int) -> dict[str, Any]:
        inst: dict[str, Any]
        (inst,) = [
            i
            for i in self.truth["instances"]
            if i["router"] == router and i["family"] in (family, None) and i["vrid"] == vrid
        ] or [i for i in self.truth["instances"] if i["router"] == router and i["vrid"] == vrid]
        return inst

    def transitions(self, inst: dict[str, Any]) -> list[dict[str, Any]]:
        return [t for t in self.truth["transitions"] if t["router"] == inst["router"] and t["instance"] == inst["name"]]

    def actions(self, router: str) -> list[dict[str, Any]]:
        return [a for a in self.truth["actions"] if a.get("router") == router]


def expected(lab: Lab, family: str, vrid: int, f: Failover) -> tuple[str, float | None]:
    """The rule a failover must be explained by, and its figure, from the truth alone."""
    new = lab.instance(lab.names[f.to_router], family, vrid)
    old = lab.instance(lab.names[f.from_router or ""], family, vrid)
    became = [t for t in lab.transitions(new) if t["state"] == "MASTER" and t["time"] <= f.time + ON_TIME][-1]
    old_changes = lab.transitions(old)
    # The old master backed off when the new one appeared: a preemption (keepalived stops at once).
    if any(
        t["state"] == "BACKUP" and min(abs(t["time"] - f.time), abs(t["time"] - became["time"])) <= NEAR
        for t in old_changes
    ):
        return "preempted", None
    was_master = max(t["time"] for t in old_changes if t["state"] == "MASTER" and t["time"] < became["time"])
    version, interval = new["version"], old["interval_s"] if new["version"] == 3 else new["interval_s"]
    own_skew = skew(version, became["priority"], interval)
    resigned = any(
        t["state"] in ("STOP", "FAULT", "INIT") and was_master < t["time"] < became["time"] for t in old_changes
    )
    if resigned:  # a priority-0 advert: the backup waits its Skew_Time
        if new["implementation"] == "frr-vrrpd" and family == "ipv6":
            return "first-advert-unsent", own_skew + interval  # vrrpd skips its first IPv6 advert as master
        return "skew", own_skew
    # Killed, or (VRID collision, CARP beside it, loss into the vantage) silent on the wire while
    # still MASTER in its own view: either way the backup timed out.
    return "master-down-interval", 3 * interval + own_skew


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.name.removesuffix(".truth.json"))
def test_every_lab_takeover_is_explained_as_the_truth_implies(truth_path: Path) -> None:
    lab = Lab(json.loads(truth_path.read_text()))
    for capture in captures_of(truth_path):
        report = audit([str(capture)])
        outliers = {(f.start, f.routers) for f in report.findings if f.code == "VRRP-TAKEOVER-OUTLIER"}
        for vr in report.virtual_routers:
            for f in vr.failovers:
                if vr.protocol == "carp":
                    # ucarp times itself by poll(): its takeovers are not judged (vrrpcap/analysis/takeover.py).
                    assert f.explained_by is None and (f.time, (f.from_router or "", f.to_router)) not in outliers
                    continue
                rule, figure = expected(lab, vr.family, vr.vrid, f)
                where = f"{capture.name} {vr.id} {f.from_router} -> {f.to_router}: {f.explanation}"
                assert f.explained_by == rule, where
                if figure is None:
                    assert f.expected_takeover_s is None, where
                else:
                    assert f.expected_takeover_s == pytest.approx(figure, abs=1e-6), where
                    assert f.takeover_s is not None and abs(f.takeover_s - figure) <= ON_TIME, where
                flagged = (f.time - (f.takeover_s or 0.0), (f.from_router or "", f.to_router)) in outliers
                assert flagged == (rule != CAUSE_RULE[f.cause]), where
        assert not [f for f in report.findings if f.code == "VRRP-TAKEOVER-OUTLIER" and f.severity > Severity.INFO]


def test_preempt_delay_is_an_ordinary_preemption_on_the_wire() -> None:
    truth = json.loads((PCAPS / "v2-preempt-delay.truth.json").read_text())
    kill, back = truth["expect_v2"]["takeovers"]
    report = audit([str(PCAPS / "v2-preempt-delay.pcap")])
    (vr,) = report.virtual_routers
    lab = Lab(truth)
    by_router = {lab.names[f.to_router]: f for f in vr.failovers}
    # After the kill: Master_Down_Interval, preempt_delay or not.
    silence = by_router[kill["router"]]
    assert kill["explained_by"].startswith("Master_Down_Interval")
    assert (silence.cause, silence.explained_by) == (kill["cause"], "master-down-interval")
    assert silence.expected_takeover_s == pytest.approx(kill["rfc_takeover_s"], abs=1e-6)
    assert silence.takeover_s == pytest.approx(kill["wire_takeover_s"], abs=1e-3)
    # The return: the delay is real (truth) but invisible; the wire shows a preemption, and says so.
    preempt = by_router[back["router"]]
    assert back["explained_by"].startswith("preempt_delay") and "ordinary preemption" in back["on_the_wire"]
    assert preempt.time == pytest.approx(back["first_advert_on_wire"], abs=1e-6)
    assert (preempt.cause, preempt.explained_by, preempt.expected_takeover_s) == ("preempted", "preempted", None)
    assert "preempt_delay" in preempt.explanation and not preempt.outlier
    assert "VRRP-TAKEOVER-OUTLIER" not in {f.code for f in report.findings}


def test_public_captures_follow_their_rules() -> None:
    """MANIFEST.md: packetlife's R3 takes over "after 3.64 s (the Master_Down interval)", and R1
    "comes back and preempts"."""
    if not SHARED_PCAPS.is_dir():
        pytest.skip("no public captures")
    rules = {}
    for name in ("packetlife-VRRP_failover.cap", "packetlife-VRRP_preempt.cap", "tcpdump-vrrp.pcap"):
        report = audit([str(SHARED_PCAPS / name)])
        rules[name] = {f.explained_by for vr in report.virtual_routers for f in vr.failovers}
        assert "VRRP-TAKEOVER-OUTLIER" not in {f.code for f in report.findings}, name
    assert rules["packetlife-VRRP_failover.cap"] == {"master-down-interval"}
    assert rules["packetlife-VRRP_preempt.cap"] == {"preempted"}
    assert "unexplained" not in rules["tcpdump-vrrp.pcap"]


# -- crafted: r2 (100) was master, r1 (150) took over and went silent at T0 + 20 ------------------------

T0 = 1_700_000_000.0
MDI_100 = 3 + 156 / 256  # priority 100, VRRPv2, 1 s


def crafted(tmp_path: Path, back_after: float, r2_before: bool = True) -> tuple[Report, Failover]:
    adverts = series("192.0.2.1", T0 + 5.5, T0 + 20.5, priority=150)
    if r2_before:
        adverts += series("192.0.2.2", T0, T0 + 5, priority=100)
    last = T0 + 20.5  # r1's last advert
    adverts += [Advert(last + back_after + i, "192.0.2.2", priority=100) for i in range(5)]
    report = audit([write(tmp_path, "crafted.pcap", pcap_of(adverts))])
    (vr,) = report.virtual_routers
    (failover,) = [f for f in vr.failovers if f.from_router == "192.0.2.1"]
    assert failover.cause == "silence" and failover.takeover_s == pytest.approx(back_after, abs=1e-5)
    return report, failover


def outliers(report: Report) -> list[tuple[Severity, str | None, str]]:
    return [(f.severity, f.reason, f.message) for f in report.findings if f.code == "VRRP-TAKEOVER-OUTLIER"]


def test_a_takeover_far_later_than_any_rule_is_an_unexplained_outlier(tmp_path: Path) -> None:
    report, f = crafted(tmp_path, 12.3)
    assert f.explained_by == "unexplained" and f.expected_takeover_s == pytest.approx(MDI_100)
    ((severity, reason, message),) = outliers(report)
    assert (severity, reason) == (Severity.WARNING, "unexplained")
    assert "192.0.2.2 took over from 192.0.2.1 after 12.30 s" in message and "3.609 s" in message


def test_on_time_takeover_is_no_outlier(tmp_path: Path) -> None:
    report, f = crafted(tmp_path, MDI_100 + 0.004)
    assert (f.explained_by, f.outlier) == ("master-down-interval", False)
    assert outliers(report) == []


def test_whole_intervals_late_reads_as_missing_adverts(tmp_path: Path) -> None:
    report, f = crafted(tmp_path, MDI_100 + 2.003)
    assert f.explained_by == "capture-loss" and f.expected_takeover_s == pytest.approx(MDI_100 + 2)
    assert [(s, r) for s, r, _ in outliers(report)] == [(Severity.INFO, "capture-loss")]


def test_a_backup_first_seen_long_after_the_silence_is_a_late_backup(tmp_path: Path) -> None:
    report, f = crafted(tmp_path, 9.4, r2_before=False)
    assert f.explained_by == "late-backup" and "first advert in the capture" in f.explanation
    assert [(s, r) for s, r, _ in outliers(report)] == [(Severity.INFO, "late-backup")]


def test_a_resignation_the_backup_did_not_hear_takes_its_master_down_interval(tmp_path: Path) -> None:
    adverts = [*series("192.0.2.1", T0, T0 + 10, priority=150), Advert(T0 + 10.2, "192.0.2.1", priority=0)]
    adverts += series("192.0.2.2", T0 + 10.2 + MDI_100, T0 + 20, priority=100)
    report = audit([write(tmp_path, "unheard.pcap", pcap_of(adverts))])
    (vr,) = report.virtual_routers
    (f,) = vr.failovers
    assert (f.cause, f.explained_by) == ("priority-0", "master-down-interval")
    assert f.expected_takeover_s == pytest.approx(MDI_100) and "did not get" in f.explanation
    assert [(s, r) for s, r, _ in outliers(report)] == [(Severity.INFO, "master-down-interval")]


def test_a_v3_backup_times_out_on_the_interval_the_old_master_advertised() -> None:
    from vrrpcap.analysis.takeover import Takeover, explain

    # RFC 5798 section 6.4.2: Master_Down_Interval from Master_Adver_Interval, the master's interval.
    mdi = 3 * 2.0 + (256 - 100) * 2.0 / 256
    seen = Takeover("silence", mdi + 0.01, "a", "b", 150, 100, 3, 1.0, 2.0, "ipv4", False, False)
    why = explain(seen)
    assert why.rule == "master-down-interval" and why.expected_s == pytest.approx(mdi)
