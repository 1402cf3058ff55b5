"""`vrrpcap lint`: the static checks on the lab's own configs and on drifted copies of them."""

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

UNICAST = PCAPS / "v2-unicast-pair.configs"
MISMATCH = PCAPS / "v2-interval-mismatch.configs"
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text())
FINDING = SCHEMA["properties"]["findings"]["items"]

pytestmark = pytest.mark.skipif(not UNICAST.exists(), reason="lab configs not in pcaps/")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "vrrpcap", *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def line_of(path: Path, pattern: str) -> int:
    lines = path.read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if re.search(pattern, text))


def drifted(tmp_path: Path, source: Path, pattern: str, replacement: str) -> Path:
    """A copy of a scenario's configs with one line of r2.conf changed."""
    copy = tmp_path / source.name
    shutil.copytree(source, copy)
    r2 = copy / "r2.conf"
    text = r2.read_text()
    assert re.search(pattern, text), pattern
    r2.write_text(re.sub(pattern, replacement, text, count=1))
    return copy


def test_the_lab_unicast_pair_is_clean() -> None:
    done = run("lint", str(UNICAST))
    assert done.returncode == ExitCode.OK, done.stdout
    assert "2 configs: 0 errors, 0 warnings, 0 infos" in done.stdout


def test_the_lab_interval_mismatch_points_at_both_advert_int_lines() -> None:
    done = run("lint", "-f", "json", str(MISMATCH))
    assert done.returncode == ExitCode.FINDINGS
    document = json.loads(done.stdout)
    [finding] = document["findings"]
    jsonschema.validate(finding, FINDING)
    assert (finding["code"], finding["reason"], finding["severity"]) == (
        "VRRP-CONFIG-LINT",
        "interval-mismatch",
        "error",
    )
    expected = [
        {"file": str(MISMATCH / name), "line": line_of(MISMATCH / name, r"^\s*advert_int")}
        for name in ("r1.conf", "r2.conf")
    ]
    assert finding["locations"] == expected


def test_a_drifted_vip_is_reported_at_its_line_in_text_json_and_sarif(tmp_path: Path) -> None:
    configs = drifted(tmp_path, UNICAST, r"192\.0\.2\.100/24", "192.0.2.101/24")
    r2 = configs / "r2.conf"
    line = line_of(r2, r"^\s*virtual_ipaddress")
    text = run("lint", "--fail-on", "warning", str(configs))
    assert text.returncode == ExitCode.FINDINGS
    assert "warning VRRP-CONFIG-LINT (vip-mismatch)" in text.stdout and f"{r2}:{line}" in text.stdout
    assert run("lint", str(configs)).returncode == ExitCode.OK, "a warning passes the default gate (error)"
    document = json.loads(run("lint", "-f", "json", str(configs)).stdout)
    assert [(f["code"], f["reason"]) for f in document["findings"]] == [("VRRP-CONFIG-LINT", "vip-mismatch")]
    assert {"file": str(r2), "line": line} in document["findings"][0]["locations"]
    sarif = json.loads(run("lint", "-f", "sarif", "--sarif-root", str(tmp_path), str(configs)).stdout)
    [result] = sarif["runs"][0]["results"]
    places = [result["locations"][0]["physicalLocation"]] + [
        r["physicalLocation"] for r in result.get("relatedLocations", [])
    ]
    found = {(p["artifactLocation"]["uri"], p["region"]["startLine"]) for p in places}
    assert (f"{configs.name}/r2.conf", line) in found
    assert result["ruleId"] == "VRRP-CONFIG-LINT"


def test_a_bad_value_is_a_problem_finding_and_ignore_drops_it(tmp_path: Path) -> None:
    configs = drifted(tmp_path, UNICAST, r"priority \d+", "priority 150x")
    r2 = configs / "r2.conf"
    document = json.loads(run("lint", "-f", "json", str(configs)).stdout)
    problems = [f for f in document["findings"] if f["code"] == "VRRP-CONFIG-PROBLEM"]
    assert problems and problems[0]["locations"] == [{"file": str(r2), "line": line_of(r2, r"priority 150x")}]
    assert problems[0]["reason"] == "invalid-value"
    again = json.loads(run("lint", "-f", "json", "--ignore", "VRRP-CONFIG-PROBLEM", str(configs)).stdout)
    assert all(f["code"] != "VRRP-CONFIG-PROBLEM" for f in again["findings"])


def test_a_missing_config_is_input_unavailable(tmp_path: Path) -> None:
    done = run("lint", str(tmp_path / "absent.conf"))
    assert done.returncode == ExitCode.INPUT_UNAVAILABLE
    assert done.stderr.count("\n") == 1 and "absent.conf" in done.stderr


def test_junit_names_the_config_line(tmp_path: Path) -> None:
    done = run("lint", "-f", "junit", str(MISMATCH))
    assert done.returncode == ExitCode.FINDINGS
    line = line_of(MISMATCH / "r2.conf", r"^\s*advert_int")
    assert f"{MISMATCH / 'r2.conf'}:{line}" in done.stdout
