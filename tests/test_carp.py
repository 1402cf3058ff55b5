"""CARP as a protocol of its own: virtual routers, masterships and failovers held against ucarp's own
view of the lab recordings (``expect_v2`` of pcaps/carp-*.truth.json, from ucarp's up/down scripts).

Tolerances, and why:
- START_TOLERANCE_S (0.05 s): ucarp stamps `date +%s.%N` in its up script when it switches to MASTER
  and sends its first advert right after; on the recordings the two are 1.8-12 ms apart. 50 ms is
  far below one advert period (advbase 1 s), so a run that began an advert early or late fails.
- An end on the wire is the master's last advert; ucarp's end is the kill or its BACKUP script: the
  last advert comes at most one advert period (advbase + advskew/256) before it, and not after it
  by more than START_TOLERANCE_S.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PCAPS, ROOT
from vrrpcap.api import audit
from vrrpcap.report import Report
from vrrpcap.report.model import Mastership
from vrrpcap.report.model import VirtualRouter as VirtualRouterSummary

START_TOLERANCE_S = 0.05
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text())


def truth_of(name: str) -> dict[str, Any]:
    data = json.loads((PCAPS / f"{name}.truth.json").read_text())
    assert isinstance(data, dict)
    return data


def addresses(truth: dict[str, Any]) -> dict[str, str]:
    """Router name -> the source address of its adverts (ucarp's --srcip, keepalived's interface)."""
    out = {r["name"]: r["ipv4"] for r in truth["routers"]}
    out.update({c["router"]: c["srcip"] for c in truth["carp_instances"]})
    return out


def carp_vrs(report: Report) -> list[VirtualRouterSummary]:
    return [v for v in report.virtual_routers if v.protocol == "carp"]


def cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "vrrpcap", *args], capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def check_masterships(vr: VirtualRouterSummary, truth: dict[str, Any], expected: list[dict[str, Any]]) -> None:
    names = addresses(truth)
    interval = {c["srcip"]: c["interval_s"] for c in truth["carp_instances"]}
    ours = sorted(vr.masters, key=lambda m: m.start)
    assert [m.router for m in ours] == [names[e["router"]] for e in sorted(expected, key=lambda e: e["start"])]
    capture_start = min(m.start for m in vr.masters)
    for m, e in zip(ours, sorted(expected, key=lambda e: e["start"]), strict=True):
        if m.start_observed:
            assert abs(m.start - e["start"]) <= START_TOLERANCE_S, (m, e)
        else:  # ucarp became master before the capture's first frame
            assert e["start"] < capture_start + START_TOLERANCE_S, (m, e)
        if e["end"] is None:
            assert not m.end_observed, m
        else:
            assert m.end_observed, m
            assert e["end"] - interval[m.router] <= m.end <= e["end"] + START_TOLERANCE_S, (m, e)


@pytest.fixture(scope="module")
def failover() -> tuple[dict[str, Any], Report]:
    truth = truth_of("carp-ucarp-failover")
    return truth, audit([str(PCAPS / "carp-ucarp-failover.pcap")])


@pytest.fixture(scope="module")
def coexist() -> tuple[dict[str, Any], Report]:
    truth = truth_of("carp-vrrp-coexist")
    return truth, audit([str(PCAPS / "carp-vrrp-coexist.pcap")])


def test_a_ucarp_pair_is_one_carp_virtual_router(failover: tuple[dict[str, Any], Report]) -> None:
    truth, report = failover
    names = addresses(truth)
    (expected,) = truth["expect_v2"]["carp_virtual_routers"]
    (vr,) = report.virtual_routers
    assert vr.protocol == "carp" and vr.vrid == expected["vhid"]
    assert vr.id == f"ipv4/carp{expected['vhid']}/multicast" and vr.segment == f"ipv4/carp{expected['vhid']}"
    assert {r.address for r in vr.routers} == {names[n] for n in expected["routers"]}
    # CARP has no priority: each router shows the advskew and advbase ucarp was started with.
    for instance in truth["carp_instances"]:
        router = next(r for r in vr.routers if r.address == instance["srcip"])
        assert router.advskews == (instance["advskew"],) and router.advbases == (instance["advbase_s"],)
        assert router.priorities == () and router.intervals == (instance["interval_s"],)
    codes = {f.code for f in report.findings}
    assert set(truth["expect_v2"]["findings"]) <= codes
    assert not codes & set(truth["expect_v2"]["forbidden_findings"])
    # CARP routers advertise at different intervals by design, and there is a virtual router now.
    assert not codes & {"VRRP-NO-ADVERTS", "VRRP-INTERVAL-MISMATCH", "VRRP-AUTH-MISMATCH"}


def test_carp_masterships_are_ucarps(failover: tuple[dict[str, Any], Report]) -> None:
    truth, report = failover
    (vr,) = carp_vrs(report)
    check_masterships(vr, truth, truth["expect_v2"]["carp_masterships"])


def test_carp_failovers_are_ucarps_with_cause_and_takeover(failover: tuple[dict[str, Any], Report]) -> None:
    truth, report = failover
    names = addresses(truth)
    (vr,) = carp_vrs(report)
    expected = truth["expect_v2"]["carp_failovers"]
    assert [(f.from_router, f.to_router, f.cause) for f in vr.failovers] == [
        (names[e["from"]], names[e["to"]], e["cause"]) for e in expected
    ]
    for ours, e in zip(vr.failovers, expected, strict=True):
        assert abs(ours.time - e["at"]) <= START_TOLERANCE_S
        assert ours.takeover_s is not None and abs(ours.takeover_s - e["takeover_s"]) <= START_TOLERANCE_S
        if e["cause"] == "silence":
            # Measured from the wire: later than CARP's 3 x advbase + advskew/256, as ucarp is.
            assert e["protocol_takeover_s"] < ours.takeover_s <= e["ucarp_takeover_max_s"]
        # The failover's levels are advskews, shown as such.
        advskew = {c["srcip"]: c["advskew"] for c in truth["carp_instances"]}
        assert (ours.from_priority, ours.to_priority) == (advskew[ours.from_router or ""], advskew[ours.to_router])
        assert ours.as_dict("carp")["to_advskew"] == advskew[ours.to_router]


def test_carp_and_vrrp_of_one_number_are_two_virtual_routers(coexist: tuple[dict[str, Any], Report]) -> None:
    truth, report = coexist
    names = addresses(truth)
    (together,) = truth["expect_v2"]["coexistence"]
    by_protocol = {v.protocol: v for v in report.virtual_routers}
    assert set(by_protocol) == {"carp", "vrrp"} and len(report.virtual_routers) == 2
    carp, vrrp = by_protocol["carp"], by_protocol["vrrp"]
    assert carp.vrid == together["vhid"] and vrrp.vrid == together["vrid"] and carp.id != vrrp.id
    assert {r.address for r in carp.routers} == {names[n] for n in together["carp_routers"]}
    assert {r.address for r in vrrp.routers} == {names[n] for n in together["vrrp_routers"]}
    codes = {f.code for f in report.findings}
    assert not codes & set(truth["forbidden_findings"]), codes
    check_masterships(carp, truth, truth["expect_v2"]["carp_masterships"])
    runs: list[Mastership] = sorted(vrrp.masters, key=lambda m: m.start)
    for name, expected in truth["expect_v2"]["vrrp_masterships"].items():
        for e in expected:
            mine = [m for m in runs if m.router == names[name] and m.end_observed == (e["end"] is not None)]
            if e["end"] is not None:  # r2's claim: one advert, answered within a millisecond
                assert any(abs(m.start - e["start"]) <= START_TOLERANCE_S for m in mine), (name, e)
            else:
                assert mine and mine[-1].router == names[name]


def test_timeline_json_and_csv_show_carp_with_advskew() -> None:
    truth = truth_of("carp-ucarp-failover")
    advskew = {c["srcip"]: c["advskew"] for c in truth["carp_instances"]}
    pcap = str(PCAPS / "carp-ucarp-failover.pcap")
    doc = json.loads(cli("timeline", "-f", "json", pcap))
    (vr,) = doc["virtual_routers"]
    assert vr["protocol"] == "carp" and vr["vrid"] == 51 and "carp51" in vr["id"]
    assert len(vr["masters"]) == len(truth["expect_v2"]["carp_masterships"])
    for m in vr["masters"]:
        assert "priority" not in m and m["advskew"] == advskew[m["router"]]
    assert [f["cause"] for f in vr["failovers"]] == [f["cause"] for f in truth["expect_v2"]["carp_failovers"]]
    assert all("to_advskew" in f and "to_priority" not in f for f in vr["failovers"])
    rows = list(csv.DictReader(io.StringIO(cli("timeline", "-f", "csv", pcap))))
    assert len(rows) == len(truth["expect_v2"]["carp_masterships"])
    for row in rows:
        assert row["protocol"] == "carp" and row["vr"] == "ipv4/carp51/multicast"
        assert row["priority_max"] == "" and int(row["advskew_max"]) == advskew[row["router"]]
    table = cli("timeline", pcap)
    assert "ipv4/carp51/multicast" in table and "CARP vhid 51" in table and "advskew" in table


def test_audit_json_shows_carp_and_validates() -> None:
    import jsonschema

    truth = truth_of("carp-ucarp-failover")
    doc = json.loads(cli("audit", "-f", "json", "--fail-on", "never", str(PCAPS / "carp-ucarp-failover.pcap")))
    jsonschema.validate(doc, SCHEMA)
    (vr,) = doc["virtual_routers"]
    assert vr["protocol"] == "carp" and vr["vrid"] == 51
    assert {r["address"]: r["advskews"] for r in vr["routers"]} == {
        c["srcip"]: [c["advskew"]] for c in truth["carp_instances"]
    }
    assert [(f["from"], f["to"]) for f in vr["failovers"]] == [
        (addresses(truth)[f["from"]], addresses(truth)[f["to"]]) for f in truth["expect_v2"]["carp_failovers"]
    ]
    assert doc["summary"]["virtual_routers"] == 1 and doc["summary"]["adverts"] == 0
    assert doc["summary"]["carp_adverts"] == sum(m["adverts"] for m in vr["masters"]) > 0
    assert "VRRP-NO-ADVERTS" not in {f["code"] for f in doc["findings"]}
    text = cli("audit", "--fail-on", "never", str(PCAPS / "carp-ucarp-failover.pcap"))
    assert "ipv4/carp51/multicast" in text and "advskew 100, advbase 1" in text


def test_vrrp_reports_keep_their_priority_fields() -> None:
    path = Path(PCAPS / "v2-failover-kill.pcap")
    doc = json.loads(cli("audit", "-f", "json", "--fail-on", "never", str(path)))
    for vr in doc["virtual_routers"]:
        assert vr["protocol"] == "vrrp"
        assert all("priority" in m and "advskew" not in m for m in vr["masters"])
        assert all("advskews" not in r for r in vr["routers"])


def test_carp_and_vrrp_on_one_number_are_reported_as_coexisting(coexist: tuple[dict[str, Any], Report]) -> None:
    truth, report = coexist
    names = addresses(truth)
    (together,) = truth["expect_v2"]["coexistence"]
    (finding,) = [f for f in report.findings if f.code == "VRRP-CARP-COEXIST"]
    # From CARP's first advert to its last, both exact wire times (VRRP ran before and after).
    assert finding.start == pytest.approx(together["start"], abs=1e-6)
    assert finding.end == pytest.approx(together["end"], abs=1e-6)
    assert set(finding.routers) == {names[n] for n in together["carp_routers"] + together["vrrp_routers"]}
    assert f"CARP vhid {together['vhid']}" in finding.message and f"VRRP VRID {together['vrid']}" in finding.message
    assert "packet too short" in finding.message and finding.vrid == together["vrid"]
    # The consequence is on the wire beside it. r1's gaps (priority 150, VRRPv2, 1 s) within its
    # Master_Down_Interval are missed adverts; the longer one let r2 claim: a failover after silence.
    r1, r2 = names["r1"], names["r2"]
    mdi = 3 * 1.0 + (256 - 150) / 256
    gaps = truth["expect_v2"]["vrrp_master_gaps"]["r1"]
    (missed,) = [f for f in report.findings if f.code == "VRRP-MISSED-ADVERTS" and f.routers == (r1,)]
    assert f"longest gap {max(g['gap_s'] for g in gaps if g['gap_s'] < mdi):.2f} s" in missed.message
    assert f"in {sum(1 for g in gaps if g['gap_s'] < mdi)} gap(s)" in missed.message
    (vrrp,) = [v for v in report.virtual_routers if v.protocol == "vrrp"]
    claim = next(f for f in vrrp.failovers if (f.from_router, f.to_router) == (r1, r2))
    (long_gap,) = [g for g in gaps if g["gap_s"] > mdi]
    assert claim.cause == "silence" and claim.takeover_s == pytest.approx(long_gap["gap_s"], abs=0.01)
    # Selected by the number, as other findings are.
    assert any(f.code == "VRRP-CARP-COEXIST" for f in report.filtered(vrids=frozenset({together["vrid"]})).findings)
    assert not any(f.code == "VRRP-CARP-COEXIST" for f in report.filtered(vrids=frozenset({1})).findings)


def test_carp_alone_or_vrrp_alone_is_no_coexistence(failover: tuple[dict[str, Any], Report]) -> None:
    _, report = failover
    assert "VRRP-CARP-COEXIST" not in {f.code for f in report.findings}
    kill = audit([str(PCAPS / "v2-failover-kill.pcap")])
    assert "VRRP-CARP-COEXIST" not in {f.code for f in kill.findings}


def test_parquet_and_dataframes_name_carps_advskew(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    truth = truth_of("carp-vrrp-coexist")
    advskew = {c["srcip"]: c["advskew"] for c in truth["carp_instances"]}
    pcap = str(PCAPS / "carp-vrrp-coexist.pcap")
    cli("audit", "-f", "parquet", "-o", str(tmp_path / "pq"), "--fail-on", "never", pcap)
    vrs = pq.read_table(tmp_path / "pq" / "virtual_routers.parquet").to_pylist()
    assert sorted(v["protocol"] for v in vrs) == ["carp", "vrrp"]
    runs = pq.read_table(tmp_path / "pq" / "masterships.parquet").to_pylist()
    carp = [m for m in runs if m["router"] in advskew]
    assert carp and all(m["advskew_max"] == advskew[m["router"]] and m["priority_max"] is None for m in carp)
    assert all(m["priority_max"] is not None and m["advskew_max"] is None for m in runs if m not in carp)
    frame = audit([pcap]).masters_df()
    rows = frame[frame["router"].isin(list(advskew))]
    assert len(rows) == len(carp) and (rows["advskew"] == rows["router"].map(advskew)).all()
