"""Parquet at scale (issue 17): decode to Parquet against JSON lines, memory from 300k to 3M adverts, and
DuckDB over a day of 200 virtual routers (17,280,000 adverts), in one run.

    python -m benchmarks.parquet            # the full files (the day's capture is written first: ~1.4 GB)
    python -m benchmarks.parquet --quick    # tiny files, one repetition (the smoke test)

- `vrrpcap decode -f parquet -o F dense.pcap` vs `vrrpcap decode -f jsonl -o /dev/null dense.pcap`
  (target: Parquet within 1.5x), and the Parquet decode's peak RSS on dense (300k adverts) and dense-big
  (3M): flat (the writer keeps one row group);
- a day: benchmarks.generate's dense generator for 86,400 s of 200 masters (one advert a second each),
  decoded once to Parquet (timed), then DuckDB (the embedded engine, PyPI `duckdb`) runs the queries
  below over the file, each `--repeat` times in one process; the table has medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import DATA, dense_adverts, generate, write_pcap
from benchmarks.run import Measure, run_once, vrrpcap_argv

DAY_ADVERTS = {"full": 200 * 86_400, "quick": 20_000}

QUERIES = {
    "adverts per router and hour": """
        SELECT src, vrid, date_trunc('hour', time) AS hour, count(*) AS adverts
        FROM adverts WHERE kind = 'advert' GROUP BY ALL ORDER BY hour, src, vrid""",
    "largest gap per router (window)": """
        SELECT src, vrid, family, max(gap) AS largest_gap_s FROM (
            SELECT src, vrid, family,
                   epoch(time) - epoch(lag(time) OVER (PARTITION BY src, vrid, family ORDER BY time)) AS gap
            FROM adverts WHERE kind = 'advert')
        GROUP BY ALL ORDER BY largest_gap_s DESC""",
    "VRIDs in use per segment": """
        SELECT coalesce(interface, '-') AS interface, vlan, family, count(DISTINCT vrid) AS in_use
        FROM adverts GROUP BY ALL ORDER BY interface, vlan, family""",
    "priority changes per virtual router": """
        SELECT vrid, family, count(DISTINCT priority) AS priorities, min(priority) AS lowest
        FROM adverts WHERE kind = 'advert' GROUP BY ALL ORDER BY priorities DESC, vrid""",
}


def day_capture(quick: bool, data: Path) -> Path:
    path = data / ("day-quick.pcap" if quick else "day.pcap")
    if not path.exists():
        print(f"writing {path} ...", file=sys.stderr)
        data.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        write_pcap(partial, dense_adverts(DAY_ADVERTS["quick" if quick else "full"], vr_count=200, seed=9))
        partial.rename(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny files, one repetition")
    parser.add_argument("--repeat", type=int, default=None, help="repetitions (default 5; quick 1)")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args(argv)
    import duckdb

    repeat = args.repeat or (1 if args.quick else 5)
    suffix = "-quick" if args.quick else ""
    dense, big = args.data / f"dense{suffix}.pcap", args.data / f"dense-big{suffix}.pcap"
    for kind, path in (("dense", dense), ("dense-big", big)):
        if not path.exists():
            generate(kind, args.quick, args.data)
    day = day_capture(args.quick, args.data)
    decode = [*vrrpcap_argv(), "decode", "--no-progress"]
    started = time.time()
    with tempfile.TemporaryDirectory(dir=args.data) as scratch:
        out = Path(scratch)
        parquet = [*decode, "-f", "parquet", "-o"]
        cases = {
            "dense parquet": Measure("decode -f parquet", [*parquet, str(out / "d.parquet"), str(dense)]),
            "dense jsonl": Measure("decode -f jsonl", [*decode, "-f", "jsonl", "-o", os.devnull, str(dense)]),
            "dense-big parquet": Measure("decode -f parquet", [*parquet, str(out / "b.parquet"), str(big)]),
        }
        for _ in range(repeat):
            for name, measure in cases.items():
                if name == "dense-big parquet" and measure.walls and not args.quick:
                    continue  # for memory: once
                run_once(measure)
        day_parquet = out / "day.parquet"
        day_decode = Measure("decode -f parquet", [*decode, "-f", "parquet", "-o", str(day_parquet), str(day)])
        run_once(day_decode)
        connection = duckdb.connect()
        connection.execute("SET TimeZone = 'UTC'")
        connection.execute(f"CREATE VIEW adverts AS SELECT * FROM read_parquet('{day_parquet}')")
        rows = int(connection.execute("SELECT count(*) FROM adverts").fetchone()[0])  # type: ignore[index]
        timings: dict[str, list[float]] = {name: [] for name in QUERIES}
        answers: dict[str, int] = {}
        for _ in range(repeat):
            for name, sql in QUERIES.items():
                start = time.perf_counter()
                answers[name] = len(connection.execute(sql).fetchall())
                timings[name].append(time.perf_counter() - start)
        day_mb = day_parquet.stat().st_size / 1e6
    size = "quick" if args.quick else "full"
    print(f"# vrrpcap Parquet ({size}; {repeat} repetition(s); {time.time() - started:.0f} s)")
    print()
    print("| case | command | median s | peak RSS MB |")
    print("|---|---|---:|---:|")
    for name, m in [*cases.items(), (f"day ({rows:,} adverts)", day_decode)]:
        print(f"| {name} | {m.label} | {m.median or 0:.3f} | {m.rss_mb or 0:.1f} |")
    ratio = (cases["dense parquet"].median or 0) / (cases["dense jsonl"].median or 1)
    print()
    print(f"Parquet / JSON lines on the dense capture: {ratio:.2f}x (target <= 1.5x)")
    flat = (cases["dense-big parquet"].rss_mb or 0) / (cases["dense parquet"].rss_mb or 1)
    print(f"peak RSS of the Parquet decode, dense-big / dense: {flat:.2f}")
    print()
    print(f"DuckDB {duckdb.__version__} over the day's Parquet ({day_mb:.0f} MB, {rows:,} rows):")
    print()
    print("| query | result rows | median s |")
    print("|---|---:|---:|")
    for name in QUERIES:
        print(f"| {name} | {answers[name]:,} | {statistics.median(timings[name]):.3f} |")
    result = {
        "cases": {n: {"walls": m.walls, "rss_mb": m.rss_mb} for n, m in cases.items()},
        "day": {"adverts": rows, "decode_s": day_decode.median, "rss_mb": day_decode.rss_mb, "parquet_mb": day_mb},
        "queries": {n: {"rows": answers[n], "walls": timings[n]} for n in QUERIES},
        "parquet_vs_jsonl": ratio,
        "rss_3m_over_300k": flat,
    }
    (args.data / f"parquet{suffix}.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
