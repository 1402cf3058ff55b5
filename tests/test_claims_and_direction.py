"""VRRP-MASTER-CLAIM and the direction of VRRP-SPLIT-BRAIN, held against the lab's ground truth.

The truth is keepalived's own: its notify FIFO orders every state change (a claim is MASTER then
BACKUP within the settle window while a higher-priority router of the instance is MASTER) and logs
MASTER_RX_LOWER_PRI each time a master receives a lower-priority advert (it hears that router), plus
`expect_v2` where the recording wrote it. Nothing here comes from vrrpcap's output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import vrrpcap
from tests.forge import Advert, pcap_of, series
from vrrpcap.findings import Finding

ROOT = Path(__file__).resolve().parents[1]
PCAPS = ROOT / "pcaps"
PUBLIC = ROOT.parent / "shared" / "pcaps-public"
TRUTHS = sorted(PCAPS.glob("*.truth.json"))
SETTLE_S = 3.0  # the default settle window: 3 intervals of 1 s in every lab recording
# The FIFO's lines are stamped when the lab's reader thread gets them: 1-2.5 ms after the advert that
# the transition sent is on the wire (measured on the three recordings with claims); the end on the
# wire is the master's answer, ~1 ms before the claimant's BACKUP line. 10 ms bounds both with room
# for a loaded host, and is far below the 1 s between adverts, so no claim can match the wrong one.
TOLERANCE_S = 0.010


def _truth(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    assert isinstance(data, dict)
    return data


def _addresses(truth: dict[str, Any]) -> dict[str, str]:
    return {r["name"]: r["ipv4"] for r in truth["routers"]}


def _fifo_claims(truth: dict[str, Any]) -> list[dict[str, Any]]:
    """MASTER then BACKUP within the settle window, begun in the capture, while a router of the same
    instance with a higher priority was MASTER: the daemons' own account of a brief claim."""
    changes = sorted(truth.get("transitions", []), key=lambda t: t["time"])
    start, end = truth["capture"]["start"], truth["capture"]["end"]
    claims = []
    for i, t in enumerate(changes):
        if t["state"] != "MASTER" or not start <= t["time"] <= end:
            continue
        same = (t["router"], t["instance"])
        after = next((u for u in changes[i + 1 :] if (u["router"], u["instance"]) == same), None)
        if after is None or after["state"] != "BACKUP" or after["time"] - t["time"] > SETTLE_S:
            continue
        masters = []
        for other in sorted({u["router"] for u in changes if u["instance"] == t["instance"]} - {t["router"]}):
            before = [u for u in changes[:i] if (u["router"], u["instance"]) == (other, t["instance"])]
            if before and before[-1]["state"] == "MASTER" and before[-1]["priority"] > t["priority"]:
                masters.append(other)
        if masters:
            heard = [
                e
                for e in truth.get("events", [])
                if e["event"] == "MASTER_RX_LOWER_PRI" and e["router"] in masters
                and t["time"] - TOLERANCE_S <= e["time"] <= after["time"] + TOLERANCE_S
            ]  # fmt: skip
            claims.append(
                {"claimant": t["router"], "start": t["time"], "end": after["time"], "masters": masters}
                | {"answered": bool(heard)}
            )
    return claims


def _audit(*paths: Path) -> list[Finding]:
    findings: list[Finding] = vrrpcap.audit([str(p) for p in paths]).findings
    return findings


def _codes(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def test_the_lab_has_claims_to_find() -> None:
    """The truth files hold claims at all (else every test below would pass on nothing)."""
    if not TRUTHS:
        pytest.skip("no recordings in pcaps/")
    claims = {p.name: _fifo_claims(_truth(p)) for p in TRUTHS}
    lossy = _truth(PCAPS / "v2-lossy-backup-claims.truth.json")
    assert len(claims["v2-lossy-backup-claims.truth.json"]) == len(lossy["expect_v2"]["master_claims"]) == 3
    assert sum(len(c) for c in claims.values()) >= 4


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.name.removesuffix(".truth.json"))
def test_claims_equal_the_fifo(truth_path: Path) -> None:
    truth = _truth(truth_path)
    names = _addresses(truth)
    expected = _fifo_claims(truth)
    findings = _codes(_audit(PCAPS / truth["capture"]["file"]), "VRRP-MASTER-CLAIM")
    assert sum(f.count for f in findings) == len(expected), [f.message for f in findings]
    seen = [(f, c) for f in findings for c in f.claims]
    assert len(seen) == len(expected)  # fewer than 8 per finding here: every claim is kept
    for want, (finding, claim) in zip(expected, sorted(seen, key=lambda fc: fc[1].start), strict=True):
        assert finding.routers[0] == names[want["claimant"]]
        assert set(finding.routers[1:]) == {names[m] for m in want["masters"]}
        assert abs(claim.start - want["start"]) <= TOLERANCE_S
        assert abs(claim.end - want["end"]) <= TOLERANCE_S
        assert claim.answered == want["answered"]
        assert names[want["claimant"]] in finding.message and names[want["masters"][0]] in finding.message


def test_lossy_backup_claims_name_the_path_into_the_claimant() -> None:
    truth = _truth(PCAPS / "v2-lossy-backup-claims.truth.json")
    expect, names = truth["expect_v2"], _addresses(truth)
    findings = _audit(PCAPS / truth["capture"]["file"])
    codes = {f.code for f in findings}
    assert set(expect["findings"]) <= codes
    assert not set(expect["forbidden_findings"]) & codes
    claimants = {c["claimant"] for c in expect["master_claims"]}
    (finding,) = _codes(findings, "VRRP-MASTER-CLAIM")
    for claim in expect["master_claims"]:
        claimant, master = names[claim["claimant"]], names[claim["not_heard"]]
        assert claim["claimant"] in claimants and finding.routers == (claimant, master)
        assert finding.direction == f"{claimant} does not hear {master}"
        assert finding.as_dict()["hears"] == {master: [claimant], claimant: []}  # r1_rx_lower_pri >= 1
        assert f"{claimant} is not receiving {master}'s adverts" in finding.message
        assert f"loss on the path into {claimant}" in finding.message
    assert finding.count == len(expect["master_claims"])


def test_vantage_split_is_no_claim() -> None:
    """expect_v2 asks for MASTER-CLAIM in v2-vantage only if a brief claim happened: r2's one mastership
    lasted 6 s, longer than the settle window, so it is the split brain and not a claim."""
    truth = _truth(PCAPS / "v2-vantage.truth.json")
    (mastership,) = truth["expect_v2"]["r2_masterships"]
    assert mastership["duration_s"] > SETTLE_S
    findings = _audit(PCAPS / truth["capture"]["file"])
    assert not _codes(findings, "VRRP-MASTER-CLAIM") and _codes(findings, "VRRP-SPLIT-BRAIN")


@pytest.mark.skipif(not PUBLIC.is_dir(), reason="no ../shared/pcaps-public")
@pytest.mark.parametrize("path", sorted(p for p in PUBLIC.glob("*") if p.suffix in (".pcap", ".cap")), ids=str)
def test_no_claim_in_public_captures(path: Path) -> None:
    """None of them shows a backup that appears for a moment while a better master advertises on
    (MANIFEST.md: failovers, a preemption, two equal backups racing, fuzz)."""
    assert not _codes(_audit(path), "VRRP-MASTER-CLAIM")


def _split_truth(truth: dict[str, Any]) -> tuple[str, dict[str, list[str]]]:
    """The direction and hearings of the recording's split brain, by address: expect_v2 where written,
    else the FIFO: r1 (the higher priority) hears r2 iff it logged MASTER_RX_LOWER_PRI during the split;
    r2 was MASTER throughout, so it heard no higher priority."""
    names = _addresses(truth)
    if "split_brains" in truth.get("expect_v2", {}):
        (split,) = truth["expect_v2"]["split_brains"]
        direction = split["direction"]
        for name, address in names.items():
            direction = direction.replace(name, address)
        return direction, {names[r]: [names[h] for h in heard] for r, heard in split["hears"].items()}
    high, low = names["r1"], names["r2"]
    if any(e["event"] == "MASTER_RX_LOWER_PRI" and e["router"] == "r1" for e in truth.get("events", [])):
        return f"{low} does not hear {high}", {high: [low], low: []}
    return "neither hears the other", {high: [], low: []}


@pytest.mark.parametrize(
    "name", ["v2-one-way-split", "v2-two-way-split", "v2-split-brain", "v2-mixed-delivery", "v2-vantage"]
)
def test_split_brain_direction(name: str) -> None:
    truth = _truth(PCAPS / f"{name}.truth.json")
    direction, hears = _split_truth(truth)
    (split,) = _codes(_audit(PCAPS / truth["capture"]["file"]), "VRRP-SPLIT-BRAIN")
    assert split.direction == direction
    assert split.as_dict()["hears"] == hears
    assert direction in split.message


def test_interval_mismatch_is_no_claim_and_no_split() -> None:
    """r2 claimed master once and stayed MASTER in its own view (the FIFO has no BACKUP after it) while
    keepalived starved its adverts: not a brief claim; its interval differs, so neither hears the other."""
    truth = _truth(PCAPS / "v2-interval-mismatch.truth.json")
    r2 = [t["state"] for t in truth["transitions"] if t["router"] == "r2"]
    assert r2[-1] == "MASTER"
    findings = _audit(PCAPS / truth["capture"]["file"])
    assert not _codes(findings, "VRRP-MASTER-CLAIM")
    assert _codes(findings, "VRRP-INTERVAL-MISMATCH")


def test_claims_are_bounded_and_counted(tmp_path: Path) -> None:
    """A master answering a backup's lone advert every 10 s for 200 s: 19 claims, as built; the
    finding keeps the first 8 and counts them all (memory by routers, never by claims)."""
    t0 = 1_700_000_000.0
    master = series("192.0.2.1", t0, t0 + 200, priority=150)
    claims = [t0 + 10.4 + 10 * i for i in range(19)]
    backup = [Advert(t, "192.0.2.2", priority=100) for t in claims]
    answers = [Advert(t + 0.001, "192.0.2.1", priority=150) for t in claims]
    path = tmp_path / "claims.pcap"
    path.write_bytes(pcap_of(master + backup + answers))
    (finding,) = _codes(_audit(path), "VRRP-MASTER-CLAIM")
    assert finding.count == 19 and finding.routers == ("192.0.2.2", "192.0.2.1")
    assert [round(c.start, 3) for c in finding.claims] == [round(t, 3) for t in claims[:8]]
    assert all(c.answered and abs(c.end - c.start - 0.001) < 1e-4 for c in finding.claims)
    assert finding.start == pytest.approx(claims[0]) and finding.end == pytest.approx(claims[-1] + 0.001)


def test_a_late_higher_priority_is_a_start_up_race_not_a_claim(tmp_path: Path) -> None:
    """The backup advertises before the higher priority is first heard (or before it has been on the
    wire for the backup's Master_Down_Interval): a start-up race, however brief."""
    t0 = 1_700_000_000.0
    backup = [Advert(t0 + 0.0, "192.0.2.2", priority=100), Advert(t0 + 1.0, "192.0.2.2", priority=100)]
    master = series("192.0.2.1", t0 + 1.0005, t0 + 30, priority=150)
    late = [Advert(t0 + 2.7, "192.0.2.2", priority=100)]  # 1.7 s after the master's first advert
    path = tmp_path / "race.pcap"
    path.write_bytes(pcap_of(backup + master + late))
    assert not _codes(_audit(path), "VRRP-MASTER-CLAIM")


@pytest.mark.parametrize(
    "name", ["v2-lossy-backup-claims", "carp-vrrp-coexist", "v2-one-way-split", "v2-two-way-split"]
)
def test_the_json_report_with_claims_and_directions_follows_the_schema(name: str) -> None:
    import jsonschema

    schema = json.loads((ROOT / "docs" / "report.schema.json").read_text())
    document = vrrpcap.audit([str(PCAPS / f"{name}.pcap")]).as_dict()
    validator = jsonschema.validators.validator_for(schema)
    validator(schema, format_checker=validator.FORMAT_CHECKER).validate(document)
    kinds = {f["code"] for f in document["findings"] if f["hears"]}
    assert kinds & {"VRRP-MASTER-CLAIM", "VRRP-SPLIT-BRAIN"}
