"""The scaling curve of `vrrpcap audit -j N` on sets of rotated files, in one run (issue 17).

    python -m benchmarks.parallel                  # the full sets (written first if missing, ~3.2 GB)
    python -m benchmarks.parallel --quick          # tiny sets, one repetition (the smoke test)
    python -m benchmarks.parallel --jobs 1 2 3 4 --repeat 5

Sets (benchmarks/data/rotated-*/, git-ignored), written by benchmarks.generate's own generators:
- mixed: 2,000,000 packets (0.2% VRRP) as 4 pcap files and the same again as 4 pcapng files: ~2.9 GB,
  the "~3 GB mixed set" (a sensor rotating its capture every 500,000 packets);
- dense: 3,000,000 adverts of 200 virtual routers in 10 pcap files of 300,000 (~250 MB).

Each -j runs `--repeat` times, every -j taking turns within a round so that load from elsewhere spreads
over all of them; the table has medians, the speed-up against -j 1 and the largest peak RSS (the largest
single process, /usr/bin/time -v). Every -j's JSON report is checked byte-identical to -j 1's.
`--cold` drops the page cache before every run (root): reading from disk, not memory.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from benchmarks.generate import DATA, dense_adverts, mixed_packets, write_pcap, write_pcapng
from benchmarks.run import Measure, run_once, vrrpcap_argv

Packets = Iterator[tuple[float, bytes]]
SIZES = {
    "full": {"mixed_packets": 2_000_000, "mixed_files": 4, "dense_adverts": 3_000_000, "dense_files": 10},
    "quick": {"mixed_packets": 20_000, "mixed_files": 4, "dense_adverts": 6_000, "dense_files": 3},
}


def _rotated(folder: Path, stem: str, packets: Packets, files: int, per_file: int, writer: Callable[..., int]) -> None:
    suffix = ".pcapng" if writer is write_pcapng else ".pcap"
    for index in range(files):
        writer(folder / f"{stem}-{index:03d}{suffix}", itertools.islice(packets, per_file))


def rotated_sets(quick: bool, data: Path) -> dict[str, list[Path]]:
    """The sets, written once (a marker file says a set is complete)."""
    sizes = SIZES["quick" if quick else "full"]
    suffix = "-quick" if quick else ""
    sets: dict[str, list[Path]] = {}
    for name in ("mixed", "dense"):
        folder = data / f"rotated-{name}{suffix}"
        done = folder / ".complete"
        if not done.exists():
            print(f"writing {folder} ...", file=sys.stderr)
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.iterdir():
                old.unlink()
            if name == "mixed":
                total, files = sizes["mixed_packets"], sizes["mixed_files"]
                _rotated(folder, "sensor-a", mixed_packets(total), files, -(-total // files), write_pcap)
                _rotated(folder, "sensor-b", mixed_packets(total, seed=3), files, -(-total // files), write_pcapng)
            else:
                total, files = sizes["dense_adverts"], sizes["dense_files"]
                _rotated(folder, "dense", dense_adverts(total), files, -(-total // files), write_pcap)
            done.touch()
        sets[name] = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    return sets


def _drop_caches() -> None:
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as caches:
        caches.write("3\n")


def _report_of(path: Path) -> bytes:
    return path.read_bytes()  # the JSON report has no timing fields: byte for byte


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sets, one repetition")
    parser.add_argument("--repeat", type=int, default=None, help="repetitions per -j (default 5; quick 1)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--cold", action="store_true", help="drop the page cache before every run (root)")
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 5)
    jobs = sorted(set([1, *args.jobs]))
    sets = rotated_sets(args.quick, args.data)
    started = time.time()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        outputs = {(name, j): Path(scratch) / f"{name}-j{j}.json" for name in sets for j in jobs}
        audit = [*vrrpcap_argv(), "audit", "--no-progress", "-f", "json"]
        measures = {
            (name, j): Measure(f"-j {j}", [*audit, "-j", str(j), "-o", str(outputs[(name, j)]), *map(str, paths)])
            for name, paths in sets.items()
            for j in jobs
        }
        for _ in range(repeat):
            for measure in measures.values():
                if args.cold:
                    _drop_caches()
                run_once(measure)
        for name, paths in sets.items():
            size = sum(p.stat().st_size for p in paths) / 1e9
            serial = _report_of(outputs[(name, 1)])
            base = statistics.median(measures[(name, 1)].walls)
            for j in jobs:
                m = measures[(name, j)]
                wall = statistics.median(m.walls)
                same = _report_of(outputs[(name, j)]) == serial
                rows.append(
                    {"set": name, "files": len(paths), "gb": size, "jobs": j, "median": wall,
                     "speedup": base / wall, "rss_mb": m.rss_mb, "walls": m.walls, "identical": same}
                )  # fmt: skip
    cache = "cold page cache" if args.cold else "warm page cache"
    print(f"# vrrpcap audit -j N ({'quick' if args.quick else 'full'}; {repeat} repetition(s); {cache};", end=" ")
    print(f"{os.cpu_count()} cores; {time.time() - started:.0f} s)")
    print()
    print("| set | files | GB | -j | median s | speed-up vs -j 1 | peak RSS MB | report identical |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for row in rows:
        print(
            f"| {row['set']} | {row['files']} | {row['gb']:.2f} | {row['jobs']} | {row['median']:.3f} | "
            f"{row['speedup']:.2f}x | {row['rss_mb'] or 0:.1f} | {'yes' if row['identical'] else 'NO'} |"
        )
    out = args.data / ("parallel-quick.json" if args.quick else "parallel.json")
    out.write_text(json.dumps({"rows": rows, "repeat": repeat, "cold": args.cold}, indent=2))
    return 0 if all(row["identical"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
