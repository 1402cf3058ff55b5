"""The analyzer on crafted advert streams: every finding code, and the timeline's edge cases.

Adverts are built as records (the analyzer's real input); the analyzer itself runs unmodified.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import count
from typing import Any

import pytest

from vrrpcap.analysis import Engine, FailoverEvent, FindingEvent, master_down_interval
from vrrpcap.decode import Advert, AdvertKind, ChecksumVerdict, Family
from vrrpcap.findings import CODES, MAX_EVIDENCE, Severity
from vrrpcap.report import InputSummary, Report

VIP = ("192.0.2.100",)
GROUP = "224.0.0.18"


def advert(
    t: float,
    src: str,
    *,
    vrid: int = 51,
    prio: int = 100,
    interval: float = 1.0,
    version: int = 2,
    dst: str = GROUP,
    vips: tuple[str, ...] = VIP,
    ttl: int = 255,
    family: Family = "ipv4",
    checksum: ChecksumVerdict = "ok",
    auth_type: int | None = 0,
    secret: bytes | None = None,
    mac: str | None = None,
    kind: AdvertKind = "advert",
    malformed: str | None = None,
    icmp_from: str | None = None,
) -> Advert:
    multicast = dst.startswith("224.") or dst.startswith("ff")
    return Advert(
        file="t.pcap",
        frame=0,
        time=t,
        interface=None,
        vlan=(),
        src_mac=mac,
        dst_mac=None,
        family=family,
        src=src,
        dst=dst,
        delivery="multicast" if multicast else "unicast",
        ttl=ttl,
        kind=kind,
        version=version,
        type=1,
        vrid=vrid,
        priority=prio,
        addr_count=len(vips),
        interval=interval,
        auth_type=auth_type if version == 2 else None,
        addresses=vips,
        checksum=checksum,
        malformed=malformed,
        icmp_from=icmp_from,
        icmp_type=3 if icmp_from else None,
        icmp_code=2 if icmp_from else None,
        auth_secret=secret,
    )


def series(src: str, start: float, end: float, step: float = 1.0, **kw: object) -> list[Advert]:
    n = round((end - start) / step) + 1
    return [advert(start + i * step, src, **kw) for i in range(n)]  # type: ignore[arg-type]


def audit(adverts: Iterable[Advert], drops: int | None = None) -> Report:
    ordered = sorted(adverts, key=lambda a: a.time)
    numbers = count(1)
    from dataclasses import replace

    engine = Engine()
    for a in ordered:
        engine.feed(replace(a, frame=next(numbers)))
    first, last = ordered[0].time, ordered[-1].time
    inputs = (InputSummary("t.pcap", "pcap", None, len(ordered), len(ordered), first, last, drops),)
    return engine.finish(inputs)


def codes(report: Report) -> set[str]:
    return {f.code for f in report.findings}


def only(report: Report, code: str):  # type: ignore[no-untyped-def]
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, f"{code}: {found}"
    return found[0]


# -- timelines ---------------------------------------------------------------------------------------


def test_capture_starting_mid_mastership_is_not_an_observed_start() -> None:
    report = audit(series("192.0.2.1", 0, 20, prio=150))
    (vr,) = report.virtual_routers
    (run,) = vr.masters
    assert (run.router, run.start, run.end, run.adverts) == ("192.0.2.1", 0, 20, 21)
    assert not run.start_observed and not run.end_observed and run.end_cause == "capture-end"
    assert vr.id == "ipv4/vrid51/multicast" and not vr.failovers
    assert not report.findings


def test_failover_by_silence_with_takeover_latency() -> None:
    takeover = master_down_interval(2, 100, 1.0)  # 3.609375 s for priority 100
    assert takeover == pytest.approx(3.609, abs=1e-3)
    report = audit(series("192.0.2.1", 0, 10, prio=150) + series("192.0.2.2", 10 + takeover, 20))
    (vr,) = report.virtual_routers
    first, second = vr.masters
    assert (first.router, first.end, first.end_cause, first.end_observed) == ("192.0.2.1", 10, "silence", True)
    assert second.router == "192.0.2.2" and second.start_observed
    (f,) = vr.failovers
    assert (f.from_router, f.to_router, f.cause) == ("192.0.2.1", "192.0.2.2", "silence")
    assert f.takeover_s == pytest.approx(takeover)
    assert codes(report) == {"VRRP-FAILOVER"}


def test_resignation_with_priority_zero() -> None:
    adverts = [*series("192.0.2.1", 0, 9, prio=150), advert(10, "192.0.2.1", prio=0)]
    adverts += series("192.0.2.2", 10.61, 20)
    report = audit(adverts)
    (vr,) = report.virtual_routers
    assert vr.masters[0].end == 10 and vr.masters[0].end_cause == "priority-0"
    (f,) = vr.failovers
    assert f.cause == "priority-0" and f.takeover_s == pytest.approx(0.61)
    zero = only(report, "VRRP-PRIORITY-ZERO")
    assert zero.routers == ("192.0.2.1",) and zero.severity == Severity.INFO


def test_preemption_overlap_shorter_than_settle_is_a_failover_not_a_split_brain() -> None:
    adverts = series("192.0.2.2", 0, 10, prio=100) + series("192.0.2.1", 9.6, 20, prio=200)
    report = audit(adverts)
    (vr,) = report.virtual_routers
    (f,) = vr.failovers
    assert (f.from_router, f.to_router, f.cause) == ("192.0.2.2", "192.0.2.1", "preempted")
    assert f.takeover_s == pytest.approx(0.6, abs=1e-6)  # old master's last advert before: 9.0
    assert "VRRP-SPLIT-BRAIN" not in codes(report)
    assert vr.masters[0].end_cause == "yielded"


def test_start_up_race_is_a_failover() -> None:
    report = audit([advert(0, "192.0.2.2", prio=100), *series("192.0.2.1", 0.3, 15, prio=150)])
    (vr,) = report.virtual_routers
    assert [(f.from_router, f.to_router, f.cause) for f in vr.failovers] == [("192.0.2.2", "192.0.2.1", "preempted")]
    assert "VRRP-SPLIT-BRAIN" not in codes(report)


def test_split_brain_names_both_routers_and_the_time_range() -> None:
    report = audit(series("192.0.2.1", 0, 30, prio=150) + series("192.0.2.2", 10.5, 20.5, prio=100))
    f = only(report, "VRRP-SPLIT-BRAIN")
    assert f.severity == Severity.ERROR and f.routers == ("192.0.2.1", "192.0.2.2")
    assert f.start == pytest.approx(10.5) and f.end == pytest.approx(20.5)  # the later one's last advert
    assert "do not hear each other" in f.message
    assert not report.virtual_routers[0].failovers  # the 150 master never stopped


def test_split_brain_message_names_the_interval_mismatch() -> None:
    report = audit(series("192.0.2.1", 0, 20, prio=150) + series("192.0.2.2", 4, 20, step=2.0, interval=2.0))
    assert {"VRRP-SPLIT-BRAIN", "VRRP-INTERVAL-MISMATCH"} <= codes(report)
    assert "intervals differ (1 s vs 2 s)" in only(report, "VRRP-SPLIT-BRAIN").message


def test_missed_adverts_warning_and_outage_error() -> None:
    adverts = [a for a in series("192.0.2.1", 0, 30, prio=150) if a.time not in (5, 6, 12)]
    report = audit(adverts)
    f = only(report, "VRRP-MISSED-ADVERTS")
    assert f.severity == Severity.WARNING and f.count == 2 and "missed about 3" in f.message
    # Silent for 8 s (> Master_Down_Interval) and nobody took over: the VR had no master.
    outage = audit([a for a in series("192.0.2.1", 0, 30) if not 10 < a.time < 18])
    errors = [f for f in outage.findings if f.code == "VRRP-MISSED-ADVERTS" and f.severity == Severity.ERROR]
    assert len(errors) == 1 and "no master for 8.0 s" in errors[0].message


def test_flapping() -> None:
    adverts = []
    t = 0.0
    for i in range(6):
        src = "192.0.2.1" if i % 2 == 0 else "192.0.2.2"
        adverts += series(src, t, t + 3, prio=100)
        t += 3 + 3.7
    report = audit(adverts)
    assert len(report.virtual_routers[0].failovers) == 5
    assert only(report, "VRRP-FLAPPING").severity == Severity.WARNING


# -- identity ----------------------------------------------------------------------------------------


def test_vrid_collision_is_two_virtual_routers_not_a_split_brain() -> None:
    adverts = series("192.0.2.1", 0, 20, prio=150, vips=("192.0.2.100",))
    adverts += series("192.0.2.3", 0.5, 20.5, prio=140, vips=("192.0.2.200",))
    report = audit(adverts)
    assert sorted(v.id for v in report.virtual_routers) == [
        "ipv4/vrid51/multicast",
        "ipv4/vrid51/multicast[192.0.2.200]",
    ]
    assert sorted(v.label for v in report.virtual_routers) == [
        "ipv4/vrid51/multicast[192.0.2.100]",
        "ipv4/vrid51/multicast[192.0.2.200]",
    ]
    f = only(report, "VRRP-VRID-COLLISION")
    assert f.routers == ("192.0.2.1", "192.0.2.3") and f.severity == Severity.ERROR
    assert "VRRP-SPLIT-BRAIN" not in codes(report)


def test_hundreds_of_unicast_pairs_reusing_vrids_are_separate_routers() -> None:
    adverts = []
    for i in range(300):
        a, b = f"198.51.{i // 100}.{(i % 100) * 2 + 1}", f"198.51.{i // 100}.{(i % 100) * 2 + 2}"
        vrid = i % 255 + 1
        adverts += series(a, i * 0.001, 5 + i * 0.001, dst=b, vrid=vrid, vips=(f"203.0.113.{i % 250}",))
    report = audit(adverts)
    assert len(report.virtual_routers) == 300
    assert {v.delivery for v in report.virtual_routers} == {"unicast"}
    pair = next(v for v in report.virtual_routers if v.vrid == 1 and "198.51.0.1" in v.id)
    assert pair.id == "ipv4/vrid1/198.51.0.1+198.51.0.2"
    assert not codes(report) & {"VRRP-VRID-COLLISION", "VRRP-SPLIT-BRAIN"}
    # VIPs repeat (i % 250) across different routers: those are real conflicts.
    assert "VRRP-VIP-CONFLICT" in codes(report)


def test_mixed_unicast_multicast_is_one_virtual_router() -> None:
    adverts = series("192.0.2.1", 0, 10, prio=150, dst="192.0.2.2") + series("192.0.2.2", 0.2, 10.2)
    report = audit(adverts)
    (vr,) = report.virtual_routers
    assert vr.delivery == "mixed" and vr.id == "ipv4/vrid51/192.0.2.1+192.0.2.2"
    assert vr.label == "ipv4/vrid51/mixed:192.0.2.1+192.0.2.2"
    assert {"VRRP-MIXED-DELIVERY", "VRRP-SPLIT-BRAIN"} <= codes(report)
    assert "multicast and the other unicast" in only(report, "VRRP-SPLIT-BRAIN").message


def test_families_are_separate_virtual_routers() -> None:
    v6 = series("fe80::1", 0, 5, version=3, family="ipv6", dst="ff02::12", vips=("2001:db8::100",))
    report = audit(series("192.0.2.1", 0, 5, version=3) + v6)
    assert sorted(v.id for v in report.virtual_routers) == ["ipv4/vrid51/multicast", "ipv6/vrid51/multicast"]


# -- consistency -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "second"),
    [
        ("VRRP-INTERVAL-MISMATCH", {"interval": 2.0}),
        ("VRRP-VIP-MISMATCH", {"vips": ("192.0.2.100", "192.0.2.101")}),
        ("VRRP-AUTH-MISMATCH", {"auth_type": 1, "secret": b"secret12"}),
        ("VRRP-VERSION-MISMATCH", {"version": 3}),
    ],
)
def test_mismatches_between_routers_of_one_virtual_router(code: str, second: dict[str, Any]) -> None:
    adverts = series("192.0.2.1", 0, 10, prio=150) + series("192.0.2.2", 13.61, 20, **second)
    report = audit(adverts)
    f = only(report, code)
    assert f.routers == ("192.0.2.1", "192.0.2.2") and f.severity == Severity.WARNING
    assert "secret12" not in f.message


def test_unicast_asymmetry_and_peer_unreachable() -> None:
    adverts = series("192.0.2.1", 0, 10, prio=150, dst="192.0.2.2")
    adverts += series("192.0.2.2", 13.61, 20, dst="192.0.2.3")
    adverts += [
        advert(t + 0.001, "192.0.2.1", dst="192.0.2.2", kind="icmp-quote", icmp_from="192.0.2.2") for t in range(0, 5)
    ]
    report = audit(adverts)
    asym = only(report, "VRRP-UNICAST-ASYMMETRY")
    assert "192.0.2.1 sends to 192.0.2.2 but 192.0.2.2 sends to 192.0.2.3" in asym.message
    unreachable = only(report, "VRRP-PEER-UNREACHABLE")
    assert unreachable.routers == ("192.0.2.1", "192.0.2.2") and unreachable.count == 5


def test_owner_conflict_and_mismatch() -> None:
    adverts = series("192.0.2.1", 0, 10, prio=255) + series("192.0.2.2", 0.5, 10.5, prio=255)
    report = audit(adverts)
    assert only(report, "VRRP-OWNER-CONFLICT").routers == ("192.0.2.1", "192.0.2.2")
    mismatches = [f for f in report.findings if f.code == "VRRP-OWNER-MISMATCH"]
    assert sorted(f.routers for f in mismatches) == [("192.0.2.1",), ("192.0.2.2",)]
    owner = audit(series("192.0.2.100", 0, 5, prio=255))
    assert "VRRP-OWNER-MISMATCH" not in codes(owner)


def test_priority_tie_and_vip_conflict() -> None:
    adverts = series("192.0.2.1", 0, 10, prio=150)
    adverts += [advert(13.6, "192.0.2.3"), advert(13.61, "192.0.2.2"), *series("192.0.2.3", 14.6, 20)]
    adverts += series("192.0.2.9", 0, 20, vrid=52)  # same VIP under another VRID
    report = audit(adverts)
    assert only(report, "VRRP-PRIORITY-TIE").routers == ("192.0.2.2", "192.0.2.3")
    assert "VRRP-SPLIT-BRAIN" not in codes(report)
    conflict = only(report, "VRRP-VIP-CONFLICT")
    assert "192.0.2.100 is announced by 2 virtual routers" in conflict.message


# -- per-advert checks -------------------------------------------------------------------------------


def test_protocol_violations() -> None:
    adverts = series("192.0.2.1", 0, 5, ttl=64, dst="192.0.2.2")
    adverts += series("192.0.2.5", 0, 5, vrid=60, checksum="bad")
    adverts += series("192.0.2.6", 0, 5, vrid=61, version=3, checksum="v2-style")
    adverts += series("192.0.2.7", 0, 5, vrid=62, auth_type=1, secret=b"hunter2\0")
    adverts += series("192.0.2.8", 0, 5, vrid=63, mac="00:00:5e:00:01:07")
    adverts += [advert(2.5, "192.0.2.9", malformed="advert interval 0", vrid=64)]
    report = audit(adverts)
    ttl = only(report, "VRRP-BAD-TTL")
    assert ttl.count == 6 and "TTL/hop limit 64" in ttl.message and "unicast" in ttl.message
    assert only(report, "VRRP-BAD-CHECKSUM").severity == Severity.ERROR
    assert "without the pseudo-header" in only(report, "VRRP-CHECKSUM-VARIANT").message
    password = only(report, "VRRP-CLEARTEXT-PASSWORD")
    assert "hunter2" not in password.message and "<redacted>" in password.message
    assert "VRID 7" in only(report, "VRRP-VMAC-MISMATCH").message
    assert "advert interval 0" in only(report, "VRRP-MALFORMED").message


def test_priority_change_and_capture_drops() -> None:
    adverts = series("192.0.2.1", 0, 5, prio=150) + series("192.0.2.1", 6, 10, prio=90)
    report = audit(adverts, drops=12)
    assert "150 -> 90" in only(report, "VRRP-PRIORITY-CHANGE").message
    assert "dropped 12" in only(report, "VRRP-CAPTURE-DROPS").message


def test_every_finding_code_is_documented() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "findings.md").read_text()
    for code in CODES:
        assert f"### {code}" in text, code


# -- streaming -------------------------------------------------------------------------------------


def test_events_come_as_soon_as_they_are_certain() -> None:
    engine = Engine()
    for a in series("192.0.2.1", 0, 10, prio=150):
        engine.feed(a)
    events = engine.feed(advert(13.61, "192.0.2.2"))
    failovers = [e.failover for e in events if isinstance(e, FailoverEvent)]
    assert [(f.from_router, f.to_router, f.cause) for f in failovers] == [("192.0.2.1", "192.0.2.2", "silence")]
    assert any(isinstance(e, FindingEvent) and e.finding.code == "VRRP-FAILOVER" for e in events)


def test_memory_is_bounded_by_routers_not_packets() -> None:
    engine = Engine()
    for i in range(20000):
        engine.feed(advert(i * 1.0, "192.0.2.1", ttl=1))
    report = engine.finish()
    ttl = only(report, "VRRP-BAD-TTL")
    assert ttl.count == 20000 and len(ttl.frames) == MAX_EVIDENCE
    assert len(report.virtual_routers[0].masters) == 1
