"""`audit --vantage`: captures of one segment from several points, aligned into one timeline.

The truth is the recording's (pcaps/v2-vantage.truth.json, `expect_v2`): the adverts the bridge has and
each router's own capture lacks, matched there by IP ID and content against the bridge's lossless
capture, and r2's count equal to what nftables dropped on the path into r2.
"""

from __future__ import annotations

import bisect
import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vrrpcap import api
from vrrpcap.decode import Advert
from vrrpcap.errors import ExitCode
from vrrpcap.frames import CaptureSet
from vrrpcap.pipeline import AdvertStream

PCAPS = Path(__file__).resolve().parents[1] / "pcaps"
TRUTH: dict[str, Any] = json.loads((PCAPS / "v2-vantage.truth.json").read_text())
EXPECT = TRUTH["expect_v2"]
VANTAGES = [(v["name"], str(PCAPS / v["file"])) for v in TRUTH["vantages"]]  # the bridge first
MISSED = "VRRP-VANTAGE-MISSED"


def vrrpcap(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "vrrpcap", *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def vantage_args(vantages: list[tuple[str, str]]) -> list[str]:
    return [arg for name, path in vantages for arg in ("--vantage", f"{name}={path}")]


@pytest.fixture(scope="module")
def merged() -> dict[str, Any]:
    done = vrrpcap("audit", "-f", "json", "--fail-on", "never", *vantage_args(VANTAGES))
    assert done.returncode == ExitCode.OK, done.stderr
    report = json.loads(done.stdout)
    assert isinstance(report, dict)
    return report


def adverts_by_frame(path: str) -> dict[tuple[str, int], Any]:
    with CaptureSet([path]) as captures:
        return {(a.file, a.frame): a for a in AdvertStream(captures)}


def test_inputs_name_their_vantage(merged: dict[str, Any]) -> None:
    assert [(i["vantage"], i["path"]) for i in merged["inputs"]] == VANTAGES
    assert [i["packets"] for i in merged["inputs"]] == [v["packets"] for v in TRUTH["vantages"]]


def test_each_vantage_misses_exactly_what_the_truth_says(merged: dict[str, Any]) -> None:
    findings = [f for f in merged["findings"] if f["code"] == MISSED]
    bridge = adverts_by_frame(VANTAGES[0][1])
    for expected in EXPECT["vantage_misses"]:
        mine = [f for f in findings if f["vantage"] == expected["vantage"]]
        if expected["count"] == 0:
            assert mine == [], "a vantage that saw everything has no finding"
            continue
        (finding,) = mine  # one per vantage, sender and virtual router: one sender lost here
        missed = expected["missed"]
        assert finding["count"] == expected["count"] == len(missed)
        assert finding["routers"] == sorted({a["src"] for a in missed})
        assert finding["vrid"] == missed[0]["vrid"]
        assert (finding["start"], finding["end"]) == (missed[0]["time"], missed[-1]["time"])
        # The evidence is the bridge's own copy of each missed advert: its time and IP ID, exactly.
        shown = [bridge[(e["file"], e["frame"])] for e in finding["evidence"]]
        assert [(a.time, a.src, a.vrid, a.priority, a.ip_id) for a in shown] == [
            (a["time"], a["src"], a["vrid"], a["priority"], a["ip_id"]) for a in missed
        ]
        assert finding["message"].startswith(f"{expected['vantage']} never saw {expected['count']} of ")
        assert finding["message"].endswith(f"loss on the path into {expected['vantage']}")
    assert {f["vantage"] for f in findings} == {v["vantage"] for v in EXPECT["vantage_misses"] if v["count"]}
    r2 = next(v for v in EXPECT["vantage_misses"] if v["vantage"] == "r2")
    assert r2["count"] == EXPECT["nft_dropped_into_r2"]


def test_the_merged_timeline_is_the_bridges_own() -> None:
    merged = api.audit_vantages(dict(VANTAGES))
    bridge = api.audit(VANTAGES[0][1])
    assert [vr.as_dict() for vr in merged.virtual_routers] == [vr.as_dict() for vr in bridge.virtual_routers]
    assert merged.summary.adverts == bridge.summary.adverts  # each advert once, not once per capture
    r2 = [m for vr in merged.virtual_routers for m in vr.masters if m.router == "192.0.2.2"]
    truth = EXPECT["r2_masterships"]
    assert len(r2) == len(truth)
    for run, period in zip(r2, truth, strict=True):
        assert abs(run.start - period["start"]) < 0.05 and abs(run.end - period["end"]) < 0.05


@pytest.mark.parametrize("order", ["bridge first", "r2 first"])
def test_the_split_brain_is_reported_once(order: str) -> None:
    vantages = VANTAGES if order == "bridge first" else VANTAGES[::-1]
    report = api.audit_vantages(dict(vantages))
    codes = [f.code for f in report.findings if f.severity.label == "error"]
    assert codes == EXPECT["findings"] == ["VRRP-SPLIT-BRAIN"]
    # whatever the reference, the misses are r2's, and only r2's
    misses = [(f.vantage, f.count) for f in report.findings if f.code == MISSED]
    assert misses == [("r2", EXPECT["nft_dropped_into_r2"])]
    # the evidence names the capture it is in, and the inputs name that capture's vantage
    (split,) = (f for f in report.findings if f.code == "VRRP-SPLIT-BRAIN")
    paths = {i.path: i.vantage for i in report.inputs}
    assert split.evidence and {paths[e.file] for e in split.evidence} <= {name for name, _ in vantages}


def _drop_records(source: Path, target: Path, every: int) -> list[int]:
    """A copy of a classic pcap without every ``every``-th record; the dropped frame numbers (1-based)."""
    data = source.read_bytes()
    out, offset, number, dropped = [data[:24]], 24, 0, []
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    while offset + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[offset + 8 : offset + 12])[0]
        record = data[offset : offset + 16 + incl]
        offset += 16 + incl
        number += 1
        if number % every == 0 and offset + 16 <= len(data):  # the last record stays: the capture's end
            dropped.append(number)
        else:
            out.append(record)
    target.write_bytes(b"".join(out))
    return dropped


# IPv6 has no IP ID: content and time alone pair the copies (300 virtual routers; FRR's v4 and v6 at once)
@pytest.mark.parametrize(("capture", "every"), [("v3-ipv6-unicast-many.pcap", 7), ("frr-v3-dual-stack.pcap", 3)])
def test_without_ip_ids_copies_match_by_content_and_time(tmp_path: Path, capture: str, every: int) -> None:
    source = PCAPS / capture
    whole, lossy = tmp_path / "switch.pcap", tmp_path / "host.pcap"
    shutil.copy(source, whole)
    adverts = {frame: a for (_, frame), a in adverts_by_frame(str(whole)).items() if a.kind == "advert"}
    dropped = [n for n in _drop_records(source, lossy, every) if n in adverts]
    assert len([n for n in dropped if adverts[n].ip_id is None]) > 2
    single = api.audit(str(source))
    report = api.audit_vantages({"switch": whole, "host": lossy})
    assert [vr.as_dict() for vr in report.virtual_routers] == [vr.as_dict() for vr in single.virtual_routers]
    missed = [f for f in report.findings if f.code == MISSED]
    assert {f.vantage for f in missed} == {"host"}
    assert sum(f.count for f in missed) == len(dropped)
    for f in missed:  # each sender's dropped adverts, the switch's copies as evidence
        mine = [n for n in dropped if adverts[n].src in f.routers and adverts[n].vrid == f.vrid]
        assert [e.frame for e in f.evidence] == mine[: len(f.evidence)] and f.count == len(mine)


def test_memory_holds_one_window_of_adverts() -> None:
    from vrrpcap.analysis.vantage import Aligner

    with CaptureSet([str(PCAPS / "v3-ipv6-unicast-many.pcap")]) as captures:
        adverts = list(AdvertStream(captures))  # 1800 adverts of 300 virtual routers, ~6 s
    aligner = Aligner(["a", "b"], window=1.0)
    most, out = 0, 0
    for a in adverts:
        out += sum(1 for item in aligner.push(0, a) + aligner.push(1, a) if isinstance(item, Advert))
        most = max(most, len(aligner))
    out += len(aligner.flush())
    times = [a.time for a in adverts]
    per_window = max(bisect.bisect_right(times, t + 1.0) - i for i, t in enumerate(times))
    assert out == len(adverts) and 0 < most <= per_window + 1


def test_a_vantage_that_saw_everything_has_no_finding() -> None:
    bridge, r1 = VANTAGES[0], VANTAGES[1]
    report = api.audit_vantages(dict([bridge, r1]))
    assert [f for f in report.findings if f.code == MISSED] == []


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--vantage", "bridge"], ExitCode.USAGE, "is not NAME=CAPTURE"),
        (["--vantage", "=x.pcap"], ExitCode.USAGE, "is not NAME=CAPTURE"),
        ([*vantage_args(VANTAGES[:1]), "--vantage", f"bridge={VANTAGES[1][1]}"], ExitCode.USAGE, "given twice"),
        ([*vantage_args(VANTAGES[:1]), "--vantage", f"copy={VANTAGES[0][1]}"], ExitCode.USAGE, "two vantage points"),
        ([*vantage_args(VANTAGES[:1]), "--vantage", "r9=/nonexistent/r9.pcap"], ExitCode.INPUT_UNAVAILABLE, "r9.pcap"),
        ([*vantage_args(VANTAGES), "-j", "2"], ExitCode.USAGE, "aligned in one process"),
        ([*vantage_args(VANTAGES), "-f", "prometheus"], ExitCode.USAGE, "not made from --vantage"),
        ([*vantage_args(VANTAGES), VANTAGES[0][1]], ExitCode.USAGE, "not both"),
    ],
    ids=["no-equals", "no-name", "duplicate-name", "same-capture", "missing-file", "jobs", "metrics", "and-files"],
)
def test_bad_vantage_values_are_one_line_errors(args: list[str], code: ExitCode, says: str) -> None:
    done = vrrpcap("audit", *args)
    assert done.returncode == code, done.stderr
    errors = [line for line in done.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and says in errors[0], done.stderr
    assert done.stdout == ""
