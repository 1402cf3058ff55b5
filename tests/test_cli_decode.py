"""`vrrpcap decode` end to end, as a user runs it: a real process, real files, real exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHARED_PCAPS
from vrrpcap.decode import FIELD_NAMES
from vrrpcap.errors import ExitCode

TCPDUMP_VRRP = SHARED_PCAPS / "tcpdump-vrrp.pcap"
needs_public = pytest.mark.skipif(not TCPDUMP_VRRP.exists(), reason="../shared/pcaps-public is absent")


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    raw = subprocess.run(
        [sys.executable, "-m", "vrrpcap", *args],
        input=stdin or b"",
        capture_output=True,
        timeout=120,
        check=False,
    )
    done = subprocess.CompletedProcess(raw.args, raw.returncode, raw.stdout.decode(), raw.stderr.decode())
    assert "Traceback" not in done.stderr, done.stderr
    return done


@needs_public
def test_jsonl_records_match_the_capture_story() -> None:
    done = run("decode", "-f", "jsonl", str(TCPDUMP_VRRP))
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(records) == 165  # tshark's vrrp filter matches all 165 frames (MANIFEST)
    assert set(records[0]) == set(FIELD_NAMES)
    by_vrid: dict[int, list[dict[str, object]]] = {}
    for r in records:
        by_vrid.setdefault(int(str(r["vrid"])), []).append(r)
    assert sorted(by_vrid) == [42, 43, 44, 45, 46]
    v42 = by_vrid[42][0]
    assert (v42["version"], v42["auth"], v42["interval"]) == (2, "simple", 10.0)
    assert v42["addresses"] == ["10.4.42.1", "10.4.42.2", "10.4.42.3"]
    assert v42["auth_data"] == "<redacted>"
    v46 = by_vrid[46][0]
    assert (v46["family"], v46["version"], v46["interval"], v46["dst"]) == ("ipv6", 3, 10.0, "ff02::12")
    assert v46["addr_count"] == 5 and len(v46["addresses"]) == 5  # type: ignore[arg-type]
    # Seven successive masters .91 ... .97, priorities 191 ... 197.
    sources = sorted({(r["src"], r["priority"]) for r in by_vrid[42]})
    assert sources == [(f"10.0.0.{91 + i}", 191 + i) for i in range(7)]
    assert all(r["checksum"] == "ok" and r["ttl"] == 255 and r["malformed"] is None for r in records)


@needs_public
def test_show_secrets_reveals_the_password_only_when_asked() -> None:
    redacted = run("decode", "--vrid", "42", str(TCPDUMP_VRRP))
    assert "abcdefgh" not in redacted.stdout
    shown = run("decode", "--vrid", "42", "-f", "jsonl", "--show-secrets", str(TCPDUMP_VRRP))
    assert {json.loads(line)["auth_data"] for line in shown.stdout.splitlines()} == {"abcdefgh"}


@needs_public
def test_vrid_filter_and_csv_output_file(tmp_path: Path) -> None:
    out = tmp_path / "adverts.csv"
    done = run("decode", "--vrid", "44", "--vrid", "45", "-f", "csv", "-o", str(out), str(TCPDUMP_VRRP))
    assert done.returncode == 0 and done.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows and {r["vrid"] for r in rows} == {"44", "45"}
    v45 = next(r for r in rows if r["vrid"] == "45")
    assert v45["family"] == "ipv6" and len(v45["addresses"].split(";")) == 2


@needs_public
def test_json_document_has_inputs_and_adverts() -> None:
    done = run("decode", "-f", "json", str(SHARED_PCAPS / "packetlife-VRRP_failover.cap"))
    doc = json.loads(done.stdout)
    assert [i["packets"] for i in doc["inputs"]] == [32]
    assert doc["inputs"][0]["adverts"] == 32
    masters = [(a["src"], a["priority"]) for a in doc["adverts"]]
    assert masters[0] == ("192.168.0.10", 200)
    assert {"192.168.0.20", "192.168.0.30"} <= {src for src, _ in masters}


@needs_public
def test_truncated_copy_reports_adverts_before_the_cut(tmp_path: Path) -> None:
    data = TCPDUMP_VRRP.read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[: len(data) // 2 + 7])  # mid-record
    done = run("decode", "-f", "jsonl", str(cut))
    assert done.returncode == ExitCode.DAMAGED_CAPTURE
    frames = [json.loads(line)["frame"] for line in done.stdout.splitlines()]
    assert frames == list(range(1, len(frames) + 1)) and 60 < len(frames) < 100
    assert "truncated" in done.stderr and str(cut) in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@needs_public
def test_stdin_and_gzip(tmp_path: Path) -> None:
    import gzip

    packed = gzip.compress(TCPDUMP_VRRP.read_bytes())
    done = run("decode", "-f", "jsonl", "-", stdin=packed)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 165


def test_errors_are_one_line_with_documented_codes(tmp_path: Path) -> None:
    missing = run("decode", str(tmp_path / "nope.pcap"))
    assert missing.returncode == ExitCode.INPUT_UNAVAILABLE
    assert missing.stderr.strip() == f"vrrpcap: error: {tmp_path / 'nope.pcap'}: no such file"
    text = tmp_path / "notes.txt"
    text.write_text("hello, not a capture\n")
    wrong = run("decode", str(text))
    assert wrong.returncode == ExitCode.NOT_A_CAPTURE and len(wrong.stderr.strip().splitlines()) == 1
    bad_format = run("decode", "-f", "xml", str(text))
    assert bad_format.returncode == ExitCode.USAGE


def test_help_does_not_import_scapy_or_pandas() -> None:
    code = (
        "import sys; from vrrpcap.cli import app\n"
        "try:\n    app(['decode', '--help'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('scapy.all', 'scapy', 'pandas') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
