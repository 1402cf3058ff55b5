"""`vrrpcap live` end to end: real keepalived in network namespaces, a real capture on the bridge.

Root only (skipped with the reason otherwise); keepalived and tshark are installed on demand. Each
test builds its own lab (about 5 s until keepalived has elected r1) and runs vrrpcap as a user
would: `ip netns exec <bridge ns> python -m vrrpcap live <bridge> ...`.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.live.conftest import R1, R2, ROOT, VRID, LiveProcess, Pair

# keepalived's Master_Down_Interval for the backup (VRRPv2, priority 100, advert_int 1):
# 3 * 1 + (256 - 100) / 256 = 3.609 s after the master's last advert, the backup's first one.
MDI_BACKUP = 3 * 1 + (256 - 100) / 256
# Both adverts are timestamped by the same kernel on the same bridge (microsecond jitter), so the
# measured takeover can only undershoot by timestamp noise: 50 ms is generous. It overshoots by
# keepalived's timer lateness (0.2-0.5 ms measured here) plus scheduling delay on a loaded CI
# machine (4 keepalived processes, pytest, vrrpcap): 300 ms.
TAKEOVER_WINDOW = (MDI_BACKUP - 0.05, MDI_BACKUP + 0.3)


def notify_script(folder: Path) -> tuple[Path, Path]:
    """A notify script that appends `<argc>|<argv...>` to a log: shows the exact arguments."""
    log = folder / "notify.log"
    script = folder / "notify.sh"
    script.write_text(f'#!/bin/sh\nprintf \'%s|%s\\n\' "$#" "$*" >> {shlex.quote(str(log))}\n')
    script.chmod(0o755)
    return script, log


def vrrpcap(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vrrpcap", *args], capture_output=True, text=True, timeout=60, cwd=ROOT, env=env
    )


@pytest.mark.parametrize("backend", ["scapy", "tshark"])
def test_failover_event_and_notify(
    backend: str,
    keepalived_pair: Pair,
    live_process: Callable[..., LiveProcess],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    if backend == "tshark":
        request.getfixturevalue("dumpcap")
    script, log = notify_script(tmp_path)
    args = [keepalived_pair.bridge, "--json", "--notify", str(script), "--duration", "12", "--backend", backend]
    if backend == "tshark":
        args += ["--fail-on", "info"]  # the failover is an info finding: exit 1 proves --fail-on works live
    live = live_process(keepalived_pair.ns, *args)
    live.wait_for(lambda r: r["event"] == "master-started" and r["router"] == R1, timeout=15)

    keepalived_pair.run.kill("r1")  # SIGKILL to keepalived's process group: no goodbye advert
    r2_master = keepalived_pair.run.wait_state("r2", "VI_51", "MASTER", timeout=15)
    code = live.wait(timeout=30)

    assert code == (1 if backend == "tshark" else 0), live.stderr
    assert live.stderr == []
    records = live.records()
    failovers = [(t, r) for t, r in records if r["event"] == "failover"]
    assert len(failovers) == 1, records
    arrived, failover = failovers[0]
    assert (failover["from"], failover["to"], failover["cause"]) == (R1, R2, "silence")
    assert (failover["vrid"], failover["from_priority"], failover["to_priority"]) == (VRID, 150, 100)
    low, high = TAKEOVER_WINDOW
    assert low <= failover["takeover_s"] <= high, failover
    # On the stream within a second of the new master's first advert (its time is that advert's).
    assert arrived - failover["time"] < 1.0
    # keepalived's own word (r2's notify FIFO) agrees on when r2 became master.
    assert abs(r2_master.time - failover["time"]) < 0.5
    ended = [r for _, r in records if r["event"] == "master-ended" and r["router"] == R1]
    assert [r["cause"] for r in ended] == ["silence"]

    # keepalived's convention, one call per router concerned, in order; exactly four arguments each.
    assert log.read_text().splitlines() == [
        f"4|INSTANCE {VRID} MASTER 150",  # r1, the first master seen
        f"4|INSTANCE {VRID} FAULT 150",  # r1 went silent
        f"4|INSTANCE {VRID} MASTER 100",  # r2 took over
    ]
    notified = [r for _, r in records if r["event"].startswith("notify")]
    assert [(r["event"], r["router"], r["state"], r["cause"]) for r in notified] == [
        ("notify", R1, "MASTER", "initial"),
        ("notify", R1, "FAULT", "silence"),
        ("notify", R2, "MASTER", "silence"),
    ]

    stop = records[-1][1]
    assert (stop["event"], stop["reason"], stop["dropped"]) == ("stop", "duration", 0)
    summary = stop["report"]["summary"]
    assert (summary["virtual_routers"], summary["failovers"]) == (1, 1)
    assert [f["code"] for f in stop["report"]["findings"]] == ["VRRP-FAILOVER"]


@pytest.mark.parametrize("backend", ["scapy", "tshark"])
def test_write_reads_back_with_the_same_adverts(
    backend: str,
    keepalived_pair: Pair,
    live_process: Callable[..., LiveProcess],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    if backend == "tshark":
        request.getfixturevalue("dumpcap")
    out = tmp_path / "live.pcapng"
    live = live_process(
        keepalived_pair.ns, keepalived_pair.bridge, "--json", "--adverts", "--write", str(out), "--backend", backend
    )
    live.wait_for(lambda r: r["event"] == "advert" and r["frame"] == 3, timeout=15)
    live.signal(signal.SIGTERM)
    assert live.wait(timeout=20) == 0, live.stderr
    records = [r for _, r in live.records()]
    assert records[-1]["event"] == "stop" and records[-1]["reason"] == "SIGTERM"
    seen = [{k: v for k, v in r.items() if k not in ("event", "file")} for r in records if r["event"] == "advert"]
    assert len(seen) >= 3 and {r["src"] for r in seen} == {R1}

    decoded = vrrpcap("decode", "-f", "jsonl", str(out))
    assert decoded.returncode == 0 and decoded.stderr == "", decoded.stderr
    back = [{k: v for k, v in json.loads(line).items() if k != "file"} for line in decoded.stdout.splitlines()]
    assert back == seen  # same frames, numbers, microsecond times and fields

    audited = vrrpcap("audit", "-f", "json", str(out))
    assert audited.returncode == 0, audited.stderr
    inputs = json.loads(audited.stdout)["inputs"]
    # The interface statistics block was written at the end and read back: drops are known (0).
    assert (inputs[0]["packets"], inputs[0]["capture_drops"]) == (len(seen), 0)


def test_dashboard_text_and_summary_on_sigint(keepalived_pair: Pair, live_process: Callable[..., LiveProcess]) -> None:
    """stdout is not a terminal: the event lines as text, then the audit summary after Ctrl-C."""
    live = live_process(keepalived_pair.ns, keepalived_pair.bridge, "--duration", "60")
    live.wait_text(f"MASTER   {keepalived_pair.bridge}/ipv4/vrid{VRID}/multicast: {R1} (priority 150)", timeout=15)
    live.signal(signal.SIGINT)
    assert live.wait(timeout=20) == 0, live.stderr
    text = "\n".join(line for _, line in live.lines)
    assert f"capturing on {keepalived_pair.bridge} (scapy)" in text
    assert "stopped (SIGINT)" in text
    assert "1 virtual router(s)" in text and "no findings" in text
    assert live.stderr == []


# -- one-line errors --------------------------------------------------------------------------------


def _one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 3, (done.returncode, done.stderr)
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("vrrpcap: error: "), done.stderr
    return lines[0]


@pytest.mark.parametrize("backend", ["scapy", "tshark"])
def test_no_such_interface(backend: str) -> None:
    line = _one_error_line(vrrpcap("live", "vlnone0", "--backend", backend, "--json"))
    assert line == "vrrpcap: error: vlnone0: no such network interface (see `ip link`)"


def test_no_permission_says_what_is_needed() -> None:
    if os.geteuid() != 0 or not Path("/usr/bin/setpriv").exists():
        pytest.skip("needs root and setpriv to take CAP_NET_RAW/CAP_NET_ADMIN away from a process")
    drop = ["setpriv", "--bounding-set", "-net_raw,-net_admin", "--inh-caps", "-all"]
    done = subprocess.run(
        [*drop, sys.executable, "-m", "vrrpcap", "live", "lo", "--duration", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    line = _one_error_line(done)
    assert "lo: no permission to capture" in line
    assert "CAP_NET_RAW+CAP_NET_ADMIN" in line and "--backend tshark" in line and "wireshark" in line


def test_no_permission_with_dumpcap(dumpcap: None) -> None:
    if not Path("/usr/bin/setpriv").exists():
        pytest.skip("needs setpriv")
    drop = ["setpriv", "--bounding-set", "-net_raw,-net_admin", "--inh-caps", "-all"]
    done = subprocess.run(
        [*drop, sys.executable, "-m", "vrrpcap", "live", "lo", "--backend", "tshark", "--duration", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    line = _one_error_line(done)
    assert "lo: no permission to capture" in line and "wireshark" in line


def test_dumpcap_missing(tmp_path: Path) -> None:
    line = _one_error_line(vrrpcap("live", "lo", "--backend", "tshark", env={**os.environ, "PATH": str(tmp_path)}))
    assert "--backend tshark needs Wireshark's dumpcap" in line and "apt-get install tshark" in line


def test_notify_script_not_executable(tmp_path: Path) -> None:
    script = tmp_path / "hook.sh"
    script.write_text("#!/bin/sh\n")
    line = _one_error_line(vrrpcap("live", "lo", "--notify", str(script)))
    assert line == f"vrrpcap: error: {script}: notify script is not executable (chmod +x {script})"


def test_write_to_an_impossible_path(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "out.pcapng"
    line = _one_error_line(vrrpcap("live", "lo", "--write", str(target)))
    assert line.startswith(f"vrrpcap: error: {target}: cannot write")


def test_unknown_finding_code_is_a_usage_error() -> None:
    done = vrrpcap("live", "lo", "--ignore", "VRRP-NOPE")
    assert done.returncode == 2 and "VRRP-NOPE" in done.stderr
