"""What `--metrics` costs the capture: vrrpcap live's CPU at 10,000 adverts/s, with and without it.

    sudo python -m benchmarks.metrics_cpu                 # 20 s per run, 3 runs each way
    sudo python -m benchmarks.metrics_cpu --seconds 10 --repeat 1 --scrape 15

Why tcpreplay into a veth, not frames fed to the session loop: the exporter's cost has two parts, the
gate the loop takes per batch of frames and the scrapes served by another thread, and both compete
with the real capture path (packet socket, BPF, reader thread, queue) for the interpreter. Feeding the
loop from a file would leave out the reader thread the scrapes contend with, and make the ratio look
worse than it is (the denominator would lack the capture's own cost). So the load is real: the lab's
namespaces (lab/netns.py), tcpreplay (Debian's package) sending at a fixed rate from a router's
namespace into the bridge, `vrrpcap live <bridge> --json` capturing there, and with `--metrics` a
scraper asking for /metrics like Prometheus does (OpenMetrics, gzip) every `--scrape` seconds (1 s,
the worst case; Prometheus' default is 15 s or 1 min). vrrpcap's CPU (user + system, from
/proc/PID/stat) is counted from the first replayed packet to the last; runs alternate, so load from
elsewhere on the machine spreads over both; the table shows medians.

The capture: 1,000 virtual routers (benchmarks/generate.py's mix: VRRPv2 and v3, IPv4 and IPv6,
multicast and unicast, some VLAN-tagged), each master advertising 10 times a second: 10,000 adverts/s,
and 1,000 virtual routers in every scrape (the issue's two sizes at once).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.generate import EPOCH, virtual_routers, write_pcap

ROOT = Path(__file__).resolve().parents[1]
RATE = 10_000
VIRTUAL_ROUTERS = 1000

SCRAPER = """
import json, sys, time, urllib.request
url, every, until = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
while time.time() < until:
    t0 = time.perf_counter()
    try:
        request = urllib.request.Request(url, headers={"Accept": accept, "Accept-Encoding": "gzip"})
        body = urllib.request.urlopen(request, timeout=10).read()
        print(json.dumps({"seconds": time.perf_counter() - t0, "bytes": len(body)}), flush=True)
    except OSError as exc:
        print(json.dumps({"error": str(exc)}), flush=True)
    time.sleep(max(0.0, every - (time.perf_counter() - t0)))
"""


def adverts(seconds: float) -> Iterator[tuple[float, bytes]]:
    """Round robin over the masters of 1,000 virtual routers, 10 adverts/s each."""
    routers = virtual_routers(VIRTUAL_ROUTERS)
    counters = [0] * len(routers)
    total = int(RATE * seconds)
    for n in range(total):
        i = n % len(routers)
        counters[i] += 1
        yield EPOCH + n / RATE, routers[i].advert(0, routers[i].priorities[0], counters[i] & 0xFFFF)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    metrics: bool
    cpu: float = 0.0
    adverts: int = 0
    dropped: int | None = None
    scrapes: list[float] = field(default_factory=list)
    scrape_bytes: int = 0


def free_port(ns: str) -> int:
    code = "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
    return int(subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", code],
                              capture_output=True, text=True, check=True).stdout)  # fmt: skip


def run_once(lab: object, capture: Path, seconds: float, metrics: bool, scrape: float) -> Run:
    from lab.netns import Lab

    assert isinstance(lab, Lab)
    ns, bridge = lab.bridge_ns, lab.bridge_if
    router = lab.routers["r1"]
    port = free_port(ns)
    argv = ["ip", "netns", "exec", ns, sys.executable, "-m", "vrrpcap", "live", bridge, "--json",
            "--duration", str(seconds + 15), "--fail-on", "never"]  # fmt: skip
    if metrics:
        argv += ["--metrics", f"127.0.0.1:{port}"]
    live = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(live.stdout or ()), daemon=True)
    reader.start()
    result = Run(metrics)
    try:
        deadline = time.monotonic() + 20
        while not any('"event": "start"' in line for line in lines):
            if time.monotonic() > deadline or live.poll() is not None:
                raise RuntimeError(f"vrrpcap did not start: {live.stderr.read() if live.stderr else ''}")
            time.sleep(0.05)
        scraper = None
        if metrics:
            until = time.time() + seconds + 1
            scraper = subprocess.Popen(
                ["ip", "netns", "exec", ns, sys.executable, "-c", SCRAPER, f"http://127.0.0.1:{port}/metrics",
                 str(scrape), str(until)],
                stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
        before = cpu_seconds(live.pid)
        subprocess.run(router.argv(["tcpreplay", "-q", f"--pps={RATE}", "-i", router.ifname, str(capture)]),
                       check=True, capture_output=True, timeout=seconds * 3 + 60)  # fmt: skip
        time.sleep(0.5)  # the last frames through the queue
        result.cpu = cpu_seconds(live.pid) - before
        if scraper is not None:
            out, _ = scraper.communicate(timeout=30)
            answers = [json.loads(line) for line in out.splitlines()]
            errors = [a for a in answers if "error" in a]
            if errors:
                raise RuntimeError(f"scrapes failed: {errors[:3]}")
            result.scrapes = [a["seconds"] for a in answers]
            result.scrape_bytes = answers[-1]["bytes"] if answers else 0
    finally:
        live.terminate()
        live.wait(timeout=30)
        reader.join(timeout=10)
    stop = json.loads(lines[-1])
    result.adverts, result.dropped = stop["adverts"], stop["dropped"]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="replay length per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs each way")
    parser.add_argument("--scrape", type=float, default=1.0, help="seconds between scrapes")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("needs root (network namespaces, packet capture)", file=sys.stderr)
        return 2
    if shutil.which("tcpreplay") is None:
        print("needs tcpreplay (apt-get install tcpreplay)", file=sys.stderr)
        return 2
    from lab.netns import Lab

    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as folder, Lab(["r1"]) as lab:
        capture = Path(folder) / "vr1000-10k.pcap"
        sent = write_pcap(capture, adverts(args.seconds))
        for _ in range(args.repeat):
            for metrics in (False, True):
                runs.append(run_once(lab, capture, args.seconds, metrics, args.scrape))
                r = runs[-1]
                print(f"{'with' if metrics else 'without'} --metrics: {r.cpu:.2f} s CPU, {r.adverts} adverts, "
                      f"dropped {r.dropped}", file=sys.stderr)  # fmt: skip
    report(runs, sent, args)
    return 0


def report(runs: list[Run], sent: int, args: argparse.Namespace) -> None:
    plain = statistics.median(r.cpu for r in runs if not r.metrics)
    served = statistics.median(r.cpu for r in runs if r.metrics)
    scrapes = [s for r in runs if r.metrics for s in r.scrapes]
    print(f"{sent} adverts at {RATE}/s from {VIRTUAL_ROUTERS} virtual routers, {args.seconds:g} s per run, "
          f"{args.repeat} run(s) each way, a scrape every {args.scrape:g} s\n")  # fmt: skip
    print("| vrrpcap live | CPU s (median) | CPU share of one core | adverts analysed (min) | dropped (max) |")
    print("|---|---:|---:|---:|---:|")
    for label, flag, cpu in (("without --metrics", False, plain), ("with --metrics", True, served)):
        mine = [r for r in runs if r.metrics is flag]
        drops = [r.dropped for r in mine if r.dropped is not None]
        print(f"| {label} | {cpu:.2f} | {cpu / args.seconds:.0%} | {min(r.adverts for r in mine)} | "
              f"{max(drops) if drops else '?'} |")  # fmt: skip
    print(f"\nratio with/without: {served / plain:.3f}")
    if scrapes:
        size = max(r.scrape_bytes for r in runs if r.metrics)
        print(f"scrapes: {len(scrapes)}, wall time median {statistics.median(scrapes) * 1000:.0f} ms, "
              f"max {max(scrapes) * 1000:.0f} ms, {size / 1000:.0f} kB gzipped")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
