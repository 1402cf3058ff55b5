"""ucarp (CARP, Debian's ``ucarp`` 1.5.2) in a router namespace, one vhid per daemon.

ucarp has no config file: its command line is its configuration. It calls ``--upscript`` on
becoming MASTER and ``--downscript`` on becoming BACKUP (also at start-up, unless ``--neutral``),
with the interface, the virtual address and ``--xparam`` as arguments, and **waits for the script**
before it goes on (its ``spawn_handler`` forks and ``waitpid``s): the scripts' log is therefore in
ucarp's own order, and the lab's ground truth for CARP. The scripts stamp the time first, then add
or remove the virtual address, as a real deployment does. ucarp's own log lines ("Switching to
state: MASTER", on stderr with microsecond local-time stamps) cross-check them.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from lab.keepalived import Event
from lab.netns import Lab, LabError, Router

SCRIPT = """#!/bin/sh
# ucarp {what}: $1 = interface, $2 = virtual address, $3 = xparam (the instance name)
printf '%s %s %s {state}\\n' "$(date +%s.%N)" {router} "$3" >> {log}
{action}
"""
SCRIPT_LINE = re.compile(r"^(\d+\.\d+) (\S+) (\S+) (MASTER|BACKUP)$")
UCARP_STATE = re.compile(r"Switching to state: (MASTER|BACKUP|INIT)")


@dataclass(frozen=True)
class CarpVhid:
    """One ucarp daemon's virtual host: CARP orders masters by advbase, then advskew (lower wins)."""

    vhid: int
    advskew: int
    vip: str
    advbase: int = 1
    password: str = "carp-lab"
    preempt: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.vhid <= 255 or not 0 <= self.advskew <= 254 or not 1 <= self.advbase <= 255:
            raise ValueError(f"bad CARP parameters {self}")

    @property
    def name(self) -> str:
        return f"vhid{self.vhid}"

    @property
    def interval_s(self) -> float:
        """Seconds between adverts: advbase + advskew / 256."""
        return self.advbase + self.advskew / 256

    def to_json(self, router: Router) -> dict[str, object]:
        return {
            "router": router.name,
            "implementation": "ucarp",
            "name": self.name,
            "vhid": self.vhid,
            "advbase_s": self.advbase,
            "advskew": self.advskew,
            "interval_s": round(self.interval_s, 6),
            "srcip": router.ipv4,
            "vips": [self.vip],
            "password": self.password,
            "preempt": self.preempt,
            "source_mac": f"00:00:5e:00:00:{self.vhid:02x}",
        }


@dataclass(frozen=True)
class UcarpFiles:
    """The files of router ``name``'s ucarp in the run dir, and its command line."""

    rundir: Path
    name: str

    @property
    def upscript(self) -> Path:
        return self.rundir / f"ucarp-up-{self.name}.sh"

    @property
    def downscript(self) -> Path:
        return self.rundir / f"ucarp-down-{self.name}.sh"

    @property
    def script_log(self) -> Path:
        return self.rundir / f"ucarp-{self.name}.scripts.log"

    @property
    def log(self) -> Path:
        return self.rundir / f"ucarp-{self.name}.log"

    def argv(self, router: Router, vhid: CarpVhid) -> list[str]:
        return [
            "ucarp",
            f"--interface={router.ifname}",
            f"--srcip={router.ipv4}",
            f"--vhid={vhid.vhid}",
            f"--pass={vhid.password}",
            f"--addr={vhid.vip}",
            f"--advbase={vhid.advbase}",
            f"--advskew={vhid.advskew}",
            *(["--preempt"] if vhid.preempt else []),
            f"--upscript={self.upscript}",
            f"--downscript={self.downscript}",
            f"--xparam={vhid.name}",
        ]

    def scripts(self, router: Router) -> dict[Path, str]:
        log = shlex.quote(str(self.script_log))
        who = shlex.quote(router.name)
        return {
            self.upscript: SCRIPT.format(
                what="upscript", state="MASTER", router=who, log=log, action='ip addr add "$2"/24 dev "$1"'
            ),
            self.downscript: SCRIPT.format(
                what="downscript",
                state="BACKUP",
                router=who,
                log=log,
                action='ip addr del "$2"/24 dev "$1" 2>/dev/null || true',
            ),
        }


@dataclass
class Ucarp:
    """One ucarp daemon in one router namespace; the runner's daemon interface (start, stop,
    kill, wait_ready, running, starts, instances)."""

    lab: Lab
    router: Router
    vhid: CarpVhid
    rundir: Path
    sink: list[Event]
    lock: threading.Lock
    starts: int = 0
    proc: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.files = UcarpFiles(self.rundir, self.router.name)
        for path, text in self.files.scripts(self.router).items():
            path.write_text(text)
            path.chmod(0o700)
        self.files.script_log.touch()
        self.stopping = threading.Event()
        self.tail = threading.Thread(target=self._follow, name=f"ucarp-{self.router.name}", daemon=True)
        self.tail.start()

    @property
    def instances(self) -> list[CarpVhid]:
        return [self.vhid]

    def argv(self) -> list[str]:
        return self.files.argv(self.router, self.vhid)

    def start(self) -> None:
        if self.running():
            raise LabError(f"ucarp on {self.router.name} already running")
        log = self.files.log.open("ab")
        try:
            self.proc = self.lab.popen(self.router.ns, self.argv(), stdout=log, stderr=log)
        finally:
            log.close()
        self.starts += 1

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, timeout: float = 10.0) -> None:
        """Until ucarp has reported its first state of this start (BACKUP, at start-up)."""
        deadline = time.monotonic() + timeout
        while len(self.states()) < self.starts:
            if not self.running() or time.monotonic() > deadline:
                raise LabError(f"ucarp on {self.router.name} did not start; see {self.files.log}")
            time.sleep(0.05)

    def states(self) -> list[str]:
        """The first state ucarp logged after each start, and every later one (its own log)."""
        text = self.files.log.read_text(errors="replace") if self.files.log.exists() else ""
        return [m.group(1) for m in UCARP_STATE.finditer(text) if m.group(1) != "INIT"]

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM: without ``--shutdown`` ucarp just dies (no script, no last advert)."""
        if self.proc is None or not self.running():
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """Crash: SIGKILL (ucarp is one process; a script it waits for dies with the group)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def _follow(self) -> None:
        offset = 0
        pending = ""
        while not self.stopping.is_set():
            with self.files.script_log.open(encoding="utf-8", errors="replace") as fh:
                fh.seek(offset)
                chunk = fh.read()
                offset = fh.tell()
            pending += chunk
            *lines, pending = pending.split("\n")
            events = []
            for line in lines:
                match = SCRIPT_LINE.match(line.strip())
                if match:
                    when, router, name, state = match.groups()
                    events.append(Event(float(when), router, "INSTANCE", name, state, self.vhid.advskew))
            if events:
                with self.lock:
                    self.sink.extend(events)
            time.sleep(0.02)

    def close(self) -> None:
        self.stopping.set()
        self.tail.join(timeout=2)

    def problems(self, script_states: list[str]) -> list[str]:
        """ucarp's own log against the scripts' log: same states in the same order."""
        own = self.states()
        if own != script_states:
            return [f"ucarp on {self.router.name} logged states {own}, its scripts {script_states}"]
        return []
