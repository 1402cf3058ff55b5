"""keepalived for the lab: configuration rendering and one daemon per router namespace.

Each daemon gets its own config, pid files, log and notify script in the run's temp dir, and
runs in the foreground (``-n``) under ``ip netns exec``. keepalived 2.2 refuses to run scripts
as root unless ``enable_script_security`` + ``script_user root`` are set and no part of the
script's path is writable by another user: the run dir lives in /run (root, 0755) and is 0700.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import shlex
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from lab.netns import Lab, LabError, Router, which


@dataclass(frozen=True)
class TrackFile:
    """A ``vrrp_script`` that succeeds while ``<rundir>/<name>.ok`` exists.

    Without ``weight`` a failure puts the instance in FAULT; with it, the weight is added to
    the priority while the check fails (negative lowers it).
    """

    name: str
    weight: int | None = None
    interval_s: int = 1


@dataclass(frozen=True)
class Instance:
    """One keepalived ``vrrp_instance`` on one router."""

    name: str
    vrid: int
    priority: int
    vips: tuple[str, ...]
    version: int = 2
    family: str = "ipv4"
    interval_s: float = 1.0
    delivery: str = "multicast"
    unicast_src: str | None = None
    unicast_peers: tuple[str, ...] = ()
    unicast_ttl: int | None = None  # keepalived default: 255 for IPv4, the kernel's (64) for IPv6
    auth_type: str | None = None  # "PASS" or "AH" (VRRPv2 only)
    auth_pass: str | None = None
    nopreempt: bool = False
    preempt_delay: float | None = None  # seconds; keepalived adds it to the backup's down timer
    track: tuple[str, ...] = ()  # names of TrackFile scripts
    state: str = "BACKUP"
    # Known keepalived behaviour: MASTER by its notify log, yet silent on the wire after its first
    # advert (see v2-interval-mismatch). Timeline checks cannot see such a mastership.
    silent_on_wire: bool = False
    # The wire shows this master's adverts with gaps, so its mastership may show as several runs:
    # keepalived re-arms a MASTER's advert timer on every packet of its VRID, even rejected ones
    # (another cluster's, CARP's), or the capture itself loses adverts (v2-capture-loss).
    wire_gaps: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.vrid <= 255:
            raise ValueError(f"{self.name}: VRID {self.vrid} out of range")
        if self.family not in ("ipv4", "ipv6"):
            raise ValueError(f"{self.name}: family {self.family}")
        if self.version == 2 and self.family != "ipv4":
            raise ValueError(f"{self.name}: VRRPv2 is IPv4 only")
        if self.delivery not in ("multicast", "unicast"):
            raise ValueError(f"{self.name}: delivery {self.delivery}")
        if (self.delivery == "unicast") != bool(self.unicast_peers):
            raise ValueError(f"{self.name}: unicast needs peers, multicast none")
        if self.auth_type not in (None, "PASS", "AH"):
            raise ValueError(f"{self.name}: auth_type {self.auth_type}")

    def source(self, router: Router) -> str | None:
        """The ``unicast_src_ip`` keepalived uses (the router's own address), or None."""
        if self.delivery != "unicast":
            return None
        if self.unicast_src:
            return self.unicast_src
        return router.ipv4 if self.family == "ipv4" else router.ipv6

    def to_json(self, router: Router, scripts: dict[str, TrackFile]) -> dict[str, object]:
        return {
            "router": router.name,
            "implementation": "keepalived",
            "name": self.name,
            "vrid": self.vrid,
            "version": self.version,
            "family": self.family,
            "priority": self.priority,
            "interval_s": self.interval_s,
            "delivery": self.delivery,
            "unicast_src_ip": self.source(router),
            "unicast_peers": list(self.unicast_peers),
            "unicast_ttl": self.unicast_ttl,
            "vips": list(self.vips),
            "auth_type": self.auth_type,
            "auth_pass": self.auth_pass,
            "nopreempt": self.nopreempt,
            "preempt_delay_s": self.preempt_delay,
            "silent_on_wire": self.silent_on_wire,
            "wire_gaps": self.wire_gaps,
            "initial_state": self.state,
            "track_scripts": [{"name": name, "weight": scripts[name].weight} for name in self.track],
        }


def keepalived_version() -> str:
    """``2.2.7`` or the like, from ``keepalived --version``."""
    exe = which("keepalived")
    if exe is None:
        return "not installed"
    proc = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False, shell=False)
    match = re.search(r"Keepalived v(\S+)", proc.stdout + proc.stderr)
    return match.group(1) if match else "unknown"


def _q(text: str) -> str:
    """A double-quoted keepalived config string (our own values; refuse anything odd)."""
    if '"' in text or "\n" in text:
        raise LabError(f"unsafe config string {text!r}")
    return f'"{text}"'


NOTIFY_SCRIPT = """#!/bin/sh
# keepalived notify: $1 = INSTANCE|GROUP, $2 = name, $3 = state, $4 = priority
printf '%s %s %s %s %s\\n' "$(date +%s.%N)" {router} "$2" "$3" "$4" >> {log}
"""


def render_config(
    router: Router,
    instances: list[Instance],
    scripts: dict[str, TrackFile],
    rundir: Path,
    notify: Path,
    fifo: Path,
) -> str:
    """The keepalived.conf text for ``router``."""
    lines = [
        "global_defs {",
        f"    router_id {router.name}",
        "    enable_script_security",
        "    script_user root",
        f"    vrrp_notify_fifo {_q(str(fifo))}",
        "    vrrp_notify_priority_changes",
        "}",
    ]
    for script in scripts.values():
        test = f"/usr/bin/test -e {rundir / (script.name + '.ok')}"
        lines += [
            f"vrrp_script {script.name} {{",
            f"    script {_q(test)}",
            f"    interval {script.interval_s}",
            "    fall 1",
            "    rise 1",
        ]
        if script.weight is not None:
            lines.append(f"    weight {script.weight}")
        lines.append("}")
    for inst in instances:
        interval = f"{inst.interval_s:g}"
        lines += [
            f"vrrp_instance {inst.name} {{",
            f"    state {inst.state}",
            f"    interface {router.ifname}",
            f"    virtual_router_id {inst.vrid}",
            f"    priority {inst.priority}",
            f"    advert_int {interval}",
            f"    version {inst.version}",
        ]
        if inst.nopreempt:
            lines.append("    nopreempt")
        if inst.preempt_delay is not None:
            lines.append(f"    preempt_delay {inst.preempt_delay:g}")
        if inst.delivery == "unicast":
            lines.append(f"    unicast_src_ip {inst.source(router)}")
            lines.append("    unicast_peer {")
            lines += [f"        {peer}" for peer in inst.unicast_peers]
            lines.append("    }")
            if inst.unicast_ttl is not None:
                lines.append(f"    unicast_ttl {inst.unicast_ttl}")
        if inst.auth_type:
            lines += [
                "    authentication {",
                f"        auth_type {inst.auth_type}",
                f"        auth_pass {inst.auth_pass or 'lab'}",
                "    }",
            ]
        lines.append("    virtual_ipaddress {")
        plen = 24 if inst.family == "ipv4" else 64
        lines += [f"        {vip}/{plen}" for vip in inst.vips]
        lines.append("    }")
        if inst.track:
            lines.append("    track_script {")
            lines += [f"        {name}" for name in inst.track]
            lines.append("    }")
        lines.append(f"    notify {_q(str(notify))}")
        lines.append("}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class KeepalivedFiles:
    """Where the daemon of router ``name`` keeps its files in the run dir: they follow from
    the run dir and the router's name alone, so configs and command lines can be rendered
    again without running anything (``lab.configs``)."""

    rundir: Path
    name: str

    @property
    def conf(self) -> Path:
        return self.rundir / f"{self.name}.conf"

    @property
    def fifo(self) -> Path:
        return self.rundir / f"{self.name}.fifo"

    @property
    def notify(self) -> Path:
        return self.rundir / f"notify-{self.name}.sh"

    @property
    def log(self) -> Path:
        return self.rundir / f"{self.name}.log"

    def pidfile(self, kind: str = "") -> Path:
        return self.rundir / f"{self.name}{'.' + kind if kind else ''}.pid"

    def argv(self) -> list[str]:
        return [
            "keepalived",
            "--dont-fork",
            "--log-console",
            "--log-detail",
            "--no-syslog",
            "--vrrp",
            f"--use-file={self.conf}",
            f"--pid={self.pidfile()}",
            f"--vrrp_pid={self.pidfile('vrrp')}",
            f"--checkers_pid={self.pidfile('checkers')}",
            f"--bfd_pid={self.pidfile('bfd')}",
        ]


def keepalived_config(
    router: Router, instances: list[Instance], scripts: dict[str, TrackFile], files: KeepalivedFiles
) -> str:
    """The keepalived.conf of ``router`` as the lab runs it."""
    return render_config(router, instances, scripts, files.rundir, files.notify, files.fifo)


@dataclass
class Keepalived:
    """One keepalived daemon in one router namespace."""

    lab: Lab
    router: Router
    instances: list[Instance]
    rundir: Path
    notify_log: Path
    fifo: Path
    scripts: dict[str, TrackFile] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def __post_init__(self) -> None:
        self.files = KeepalivedFiles(self.rundir, self.router.name)
        if self.fifo != self.files.fifo:
            raise LabError(f"{self.router.name}: notify FIFO {self.fifo} is not {self.files.fifo}")
        self.conf = self.files.conf
        self.pidfile = self.files.pidfile()
        self.vrrp_pidfile = self.files.pidfile("vrrp")
        self.log = self.files.log
        self.notify = self.files.notify
        self.notify.write_text(
            NOTIFY_SCRIPT.format(router=shlex.quote(self.router.name), log=shlex.quote(str(self.notify_log)))
        )
        self.notify.chmod(0o700)
        for script in self.scripts.values():
            self.set_track(script.name, ok=True)
        self.conf.write_text(keepalived_config(self.router, self.instances, self.scripts, self.files))

    def set_track(self, name: str, *, ok: bool) -> None:
        """Make track script ``name`` pass (``ok``) or fail."""
        flag = self.rundir / f"{name}.ok"
        if ok:
            flag.touch()
        else:
            flag.unlink(missing_ok=True)

    def argv(self) -> list[str]:
        return self.files.argv()

    def start(self) -> None:
        if self.running():
            raise LabError(f"keepalived on {self.router.name} already running")
        for pidfile in (self.pidfile, self.vrrp_pidfile):
            pidfile.unlink(missing_ok=True)
        log = self.log.open("ab")
        try:
            self.proc = self.lab.popen(self.router.ns, self.argv(), stdout=log, stderr=log)
        finally:
            log.close()
        self.starts += 1

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, timeout: float = 10.0) -> int:
        """The pid of the VRRP child process, once it has written its pid file."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                text = self.vrrp_pidfile.read_text().strip()
                if text:
                    return int(text)
            except FileNotFoundError:
                pass
            if not self.running():
                break
            time.sleep(0.05)
        raise LabError(f"keepalived on {self.router.name} has no VRRP child; see {self.log}")

    def stop(self, timeout: float = 10.0) -> None:
        """Graceful stop: SIGTERM (keepalived sends priority 0 for the instances it masters)."""
        if self.proc is None or not self.running():
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """Crash: SIGKILL the whole process group at once (parent and VRRP child together,
        so the child never gets to say goodbye)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


FIFO_LINE = re.compile(r'^(INSTANCE|GROUP) "([^"]*)" (\S+) (-?\d+)$')


@dataclass(frozen=True)
class Event:
    """One line keepalived wrote to its notify FIFO, stamped when the lab read it."""

    time: float
    router: str
    kind: str  # INSTANCE or GROUP
    instance: str
    state: str  # MASTER BACKUP FAULT STOP DELETED, or an event: MASTER_PRIORITY ...
    priority: int


class FifoReader:
    """Reads a keepalived ``vrrp_notify_fifo`` in a thread; keepalived writes each state
    change (and, with ``vrrp_notify_priority_changes``, each priority change) there in order,
    unlike notify scripts, which run concurrently and can finish out of order."""

    def __init__(self, path: Path, router: str, sink: list[Event], lock: threading.Lock) -> None:
        self.path = path
        self.router = router
        self.sink = sink
        self.lock = lock
        os.mkfifo(path, 0o600)
        # O_RDWR: we are a writer too, so reads never see EOF when keepalived restarts.
        self.fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"fifo-{router}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        pending = b""
        while not self.stopping.is_set():
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except BlockingIOError:
                continue
            now = time.time()
            pending += chunk
            *lines, pending = pending.split(b"\n")
            events = []
            for raw in lines:
                match = FIFO_LINE.match(raw.decode(errors="replace").strip())
                if match:
                    kind, name, state, prio = match.groups()
                    events.append(Event(now, self.router, kind, name, state, int(prio)))
            with self.lock:
                self.sink.extend(events)

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=2)
        os.close(self.fd)
