"""Where the commands write, run as a user runs them (a real process, real files, real descriptors).

A write error is exit 6 with one line, never a traceback and never exit 1 (the CI gate's "findings"); a run
that fails leaves an existing output file as it was; a reader that goes away ends the run quietly (141);
closed standard streams do not crash; an output that is one of the inputs is refused.
"""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PCAPS
from tests.support import Record, pcap_bytes
from vrrpcap.errors import ExitCode

SPLIT_BRAIN = PCAPS / "v2-split-brain.pcap"  # a split brain: audit exits 1 by default
STEADY = PCAPS / "v2-multicast-steady.pcap"  # nothing above info: audit exits 0
FULL = Path("/dev/full")
ENOSPC = "cannot write (No space left on device)"

pytestmark = pytest.mark.skipif(not SPLIT_BRAIN.exists(), reason="lab captures not in pcaps/")
needs_full = pytest.mark.skipif(not FULL.exists(), reason="/dev/full is absent (not Linux?)")


def vrrpcap(*args: str, shell_redirect: str = "", stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    """Run `python -m vrrpcap ARGS`, through sh when a redirection such as `>&-` is wanted."""
    argv = [sys.executable, "-m", "vrrpcap", *args]
    if shell_redirect:
        argv = ["sh", "-c", f'exec "$@" {shell_redirect}', "sh", *argv]
    raw = subprocess.run(argv, input=stdin, capture_output=True, timeout=120, check=False)
    done = subprocess.CompletedProcess(raw.args, raw.returncode, raw.stdout.decode(), raw.stderr.decode())
    assert "Traceback" not in done.stderr, done.stderr
    return done


def lab_records(path: Path) -> list[Record]:
    """The records of a lab capture (classic little-endian microsecond pcap, as tcpdump wrote it)."""
    data = path.read_bytes()
    magic, *_ = struct.unpack_from("<I", data)
    assert magic == 0xA1B2C3D4, "the lab's captures are little-endian microsecond pcap"
    records, offset = [], 24
    while offset < len(data):
        seconds, micros, caplen, _ = struct.unpack_from("<IIII", data, offset)
        offset += 16
        records.append(Record(seconds * 1_000_000_000 + micros * 1000, data[offset : offset + caplen]))
        offset += caplen
    return records


def big_capture(tmp_path: Path, copies: int = 200) -> Path:
    """The split-brain capture's real frames repeated, a minute apart: thousands of adverts."""
    base = lab_records(SPLIT_BRAIN)
    records = [Record(r.time_ns + n * 60_000_000_000, r.data) for n in range(copies) for r in base]
    path = tmp_path / "big.pcap"
    path.write_bytes(pcap_bytes(records))
    return path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


# -- write errors ------------------------------------------------------------------------------------


@needs_full
@pytest.mark.parametrize(
    "args",
    [
        ("audit", "-f", "json", "-o", str(FULL)),
        ("audit", "-f", "junit", "-o", str(FULL)),
        ("audit", "-o", str(FULL)),
        ("decode", "-o", str(FULL)),
        ("decode", "-f", "jsonl", "-o", str(FULL)),
        ("timeline", "-f", "csv", "-o", str(FULL)),
        ("timeline", "-o", str(FULL)),
        ("report", "-o", str(FULL)),
    ],
    ids=" ".join,
)
def test_a_full_disk_is_an_output_error_not_findings(args: tuple[str, ...]) -> None:
    done = vrrpcap(*args, str(SPLIT_BRAIN))
    assert done.returncode == ExitCode.OUTPUT_FAILED
    assert done.stderr == f"vrrpcap: error: {FULL}: {ENOSPC}\n"


@needs_full
@pytest.mark.parametrize("command", ["audit", "decode", "timeline"])
def test_stdout_on_a_full_disk_names_where_it_points(command: str) -> None:
    done = vrrpcap(command, str(SPLIT_BRAIN), shell_redirect=f"> {FULL}")
    assert done.returncode == ExitCode.OUTPUT_FAILED
    assert done.stderr == f"vrrpcap: error: stdout ({FULL}): {ENOSPC}\n"


def test_an_output_in_a_missing_directory(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "audit.json"
    done = vrrpcap("audit", "-f", "json", "-o", str(target), str(SPLIT_BRAIN))
    assert done.returncode == ExitCode.OUTPUT_FAILED
    assert done.stderr == f"vrrpcap: error: {target}: cannot write (No such file or directory)\n"


# -- a failed run keeps the old file -----------------------------------------------------------------


def _cut_in_header(tmp_path: Path) -> Path:
    path = tmp_path / "cut-header.pcap"
    path.write_bytes(SPLIT_BRAIN.read_bytes()[:10])  # the magic is right, the file header is cut short
    return path


def _bad_section_header(tmp_path: Path) -> Path:
    path = tmp_path / "bad-shb.pcapng"
    # A pcapng section header block whose byte-order magic is neither 0x1A2B3C4D nor its swap.
    path.write_bytes(b"\x0a\x0d\x0d\x0a" + struct.pack("<I", 28) + b"\x11\x22\x33\x44" + bytes(16))
    return path


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "table"])
@pytest.mark.parametrize("broken", [_cut_in_header, _bad_section_header], ids=["pcap-header", "pcapng-shb"])
def test_decode_with_a_bad_header_leaves_the_existing_output(tmp_path: Path, fmt: str, broken: object) -> None:
    capture = broken(tmp_path)  # type: ignore[operator]
    out = tmp_path / "adverts.out"
    out.write_text("yesterday's adverts\n")
    done = vrrpcap("decode", "-f", fmt, "-o", str(out), str(capture))
    assert done.returncode == ExitCode.NOT_A_CAPTURE and done.stderr.startswith(f"vrrpcap: error: {capture}: ")
    assert out.read_text() == "yesterday's adverts\n"
    assert leftovers(tmp_path) == []
    # Nor does anything reach stdout before the header is known to be good (was `{"adverts": [`).
    assert vrrpcap("decode", "-f", fmt, str(capture)).stdout == ""


def writing(folder: Path, out: Path) -> bool:
    """decode has opened its output: a temporary file exists, or the old file was already touched."""
    return bool(leftovers(folder)) or out.read_text() != "yesterday's adverts\n"


def test_an_interrupted_decode_leaves_the_existing_output(tmp_path: Path) -> None:
    out = tmp_path / "adverts.jsonl"
    out.write_text("yesterday's adverts\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "vrrpcap", "decode", "-f", "jsonl", "-o", str(out), "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    try:
        process.stdin.write(pcap_bytes(lab_records(SPLIT_BRAIN)[:3]))  # stdin stays open: more may come
        process.stdin.flush()
        deadline = time.monotonic() + 30
        while not writing(tmp_path, out) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert writing(tmp_path, out), "decode never started writing"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait(timeout=30)
    assert process.returncode == ExitCode.INTERRUPTED, err
    assert b"Traceback" not in err
    assert out.read_text() == "yesterday's adverts\n"
    assert leftovers(tmp_path) == []


def test_a_good_run_replaces_the_file_keeping_its_mode_and_links(tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    out.write_text("old\n")
    out.chmod(0o640)
    link = tmp_path / "latest.json"
    link.symlink_to(out.name)
    done = vrrpcap("audit", "-f", "json", "-o", str(link), str(SPLIT_BRAIN))
    assert done.returncode == ExitCode.FINDINGS, done.stderr
    assert link.is_symlink() and os.readlink(link) == out.name
    report = json.loads(out.read_text())
    assert [f["code"] for f in report["findings"] if f["severity"] == "error"] == ["VRRP-SPLIT-BRAIN"]
    assert out.stat().st_mode & 0o777 == 0o640
    assert leftovers(tmp_path) == []


def test_a_damaged_capture_still_writes_what_came_before_the_damage(tmp_path: Path) -> None:
    data = SPLIT_BRAIN.read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[: len(data) // 2 + 5])
    out = tmp_path / "adverts.jsonl"
    out.write_text("old\n")
    done = vrrpcap("decode", "-f", "jsonl", "-o", str(out), str(cut))
    assert done.returncode == ExitCode.DAMAGED_CAPTURE
    frames = [json.loads(line)["frame"] for line in out.read_text().splitlines()]
    assert frames == list(range(1, len(frames) + 1)) and 10 < len(frames) < 20


# -- an output that is an input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("decode", "-o"),
        ("decode", "-f", "csv", "-o"),
        ("audit", "-f", "json", "-o"),
        ("timeline", "-o"),
        ("report", "-o"),
    ],
    ids=" ".join,
)
def test_an_output_that_is_an_input_is_refused(tmp_path: Path, command: tuple[str, ...]) -> None:
    capture = tmp_path / "lab.pcap"
    capture.write_bytes(SPLIT_BRAIN.read_bytes())
    alias = tmp_path / "alias.pcap"
    alias.symlink_to(capture.name)
    hard = tmp_path / "hard.pcap"
    hard.hardlink_to(capture)
    for output in (capture, alias, hard):
        done = vrrpcap(*command, str(output), str(STEADY), str(capture))
        assert done.returncode == ExitCode.USAGE
        assert "refusing to overwrite" in done.stderr and "--output" in done.stderr
        assert capture.read_bytes() == SPLIT_BRAIN.read_bytes()


def test_a_plot_over_an_input_is_refused(tmp_path: Path) -> None:
    capture = tmp_path / "lab.png"  # a capture may be called anything
    capture.write_bytes(SPLIT_BRAIN.read_bytes())
    done = vrrpcap("timeline", "--plot", str(capture), str(capture))
    assert done.returncode == ExitCode.USAGE and "--plot" in done.stderr
    assert capture.read_bytes() == SPLIT_BRAIN.read_bytes()


# -- pipes and closed streams --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "jsonl", "csv", "json"])
def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path: Path, fmt: str) -> None:
    """`vrrpcap decode big.pcap | head -1`: exit 141 (128 + SIGPIPE) as a Unix tool, no message."""
    capture = big_capture(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "vrrpcap", "decode", "-f", fmt, str(capture)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    try:
        first = process.stdout.readline()
        process.stdout.close()  # as head does after its line
        err = process.stderr.read()
        process.wait(timeout=60)
    finally:
        process.kill()
        process.wait(timeout=30)
    assert first
    assert process.returncode == ExitCode.BROKEN_PIPE
    assert err == b""


def test_the_big_capture_is_real_traffic(tmp_path: Path) -> None:
    """The broken-pipe test's input decodes whole when nobody leaves (so its 141 is the pipe's doing)."""
    done = vrrpcap("decode", "-f", "jsonl", str(big_capture(tmp_path, copies=20)))
    assert done.returncode == ExitCode.OK
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(records) == 20 * len(lab_records(SPLIT_BRAIN))
    assert {r["src"] for r in records} == {"192.0.2.1", "192.0.2.2"}


def test_a_closed_stdout_is_an_output_error(tmp_path: Path) -> None:
    done = vrrpcap("audit", str(SPLIT_BRAIN), shell_redirect=">&-")
    assert done.returncode == ExitCode.OUTPUT_FAILED
    assert done.stderr == "vrrpcap: error: stdout: cannot write (Bad file descriptor)\n"
    # Writing to a file does not need stdout: the gate works.
    out = tmp_path / "audit.json"
    done = vrrpcap("audit", "-f", "json", "-o", str(out), str(SPLIT_BRAIN), shell_redirect=">&-")
    assert done.returncode == ExitCode.FINDINGS and json.loads(out.read_text())["summary"]["virtual_routers"] == 1


@pytest.mark.parametrize("redirect", ["2>&-", "2>/dev/full"])
def test_a_closed_or_full_stderr_changes_no_exit_code(tmp_path: Path, redirect: str) -> None:
    if "full" in redirect and not FULL.exists():
        pytest.skip("/dev/full is absent")
    steady = vrrpcap("audit", "-f", "json", str(STEADY), shell_redirect=redirect)
    assert steady.returncode == ExitCode.OK and json.loads(steady.stdout)["summary"]["virtual_routers"] == 1
    assert vrrpcap("audit", str(SPLIT_BRAIN), shell_redirect=redirect).returncode == ExitCode.FINDINGS
    assert vrrpcap("audit", "--vrid", "300", str(STEADY), shell_redirect=redirect).returncode == ExitCode.USAGE
    data = SPLIT_BRAIN.read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[: len(data) // 2 + 5])  # a warning to print, where there is no stderr
    damaged = vrrpcap("decode", "-f", "jsonl", str(cut), shell_redirect=redirect)
    assert damaged.returncode == ExitCode.DAMAGED_CAPTURE and damaged.stdout.count("\n") > 10
    missing = vrrpcap("decode", str(tmp_path / "missing.pcap"), shell_redirect=redirect)
    assert missing.returncode == ExitCode.INPUT_UNAVAILABLE


def test_a_closed_stdin_is_an_empty_input() -> None:
    done = vrrpcap("decode", "-", shell_redirect="<&-")
    assert done.returncode == ExitCode.NOT_A_CAPTURE
    assert done.stderr == "vrrpcap: error: <stdin>: empty file, not a capture\n"
