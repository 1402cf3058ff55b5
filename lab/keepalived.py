"""keepalived for the lab: configuration rendering and one daemon per router namespace.

Each daemon gets its own config, pid files, log and notify script in the run's temp dir, and
runs in the foreground (``-n``) under ``ip netns exec``. keepalived 2.2 refuses to run scripts
as root unless ``enable_script_security`` + ``script_user root`` are set and no part of the
script's path is writable by another user: the run dir lives in /run (root, 0755) and is 0700.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from lab.netns import Lab, LabError, Router, run


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
    auth_type: str | None = None  # "PASS" or "AH" (VRRPv2 only)
    auth_pass: str | None = None
    nopreempt: bool = False
    track: tuple[str, ...] = ()  # names of TrackFile scripts
    state: str = "BACKUP"

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

    def to_json(self, router: str, scripts: dict[str, TrackFile]) -> dict[str, object]:
        return {
            "router": router,
            "name": self.name,
            "vrid": self.vrid,
            "version": self.version,
            "family": self.family,
            "priority": self.priority,
            "interval_s": self.interval_s,
            "delivery": self.delivery,
            "unicast_src_ip": self.unicast_src,
            "unicast_peers": list(self.unicast_peers),
            "vips": list(self.vips),
            "auth_type": self.auth_type,
            "auth_pass": self.auth_pass,
            "nopreempt": self.nopreempt,
            "initial_state": self.state,
            "track_scripts": [
                {"name": name, "weight": scripts[name].weight} for name in self.track
            ],
        }


def keepalived_version() -> str:
    """``2.2.7`` or the like, from ``keepalived --version``."""
    proc = subprocess.run(
        ["keepalived", "--version"], capture_output=True, text=True, check=False, shell=False
    )
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
) -> str:
    """The keepalived.conf text for ``router``."""
    lines = [
        "global_defs {",
        f"    router_id {router.name}",
        "    enable_script_security",
        "    script_user root",
        "    vrrp_garp_master_delay 0",
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
        if inst.delivery == "unicast":
            src = inst.unicast_src or (router.ipv4 if inst.family == "ipv4" else router.ipv6)
            lines.append(f"    unicast_src_ip {src}")
            lines.append("    unicast_peer {")
            lines += [f"        {peer}" for peer in inst.unicast_peers]
            lines.append("    }")
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


@dataclass
class Keepalived:
    """One keepalived daemon in one router namespace."""

    lab: Lab
    router: Router
    instances: list[Instance]
    rundir: Path
    notify_log: Path
    scripts: dict[str, TrackFile] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def __post_init__(self) -> None:
        base = self.rundir / self.router.name
        self.conf = base.with_suffix(".conf")
        self.pidfile = base.with_suffix(".pid")
        self.vrrp_pidfile = base.with_suffix(".vrrp.pid")
        self.checkers_pidfile = base.with_suffix(".checkers.pid")
        self.bfd_pidfile = base.with_suffix(".bfd.pid")
        self.log = base.with_suffix(".log")
        self.notify = self.rundir / f"notify-{self.router.name}.sh"
        self.notify.write_text(
            NOTIFY_SCRIPT.format(
                router=shlex.quote(self.router.name), log=shlex.quote(str(self.notify_log))
            )
        )
        self.notify.chmod(0o700)
        for script in self.scripts.values():
            self.set_track(script.name, ok=True)
        self.conf.write_text(
            render_config(self.router, self.instances, self.scripts, self.rundir, self.notify)
        )

    def set_track(self, name: str, *, ok: bool) -> None:
        """Make track script ``name`` pass (``ok``) or fail."""
        flag = self.rundir / f"{name}.ok"
        if ok:
            flag.touch()
        else:
            flag.unlink(missing_ok=True)

    def argv(self) -> list[str]:
        return [
            "keepalived",
            "--dont-fork",
            "--log-console",
            "--log-detail",
            "--no-syslog",
            "--vrrp",
            f"--use-file={self.conf}",
            f"--pid={self.pidfile}",
            f"--vrrp_pid={self.vrrp_pidfile}",
            f"--checkers_pid={self.checkers_pidfile}",
            f"--bfd_pid={self.bfd_pidfile}",
        ]

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

    def wait_vrrp_child(self, timeout: float = 10.0) -> int:
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
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)

    def config_test(self) -> None:
        """``keepalived --config-test``: raise on configuration errors."""
        out = run(
            self.router.argv(["keepalived", "--config-test", f"--use-file={self.conf}"]),
            check=False,
        )
        del out
