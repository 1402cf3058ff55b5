"""How fast `vrrpcap live` takes VRRP adverts on one core, and what the kernel dropped.

    sudo python -m benchmarks.live_rate                               # 10k, 20k, 50k adverts/s, 10 s each
    sudo python -m benchmarks.live_rate --rates 50000 --seconds 30 --backends ring
    sudo python -m benchmarks.live_rate --quick                       # 2 s at 2,000/s: the smoke test
    sudo python -m benchmarks.run --live                              # after the file benchmarks

The load is real: a veth pair between two network namespaces of this run (lab/netns.py: every name
carries the run's prefix and only what this run made is deleted), tcpreplay (Debian's package) sending
from one end at a fixed rate (`--pps`, the capture preloaded with -K) and `vrrpcap live <the other
end> --json` capturing there, pinned to one core with taskset (tcpreplay, and with it the kernel's
veth receive path, on another core). The capture: N virtual routers (benchmarks/generate.py's mix of
IPv4 and IPv6, multicast and unicast, some VLAN-tagged; all VRRPv3, because VRRPv2 cannot advertise
faster than once a second), each master's adverts in turn, with the interval each advert states equal
to the interval it arrives at (1,000 virtual routers at 50,000/s: 2 centiseconds), so the analysis
sees a healthy fleet, not adverts 50 times too fast.

Backends: `ring` (the default socket backend, a TPACKET_V3 ring read by the C extension), `recv` (the
same backend with the ring turned off, VRRPCAP_NO_RING=1: one recvmsg per packet through scapy, as
before), `tshark` (dumpcap). For each rate and backend: what tcpreplay sent, what vrrpcap received
(its `stop` record: `frames`), the drops the capture counted (the kernel's PACKET_STATISTICS for the
socket; dumpcap's interface statistics, which are libpcap's reading of the same counter), what was
lost before any packet socket saw it (the kernel's per-CPU backlog drops, /proc/net/softnet_stat),
and vrrpcap's CPU (user + system, with dumpcap's for tshark) from the first packet sent to the end of
the run's drain time, as a share of the replay's wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from benchmarks.generate import DATA, EPOCH, virtual_routers, write_pcap

ROOT = Path(__file__).resolve().parents[1]
RATES = (10_000, 20_000, 50_000)
BACKENDS = ("ring", "recv", "tshark")
ENV = {"ring": {}, "recv": {"VRRPCAP_NO_RING": "1"}, "tshark": {}}
LABEL = {
    "ring": "socket, TPACKET_V3 ring",
    "recv": "socket, recvmsg per packet",
    "tshark": "dumpcap (--backend tshark)",
}


def adverts(routers: int, rate: int, seconds: float) -> Iterator[tuple[float, bytes]]:
    """The masters of `routers` virtual routers in turn, `rate` adverts a second in all."""
    interval_cs = max(1, round(routers * 100 / rate))
    fleet = [replace(vr, version=3, interval_cs=interval_cs) for vr in virtual_routers(routers)]
    counters = [0] * len(fleet)
    for n in range(int(rate * seconds)):
        i = n % len(fleet)
        counters[i] += 1
        yield EPOCH + n / rate, fleet[i].advert(0, fleet[i].priorities[0], counters[i] & 0xFFFF)


def ring_available() -> bool:
    from vrrpcap.frames.reader import scanner

    return scanner is not None and hasattr(scanner, "ring_read")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and of its living children (dumpcap), in seconds."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += cpu_seconds(int(child))
    except (OSError, IndexError, ValueError):
        pass
    return total


def thread_usage(pid: int) -> dict[str, float]:
    """CPU seconds of the main thread (the analysis), of the other threads (the capture's reader) and of
    the children (dumpcap), and the context switches of all of them."""
    tick = os.sysconf("SC_CLK_TCK")
    usage = {"main": 0.0, "threads": 0.0, "children": 0.0, "switches": 0.0}
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            usage["main" if task.name == str(pid) else "threads"] += (int(fields[11]) + int(fields[12])) / tick
            for line in (task / "status").read_text().splitlines():
                if "ctxt_switches:" in line:  # voluntary and nonvoluntary
                    usage["switches"] += int(line.split()[1])
            for child in (task / "children").read_text().split():
                usage["children"] += cpu_seconds(int(child))
    except (OSError, IndexError, ValueError):
        pass
    return usage


def backlog_drops() -> int:
    """Packets the kernel dropped before any socket saw them (its per-CPU input backlog was full)."""
    return sum(int(line.split()[1], 16) for line in Path("/proc/net/softnet_stat").read_text().splitlines())


@dataclass
class Result:
    rate: int
    backend: str
    sent: int = 0
    sent_pps: float = 0.0
    received: int | None = None
    adverts: int | None = None
    dropped: int | None = None
    backlog_dropped: int = 0
    cpu: float = 0.0
    cpu_analysis: float = 0.0  # vrrpcap's main thread
    cpu_reader: float = 0.0  # its capture thread(s), and dumpcap
    switches: int = 0  # context switches of every thread of vrrpcap
    wall: float = 0.0
    error: str | None = None

    @property
    def cpu_share(self) -> float:
        return self.cpu / self.wall if self.wall else 0.0


def parse_tcpreplay(text: str) -> tuple[int, float]:
    """(packets sent, packets a second) from tcpreplay's statistics."""
    sent = re.search(r"Actual: (\d+) packets", text)
    pps = re.search(r"Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps", text)
    return (int(sent.group(1)) if sent else 0, float(pps.group(1)) if pps else 0.0)


def run_once(lab: object, capture: Path, rate: int, backend: str, cores: tuple[int, int], drain: float) -> Result:
    from lab.netns import Lab

    assert isinstance(lab, Lab)
    router = lab.routers["r1"]
    ns, iface = lab.bridge_ns, router.peer_ifname
    mine, theirs = cores
    result = Result(rate, backend)
    argv = [
        "ip",
        "netns",
        "exec",
        ns,
        "taskset",
        "-c",
        str(mine),
        sys.executable,
        "-m",
        "vrrpcap",
        "live",
        iface,
        "--json",
        "--fail-on",
        "never",
        "--backend",
        "tshark" if backend == "tshark" else "scapy",
    ]
    env = {**os.environ, **ENV[backend], "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        live = subprocess.Popen(argv, stdout=out, stderr=err, text=True, cwd=ROOT, env=env, start_new_session=True)
        try:
            deadline = time.monotonic() + 30
            while True:
                out.seek(0)
                if '"event": "start"' in out.read():
                    break
                if time.monotonic() > deadline or live.poll() is not None:
                    err.seek(0)
                    result.error = f"vrrpcap did not start: {err.read().strip()}"
                    return result
                time.sleep(0.05)
            time.sleep(0.5)  # the reader thread is in its loop
            backlog, started = backlog_drops(), time.monotonic()
            before, threads = cpu_seconds(live.pid), thread_usage(live.pid)
            replayed = subprocess.run(
                router.argv(
                    [
                        "taskset",
                        "-c",
                        str(theirs),
                        "tcpreplay",
                        "-K",
                        f"--pps={rate}",
                        "-i",
                        router.ifname,
                        str(capture),
                    ]
                ),
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            time.sleep(drain)  # what is still in the ring or the queue gets analysed
            result.cpu = cpu_seconds(live.pid) - before
            after = thread_usage(live.pid)
            result.cpu_analysis = after["main"] - threads["main"]
            result.cpu_reader = after["threads"] + after["children"] - threads["threads"] - threads["children"]
            result.switches = int(after["switches"] - threads["switches"])
            result.wall = time.monotonic() - started
            result.backlog_dropped = backlog_drops() - backlog
            result.sent, result.sent_pps = parse_tcpreplay(replayed.stdout)
            if replayed.returncode != 0:
                result.error = f"tcpreplay failed: {replayed.stderr.strip() or replayed.stdout.strip()}"
        finally:
            if live.poll() is None:
                live.send_signal(signal.SIGINT)
            try:
                live.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(live.pid, signal.SIGKILL)
                live.wait(timeout=10)
        out.seek(0)
        stops = [json.loads(line) for line in out if line.startswith('{"event": "stop"')]
        if not stops:
            err.seek(0)
            result.error = result.error or f"no stop record: {err.read().strip()[-500:]}"
            return result
    stop = stops[-1]
    result.received, result.adverts, result.dropped = stop["frames"], stop["adverts"], stop["dropped"]
    return result


def measure(
    rates: Sequence[int],
    backends: Sequence[str],
    seconds: float,
    routers: int,
    drain: float,
    cores: tuple[int, int],
    data: Path,
) -> list[Result]:
    from lab.netns import Lab

    results = []
    with tempfile.TemporaryDirectory(dir=data if data.exists() else None) as folder, Lab(["r1"]) as lab:
        for rate in rates:
            capture = Path(folder) / f"vr{routers}-{rate}.pcap"
            write_pcap(capture, adverts(routers, rate, seconds))
            for backend in backends:
                result = run_once(lab, capture, rate, backend, cores, drain)
                print(f"{rate}/s {backend}: {row(result)}", file=sys.stderr)
                results.append(result)
            capture.unlink()
    return results


def row(r: Result) -> str:
    if r.error:
        return f"error: {r.error}"
    lost = r.sent - (r.received or 0) - (r.dropped or 0)
    return (
        f"sent {r.sent} ({r.sent_pps:.0f}/s), received {r.received}, kernel drops {r.dropped}, "
        f"unaccounted {lost}, backlog drops {r.backlog_dropped}, CPU {r.cpu:.2f} s ({r.cpu_share:.0%}; analysis "
        f"{r.cpu_analysis:.2f}, reader {r.cpu_reader:.2f}), context switches {r.switches}"
    )


def report(results: list[Result], args: argparse.Namespace, cores: tuple[int, int]) -> None:
    print(
        f"# vrrpcap live: {args.routers} virtual routers, {args.seconds:g} s per rate, vrrpcap on CPU {cores[0]}, "
        f"tcpreplay on CPU {cores[1]} ({os.cpu_count()} cores)\n"
    )
    print(
        "| adverts/s | backend | sent | sent/s | received | kernel drops | other loss | CPU s | CPU of one core "
        "| analysis thread s | reader s | context switches / advert |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        if r.error:
            print(f"| {r.rate} | {LABEL[r.backend]} | error: {r.error} | | | | | | | | | |")
            continue
        other = r.sent - (r.received or 0) - (r.dropped or 0)
        print(
            f"| {r.rate} | {LABEL[r.backend]} | {r.sent} | {r.sent_pps:.0f} | {r.received} | {r.dropped} | "
            f"{other} | {r.cpu:.2f} | {r.cpu_share:.0%} | {r.cpu_analysis:.2f} | {r.cpu_reader:.2f} | "
            f"{r.switches / max(1, r.received or 0):.2f} |"
        )
    judged = [r for r in results if r.rate >= 50_000 and not r.error]
    if judged:
        print("\n| target | measured | met |\n|---|---|---|")
    for r in judged:
        kept = r.dropped == 0 and r.received == r.sent
        print(
            f"| {r.rate} adverts/s on one core, 0 drops: {LABEL[r.backend]} | {r.dropped} dropped | "
            f"{'yes' if kept else 'NO'} |"
        )
    print(
        "\nother loss: sent - received - kernel drops (0 when every packet is accounted for); CPU: user + system"
        " from the first packet sent to the end of the drain time, its share of that wall time; the analysis"
        " thread is vrrpcap's main thread, the reader its capture thread (and dumpcap for tshark)"
    )


def choose_cores(wanted: str | None) -> tuple[int, int]:
    allowed = sorted(os.sched_getaffinity(0))
    if wanted:
        mine, theirs = (int(x) for x in wanted.split(","))
        return mine, theirs
    return allowed[-1], allowed[0] if len(allowed) > 1 else allowed[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 s at 2,000 adverts/s of 100 virtual routers")
    parser.add_argument("--data", type=Path, default=DATA, help="where live-results.json goes")
    parser.add_argument("--rates", default=None, help="adverts a second, comma separated (default 10000,20000,50000)")
    parser.add_argument("--backends", default=None, help=f"comma separated, of {','.join(BACKENDS)} (default all)")
    parser.add_argument("--seconds", type=float, default=None, help="replay length per rate (default 10)")
    parser.add_argument("--routers", type=int, default=None, help="virtual routers (default 1000)")
    parser.add_argument("--drain", type=float, default=None, help="seconds after the replay (default 2)")
    parser.add_argument("--cores", default=None, help="CPU for vrrpcap, CPU for tcpreplay (default: last,first)")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("live_rate needs root (network namespaces, packet capture)", file=sys.stderr)
        return 2
    if shutil.which("tcpreplay") is None:
        print("live_rate needs tcpreplay (apt-get install tcpreplay)", file=sys.stderr)
        return 2
    default_rates = "2000" if args.quick else ",".join(map(str, RATES))
    rates = [int(x) for x in (args.rates or default_rates).split(",")]
    args.seconds = args.seconds or (2.0 if args.quick else 10.0)
    args.routers = args.routers or (100 if args.quick else 1000)
    drain = args.drain if args.drain is not None else (1.0 if args.quick else 2.0)
    wanted = (args.backends or ",".join(BACKENDS)).split(",")
    backends = [b for b in wanted if b in BACKENDS]
    if "ring" in backends and not ring_available():
        print("no ring: the C extension is not built (or VRRPCAP_NO_EXTENSION is set)", file=sys.stderr)
        backends.remove("ring")
    if "tshark" in backends and shutil.which("dumpcap") is None:
        print("no dumpcap: the tshark backend is left out (apt-get install tshark)", file=sys.stderr)
        backends.remove("tshark")
    cores = choose_cores(args.cores)
    results = measure(rates, backends, args.seconds, args.routers, drain, cores, args.data)
    report(results, args, cores)
    args.data.mkdir(parents=True, exist_ok=True)
    out = args.data / ("live-results-quick.json" if args.quick else "live-results.json")
    out.write_text(
        json.dumps(
            {"cores": cores, "routers": args.routers, "seconds": args.seconds, "results": [asdict(r) for r in results]},
            indent=2,
        )
    )
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
