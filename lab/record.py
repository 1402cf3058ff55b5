"""Record lab scenarios: ``python -m lab.record [--list] [SCENARIO...] [--out pcaps/]``.

Needs root, keepalived and tcpdump. With several scenarios, ``--jobs N`` records up to N at
once, each in its own child process and its own prefixed namespaces; heavy scenarios run alone.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from lab.frr import frr_available
from lab.netns import LabError, which
from lab.runner import record
from lab.scenarios import SCENARIOS


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _check_env() -> str | None:
    if os.geteuid() != 0:
        return "the lab needs root (network namespaces, tcpdump)"
    for tool in ("keepalived", "tcpdump", "ip", "nft"):
        if which(tool) is None:
            return f"{tool} is not installed (apt-get install -y {tool})"
    return None


def _record_one(name: str, out: Path, keep: bool, attempts: int = 3) -> int:
    """Record ``name``; a recording the lab itself doubts (lab_warnings: the machine was too busy,
    chance made the story something else) or that failed on the way is made again, up to
    ``attempts`` times. The last doubtful one is kept, with its warnings, for a person to judge."""
    started = time.monotonic()
    scenario = SCENARIOS[name]
    for attempt in range(1, attempts + 1):
        try:
            truth = record(scenario, out, keep_rundir=keep)
        except LabError as exc:
            if attempt == attempts:
                raise
            print(f"{name}: attempt {attempt} failed ({exc}); again", file=sys.stderr, flush=True)
            continue
        warnings = truth.get("lab_warnings") or []
        if not warnings:
            break
        print(f"{name}: attempt {attempt}: {warnings}", file=sys.stderr, flush=True)
    capture = truth["capture"]
    assert isinstance(capture, dict)
    size = sum((out / file).stat().st_size for file in scenario.capture_files().values())
    print(
        f"{name}: {capture['packets']} packets, {capture['duration_s']} s, {size} bytes"
        f" (took {time.monotonic() - started:.0f} s, {attempt} attempt{'s' if attempt > 1 else ''})",
        flush=True,
    )
    return 1 if truth.get("lab_warnings") else 0


def _record_parallel(names: list[str], out: Path, jobs: int, keep: bool) -> int:
    """One child process per scenario, at most ``jobs`` at a time, heavy ones alone."""
    light = [n for n in names if not SCENARIOS[n].heavy]
    heavy = [n for n in names if SCENARIOS[n].heavy]
    failed: list[str] = []
    running: dict[str, subprocess.Popen[bytes]] = {}

    def reap(block: bool) -> None:
        while running:
            for name, proc in list(running.items()):
                if proc.poll() is not None:
                    if proc.returncode != 0:
                        failed.append(name)
                    del running[name]
            if not block or not running:
                return
            time.sleep(0.2)

    try:
        for batch, limit in ((light, jobs), (heavy, 1)):
            for name in batch:
                while len(running) >= limit:
                    reap(block=False)
                    time.sleep(0.2)
                cmd = [sys.executable, "-m", "lab.record", name, "--out", str(out)]
                if keep:
                    cmd.append("--keep-rundir")
                running[name] = subprocess.Popen(cmd, shell=False)
            reap(block=True)
    except KeyboardInterrupt:
        # The children may have got the terminal's SIGINT too (same process group); tell them
        # anyway, then wait for them to tear down their namespaces.
        for proc in running.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in running.values():
            proc.wait()
        raise
    if failed:
        print(f"failed: {' '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.record", description=__doc__)
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="default: all")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--out", type=Path, default=Path("pcaps"), help="default: pcaps/")
    parser.add_argument("--jobs", "-j", type=int, default=2, help="parallel recordings")
    parser.add_argument(
        "--keep-rundir",
        action="store_true",
        help="keep the run dir (keepalived configs and logs, notify log) for debugging",
    )
    args = parser.parse_args(argv)

    if args.list:
        for sc in SCENARIOS.values():
            heavy = " [heavy]" if sc.heavy else ""
            print(f"{sc.name}{heavy}\n    {sc.description}")
        return 0
    unknown = [n for n in args.scenarios if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s): {' '.join(unknown)}; see --list")
    problem = _check_env()
    if problem:
        print(f"lab.record: {problem}", file=sys.stderr)
        return 2
    # Ctrl-C and SIGTERM both unwind through the labs' teardown (also when started from a
    # non-interactive shell's background job, where SIGINT would be inherited as ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminate)
    names = args.scenarios or list(SCENARIOS)
    no_ucarp = None if which("ucarp") else "ucarp is not installed (apt-get install -y ucarp)"
    for missing, what in ((frr_available(), "FRR"), (no_ucarp, "ucarp")):
        if not missing:
            continue
        needs = [n for n in names if (SCENARIOS[n].frr if what == "FRR" else SCENARIOS[n].ucarp)]
        if needs and args.scenarios:
            print(f"lab.record: {' '.join(needs)} need {what}: {missing}", file=sys.stderr)
            return 2
        if needs:
            print(f"lab.record: skipping {' '.join(needs)}: {missing}", file=sys.stderr)
            names = [n for n in names if n not in needs]
    try:
        if len(names) == 1:
            return _record_one(names[0], args.out, args.keep_rundir)
        return _record_parallel(names, args.out, max(1, args.jobs), args.keep_rundir)
    except KeyboardInterrupt:
        print("lab.record: interrupted, lab torn down", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
