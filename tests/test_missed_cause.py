"""VRRP-MISSED-ADVERTS says who lost the adverts (`cause`): the capture or the router.

Real captures with ground truth from the lab (expect_v2 of pcaps/*.truth.json, derived from the lossless
reference capture and keepalived's notify FIFO, never from vrrpcap), and crafted pcapng files written byte
by byte (tests/support.py, tests/forge.py) for what the lab cannot record: a capture's own drop counter.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PCAPS
from tests.forge import Advert, pcapng_of, series
from tests.support import isb, write
from vrrpcap import audit
from vrrpcap.analysis import Options
from vrrpcap.findings import Finding, Severity
from vrrpcap.parallel.runner import run_sharded
from vrrpcap.report import Report

CODE = "VRRP-MISSED-ADVERTS"
CAPTURE_LOSS = PCAPS / "v2-capture-loss.pcap"
COEXIST = PCAPS / "carp-vrrp-coexist.pcap"
T0 = 1_700_000_000.0


def truth(capture: Path) -> dict[str, Any]:
    path = capture.with_suffix(".truth.json")
    if not path.is_file():
        pytest.skip(f"{path.name} is not recorded")
    data = json.loads(path.read_text())
    assert isinstance(data, dict)
    return data


def missed(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.code == CODE]


def lost_by_ids(f: Finding) -> int:
    """The adverts the capture lost by the sender's IPv4 IDs, as the finding words them."""
    found = re.search(r"the capture lost (\d+)", f.message)
    return int(found.group(1)) if found else 0


def test_capture_loss_is_the_captures_with_the_lost_adverts_the_ids_show() -> None:
    expect = truth(CAPTURE_LOSS)["expect_v2"]
    assert expect["missed_adverts_cause"] == "capture"
    report = audit(str(CAPTURE_LOSS))
    per_vr = [f for f in missed(report) if f.vr is not None]
    assert per_vr and {f.cause for f in per_vr} == {"capture"}
    # The routers kept advertising (their IDs say so): no "no master" error for the capture's blindness.
    assert all(f.severity == Severity.WARNING for f in per_vr)
    assert all(f.cause is None for f in report.findings if f.code != CODE)
    vrids = {vr.id: vr.vrid for vr in report.virtual_routers}
    counted: Counter[tuple[str, int]] = Counter()
    for f in per_vr:
        (router,) = f.routers
        counted[(router, vrids[f.vr or ""])] += lost_by_ids(f)
    wanted = Counter((a["src"], a["vrid"]) for a in expect["lost_adverts"])
    assert counted == wanted


def test_capture_loss_outages_are_the_windows_every_stream_shares() -> None:
    expect = truth(CAPTURE_LOSS)["expect_v2"]
    report = audit(str(CAPTURE_LOSS))
    shared = sorted((f for f in missed(report) if f.vr is None), key=lambda f: f.start or 0.0)
    assert [f.cause for f in shared] == ["capture"] * len(expect["outages"])
    streams = len(report.virtual_routers)
    interval = 1.0  # every instance of the scenario advertises once a second
    for f, outage in zip(shared, expect["outages"], strict=True):
        # The capture can place a blind window's edges only between two adverts of a stream: the last
        # one it saw before and the first after lie within one interval of where the blindness began/ended.
        assert f.start is not None and f.end is not None
        assert f.start <= outage["start"] <= f.start + interval
        assert f.end - interval <= outage["end"] <= f.end
        assert f.count == streams and f"none of the {streams} virtual routers' masters" in f.message


def test_coexisting_carp_makes_keepalived_really_skip_adverts() -> None:
    gaps = truth(COEXIST)["expect_v2"]["vrrp_master_gaps"]
    assert gaps["r1"] and not gaps["r2"]
    report = audit(str(COEXIST))
    (f,) = missed(report)
    assert f.routers == ("192.0.2.1",) and f.cause == "router"
    assert "the router did not send them" in f.message


def test_a_drop_counter_makes_an_unreadable_gap_the_captures(tmp_path: Path) -> None:
    # IDs of 0 (Cisco, DF-set Linux) say nothing; the interface's statistics say the capture dropped 2.
    adverts = [a for a in series("192.0.2.1", T0, T0 + 20) if a.time not in (T0 + 8, T0 + 9)]
    plain = pcapng_of(adverts, "eth0")
    dropped = write(tmp_path, "dropped.pcapng", plain + isb(0, round((T0 + 21) * 1e6), ifrecv=21, ifdrop=2))
    clean = write(tmp_path, "clean.pcapng", plain + isb(0, round((T0 + 21) * 1e6), ifrecv=19, ifdrop=0))
    (with_drops,) = missed(audit(dropped))
    assert with_drops.cause == "capture" and "dropped 2 packet(s)" in with_drops.message
    (without,) = missed(audit(clean))
    assert without.cause == "unknown" and "do not count per advert" in without.message


def counting(adverts: list[Advert]) -> list[Advert]:
    """keepalived's way: the IPv4 ID counts up by one per advert an instance sends."""
    sent: Counter[tuple[str, int]] = Counter()
    out = []
    for a in sorted(adverts, key=lambda a: a.time):
        sent[(a.src, a.vrid)] += 1
        out.append(replace(a, ident=sent[(a.src, a.vrid)]))
    return out


def test_ids_that_count_tell_capture_router_and_mixed(tmp_path: Path) -> None:
    sent = counting(series("192.0.2.1", T0, T0 + 30))
    captured = [a for a in sent if a.time not in (T0 + 10, T0 + 11)]
    (lost,) = missed(audit(write(tmp_path, "lost.pcapng", pcapng_of(captured, "eth0"))))
    assert lost.cause == "capture" and lost_by_ids(lost) == 2
    # The router skipped two adverts itself (its timer re-armed): the IDs run on across the gap.
    skipped = counting([a for a in series("192.0.2.1", T0, T0 + 30) if a.time not in (T0 + 10, T0 + 11)])
    (router,) = missed(audit(write(tmp_path, "router.pcapng", pcapng_of(skipped, "eth0"))))
    assert router.cause == "router"
    both = [a for a in skipped if a.time != T0 + 20]
    (mixed,) = missed(audit(write(tmp_path, "mixed.pcapng", pcapng_of(both, "eth0"))))
    assert mixed.cause == "mixed" and lost_by_ids(mixed) == 1


def test_a_sharded_audit_reads_the_same_ids_and_drop_counters(tmp_path: Path) -> None:
    # Shards carry each advert's own IPv4 ID and see the inputs' drop counters: the same causes.
    sent = counting(series("192.0.2.1", T0, T0 + 30, vrid=51) + series("192.0.2.2", T0 + 0.5, T0 + 30.5, vrid=52))
    captured = [a for a in sent if not T0 + 10 < a.time < T0 + 15]
    data = pcapng_of(captured, "eth0") + isb(0, round((T0 + 31) * 1e6), ifdrop=1)
    paths = [write(tmp_path, "two.pcapng", data), str(CAPTURE_LOSS)]
    for path in paths:
        expected = audit(path).as_dict()
        assert {f["cause"] for f in expected["findings"] if f["code"] == CODE} == {"capture"}
        assert run_sharded([path], Options(), 2).report.as_dict() == expected
