"""Time vrrpcap against its peers on the same files, in one run, and print a table of medians and ratios.

    python -m benchmarks.run              # the full files (generated first if missing: ~3.5 GB, minutes)
    python -m benchmarks.run --quick      # tiny files, one repetition: the smoke test runs this
    python -m benchmarks.run --repeat 7   # more repetitions
    python -m benchmarks.run --live       # then the live rate test (root, tcpreplay: benchmarks/live_rate.py)
    python -m benchmarks.run --independent  # the same comparisons on benchmarks/independent.py's captures

Cases and what is compared (issue 6's targets):
- mixed capture (pcap, pcapng): `vrrpcap audit` vs `tcpdump -r F -w /dev/null 'ip proto 112 or ip6 proto 112'`
  (target: vrrpcap within 2x of tcpdump);
- dense capture: `vrrpcap audit` vs `tshark -r F -n -Y vrrp -T fields -e ...` (the field list of
  ../shared/pcaps-public/MANIFEST.md; target: vrrpcap at least 5x faster) and vs scapy's PcapReader with full
  dissection (target: at least 50x faster). Scapy is timed on a sample of the file's packets and
  extrapolated to all of them (its import counted once); the table says so;
- peak memory (max RSS from /usr/bin/time -v) of `vrrpcap audit` on 300k and on 3M adverts (target: 100 MB);
- `vrrpcap --help` wall time (target: under 0.3 s);
- the dual-master capture (every virtual router a split brain): `vrrpcap audit` vs the same tshark command, and
  `vrrpcap audit` of a 16-advert capture from pcaps/ for start-up (issue 18's targets: mixed <= 1.3x tcpdump,
  dense <= 0.2x tshark, dual-master <= 0.3x tshark, start-up under 0.25 s);
- with `--profile`: the top entries of a cProfile of the dense and the dual-master audits (in-process);
- for reference, `vrrpcap audit` without the C extension (VRRPCAP_NO_EXTENSION=1), once;
- with `--live`: `vrrpcap live` fed by tcpreplay through a veth at 10k, 20k and 50k adverts/s of 1,000 virtual
  routers, per backend: sent, received, kernel drops, CPU (target: 50k/s on one core with 0 drops).

Every command runs `--repeat` times, the tools taking turns, so that load from elsewhere on the machine
spreads over all of them; the table shows medians. Results also go to benchmarks/data/results.json.

With `--independent`, the mixed, dense and dual-master comparisons run on the captures of
benchmarks/independent.py (scapy-built, another layout; generated first if missing) instead, against
issue 18's targets (mixed <= 1.3x tcpdump, dense <= 0.2x tshark, dual <= 0.3x tshark); results go to
benchmarks/data/results-independent.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.generate import DATA, generate

TSHARK_FIELDS = [
    *("ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "ip.ttl", "ipv6.hlim", "vlan.id", "vrrp.version"),
    *("vrrp.virt_rtr_id", "vrrp.prio", "vrrp.auth_type", "vrrp.adver_int", "vrrp.short_adver_int"),
    *("vrrp.addr_count", "vrrp.ip_addr", "vrrp.ipv6_addr", "vrrp.checksum.status"),
]
BPF = "ip proto 112 or ip6 proto 112"
SMALL = Path(__file__).resolve().parent.parent / "pcaps" / "v2-failover-kill.pcap"  # 16 adverts: start-up
TIME = "/usr/bin/time"

SCAPY_SAMPLE = """
import json, sys, time
t0 = time.perf_counter()
from scapy.all import PcapReader
from scapy.layers.vrrp import VRRP, VRRPv3
t1 = time.perf_counter()
path, limit = sys.argv[1], int(sys.argv[2])
n = found = 0
with PcapReader(path) as reader:
    for packet in reader:
        n += 1
        layer = packet.getlayer(VRRP) or packet.getlayer(VRRPv3)
        if layer is not None:
            found += 1
            _ = (layer.vrid, layer.priority, layer.addrlist, layer.chksum)
        if n >= limit:
            break
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "loop": t2 - t1, "packets": n, "vrrp": found}))
"""


@dataclass
class Measure:
    label: str
    argv: list[str]
    env: dict[str, str] | None = None
    walls: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    note: str = ""
    extrapolate: float = 1.0  # scapy: total packets / sampled packets
    fixed: float = 0.0  # scapy: import time, counted once

    @property
    def median(self) -> float | None:
        return statistics.median(self.walls) if self.walls else None

    @property
    def rss_mb(self) -> float | None:
        return max(self.rss_kb) / 1024 if self.rss_kb else None


def vrrpcap_argv() -> list[str]:
    script = Path(sys.executable).with_name("vrrpcap")
    return [str(script)] if script.exists() else [sys.executable, "-m", "vrrpcap"]


def run_once(m: Measure) -> None:
    """Run under /usr/bin/time -v (when present) for the peak RSS; wall time measured here."""
    env = {**os.environ, **(m.env or {})}
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        argv = [TIME, "-v", "-o", report.name, *m.argv] if os.path.exists(TIME) else m.argv
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
        wall = time.perf_counter() - start
        text = report.read()
    if m.label.startswith("scapy"):
        sample = json.loads(done.stdout.decode().strip().splitlines()[-1])
        m.fixed = sample["import"]
        wall = sample["loop"] * m.extrapolate + m.fixed
        m.note = f"sample of {sample['packets']} packets, extrapolated x{m.extrapolate:.1f}"
    elif done.returncode not in (0, 1):  # vrrpcap audit exits 1 when it has error findings
        raise SystemExit(f"{' '.join(m.argv)} failed with exit code {done.returncode}")
    m.walls.append(wall)
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if found:
        m.rss_kb.append(int(found.group(1)))


def count_frames(path: Path) -> int:
    from vrrpcap.frames import CaptureReader

    reader = CaptureReader(str(path))
    try:
        for _ in reader.scan_frames():
            pass
        return reader.frames
    finally:
        reader.close()


def files(quick: bool, data: Path) -> dict[str, Path]:
    suffix = "-quick" if quick else ""
    wanted = {
        "dense": data / f"dense{suffix}.pcap",
        "dense-big": data / f"dense-big{suffix}.pcap",
        "dual": data / f"dual{suffix}.pcap",
        "mixed-pcap": data / f"mixed{suffix}.pcap",
        "mixed-pcapng": data / f"mixed{suffix}.pcapng",
    }
    kinds = {"dense": "dense", "dense-big": "dense-big", "dual": "dual", "mixed-pcap": "mixed", "mixed-pcapng": "mixed"}
    for name, path in wanted.items():
        if not path.exists():
            print(f"generating {path.name} ...", file=sys.stderr)
            generate(kinds[name], quick, data)
    return wanted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny generated files, one repetition")
    parser.add_argument("--repeat", type=int, default=None, help="repetitions per command (default 5; quick 1)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--scapy-sample", type=int, default=None, help="packets scapy dissects (default 20000)")
    parser.add_argument("--live", action="store_true", help="then the live rate test (root, tcpreplay)")
    parser.add_argument("--profile", action="store_true", help="then profile the dense and dual-master audits")
    parser.add_argument("--independent", action="store_true", help="on benchmarks/independent.py's captures")
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 5)
    sample = args.scapy_sample or (500 if args.quick else 20_000)
    audit = [*vrrpcap_argv(), "audit", "--no-progress", "-f", "json", "-o", os.devnull]
    have = {tool: shutil.which(tool) is not None for tool in ("tcpdump", "tshark")}
    have["scapy"] = importlib.util.find_spec("scapy") is not None
    if args.independent:
        return independent(args, repeat, audit, have)
    paths = files(args.quick, args.data)

    cases: dict[str, list[Measure]] = {}
    for name in ("mixed-pcap", "mixed-pcapng"):
        path = str(paths[name])
        cases[name] = [Measure("vrrpcap audit", [*audit, path])]
        if have["tcpdump"]:
            cases[name].append(Measure("tcpdump BPF", ["tcpdump", "-r", path, "-w", os.devnull, BPF]))
    dense = str(paths["dense"])
    cases["dense"] = [Measure("vrrpcap audit", [*audit, dense])]
    if have["tshark"]:
        cases["dense"].append(tshark_fields(dense))
    if have["scapy"]:
        total = count_frames(paths["dense"])
        scapy = Measure("scapy dissect", [sys.executable, "-c", SCAPY_SAMPLE, dense, str(sample)])
        scapy.extrapolate = total / min(sample, total)
        cases["dense"].append(scapy)
    dual = str(paths["dual"])
    cases["dual"] = [Measure("vrrpcap audit", [*audit, dual])]
    if have["tshark"]:
        cases["dual"].append(tshark_fields(dual))
    cases["dense-big"] = [Measure("vrrpcap audit", [*audit, str(paths["dense-big"])])]
    cases["help"] = [Measure("vrrpcap --help", [*vrrpcap_argv(), "--help"])]
    cases["start-up"] = [Measure("vrrpcap audit small.pcap", [*vrrpcap_argv(), "audit", str(SMALL)])]
    fallback = {"VRRPCAP_NO_EXTENSION": "1"}
    cases["fallback"] = [
        Measure("no extension: mixed-pcap", [*audit, str(paths["mixed-pcap"])], env=fallback),
        Measure("no extension: dense", [*audit, dense], env=fallback),
    ]

    started = time.time()
    for round_ in range(repeat):
        for name, measures in cases.items():
            if name in ("dense-big", "fallback") and round_ > 0 and not args.quick:
                continue  # long runs, for memory and reference: once
            for m in measures:
                run_once(m)
    report(cases, repeat, args, time.time() - started)
    if args.profile:
        for name in ("dense", "dual"):
            profile(paths[name])
    if args.live:
        from benchmarks import live_rate

        print()
        sys.stdout.flush()
        return live_rate.main([*(["--quick"] if args.quick else []), "--data", str(args.data)])
    return 0


def tshark_fields(path: str) -> Measure:
    fields = [arg for f in TSHARK_FIELDS for arg in ("-e", f)]
    return Measure("tshark fields", ["tshark", "-r", path, "-n", "-Y", "vrrp", "-T", "fields", *fields])


def independent(args: argparse.Namespace, repeat: int, audit: list[str], have: dict[str, bool]) -> int:
    """Mixed vs tcpdump, dense and dual vs tshark, on benchmarks/independent.py's captures (issue 18's goals)."""
    from benchmarks import independent as other

    suffix = "-quick" if args.quick else ""
    goals = {"mixed": ("tcpdump", 1.3), "dense": ("tshark", 0.2), "dual": ("tshark", 0.3)}
    cases: dict[str, list[Measure]] = {}
    for kind, (peer, _) in goals.items():
        path = args.data / f"independent-{kind}{suffix}.pcap"
        if not path.exists():
            print(f"generating {path.name} ...", file=sys.stderr)
            other.generate(kind, args.quick, args.data)
        cases[kind] = [Measure("vrrpcap audit", [*audit, str(path)])]
        if have[peer] and peer == "tcpdump":
            cases[kind].append(Measure("tcpdump BPF", ["tcpdump", "-r", str(path), "-w", os.devnull, BPF]))
        elif have[peer]:
            cases[kind].append(tshark_fields(str(path)))
    started = time.time()
    for _ in range(repeat):
        for measures in cases.values():
            for m in measures:
                run_once(m)
    heading("vrrpcap on independent captures", args, repeat, time.time() - started)
    rows = table(cases)
    print()
    print("| case | vrrpcap s | peer | peer s | vrrpcap / peer | goal | met |")
    print("|---|---:|---|---:|---:|---:|---|")
    targets = []
    for kind, (_, goal) in goals.items():
        ours, *peers = cases[kind]
        theirs = peers[0] if peers else Measure("n/a", [])
        r = ratio(ours.median, theirs.median)
        ok = None if r is None else r <= goal
        cells = [kind, fmt(ours.median, ".3f"), theirs.label, fmt(theirs.median, ".3f"), fmt(r, ".3f"), f"<= {goal}"]
        print(f"| {' | '.join(cells)} | {met(ok)} |")
        targets.append({"case": kind, "peer": theirs.label, "ratio": r, "goal": goal, "met": ok})
    out = args.data / f"results-independent{suffix}.json"
    out.write_text(json.dumps({"rows": rows, "targets": targets, "repeat": repeat}, indent=2))
    return 0


def profile(path: Path, top: int = 12) -> None:
    """The functions that cost most in an audit of ``path`` (own time), under cProfile in this process."""
    import cProfile
    import io
    import pstats

    from vrrpcap.pipeline import audit_paths

    profiler = cProfile.Profile()
    profiler.runcall(audit_paths, [str(path)])
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(top)
    print(f"\n# profile of the audit of {path.name} (cProfile, own time; the profiler's overhead inflates it)")
    stats = text.getvalue()
    print(stats[stats.find("   ncalls") :].rstrip())  # without pstats' header lines


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def heading(title: str, args: argparse.Namespace, repeat: int, elapsed: float) -> None:
    from vrrpcap.frames.reader import scanner

    print(f"# {title} ({'quick' if args.quick else 'full'}; {repeat} repetition(s); {elapsed:.0f} s)")
    print(f"# C scanner: {'yes' if scanner is not None else 'NO (pure Python)'}; cores: {os.cpu_count()}")
    print()


def met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "NO")


def table(cases: dict[str, list[Measure]]) -> list[dict[str, object]]:
    """Print the table of commands and medians; its rows, for the results file."""
    print(f"| {'case':<13} | {'command':<26} | {'median s':>9} | {'runs':>4} | {'peak RSS MB':>11} | note |")
    print(f"|{'-' * 15}|{'-' * 28}|{'-' * 11}|{'-' * 6}|{'-' * 13}|------|")
    rows: list[dict[str, object]] = []
    for name, measures in cases.items():
        for m in measures:
            print(
                f"| {name:<13} | {m.label:<26} | {fmt(m.median, '9.3f')} | {len(m.walls):>4} | "
                f"{fmt(m.rss_mb, '11.1f')} | {m.note} |"
            )
            rows.append(
                {
                    "case": name,
                    "command": m.label,
                    "argv": m.argv,
                    "walls": m.walls,
                    "median": m.median,
                    "rss_mb": m.rss_mb,
                    "note": m.note,
                }
            )
    return rows


def report(cases: dict[str, list[Measure]], repeat: int, args: argparse.Namespace, elapsed: float) -> None:
    heading("vrrpcap benchmarks", args, repeat, elapsed)
    rows = table(cases)
    print()
    print("| target | measured | met |")
    print("|---|---|---|")
    targets = []

    def target(what: str, value: float | None, text: str, ok: bool | None) -> None:
        print(f"| {what} | {text} | {met(ok)} |")
        targets.append({"target": what, "value": value, "met": ok})

    by = {(name, m.label): m for name, ms in cases.items() for m in ms}
    for name in ("mixed-pcap", "mixed-pcapng"):
        r = ratio(by[(name, "vrrpcap audit")].median, by.get((name, "tcpdump BPF"), Measure("", [])).median)
        target(f"{name}: vrrpcap / tcpdump <= 2", r, f"{fmt(r, '.2f')}x", None if r is None else r <= 2)
    vr = by[("dense", "vrrpcap audit")].median
    r = ratio(by.get(("dense", "tshark fields"), Measure("", [])).median, vr)
    target("dense: tshark / vrrpcap >= 5", r, f"{fmt(r, '.2f')}x faster", None if r is None else r >= 5)
    r = ratio(by.get(("dense", "scapy dissect"), Measure("", [])).median, vr)
    target(
        "dense: scapy / vrrpcap >= 50",
        r,
        f"{fmt(r, '.1f')}x faster (scapy extrapolated)",
        None if r is None else r >= 50,
    )
    for name in ("dense", "dense-big"):
        mb = by[(name, "vrrpcap audit")].rss_mb
        target(f"{name}: peak RSS <= 100 MB", mb, f"{fmt(mb, '.1f')} MB", None if mb is None else mb <= 100)
    h = by[("help", "vrrpcap --help")].median
    target("vrrpcap --help < 0.3 s", h, f"{fmt(h, '.3f')} s", None if h is None else h < 0.3)
    # Issue 18's targets: vrrpcap's time over its peer's.
    for name, peer, goal in (
        ("mixed-pcap", "tcpdump BPF", 1.3),
        ("mixed-pcapng", "tcpdump BPF", 1.3),
        ("dense", "tshark fields", 0.2),
        ("dual", "tshark fields", 0.3),
    ):
        r = ratio(by[(name, "vrrpcap audit")].median, by.get((name, peer), Measure("", [])).median)
        target(f"{name}: vrrpcap / {peer} <= {goal}", r, fmt(r, ".3f"), None if r is None else r <= goal)
    s = by[("start-up", "vrrpcap audit small.pcap")].median
    target(f"vrrpcap audit {SMALL.name} < 0.25 s", s, f"{fmt(s, '.3f')} s", None if s is None else s < 0.25)
    out = args.data / ("results-quick.json" if args.quick else "results.json")
    out.write_text(json.dumps({"rows": rows, "targets": targets, "repeat": repeat}, indent=2))


if __name__ == "__main__":
    sys.exit(main())
