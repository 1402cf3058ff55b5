"""`vrrpcap audit -f prometheus|openmetrics` read by the real consumers: promtool's linter, and
node_exporter's textfile collector (Debian's prometheus-node-exporter, installed in set-up as root),
which reads the Prometheus text format and refuses OpenMetrics. The file is replaced atomically
(outputs.py: a temporary `.NAME.*.part` renamed over it), so the collector never reads half of one."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PCAPS, ROOT
from tests.live.conftest import ensure_tools
from tests.metrics.conftest import Sample, pick, samples

CAPTURE = PCAPS / "v2-failover-kill.pcap"


def audit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vrrpcap", "audit", *args], capture_output=True, text=True, timeout=120, cwd=ROOT
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def node_exporter() -> str:
    why = ensure_tools({"prometheus-node-exporter": "prometheus-node-exporter"})
    if why:
        pytest.skip(f"node_exporter: {why}")
    return "prometheus-node-exporter"


@pytest.fixture
def textfile_collector(node_exporter: str, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    folder = tmp_path / "textfile"
    folder.mkdir()
    port = free_port()
    proc = subprocess.Popen(
        [node_exporter, "--collector.disable-defaults", "--collector.textfile",
         f"--collector.textfile.directory={folder}", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        yield folder, url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.skipif(not CAPTURE.exists(), reason="pcaps/v2-failover-kill.pcap is missing")
def test_promtool_lints_the_text_format_clean() -> None:
    why = ensure_tools({"promtool": "prometheus"})
    if why:
        pytest.skip(f"promtool: {why}")
    text = audit("-f", "prometheus", str(CAPTURE)).stdout
    done = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == "", (done.stdout, done.stderr)


@pytest.mark.skipif(not CAPTURE.exists(), reason="pcaps/v2-failover-kill.pcap is missing")
def test_node_exporter_serves_what_audit_wrote(textfile_collector: tuple[Path, str]) -> None:
    folder, url = textfile_collector
    target = folder / "vrrpcap.prom"
    done = audit("-f", "prometheus", "-o", str(target), str(CAPTURE))
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["vrrpcap.prom"]  # no temporary file left
    written = samples(target.read_text(), openmetrics=False)
    served = samples(urllib.request.urlopen(url, timeout=10).read().decode(), openmetrics=False)
    (error,) = pick(served, "node_textfile_scrape_error")
    assert error.value == 0
    ours = [s for s in served if s.name.startswith("vrrpcap_")]

    def key(s: Sample) -> tuple[str, list[tuple[str, object]], float]:
        labels = {k: float(v) if k == "le" else v for k, v in s.labels.items()}  # Go writes le="1", we "1.0"
        return s.name, sorted(labels.items()), s.value

    assert sorted(map(key, ours)) == sorted(map(key, written))
    (failovers,) = pick(ours, "vrrpcap_virtual_router_failovers_total", cause="silence")
    assert failovers.value == 1

    # OpenMetrics is not what this collector parses: it says so, and keeps the last good read.
    (folder / "other.prom").write_text(audit("-f", "openmetrics", str(CAPTURE)).stdout)
    served = samples(urllib.request.urlopen(url, timeout=10).read().decode(), openmetrics=False)
    (error,) = pick(served, "node_textfile_scrape_error")
    assert error.value == 1
