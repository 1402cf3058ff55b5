"""CARP findings through the existing detectors, on crafted CARP streams whose meaning is in their
content: two routers advertising at once for many periods (a split brain, or two CARP groups on one
vhid), equal advbase/advskew (a tie), an advskew that changes, a demoted master.

The CARP body is packed here from the OpenBSD layout (ip_carp.h), not with vrrpcap's decoder.
"""

from __future__ import annotations

import struct
from pathlib import Path

from scapy.layers.inet import IP
from scapy.layers.l2 import Ether
from scapy.packet import Raw

from tests.support import Record, pcap_bytes, with_checksum
from vrrpcap.api import audit
from vrrpcap.report import Report

T0 = 1_700_000_000.0
VHID = 51


def carp(src: str, t: float, advskew: int, demotion: int = 0, advbase: int = 1, counter: int = 1) -> Record:
    body = struct.pack("!BBBBBBH8s20s", 0x21, VHID, advskew, 7, demotion, advbase, 0, counter.to_bytes(8), b"\x5a" * 20)
    frame = Ether(src=f"00:00:5e:00:00:{VHID:02x}", dst="01:00:5e:00:00:12") / IP(
        src=src, dst="224.0.0.18", ttl=255, proto=112
    )
    return Record(round(t * 1e9), bytes(frame / Raw(with_checksum(body))))


def stream(*senders: tuple[str, float, float, int, int]) -> list[Record]:
    """(address, from, to, advskew, demotion): adverts every advbase + advskew/256 s in [from, to)."""
    out = []
    for src, start, end, advskew, demotion in senders:
        t, n = start, 0
        while t < end:
            out.append(carp(src, T0 + t, advskew, demotion, counter=n))
            t += 1 + advskew / 256
            n += 1
    return sorted(out, key=lambda r: r.time_ns)


def run(tmp_path: Path, records: list[Record]) -> Report:
    path = tmp_path / "carp.pcap"
    path.write_bytes(pcap_bytes(records))
    return audit([str(path)])


def test_two_carp_masters_at_once_are_a_split_brain_worded_for_carp(tmp_path: Path) -> None:
    report = run(tmp_path, stream(("192.0.2.1", 0, 12, 0, 0), ("192.0.2.2", 0, 12, 100, 0)))
    (split,) = [f for f in report.findings if f.code == "VRRP-SPLIT-BRAIN"]
    assert split.vr == f"ipv4/carp{VHID}/multicast" and split.routers == ("192.0.2.1", "192.0.2.2")
    assert f"vhid {VHID}" in split.message
    assert "intervals differ" not in split.message  # CARP's periods differ by design
    assert "VRRP-INTERVAL-MISMATCH" not in {f.code for f in report.findings}


def test_equal_advbase_and_advskew_is_a_tie_broken_by_the_lower_address(tmp_path: Path) -> None:
    report = run(tmp_path, stream(("192.0.2.1", 0, 3, 0, 0), ("192.0.2.2", 0, 3, 0, 0)))
    (tie,) = [f for f in report.findings if f.code == "VRRP-PRIORITY-TIE"]
    assert "advskew" in tie.message and "lower IP address" in tie.message


def test_a_changed_advskew_is_reported_as_advskew(tmp_path: Path) -> None:
    report = run(tmp_path, stream(("192.0.2.1", 0, 4, 0, 0), ("192.0.2.1", 4, 9, 100, 0)))
    (change,) = [f for f in report.findings if f.code == "VRRP-PRIORITY-CHANGE"]
    assert "advskew (0 -> 100)" in change.message and f"vhid {VHID}" in change.message
    (vr,) = report.virtual_routers
    (run_,) = vr.masters
    assert run_.priorities == (0, 100)  # the advskews in order; JSON names them advskews
    assert run_.as_dict("carp")["advskews"] == [0, 100]


def test_a_demoted_master_is_preempted_by_a_higher_advskew(tmp_path: Path) -> None:
    # 192.0.2.1 (advskew 0) is demoted at 5 s; 192.0.2.2 (advskew 100, demotion 0) starts at 6 s and
    # is preferred: OpenBSD orders by demotion before advbase + advskew/256.
    records = stream(("192.0.2.1", 0, 5, 0, 0), ("192.0.2.1", 5, 7.5, 0, 1), ("192.0.2.2", 6, 12, 100, 0))
    report = run(tmp_path, records)
    (vr,) = report.virtual_routers
    (failover,) = vr.failovers
    assert (failover.from_router, failover.to_router, failover.cause) == ("192.0.2.1", "192.0.2.2", "preempted")
    # Without the demotion the same arrival is no takeover: the better router was advertising.
    plain = run(tmp_path, stream(("192.0.2.1", 0, 7.5, 0, 0), ("192.0.2.2", 6, 12, 100, 0)))
    assert all(f.cause != "preempted" for v in plain.virtual_routers for f in v.failovers)
