"""`vrrpcap audit --config`: the lab's captures held against the configs they were recorded with, and
against drifted copies of those configs (written here, in tmp_path)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import PCAPS, ROOT
from vrrpcap.errors import ExitCode

SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text())
UNICAST = "v2-unicast-pair"
CLEAN = ["v2-unicast-pair", "v3-ipv6-unicast-pair", "v2-multicast-steady", "v3-ipv4"]

pytestmark = pytest.mark.skipif(not (PCAPS / f"{UNICAST}.pcap").exists(), reason="lab captures not in pcaps/")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "vrrpcap", *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def audit_json(scenario: str, configs: Path, *more: str) -> dict[str, object]:
    done = run(
        "audit", "-f", "json", "--fail-on", "never", str(PCAPS / f"{scenario}.pcap"), "--config", str(configs), *more
    )
    assert done.returncode == ExitCode.OK, done.stderr
    document: dict[str, object] = json.loads(done.stdout)
    jsonschema.validate(document, SCHEMA)
    return document


def config_findings(document: dict[str, object]) -> list[dict[str, object]]:
    return [f for f in document["findings"] if str(f["code"]).startswith("VRRP-CONFIG")]  # type: ignore[attr-defined]


def line_of(path: Path, pattern: str) -> int:
    return next(n for n, text in enumerate(path.read_text().splitlines(), 1) if re.search(pattern, text))


def drifted(tmp_path: Path, scenario: str, pattern: str, replacement: str, names: tuple[str, ...]) -> Path:
    copy = tmp_path / f"{scenario}.configs"
    shutil.copytree(PCAPS / f"{scenario}.configs", copy)
    for name in names:
        text = (copy / name).read_text()
        assert re.search(pattern, text), (name, pattern)
        (copy / name).write_text(re.sub(pattern, replacement, text, count=1))
    return copy


@pytest.mark.parametrize("scenario", CLEAN)
def test_every_virtual_router_is_named_by_its_instances_and_nothing_is_reported(scenario: str) -> None:
    configs = PCAPS / f"{scenario}.configs"
    document = audit_json(scenario, configs)
    assert config_findings(document) == []
    vrs = document["virtual_routers"]
    assert vrs
    for vr in vrs:  # type: ignore[attr-defined]
        names = {(i["name"], Path(i["file"]).name) for i in vr["instances"]}
        assert names == {("VI_51", "r1.conf"), ("VI_51", "r2.conf")}, vr["id"]
        for i in vr["instances"]:
            assert i["line"] == line_of(Path(i["file"]), r"^vrrp_instance VI_51\b")
        masters = {m["router"] for m in vr["masters"]}
        assert {i["router"] for i in vr["instances"]} - {None} <= masters | {r["address"] for r in vr["routers"]}
    text = run("audit", str(PCAPS / f"{scenario}.pcap"), "--config", str(configs), "-o", "/dev/stdout")
    assert "VI_51 (" in text.stdout and "r1.conf:" in text.stdout


def test_a_drifted_priority_is_config_priority_at_its_line_in_text_json_and_sarif(tmp_path: Path) -> None:
    configs = drifted(tmp_path, UNICAST, r"priority 150", "priority 120", ("r1.conf",))
    r1 = configs / "r1.conf"
    line = line_of(r1, r"^\s*priority 120")
    [finding] = config_findings(audit_json(UNICAST, configs))
    assert finding["code"] == "VRRP-CONFIG-PRIORITY"
    assert finding["locations"] == [{"file": str(r1), "line": line}]
    assert "150" in str(finding["message"]) and finding["routers"] == ["192.0.2.1"]
    capture = str(PCAPS / f"{UNICAST}.pcap")
    text = run("audit", capture, "--config", str(configs), "--fail-on", "warning")
    assert text.returncode == ExitCode.FINDINGS
    assert "VRRP-CONFIG-PRIORITY" in text.stdout and f"{r1}:{line}" in text.stdout.replace("\n    ", " ")
    sarif = json.loads(
        run("audit", "-f", "sarif", "--sarif-root", str(tmp_path), capture, "--config", str(configs)).stdout
    )
    [result] = [r for r in sarif["runs"][0]["results"] if r["ruleId"].startswith("VRRP-CONFIG")]
    physical = result["locations"][0]["physicalLocation"]
    assert (physical["artifactLocation"]["uri"], physical["region"]["startLine"]) == (f"{configs.name}/r1.conf", line)


@pytest.mark.parametrize(
    ("pattern", "replacement", "code", "keyword"),
    [
        (r"192\.0\.2\.100/24", "192.0.2.101/24", "VRRP-CONFIG-VIPS", r"^\s*virtual_ipaddress"),
        (r"advert_int 1\b", "advert_int 2", "VRRP-CONFIG-INTERVAL", r"^\s*advert_int"),
        (
            r"    unicast_src_ip \S+\n    unicast_peer \{\n\s*\S+\n    \}\n",
            "",
            "VRRP-CONFIG-DELIVERY",
            r"^vrrp_instance",
        ),
    ],
)
def test_a_pair_drifted_alike_yields_exactly_the_matching_code(
    tmp_path: Path, pattern: str, replacement: str, code: str, keyword: str
) -> None:
    # Both routers drifted the same way: the configs agree with each other (no lint), not with the wire.
    configs = drifted(tmp_path, UNICAST, pattern, replacement, ("r1.conf", "r2.conf"))
    found = config_findings(audit_json(UNICAST, configs))
    assert {f["code"] for f in found} == {code}
    assert sorted(f["locations"][0]["file"] for f in found) == [str(configs / "r1.conf"), str(configs / "r2.conf")]  # type: ignore[index]
    for f in found:
        path = Path(f["locations"][0]["file"])  # type: ignore[index]
        assert f["locations"][0]["line"] == line_of(path, keyword)  # type: ignore[index]


def test_a_peer_list_unlike_the_wire_is_config_peers(tmp_path: Path) -> None:
    configs = drifted(tmp_path, UNICAST, r"(unicast_peer \{\n\s*)192\.0\.2\.2", r"\g<1>192.0.2.9", ("r1.conf",))
    r1 = configs / "r1.conf"
    found = config_findings(audit_json(UNICAST, configs))
    # r1 no longer lists r2, which still sends to r1: the static lint says so too.
    assert sorted((f["code"], f["reason"]) for f in found) == [
        ("VRRP-CONFIG-LINT", "unicast-asymmetry"),
        ("VRRP-CONFIG-PEERS", None),
    ]
    [finding] = [f for f in found if f["code"] == "VRRP-CONFIG-PEERS"]
    assert finding["routers"] == ["192.0.2.1"]
    assert "192.0.2.9" in str(finding["message"]) and "192.0.2.2" in str(finding["message"])
    assert finding["locations"] == [{"file": str(r1), "line": line_of(r1, r"^\s*unicast_peer")}]


def test_an_instance_with_no_adverts_is_not_seen(tmp_path: Path) -> None:
    configs = drifted(tmp_path, UNICAST, r"virtual_router_id 51", "virtual_router_id 52", ("r1.conf", "r2.conf"))
    found = config_findings(audit_json(UNICAST, configs))
    assert {f["code"] for f in found} == {"VRRP-CONFIG-NOT-SEEN"} and len(found) == 2


def test_a_missing_config_is_input_unavailable_before_the_capture_is_read(tmp_path: Path) -> None:
    done = run("audit", str(PCAPS / f"{UNICAST}.pcap"), "--config", str(tmp_path / "none.conf"))
    assert done.returncode == ExitCode.INPUT_UNAVAILABLE and "none.conf" in done.stderr


def test_a_pinned_address_lets_a_multicast_priority_drift_be_seen(tmp_path: Path) -> None:
    # Multicast configs name no address of their own: unpinned, a drifted priority fits no router
    # (so no guess); pinned to the address the lab gave r1, the router is r1's and the drift shows.
    scenario = "v2-multicast-steady"
    configs = drifted(tmp_path, scenario, r"priority 150", "priority 120", ("r1.conf",))
    r1 = configs / "r1.conf"
    assert config_findings(audit_json(scenario, configs)) == []
    pinned = audit_json(scenario, configs / "r2.conf", "--config", f"{r1}=192.0.2.1")
    [finding] = config_findings(pinned)
    assert finding["code"] == "VRRP-CONFIG-PRIORITY" and finding["routers"] == ["192.0.2.1"]
    assert finding["locations"] == [{"file": str(r1), "line": line_of(r1, r"^\s*priority 120")}]
    capture = str(PCAPS / f"{scenario}.pcap")
    junit = run("audit", "-f", "junit", capture, "--config", str(configs / "r2.conf"), "--config", f"{r1}=192.0.2.1")
    assert f"config: {r1}:{finding['locations'][0]['line']}" in junit.stdout


WIRE_CODES = {"VRRP-CONFIG-NOT-SEEN", "VRRP-CONFIG-PRIORITY", "VRRP-CONFIG-INTERVAL", "VRRP-CONFIG-VIPS"}
WIRE_CODES |= {"VRRP-CONFIG-VERSION", "VRRP-CONFIG-AUTH"}
SCENARIOS = sorted(p.name.removesuffix(".configs") for p in PCAPS.glob("*.configs") if any(p.glob("*.conf")))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_lab_scenario_matches_its_configs(scenario: str) -> None:
    # The lab ran these daemons with exactly these configs: every virtual router is some configured
    # instance, and the wire contradicts no config (what the static lint says is its own business).
    capture = PCAPS / f"{scenario}.pcap"
    if not capture.exists():
        capture = PCAPS / f"{scenario}.bridge.pcap"
    done = run(
        "audit", "-f", "json", "--fail-on", "never", str(capture), "--config", str(PCAPS / f"{scenario}.configs")
    )
    document = json.loads(done.stdout)
    # ucarp has no config file: only the keepalived/FRR virtual routers have instances to match.
    assert all(vr["instances"] for vr in document["virtual_routers"] if vr.get("protocol") != "carp")
    assert [f["message"] for f in document["findings"] if f["code"] in WIRE_CODES] == []
