"""Parquet outputs read back by a real engine (DuckDB), held against tshark's own counts and the report.

decode -f parquet: per capture, the records per source and VRID that DuckDB counts equal the frames tshark
dissects as VRRP/CARP; audit -f parquet: per router, the adverts DuckDB sums equal tshark's count of that
router's adverts, and the failovers and runs equal the JSON report's. The schema of every file is the one
docs/parquet.md documents; timestamps keep the capture's resolution; failed runs leave outputs alone.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import vrrpcap
from tests.conftest import ROOT, lab_captures, public_captures
from tests.support import Record, pcap_bytes, write
from tests.test_tshark_diff import TSHARK_SILENT_ON, tshark_frames
from vrrpcap.decode import advert_to_dict
from vrrpcap.frames import CaptureSet
from vrrpcap.pipeline import AdvertStream
from vrrpcap.render.arrow_schema import advert_schema, report_schemas

CAPTURES = lab_captures() + public_captures()
DOC = ROOT / "docs" / "parquet.md"


def vrrpcap_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vrrpcap", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def _last(row: dict[str, list[str]], *names: str) -> str | None:
    for name in names:
        if row.get(name):
            return row[name][-1]
    return None


def tshark_counts(
    tshark: str, path: Path, carp: frozenset[int] = frozenset()
) -> tuple[Counter[tuple[str, int]], Counter[tuple[str, int]]]:
    """(all VRRP/CARP frames, VRRP adverts not inside an ICMP error) per (source, VRID), as tshark sees
    them. tshark dissects ucarp's CARP as VRRP: ``carp`` names the frames that are CARP."""
    frames, adverts = Counter[tuple[str, int]](), Counter[tuple[str, int]]()
    for number, row in tshark_frames(tshark, path).items():
        vrid = _last(row, "vrrp.virt_rtr_id", "carp.vhid")
        src = _last(row, "ipv6.src", "ip.src")
        if vrid is None or src is None:
            continue
        frames[(src, int(vrid))] += 1
        if number in carp or row["carp.vhid"] or row["icmp.type"] or row["icmpv6.type"]:
            continue
        if row["vrrp.version"]:
            adverts[(src, int(vrid))] += 1
    return frames, adverts


@pytest.mark.skipif(not CAPTURES, reason="no captures in pcaps/ nor ../shared/pcaps-public")
@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.name)
def test_decoded_records_counted_by_duckdb_equal_tshark(tshark: str, path: Path, tmp_path: Path) -> None:
    out = tmp_path / "adverts.parquet"
    done = vrrpcap_cli("decode", "-f", "parquet", "-o", str(out), str(path))
    assert done.returncode in (0, 5), done.stderr
    silent = " or ".join(f"starts_with(malformed, '{why}')" for why in TSHARK_SILENT_ON)
    rows = duckdb.execute(
        f"select src, vrid, count(*) from read_parquet('{out}') "
        f"where vrid is not null and not coalesce({silent}, false) group by src, vrid"
    ).fetchall()
    ours = Counter({(src, vrid): n for src, vrid, n in rows})
    theirs, _ = tshark_counts(tshark, path)
    assert ours == theirs


@pytest.mark.skipif(not lab_captures(), reason="no lab captures in pcaps/")
def test_audit_tables_per_router_equal_tshark_and_the_report(tshark: str, tmp_path: Path) -> None:
    paths = [str(p) for p in lab_captures() if p.stem != "v2-capture-loss.reference"]
    dataset = tmp_path / "audit"
    done = vrrpcap_cli("audit", "-j", "2", "-f", "parquet", "--sensor", "lab", "-o", str(dataset), *paths)
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(vrrpcap_cli("audit", "-f", "json", *paths).stdout)
    db = duckdb.connect()
    for table in ("inputs", "virtual_routers", "routers", "masterships", "failovers", "findings"):
        db.execute(f"create view {table} as select * from read_parquet('{dataset / table}.parquet')")
    # Per router: the adverts summed over its virtual routers equal tshark's count of its adverts.
    expected: Counter[tuple[str, int]] = Counter()
    expected_carp: Counter[tuple[str, int]] = Counter()
    for path in paths:
        # Which frames are CARP, from the records (tshark reads ucarp's CARP as VRRP).
        records = vrrpcap.read_adverts(path, engine="arrow")  # noqa: F841 (DuckDB reads it by name)
        carp = db.execute("select frame from records where kind = 'carp'").fetchall()
        expected += tshark_counts(tshark, Path(path), frozenset(n for (n,) in carp))[1]
        senders = db.execute("select src, vrid, count(*) from records where kind = 'carp' group by src, vrid")
        expected_carp += Counter({(a, v): int(n) for a, v, n in senders.fetchall()})
    # CARP virtual routers are routers' rows too (protocol carp): VRRP's and CARP's sum apart.
    by_protocol = (
        "select r.address, r.vrid, sum(r.adverts) from routers r join virtual_routers v on r.vr = v.vr "
        "where v.protocol = ? group by r.address, r.vrid"
    )
    rows = db.execute(by_protocol, ["vrrp"]).fetchall()
    assert Counter({(a, v): int(n) for a, v, n in rows}) == expected
    rows = db.execute(by_protocol, ["carp"]).fetchall()
    assert Counter({(a, v): int(n) for a, v, n in rows}) == expected_carp and expected_carp
    # Per input: frames and records as the report says, every row stamped with the sensor.
    inputs = db.execute("select path, packets, adverts, sensor from inputs order by path").fetchall()
    assert inputs == sorted((i["path"], i["packets"], i["adverts"], "lab") for i in report["inputs"])
    # Per virtual router: failovers and runs, and their timestamps to the microsecond.
    failovers = db.execute("select vr, count(*) from failovers group by vr").fetchall()
    assert dict(failovers) == {v["id"]: len(v["failovers"]) for v in report["virtual_routers"] if v["failovers"]}
    runs = db.execute("select vr, router, epoch_us(start), end_cause from masterships").fetchall()
    wanted = [
        (v["id"], m["router"], round(m["start"] * 1e6), m["end_cause"])
        for v in report["virtual_routers"]
        for m in v["masters"]
    ]
    assert sorted(runs) == sorted(wanted)
    codes = db.execute("select code, count(*) from findings group by code").fetchall()
    assert dict(codes) == Counter(f["code"] for f in report["findings"])
    assert db.execute("select typeof(start) from masterships limit 1").fetchone() == ("TIMESTAMP WITH TIME ZONE",)


def _documented(table: str) -> list[tuple[str, str]]:
    """The `| column | type | ... |` rows under '### <table>' in docs/parquet.md."""
    text = DOC.read_text()
    section = text.split(f"### {table}\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    return re.findall(r"^\| `(\w+)` \| `([^`]+)` \|", section, re.MULTILINE)


def test_schemas_are_the_documented_ones() -> None:
    assert _documented("adverts") == [(f.name, str(f.type)) for f in advert_schema("us")]
    for table, schema in report_schemas("us").items():
        assert _documented(table) == [(f.name, str(f.type)) for f in schema], table


@pytest.mark.skipif(not CAPTURES, reason="no captures in pcaps/ nor ../shared/pcaps-public")
@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.name)
def test_arrow_engine_equals_the_records(path: Path) -> None:
    table = vrrpcap.read_adverts(str(path), engine="arrow", show_secrets=True)
    assert isinstance(table, pa.Table) and table.schema == advert_schema("us")
    with CaptureSet([str(path)]) as captures:
        records = [advert_to_dict(a, show_secrets=True) for a in AdvertStream(captures)]
    rows = table.to_pylist()
    assert len(rows) == len(records)
    for row, record in zip(rows, records, strict=True):
        assert round(row.pop("time").timestamp() * 1e6) == round(record.pop("time") * 1e6)
        record.pop("time_iso")  # Arrow keeps the time as a timestamp only
        assert row.pop("sensor") is None
        assert row == record


def test_timestamps_keep_the_capture_resolution(tmp_path: Path) -> None:
    frame = bytes.fromhex(
        "01005e00001202005e10000108004500002000000000ff70000ac0000201e0000012"
        "213296010101000000000000000000000000c0000264"
    )
    when = 1_700_000_000_123_456_789
    nano = write(tmp_path, "nano.pcap", pcap_bytes([Record(when, frame)], nano=True))
    micro = write(tmp_path, "micro.pcap", pcap_bytes([Record(when, frame)]))
    for path, unit in ((nano, "ns"), (micro, "us")):
        out = tmp_path / f"{unit}.parquet"
        assert vrrpcap_cli("decode", "-f", "parquet", "-o", str(out), path).returncode == 0, unit
        column = pq.read_table(out).column("time")
        assert column.type == pa.timestamp(unit, tz="UTC")
        value = column.cast(pa.int64())[0].as_py()
        if unit == "us":
            assert value == when // 1000
        else:
            assert abs(value - when) < 500  # a float64 epoch keeps ~0.25 us


@pytest.mark.skipif(len(lab_captures()) < 2, reason="no lab captures in pcaps/")
def test_hive_dataset_of_two_sensors(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    one, two = (str(p) for p in lab_captures()[:2])
    for sensor, path in (("east", one), ("west", two), ("east", one)):  # the rerun replaces its own file
        args = ("--sensor", sensor, "--partition-by", "sensor", "--partition-by", "date", "-o", str(root), path)
        assert vrrpcap_cli("decode", "-f", "parquet", *args).returncode == 0
    files = sorted(p.relative_to(root).parts[:2] for p in root.rglob("*.parquet"))
    assert {f[0] for f in files} == {"sensor=east", "sensor=west"} and all(f[1].startswith("date=") for f in files)
    rows = duckdb.execute(
        f"select sensor, count(*) from read_parquet('{root}/**/*.parquet', hive_partitioning = true) group by 1"
    ).fetchall()
    records = {s: len(list(vrrpcap.read_adverts(p).itertuples())) for s, p in (("east", one), ("west", two))}
    assert dict(rows) == records
    assert "sensor" not in pq.read_schema(next(root.rglob("*.parquet"))).names  # carried by the directory


def test_usage_errors_and_failed_runs_keep_outputs(tmp_path: Path) -> None:
    capture = str(lab_captures()[0]) if lab_captures() else str(next(iter(public_captures())))
    assert "give --output" in vrrpcap_cli("decode", "-f", "parquet", capture).stderr
    assert (
        vrrpcap_cli("audit", "-f", "parquet", "--partition-by", "sensor", "-o", str(tmp_path), capture).returncode == 2
    )
    assert vrrpcap_cli("decode", "-f", "json", "--sensor", "x", capture).returncode == 2
    out = tmp_path / "adverts.parquet"
    assert vrrpcap_cli("decode", "-f", "parquet", "-o", str(out), capture).returncode == 0
    before = out.read_bytes()
    bad = write(tmp_path, "bad.pcap", b"definitely not a capture file")
    assert vrrpcap_cli("decode", "-f", "parquet", "-o", str(out), bad).returncode == 4
    assert out.read_bytes() == before
    tables = tmp_path / "tables"
    assert vrrpcap_cli("audit", "-f", "parquet", "-o", str(tables), capture).returncode in (0, 1)
    kept = {p.name: p.read_bytes() for p in tables.iterdir()}
    (tables / "findings.parquet").unlink()
    (tables / "findings.parquet").mkdir()  # one table cannot be written: none is replaced
    done = vrrpcap_cli("audit", "-f", "parquet", "-o", str(tables), capture, capture)
    assert done.returncode == 6 and done.stderr.count("\n") == 1 and "cannot write" in done.stderr
    assert {p.name: p.read_bytes() for p in tables.iterdir() if p.is_file()} == {
        k: v for k, v in kept.items() if k != "findings.parquet"
    }
    assert not [p for p in tables.iterdir() if p.name.endswith(".part")]


@pytest.mark.skipif(len(lab_captures()) < 4, reason="no lab captures in pcaps/")
def test_the_documented_duckdb_queries_run(tmp_path: Path) -> None:
    site = tmp_path / "site"
    east = [str(p) for p in lab_captures() if p.name.startswith("v2-")]
    west = [str(p) for p in lab_captures() if not p.name.startswith("v2-")]
    for sensor, paths in (("east", east), ("west", west)):
        common = ("--sensor", sensor, "--partition-by", "sensor", "--partition-by", "date")
        assert vrrpcap_cli("audit", "-f", "parquet", *common, "-o", str(site), *paths).returncode in (0, 1)
        assert vrrpcap_cli("decode", "-f", "parquet", *common, "-o", str(site / "adverts"), *paths).returncode == 0
    blocks = re.findall(r"```sql\n(-- duckdb.*?)```", DOC.read_text(), re.DOTALL)
    assert len(blocks) >= 5
    db = duckdb.connect()
    results = []
    for block in blocks:
        for statement in filter(str.strip, block.replace("'site/", f"'{site}/").split(";")):
            results.append(db.execute(statement).fetchall())
    per_day = next(r for r in results if r and len(r[0]) == 4 and isinstance(r[0][3], int))
    report = json.loads(vrrpcap_cli("audit", "-f", "json", *east).stdout)
    report_west = json.loads(vrrpcap_cli("audit", "-f", "json", *west).stdout)
    total = report["summary"]["failovers"] + report_west["summary"]["failovers"]
    assert sum(row[3] for row in per_day) == total > 0
