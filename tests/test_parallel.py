"""The sharded audit (vrrpcap/parallel/) gives the serial report byte for byte.

On every recorded capture (alone, and all together), on captures cut into rotated files (editcap -i),
on files whose timestamps go backwards across shards (the plan's ticks), on random multi-file streams
with passwords, collisions, malformed packets and failovers, and through the CLI (-j 1 against -j 2),
a local process pool and Dask's local scheduler.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scapy.layers.inet import IP
from scapy.layers.l2 import Ether
from scapy.layers.vrrp import VRRP

from benchmarks.generate import dense_adverts, mixed_packets, write_pcap
from tests.conftest import ROOT, lab_captures, public_captures
from tests.support import Record, pcap_bytes, write
from vrrpcap.analysis import Options
from vrrpcap.api import audit
from vrrpcap.parallel.dask import dask_map
from vrrpcap.parallel.decode import DecodeTask, decode_file
from vrrpcap.parallel.plan import plan_shards
from vrrpcap.parallel.runner import (
    STREAM_FROM_SHARE,
    advert_share,
    audit_files,
    run_sharded,
    run_streamed,
    sharding_pays,
)

CAPTURES = lab_captures() + public_captures()
BASE = 1_700_000_000 * 10**9


def serial(paths: list[str]) -> str:
    return json.dumps(audit(paths).as_dict(), indent=1)


def sharded(paths: list[str], shards: int, **kwargs: object) -> str:
    return json.dumps(run_sharded(paths, Options(), shards, **kwargs).report.as_dict(), indent=1)  # type: ignore[arg-type]


def streamed(paths: list[str], shards: int, **kwargs: object) -> str:
    return json.dumps(run_streamed(paths, Options(), shards, **kwargs).report.as_dict(), indent=1)  # type: ignore[arg-type]


def assert_same(paths: list[str], shard_counts: tuple[int, ...] = (1, 2, 3, 7)) -> str:
    """Planned shards (files decoded apart, plan.py) and streamed ones (stream.py) give the serial JSON."""
    expected = serial(paths)
    for shards in shard_counts:
        assert sharded(paths, shards) == expected, f"{shards} planned shards"
        assert streamed(paths, shards) == expected, f"{shards} streamed shards"
    return expected


@pytest.mark.skipif(not CAPTURES, reason="no captures in pcaps/ nor ../shared/pcaps-public")
@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.name)
def test_every_capture(path: Path) -> None:
    assert_same([str(path)])


def test_all_lab_captures_together_in_a_process_pool() -> None:
    paths = [str(p) for p in lab_captures()]
    if not paths:
        pytest.skip("no lab captures in pcaps/")
    expected = assert_same(paths, (2, 5))
    pooled = audit_files(paths, Options(), 2)
    assert json.dumps(pooled.report.as_dict(), indent=1) == expected
    report = json.loads(expected)
    assert report["summary"]["virtual_routers"] > 100 and report["summary"]["failovers"] > 10
    labels = {a for v in report["virtual_routers"] for r in v["routers"] for a in r["auth"]}
    assert {"simple#1", "ah#2"} <= labels  # two numbered secrets, in order of first appearance


def test_rotated_files(tmp_path: Path) -> None:
    """Captures cut into 4-second files by editcap, each set audited as the rotated files it became."""
    editcap = shutil.which("editcap")
    if editcap is None:
        pytest.skip("editcap is not installed (make test installs tshark, which brings it)")
    chosen = [p for p in lab_captures() if p.stem in ("v2-failover-kill", "v2-split-brain", "frr-v3-dual-stack")]
    chosen += [p for p in lab_captures() if p.stem == "v3-ipv6-unicast-many"]  # a late advert inside
    if not chosen:
        pytest.skip("no lab captures in pcaps/")
    pieces: list[str] = []
    for capture in chosen:
        folder = tmp_path / capture.stem
        folder.mkdir()
        subprocess.run([editcap, "-i", "4", str(capture), str(folder / "part.pcap")], check=True, capture_output=True)
        mine = sorted(str(p) for p in folder.iterdir())
        assert len(mine) >= 2
        assert_same(mine, (2, 3))
        pieces += mine
    # Several sensors' rotations given together, in shuffled order: one merge, one report.
    random.Random(3).shuffle(pieces)
    assert_same(pieces, (2, 4))


def _advert(vrid: int, priority: int, src: str, password: bytes | None = None) -> bytes:
    auth: dict[str, Any] = (
        {"authtype": 1, "auth1": int.from_bytes(password[:4]), "auth2": int.from_bytes(password[4:])}
        if password
        else {}
    )
    vrrp = VRRP(vrid=vrid, priority=priority, addrlist=[f"198.51.100.{vrid}"], adv=1, **auth)
    return bytes(Ether(src="02:00:00:00:00:01") / IP(src=src, dst="224.0.0.18", ttl=255, proto=112) / vrrp)


def test_timestamps_going_backwards_across_shards(tmp_path: Path) -> None:
    """A late advert whose shard the serial engine had already taken past its master's deadline."""
    plan = []
    for shards in (2, 3, 5):
        one = [Record(BASE + k * 10**9, _advert(10, 150, "192.0.2.1")) for k in range(11)]
        one.append(Record(BASE + 30 * 10**9, b"\x00" * 60))  # other traffic: the file's clock jumps ahead
        one.append(Record(BASE + 12 * 10**9, _advert(10, 150, "192.0.2.1")))  # late: within its old run
        two = [Record(BASE + k * 10**9, _advert(vrid, 100, "192.0.2.9")) for k in range(21) for vrid in (11, 12, 13)]
        paths = [write(tmp_path, "one.pcap", pcap_bytes(one)), write(tmp_path, "two.pcap", pcap_bytes(two))]
        work = plan_shards([decode_file(DecodeTask(p, i, shards)) for i, p in enumerate(paths)], shards, Options())
        plan.append(sum(len(w.tick_at) for w in work))
        assert_same(paths, (shards,))
    assert max(plan) > 0, "the late advert needs a tick"
    runs = next(v["masters"] for v in json.loads(serial(paths))["virtual_routers"] if v["vrid"] == 10)
    assert len(runs) == 2  # the serial engine ended the run at the foreign advert's time, then a new one


def test_random_streams_of_several_files(tmp_path: Path) -> None:
    rng = random.Random(17)
    passwords = [b"alpha\x00\x00\x00", b"bravo\x00\x00\x00", b"charlie\x00"]
    for case in range(6):
        paths = []
        for n in range(rng.randint(1, 4)):
            records = []
            t = BASE + rng.randrange(10**9)
            for _ in range(rng.randint(20, 120)):
                t += rng.randrange(-3 * 10**8, 2 * 10**9)  # jitter, gaps, and now and then backwards
                vrid = rng.choice((1, 2, 3, 4, 50))
                src = rng.choice(("192.0.2.1", "192.0.2.2", "192.0.2.3"))
                kind = rng.random()
                if kind < 0.05:
                    data = _advert(vrid, 100, src)[:-6]  # cut short: malformed
                elif kind < 0.3:
                    data = _advert(vrid, rng.choice((0, 100, 200)), src, rng.choice(passwords))
                else:
                    data = _advert(vrid, rng.choice((100, 150, 255)), src)
                records.append(Record(max(t, BASE), data))
            paths.append(write(tmp_path, f"case{case}-{n}.pcap", pcap_bytes(records)))
        assert_same(paths, (2, 3))


def test_secrets_numbered_by_first_appearance(tmp_path: Path) -> None:
    """The virtual router seen first announces its password last: numbers follow the password's first
    advert, not the virtual routers' order, in every shard count."""
    records = [Record(BASE, _advert(7, 100, "192.0.2.1"))]
    records += [Record(BASE + k * 10**9, _advert(8, 100, "192.0.2.2", b"second\x00\x00")) for k in range(1, 4)]
    records += [Record(BASE + k * 10**9, _advert(7, 100, "192.0.2.1", b"third\x00\x00\x00")) for k in range(4, 6)]
    path = write(tmp_path, "secrets.pcap", pcap_bytes(records))
    report = json.loads(assert_same([path]))
    auth = {v["vrid"]: v["routers"][0]["auth"] for v in report["virtual_routers"]}
    assert auth == {7: ["none", "simple#2"], 8: ["simple#1"]}


def test_dense_capture_split_in_files(tmp_path: Path) -> None:
    adverts = list(dense_adverts(6000, vr_count=60, seed=4))
    paths = []
    for n in range(3):
        path = tmp_path / f"dense-{n}.pcap"
        write_pcap(path, iter(adverts[n * 2000 : (n + 1) * 2000]))
        paths.append(str(path))
    report = json.loads(assert_same(paths, (2, 4)))
    assert report["summary"]["failovers"] >= 3


def test_mode_follows_the_share_of_adverts(tmp_path: Path) -> None:
    """Mostly other traffic: files decoded apart and planned; mostly adverts: shards that stream."""
    sparse, dense = tmp_path / "mixed.pcap", tmp_path / "dense.pcap"
    write_pcap(sparse, mixed_packets(6000, vrrp_share=0.002, seed=5))
    write_pcap(dense, dense_adverts(3000, vr_count=30, seed=6))
    assert advert_share(str(sparse)) < STREAM_FROM_SHARE <= advert_share(str(dense))
    assert advert_share(str(dense)) == 1.0
    for path in (sparse, dense):
        expected = serial([str(path)])
        assert json.dumps(audit_files([str(path)], Options(), 2).report.as_dict(), indent=1) == expected


def test_default_jobs_shard_only_where_it_pays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without -j: one file is read by one process whatever its size; files dense with adverts too while
    the C folder counts their repeats (streamed shards feed every advert); several files of mostly other
    traffic are decoded in parallel."""
    from vrrpcap import folding

    sparse = [tmp_path / f"mixed-{n}.pcap" for n in range(2)]
    dense = [tmp_path / f"dense-{n}.pcap" for n in range(2)]
    for n in range(2):
        write_pcap(sparse[n], mixed_packets(6000, vrrp_share=0.002, seed=7 + n))
        write_pcap(dense[n], dense_adverts(3000, vr_count=30, seed=9 + n))
    assert sharding_pays([str(p) for p in sparse])
    assert not sharding_pays([str(sparse[0])]) and not sharding_pays([str(dense[0])])
    if folding.folder is not None:
        assert not sharding_pays([str(p) for p in dense])
    monkeypatch.setattr(folding, "folder", None)
    assert sharding_pays([str(p) for p in dense])  # one by one everywhere: the shards share the work


def test_damaged_input_as_the_serial_audit(tmp_path: Path) -> None:
    """A capture cut short mid-record: the same report, damage flag and warnings in both modes."""
    source = next((p for p in lab_captures() if p.stem == "v2-failover-kill"), None)
    if source is None:
        pytest.skip("no lab captures in pcaps/")
    data = source.read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[: len(data) * 2 // 3])
    paths = [str(cut)]
    expected = serial(paths)
    planned, flowing = run_sharded(paths, Options(), 2), run_streamed(paths, Options(), 2)
    for result in (planned, flowing):
        assert json.dumps(result.report.as_dict(), indent=1) == expected
        assert result.damaged
        assert result.problems and all("cut short" in line or "truncated" in line for line in result.problems), (
            result.problems
        )
    assert planned.problems == flowing.problems


def test_dask_local_scheduler() -> None:
    paths = [str(p) for p in lab_captures()]
    if not paths:
        pytest.skip("no lab captures in pcaps/")
    expected = serial(paths)
    assert sharded(paths, 3, mapper=dask_map("processes")) == expected
    assert sharded(paths, 2, mapper=dask_map("threads")) == expected
    assert streamed(paths, 2, mapper=dask_map("processes")) == expected


def test_cli_jobs_give_byte_identical_json(tmp_path: Path) -> None:
    paths = [str(p) for p in lab_captures()]
    if not paths:
        pytest.skip("no lab captures in pcaps/")
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}.json"
        done = subprocess.run(
            [sys.executable, "-m", "vrrpcap", "audit", "-j", jobs, "-f", "json", "-o", str(out), *paths],
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        assert done.returncode in (0, 1), done.stderr
        outputs.append((done.returncode, done.stderr, out.read_bytes()))
    assert outputs[0] == outputs[1]


def test_cli_jobs_errors_as_the_serial_audit(tmp_path: Path) -> None:
    good = str(lab_captures()[0]) if lab_captures() else write(tmp_path, "ok.pcap", pcap_bytes([]))
    bad = write(tmp_path, "bad.pcap", b"not a capture at all, not even close")
    for args in (["-j", "0", good], ["-j", "2", good, bad], ["-j", "2", good, str(tmp_path / "missing.pcap")]):
        done = subprocess.run(
            [sys.executable, "-m", "vrrpcap", "audit", *args], cwd=ROOT, capture_output=True, text=True, check=False
        )
        serial_args = [a for a in args if a not in ("-j", "2")]
        if args[1] == "0":
            assert done.returncode == 2 and "is not a number of processes" in done.stderr
            continue
        one = subprocess.run(
            [sys.executable, "-m", "vrrpcap", "audit", "-j", "1", *serial_args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert (done.returncode, done.stderr) == (one.returncode, one.stderr)
        assert done.returncode in (3, 4) and "Traceback" not in done.stderr
