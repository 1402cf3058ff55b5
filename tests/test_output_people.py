"""Output for people: tables sized to the terminal that never fold an address or a time, findings
grouped per code and virtual router, and a timeline that says what happened.

Terminal runs go through a real pseudo-terminal with COLUMNS set, as a user's shell would run them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PCAPS, SHARED_PCAPS
from tests.forge import Advert, pcap_of, series, split_brain
from tests.terminal import on_terminal
from vrrpcap.errors import ExitCode

TCPDUMP = SHARED_PCAPS / "tcpdump-vrrp.pcap"
needs_tcpdump_capture = pytest.mark.skipif(not TCPDUMP.exists(), reason="../shared/pcaps-public not present")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "vrrpcap", *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def addresses(path: Path) -> set[str]:
    records = [json.loads(line) for line in run("decode", "-f", "jsonl", str(path)).stdout.splitlines()]
    return {r["src"] for r in records} | {v for r in records for v in r["addresses"]}


@needs_tcpdump_capture
@pytest.mark.parametrize("columns", [80, 200])
@pytest.mark.parametrize("command", ["audit", "timeline"])
def test_every_address_and_time_is_whole_at_any_width(command: str, columns: int) -> None:
    text = on_terminal(command, str(TCPDUMP), columns=columns)
    words = set(re.findall(r"[0-9a-f:.]+", text))
    for address in addresses(TCPDUMP):
        shown = address in text and any(address in w for w in words)
        assert shown, f"{address} is not printed whole at {columns} columns"
    assert all(len(line) <= columns for line in text.splitlines()), "a line is wider than the terminal"
    times = re.findall(r"\d\d:\d\d:\d\d\.\d{3}", text)
    assert times, "times are shown"
    assert not re.search(r"\d\d:\d\d:\d?\n", text), "a time was cut at a line end"


@needs_tcpdump_capture
def test_wide_terminals_get_the_table_and_narrow_ones_blocks() -> None:
    wide = on_terminal("audit", str(TCPDUMP), columns=200)
    narrow = on_terminal("audit", str(TCPDUMP), columns=80)
    assert "┃ virtual router" in wide and "┃ virtual router" not in narrow
    assert "ipv6/vrid45/multicast  v3 multicast" in narrow


@needs_tcpdump_capture
def test_timeline_tells_the_two_cf6x_masters_apart() -> None:
    for columns in (80, 200):
        text = on_terminal("timeline", "--vrid", "45", str(TCPDUMP), columns=columns)
        assert "fe80::d6ca:6dff:fe66:cf60" in text and "fe80::d6ca:6dff:fe66:cf65" in text
        assert "…" not in text


@needs_tcpdump_capture
def test_no_wrapping_when_stdout_is_not_a_terminal() -> None:
    env_narrow = run("audit", str(TCPDUMP))
    lines = env_narrow.stdout.splitlines()
    table = [line for line in lines if line.startswith("│ ipv6/vrid45")]
    assert table and "fe80::d6ca:6dff:fe66:cf60 (191)" in env_narrow.stdout
    assert max(len(line) for line in lines) > 120, "the table is as wide as it needs, not fixed"


def test_cleartext_passwords_are_one_group_per_virtual_router(tmp_path: Path) -> None:
    routers = [f"192.0.2.{n}" for n in range(1, 8)]
    adverts = [a for n, r in enumerate(routers) for a in series(r, 1e9 + 10 * n, 1e9 + 10 * n + 5, password=b"secret")]
    capture = tmp_path / "pw.pcap"
    capture.write_bytes(pcap_of(adverts))
    text = run("audit", str(capture)).stdout
    assert text.count("VRRP-CLEARTEXT-PASSWORD") == 1, text
    assert all(r in text for r in routers)
    assert "secret" not in text
    verbose = run("audit", "--verbose", str(capture)).stdout
    assert verbose.count("VRRP-CLEARTEXT-PASSWORD") == len(routers)
    document = json.loads(run("audit", "-f", "json", str(capture)).stdout)
    assert sum(f["code"] == "VRRP-CLEARTEXT-PASSWORD" for f in document["findings"]) == len(routers)


def flapping(t0: float = 1_000_000_000.0, changes: int = 12) -> list[Advert]:
    """Two routers taking turns: each holds mastership for 5 s, then falls silent for 10 s."""
    adverts: list[Advert] = []
    for n in range(changes + 1):
        router = "192.0.2.1" if n % 2 == 0 else "192.0.2.2"
        start = t0 + n * 8
        adverts += series(router, start, start + 4, priority=100)
    return adverts


def test_failovers_collapse_per_virtual_router_and_flapping_counts_them(tmp_path: Path) -> None:
    capture = tmp_path / "flap.pcap"
    capture.write_bytes(pcap_of(flapping()))
    document = json.loads(run("audit", "-f", "json", str(capture)).stdout)
    failovers = [f for f in document["findings"] if f["code"] == "VRRP-FAILOVER"]
    (flap,) = [f for f in document["findings"] if f["code"] == "VRRP-FLAPPING"]
    assert len(failovers) == 12
    assert flap["count"] == 12 and f"changed {len(failovers)} times between 192.0.2.1 and 192.0.2.2" in flap["message"]
    text = run("audit", str(capture)).stdout
    assert "VRRP-FAILOVER ipv4/vrid51/multicast  12 times" in text, "the failovers collapsed into one entry"
    assert text.count("master changed from") == 0 and "between 192.0.2.1, 192.0.2.2" in text
    assert run("audit", "-v", str(capture)).stdout.count("master changed from") == 12


def test_grouped_text_of_thousands_of_findings_is_short_and_quick(tmp_path: Path) -> None:
    """200 virtual routers, ~2,000 findings: the text stays a few lines per virtual router."""
    adverts = []
    for vrid in range(1, 201):
        adverts += [Advert(a.time, a.src, vrid=vrid, priority=a.priority) for a in flapping(changes=8)]
    capture = tmp_path / "many.pcap"
    capture.write_bytes(pcap_of(adverts))
    report = json.loads(run("audit", "-f", "json", str(capture)).stdout)
    assert len(report["findings"]) >= 1800
    started = time.perf_counter()
    text = run("audit", str(capture)).stdout
    elapsed = time.perf_counter() - started
    assert text.count("\n") < 30 * 200, "grouped: a handful of lines per virtual router"
    assert elapsed < 60


def test_timeline_marks_a_split_brain_claim(tmp_path: Path) -> None:
    capture = tmp_path / "split.pcap"
    capture.write_bytes(pcap_of(split_brain()))
    text = run("timeline", str(capture)).stdout
    assert "claimed mastership while 192.0.2.1 was master (split brain)" in text
    assert "first advert" not in text
    assert "VRRP-SPLIT-BRAIN" in text  # the overlap column names the finding
    rows = run("timeline", "-f", "csv", str(capture)).stdout
    assert "192.0.2.1" in rows.splitlines()[2] and ",True" in rows.splitlines()[2]


def test_one_advert_mastership_reads_one_advert(tmp_path: Path) -> None:
    capture = tmp_path / "one.pcap"
    capture.write_bytes(pcap_of([Advert(1e9, "192.0.2.7", priority=120)]))
    text = run("timeline", str(capture)).stdout
    assert "1 advert" in text and "0.0 s" not in text


@pytest.mark.skipif(not (PCAPS / "v2-graceful-stop.pcap").exists(), reason="lab captures not in pcaps/")
def test_priorities_are_a_sequence_and_preemption_says_no_outage() -> None:
    text = run("timeline", str(PCAPS / "v2-graceful-stop.pcap")).stdout
    assert "150 -> 0" in text and "0-150" not in text
    assert "s after its last advert (no outage)" in text
    doc = json.loads(run("timeline", "-f", "json", str(PCAPS / "v2-graceful-stop.pcap")).stdout)
    first = doc["virtual_routers"][0]["masters"][0]
    assert first["priorities"] == [150, 0] and first["end_cause"] == "priority-0"


def test_tz_shows_local_wall_clock_in_text_and_markdown(tmp_path: Path) -> None:
    capture = tmp_path / "tz.pcap"
    capture.write_bytes(pcap_of(split_brain(t0=1_700_000_000.0)))  # 2023-11-14 22:13:20 UTC
    utc = run("audit", str(capture)).stdout
    berlin = run("audit", "--tz", "Europe/Berlin", str(capture)).stdout
    assert "2023-11-14 22:13:20.000" in utc and "2023-11-14 23:13:20.000" in berlin and "Europe/Berlin" in berlin
    markdown = run("audit", "-f", "markdown", "--tz", "Asia/Tokyo", str(capture)).stdout
    assert "2023-11-15 07:13:20.000" in markdown
    timeline = run("timeline", "--tz", "America/New_York", str(capture)).stdout
    assert "17:13:20.000" in timeline and "America/New_York" in timeline
    decode = run("decode", "--tz", "Europe/Berlin", str(capture)).stdout
    assert "2023-11-14 23:13:20.000000" in decode
    bad = run("audit", "--tz", "Mars/Olympus", str(capture))
    assert bad.returncode == ExitCode.USAGE and "Mars/Olympus" in bad.stderr


def test_tz_reaches_the_html_report_and_the_plot(tmp_path: Path) -> None:
    capture = tmp_path / "tz.pcap"
    capture.write_bytes(pcap_of(split_brain(t0=1_700_000_000.0)))
    page = tmp_path / "r.html"
    run("report", "--tz", "Europe/Berlin", "-o", str(page), str(capture))
    html = page.read_text()
    assert "2023-11-14 23:13:20.000" in html and "Europe/Berlin" in html
    assert re.search(r'"offset": ?3600\.0', html), "the script ticks on Berlin's round times"
    svg = tmp_path / "t.svg"
    run("timeline", "--tz", "Europe/Berlin", "--plot", str(svg), str(capture))
    drawing = svg.read_text()
    assert "time (Europe/Berlin)" in drawing and "23:13:2" in drawing


def test_decode_table_shows_macs() -> None:
    path = PCAPS / "v2-failover-kill.pcap"
    if not path.exists():
        pytest.skip("lab captures not in pcaps/")
    table = run("decode", str(path)).stdout
    record = json.loads(run("decode", "-f", "jsonl", str(path)).stdout.splitlines()[0])
    assert "source MAC" in table.splitlines()[0] and record["src_mac"] in table
