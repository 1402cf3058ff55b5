"""Fixtures for the live tests: a keepalived pair in network namespaces, tools installed on demand,
and a `vrrpcap live` process run inside the lab's bridge namespace.

Everything the lab creates carries its per-run prefix (``vl`` + 4 hex digits) and is torn down by
``lab.netns.Lab``, which deletes only the namespaces it made; the vrrpcap processes started here are
killed by pid (their own session) if they outlive a test.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lab.kit import pair
from lab.netns import Lab, leftovers
from lab.runner import Run, Scenario

ROOT = Path(__file__).resolve().parents[2]
R1, R2 = "192.0.2.1", "192.0.2.2"  # lab router 1 (priority 150) and 2 (priority 100)
VRID = 51


def ensure_tools(tools: dict[str, str]) -> str | None:
    """Why the tools cannot be had, or None. As root, installs missing Debian packages with apt-get."""
    if os.geteuid() != 0:
        return "needs root (network namespaces, packet capture, keepalived)"
    missing = sorted({package for tool, package in tools.items() if shutil.which(tool) is None})
    if missing and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
        if subprocess.run(install, capture_output=True, env=env, timeout=600, check=False).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True, env=env, timeout=600, check=False)
            subprocess.run(install, capture_output=True, env=env, timeout=600, check=False)
    still = sorted({package for tool, package in tools.items() if shutil.which(tool) is None})
    if still:
        return f"not installed, and apt-get could not install them: {', '.join(still)}"
    return None


@pytest.fixture(scope="session")
def lab_tools() -> None:
    why = ensure_tools({"keepalived": "keepalived", "ip": "iproute2"})
    if why:
        pytest.skip(f"live lab: {why}")


@pytest.fixture(scope="session")
def dumpcap() -> None:
    why = ensure_tools({"dumpcap": "tshark"})
    if why:
        pytest.skip(f"--backend tshark: {why}")


@dataclass
class Pair:
    lab: Lab
    run: Run

    @property
    def ns(self) -> str:
        return self.lab.bridge_ns

    @property
    def bridge(self) -> str:
        return self.lab.bridge_if


@pytest.fixture
def keepalived_pair(lab_tools: None) -> Iterator[Pair]:
    """r1 (192.0.2.1, priority 150) master and r2 (192.0.2.2, priority 100) backup of VRID 51,
    VRRPv2 multicast, advert_int 1, on a bridge in its own namespace."""
    with Lab(["r1", "r2"]) as lab:
        rundir = Path(tempfile.mkdtemp(prefix=f"vrrpcap-live-{lab.prefix}-", dir="/run"))
        scenario = Scenario("live-e2e", "keepalived pair for vrrpcap live", ("r1", "r2"), pair(), lambda r: None)
        run = Run(scenario, lab, rundir)
        try:
            run.start()
            run.wait_state("r1", "VI_51", "MASTER", since=0.0, timeout=30)
            run.wait_current("r2", "VI_51", "BACKUP", timeout=10)
            yield Pair(lab, run)
        finally:
            run.close()
            shutil.rmtree(rundir, ignore_errors=True)
    assert leftovers(lab.prefix) == [], "the lab left namespaces or links behind"


@dataclass
class LiveProcess:
    """`python -m vrrpcap live ...` in a namespace; stdout lines collected with their arrival time."""

    argv: list[str]
    proc: subprocess.Popen[bytes]
    lines: list[tuple[float, str]] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start_readers(self) -> None:
        def out() -> None:
            assert self.proc.stdout is not None
            for raw in self.proc.stdout:
                with self._lock:
                    self.lines.append((time.time(), raw.decode(errors="replace").rstrip("\n")))

        def err() -> None:
            assert self.proc.stderr is not None
            for raw in self.proc.stderr:
                self.stderr.append(raw.decode(errors="replace").rstrip("\n"))

        for target in (out, err):
            threading.Thread(target=target, daemon=True).start()

    def records(self) -> list[tuple[float, dict[str, Any]]]:
        with self._lock:
            return [(t, json.loads(line)) for t, line in self.lines if line.startswith("{")]

    def wait_for(self, want: Callable[[dict[str, Any]], bool], timeout: float) -> tuple[float, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for arrived, record in self.records():
                if want(record):
                    return arrived, record
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no such record within {timeout} s; stderr: {self.stderr}; stdout: {self.lines}")

    def wait_text(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if any(text in line for _, line in self.lines):
                    return
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not printed within {timeout} s; stdout: {self.lines}; stderr: {self.stderr}")

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def wait(self, timeout: float) -> int:
        code = self.proc.wait(timeout=timeout)
        time.sleep(0.2)  # let the reader threads take the last lines
        return code


@pytest.fixture
def live_process() -> Iterator[Callable[..., LiveProcess]]:
    started: list[LiveProcess] = []

    def start(ns: str, *args: str) -> LiveProcess:
        argv = ["ip", "netns", "exec", ns, sys.executable, "-m", "vrrpcap", "live", *args]
        proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, start_new_session=True
        )  # ip netns exec execs: proc.pid is vrrpcap's own pid
        live = LiveProcess(argv, proc)
        live.start_readers()
        started.append(live)
        return live

    yield start
    for live in started:
        if live.proc.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(live.proc.pid, signal.SIGKILL)
            live.proc.wait(timeout=10)
