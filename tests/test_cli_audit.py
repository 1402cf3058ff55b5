"""`vrrpcap audit` and `vrrpcap timeline` as CI gates and report writers, on the lab's real captures."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import PCAPS, ROOT
from vrrpcap.errors import ExitCode

SPLIT_BRAIN = PCAPS / "v2-split-brain.pcap"
STEADY = [
    PCAPS / "v2-multicast-steady.pcap",
    PCAPS / "v2-unicast-pair.pcap",
    PCAPS / "v3-ipv4.pcap",
    PCAPS / "v3-ipv6.pcap",
]
FAILOVER = PCAPS / "v2-failover-kill.pcap"
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text())

pytestmark = pytest.mark.skipif(not SPLIT_BRAIN.exists(), reason="lab captures not in pcaps/")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "vrrpcap", *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_split_brain_fails_the_gate_naming_both_routers_and_the_time_range() -> None:
    done = run("audit", "-f", "json", str(SPLIT_BRAIN))
    assert done.returncode == ExitCode.FINDINGS
    report = json.loads(done.stdout)
    jsonschema.validate(report, SCHEMA)
    (split,) = [f for f in report["findings"] if f["code"] == "VRRP-SPLIT-BRAIN"]
    truth = json.loads((PCAPS / "v2-split-brain.truth.json").read_text())
    blocked = next(a["time"] for a in truth["actions"] if "block" in a["action"])
    restored = next(a["time"] for a in truth["actions"] if "restore" in a["action"] or "unblock" in a["action"])
    assert split["routers"] == ["192.0.2.1", "192.0.2.2"]
    assert split["severity"] == "error" and split["vr"] == "ipv4/vrid51/multicast"
    assert blocked < split["start"] < blocked + 5  # r2 takes over after its Master_Down_Interval
    assert restored - 1.5 < split["end"] < restored + 1.5
    text = run("audit", str(SPLIT_BRAIN))
    assert text.returncode == ExitCode.FINDINGS and "VRRP-SPLIT-BRAIN" in text.stdout and "192.0.2.2" in text.stdout


@pytest.mark.parametrize("path", STEADY, ids=lambda p: p.stem)
def test_steady_scenarios_pass_with_nothing_above_info(path: Path) -> None:
    done = run("audit", "--fail-on", "warning", "-f", "json", str(path))
    assert done.returncode == ExitCode.OK, done.stdout
    report = json.loads(done.stdout)
    jsonschema.validate(report, SCHEMA)
    assert report["summary"]["findings"]["error"] == 0 and report["summary"]["findings"]["warning"] == 0
    assert report["summary"]["virtual_routers"] >= 1


def test_every_lab_report_validates_against_the_schema() -> None:
    for path in sorted(PCAPS.glob("*.pcap")):
        done = run("audit", "--fail-on", "never", "-f", "json", str(path))
        assert done.returncode == ExitCode.OK, path
        jsonschema.validate(json.loads(done.stdout), SCHEMA)


def test_ignore_and_vrid_filters_change_the_gate() -> None:
    assert run("audit", "--ignore", "VRRP-SPLIT-BRAIN", str(SPLIT_BRAIN)).returncode == ExitCode.OK
    assert run("audit", "--vrid", "99", str(SPLIT_BRAIN)).returncode == ExitCode.OK
    assert run("audit", "--fail-on", "never", str(SPLIT_BRAIN)).returncode == ExitCode.OK
    bad = run("audit", "--ignore", "VRRP-NOPE", str(SPLIT_BRAIN))
    assert bad.returncode == ExitCode.USAGE and "VRRP-NOPE" in bad.stderr


def test_junit_validates_and_fails_per_virtual_router(tmp_path: Path) -> None:
    import junitparser
    import xmlschema

    out = tmp_path / "audit.xml"
    done = run("audit", "-f", "junit", "-o", str(out), str(SPLIT_BRAIN))
    assert done.returncode == ExitCode.FINDINGS
    xmlschema.XMLSchema(str(ROOT / "tests" / "schemas" / "junit.xsd")).validate(str(out))
    suites = junitparser.JUnitXml.fromfile(str(out))
    cases = [case for suite in suites for case in suite]
    failing = {case.name: [r.type for r in case.result] for case in cases if case.result}
    # A test case per virtual router and code: the split brain's case fails, once.
    assert failing == {"ipv4/vrid51/multicast VRRP-SPLIT-BRAIN": ["VRRP-SPLIT-BRAIN"]}


def test_sarif_is_sarif_2_1_0(tmp_path: Path) -> None:
    from sarif_pydantic import Sarif

    out = tmp_path / "audit.sarif"
    run("audit", "-f", "sarif", "-o", str(out), str(SPLIT_BRAIN))
    doc = json.loads(out.read_text())
    parsed = Sarif.model_validate(doc)
    assert parsed.version == "2.1.0"
    results = doc["runs"][0]["results"]
    (split,) = [r for r in results if r["ruleId"] == "VRRP-SPLIT-BRAIN"]
    assert (
        split["level"] == "error"
        and doc["runs"][0]["tool"]["driver"]["rules"][split["ruleIndex"]]["id"] == "VRRP-SPLIT-BRAIN"
    )


def test_markdown_and_timeline_outputs() -> None:
    md = run("audit", "-f", "markdown", str(FAILOVER))
    assert md.returncode == ExitCode.OK and "| `ipv4/vrid51/multicast` |" in md.stdout
    rows = list(csv.DictReader(io.StringIO(run("timeline", "-f", "csv", str(FAILOVER)).stdout)))
    assert [(r["router"], r["failover_cause"] or "") for r in rows] == [
        ("192.0.2.1", ""),
        ("192.0.2.2", "silence"),
        ("192.0.2.1", "preempted"),
    ]
    assert 3.3 < float(rows[1]["takeover_s"]) < 3.9  # Master_Down_Interval of priority 100: 3.61 s
    doc = json.loads(run("timeline", "-f", "json", str(FAILOVER)).stdout)
    assert [f["cause"] for f in doc["virtual_routers"][0]["failovers"]] == ["silence", "preempted"]
    table = run("timeline", str(FAILOVER))
    assert "took over from 192.0.2.1, silent for 3.6" in table.stdout


def test_python_api() -> None:
    import vrrpcap

    frame = vrrpcap.read_adverts(str(FAILOVER))
    assert len(frame) == 16 and set(frame["src"]) == {"192.0.2.1", "192.0.2.2"}
    report = vrrpcap.audit([str(FAILOVER)])
    assert len(report.masters_df()) == 3 and list(report.failovers_df()["cause"]) == ["silence", "preempted"]
    assert set(report.findings_df()["code"]) == {"VRRP-FAILOVER"}
