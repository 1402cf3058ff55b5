"""Formats vrrpcap does not read itself (snoop, ...) go through tshark via pyshark (`--reader auto`).

The differential: each lab capture rewritten by Wireshark's editcap into a foreign format, decoded
through pyshark, gives the records and the audit that vrrpcap's own reader gives on the original
(apart from the file name, and the time to the format's resolution).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import lab_captures
from vrrpcap.decode import advert_to_dict
from vrrpcap.frames import CaptureSet
from vrrpcap.frames.tshark import TsharkReader
from vrrpcap.pipeline import AdvertStream

pytest.importorskip("pyshark", reason="pyshark is the tshark reader's library: pip install 'vrrpcap[tshark]'")

# Lab captures are Ethernet; snoop carries Ethernet frames with microsecond times, as pcap does.
CAPTURES = [p for p in lab_captures() if p.suffix == ".pcap"]


@pytest.fixture(scope="module")
def editcap(tshark: str) -> str:
    path = shutil.which("editcap")
    if path is None:
        pytest.skip("editcap is not installed (it comes with tshark: apt-get install tshark)")
    return path


def records(path: Path, reader: str) -> list[dict[str, Any]]:
    with CaptureSet([str(path)], reader=reader) as captures:  # type: ignore[arg-type]
        rows = [advert_to_dict(a, show_secrets=True) for a in AdvertStream(captures)]
    for row in rows:
        row.pop("file")
    return rows


def vrrpcap_json(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "vrrpcap", "audit", "-f", "json", "--no-progress", *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def without_inputs(report: dict[str, Any]) -> str:
    """The audit apart from what names or measures the input file, and the timing fields."""
    report = dict(report)
    for key in ("inputs", "generated", "elapsed", "tool", "options"):
        report.pop(key, None)
    text = json.dumps(report, sort_keys=True)
    return text


@pytest.mark.skipif(not CAPTURES, reason="no lab captures in pcaps/")
@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.name)
def test_snoop_through_pyshark_decodes_as_the_pcap(path: Path, editcap: str, tmp_path: Path) -> None:
    snoop = tmp_path / (path.stem + ".snoop")
    subprocess.run([editcap, "-F", "snoop", str(path), str(snoop)], check=True, timeout=60)
    native = records(path, "native")
    foreign = records(snoop, "auto")
    assert native, "the lab capture has adverts"
    assert len(foreign) == len(native)
    for got, want in zip(foreign, native, strict=True):
        assert round(got.pop("time") * 1e6) == round(want.pop("time") * 1e6)
        assert got == want


@pytest.mark.skipif(not CAPTURES, reason="no lab captures in pcaps/")
def test_audit_of_a_snoop_file_is_the_audit_of_its_pcap(editcap: str, tmp_path: Path) -> None:
    path = next(p for p in CAPTURES if p.name == "v2-failover-kill.pcap")
    snoop = tmp_path / "copy.snoop"
    subprocess.run([editcap, "-F", "snoop", str(path), str(snoop)], check=True, timeout=60)
    native, foreign = vrrpcap_json(str(path)), vrrpcap_json(str(snoop))
    assert foreign["summary"]["failovers"] == native["summary"]["failovers"] > 0
    assert without_inputs(foreign).replace(str(snoop), str(path)) == without_inputs(native)


def tshark_child() -> int | None:
    """The pid of this process's tshark child, if it has one."""
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat.split(") ", 1)
        if name.endswith("(tshark") and rest.split()[1] == me:
            return int(entry.name)
    return None


@pytest.mark.skipif(not CAPTURES, reason="no lab captures in pcaps/")
def test_an_exit_status_reaped_elsewhere_loses_no_frame(editcap: str, tmp_path: Path) -> None:
    """CI once failed here: asyncio's child watcher found tshark already reaped and reported exit 255.

    The test reaps tshark itself once it has written everything, as a second reaper in the process
    would; the file was read to its end, so the frames are all there and nothing is called damage.
    """
    path = next(p for p in CAPTURES if p.name == "v2-failover-kill.pcap")
    snoop = tmp_path / "copy.snoop"
    subprocess.run([editcap, "-F", "snoop", str(path), str(snoop)], check=True, timeout=60)
    reader = TsharkReader(str(snoop))
    frames = reader.scan_frames()
    first = [next(frames)]
    pid = tshark_child()
    assert pid is not None, "pyshark runs tshark as a child"
    deadline = time.monotonic() + 30  # tshark exits once its output is in the pipe or in pyshark's buffer
    while not Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z"):
        assert time.monotonic() < deadline, "tshark did not finish writing a small capture"
        time.sleep(0.01)
    os.waitpid(pid, 0)
    got = first + list(frames)
    undisturbed = list(TsharkReader(str(snoop)).scan_frames())
    assert len(undisturbed) > 1
    assert [(f.number, f.data) for f in got] == [(f.number, f.data) for f in undisturbed]
    assert reader.damage is None
