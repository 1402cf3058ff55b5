"""The analyzer against ground truth: keepalived's own notify logs, recorded by the lab with each capture.

For every scenario in pcaps/: each mastership keepalived reported (MASTER until the next state change,
or until the lab killed the daemon) must appear on the wire as a mastership run of that router, starting
within 0.5 s of the MASTER transition and ending within one advert interval + 0.5 s of the next change;
the truth's expected findings are reported, its forbidden ones are not, and no error-level finding
appears that the truth does not expect.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PCAPS
from vrrpcap.findings import Severity
from vrrpcap.frames import CaptureSet
from vrrpcap.pipeline import AdvertStream, Pipeline
from vrrpcap.report import Report
from vrrpcap.report.model import Mastership

TRUTHS = sorted(PCAPS.glob("*.truth.json"))
START_TOLERANCE = 0.5
KILL_ACTIONS = ("kill-keepalived", "stop-keepalived", "kill-vrrpd", "stop-vrrpd")


def audit(path: Path) -> Report:
    with CaptureSet([str(path)]) as captures:
        return Pipeline().run(AdvertStream(captures))


@dataclass(frozen=True)
class Expected:
    router: str
    instance: str
    addresses: frozenset[str]
    vrid: int
    family: str
    interval: float
    start: float
    end: float | None  # None: still master when the capture ended
    silent_on_wire: bool
    late: float  # how much later than the state change the wire may show it
    wire_gaps: bool  # the lab documents that this master's adverts come with gaps (runs may split)


def expected_masterships(truth: dict[str, Any]) -> list[Expected]:
    routers = {r["name"]: r for r in truth["routers"]}
    capture_end = truth["capture"]["end"]
    out = []
    for inst in truth["instances"]:
        name, rname = inst["name"], inst["router"]
        router = routers[rname]
        addresses = frozenset(a for a in (router.get("ipv4"), router.get("ipv6"), router.get("ipv6_link_local")) if a)
        if inst.get("unicast_src_ip"):
            addresses |= {inst["unicast_src_ip"]}
        # FRR sends IPv6 adverts from its macvlan's random link-local address.
        addresses |= {m["ipv6_link_local"] for m in router.get("frr_macvlans", []) if m.get("ipv6_link_local")}
        changes = sorted(
            (t for t in truth["transitions"] if t["router"] == rname and t["instance"] == name),
            key=lambda t: t["time"],
        )
        kills = sorted(a["time"] for a in truth["actions"] if a.get("router") == rname and a["action"] in KILL_ACTIONS)
        for i, change in enumerate(changes):
            if change["state"] != "MASTER":
                continue
            start = change["time"]
            following = [c["time"] for c in changes[i + 1 :]] + [k for k in kills if k > start]
            end = min(following) if following else None
            if end is not None and end > capture_end:
                end = None
            # The guide: FRR does not send the first IPv6 advert after each move to master, and may send
            # one more after losing it, so its IPv6 mastership shows on the wire one interval late.
            frr_ipv6 = inst.get("implementation") == "frr-vrrpd" and inst["family"] == "ipv6"
            late = inst["interval_s"] if frr_ipv6 else 0.0
            silent = bool(inst.get("silent_on_wire"))
            out.append(
                Expected(
                    rname,
                    name,
                    addresses,
                    inst["vrid"],
                    inst["family"],
                    inst["interval_s"],
                    start,
                    end,
                    silent,
                    late,
                    bool(inst.get("wire_gaps")),
                )
            )
    return out


def runs_of(report: Report, e: Expected) -> list[Mastership]:
    return [
        m
        for vr in report.virtual_routers
        if vr.vrid == e.vrid and vr.family == e.family
        for m in vr.masters
        if m.router in e.addresses
    ]


@pytest.mark.skipif(not TRUTHS, reason="no lab captures with truth files in pcaps/")
@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.name.removesuffix(".truth.json"))
def test_timeline_matches_keepalived_notify_log(truth_path: Path) -> None:
    truth = json.loads(truth_path.read_text())
    report = audit(PCAPS / truth["capture"]["file"])
    capture_start = report.inputs[0].first_time
    assert capture_start is not None
    problems = []
    matched: set[tuple[str, float]] = set()
    for e in expected_masterships(truth):
        if e.end is not None and e.end < capture_start:
            continue
        runs = runs_of(report, e)
        if e.silent_on_wire:
            continue  # documented by the lab: keepalived is MASTER but sends nothing (see the truth file)
        if e.start < capture_start:
            candidates = [m for m in runs if m.start - capture_start <= e.interval + START_TOLERANCE]
        else:
            candidates = [m for m in runs if -START_TOLERANCE <= m.start - e.start <= START_TOLERANCE + e.late]
        if not candidates:
            problems.append(
                f"{e.router}/{e.instance} MASTER at {e.start - capture_start:+.2f} s: no run on the wire "
                f"(runs: {[(round(m.start - capture_start, 2), m.router) for m in runs]})"
            )
            continue
        run = candidates[0]
        if e.wire_gaps:  # the mastership may show as several runs: judge its end by the last of them
            horizon = e.end if e.end is not None else float("inf")
            run = max((m for m in runs if run.start <= m.start <= horizon + START_TOLERANCE), key=lambda m: m.start)
        matched.add((run.router, run.start))
        if e.end is None:
            if run.end_observed:
                problems.append(
                    f"{e.router}/{e.instance}: still master at the end, but the run ends "
                    f"({run.end_cause}) at {run.end - capture_start:+.2f} s"
                )
        elif not (e.end - e.interval - START_TOLERANCE <= run.end <= e.end + START_TOLERANCE + e.late):
            problems.append(
                f"{e.router}/{e.instance}: mastership ended at {e.end - capture_start:+.2f} s, "
                f"the run ends at {run.end - capture_start:+.2f} s"
            )
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(not TRUTHS, reason="no lab captures with truth files in pcaps/")
@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.name.removesuffix(".truth.json"))
def test_findings_match_the_scenario(truth_path: Path) -> None:
    truth = json.loads(truth_path.read_text())
    report = audit(PCAPS / truth["capture"]["file"])
    codes = {f.code for f in report.findings}
    expected = set(truth["expected_findings"])
    forbidden = set(truth.get("forbidden_findings", []))
    unexpected_errors = {f.code for f in report.findings if f.severity == Severity.ERROR} - expected
    assert expected <= codes, f"missing {sorted(expected - codes)}; reported {sorted(codes)}"
    assert not codes & forbidden, f"forbidden but reported: {sorted(codes & forbidden)}"
    assert not unexpected_errors, f"unexpected errors: {sorted(unexpected_errors)}"
