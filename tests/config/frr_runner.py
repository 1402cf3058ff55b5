"""Run FRR vrrpd (with its zebra) on configurations in network namespaces and ask it
``show vrrp json``, the way lab/frr.py runs it for the lab (own pid files, zserv socket and vty
socket directory per router, owned by the frr user; no TCP vty)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.frr import FRR_DIR, frr_available
from lab.netns import Lab, Router


def frr_ready() -> str | None:
    """Why FRR vrrpd cannot be run here, or None (installs frr with apt-get as root)."""
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    if frr_available() is not None and shutil.which("apt-get"):
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "frr"],
            capture_output=True,
            check=False,
            timeout=600,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    return frr_available() or (None if shutil.which("vtysh") else "vtysh is not installed")


@dataclass
class FrrProbe:
    label: str
    render: Callable[[Router, Path], str]  # the vrrpd.conf text (the log file path is added)
    router: str | None = None


@dataclass
class FrrResult:
    probe: FrrProbe
    conf: Path
    show: list[dict[str, Any]]
    log: str


def run_frr(probes: Sequence[FrrProbe], base: Path, routers: Sequence[str] = ()) -> list[FrrResult]:
    names = list(routers) or [f"f{i}" for i in range(len(probes))]
    placed = [probe.router or names[i] for i, probe in enumerate(probes)]
    os.chmod(base, 0o711)  # frr must traverse it; still writable by root only
    with Lab(names) as lab:
        dirs = []
        for name, probe in zip(placed, probes, strict=True):
            router = lab.routers[name]
            workdir = base / f"frr-{router.ns}"
            workdir.mkdir(mode=0o750)
            conf = workdir / "vrrpd.conf"
            conf.write_text(f"log file {workdir / 'vrrpd.log'}\n" + probe.render(router, workdir))
            (workdir / "zebra.conf").write_text(f"log file {workdir / 'zebra.log'}\n")
            for path in (workdir, conf, workdir / "zebra.conf"):
                shutil.chown(path, "frr", "frr")
            dirs.append((router, workdir, conf))
        for router, workdir, _ in dirs:
            _daemon(lab, router, workdir, "zebra")
        for _, workdir, _ in dirs:
            _wait(workdir / "zserv.api")
        for router, workdir, _ in dirs:
            _daemon(lab, router, workdir, "vrrpd")
        for _, workdir, _ in dirs:
            _wait(workdir / "vrrpd.pid")
        time.sleep(1.0)  # vrrpd reads its configuration after writing its pid file
        return [
            FrrResult(probe, conf, _show(workdir), _read(workdir / "vrrpd.log") + _read(workdir / "vrrpd.out"))
            for probe, (_, workdir, conf) in zip(probes, dirs, strict=True)
        ]


def _daemon(lab: Lab, router: Router, workdir: Path, daemon: str) -> None:
    out = (workdir / f"{daemon}.out").open("ab")
    try:
        lab.popen(
            router.ns,
            [
                str(FRR_DIR / daemon),
                "-f",
                str(workdir / f"{daemon}.conf"),
                "-i",
                str(workdir / f"{daemon}.pid"),
                "--vty_socket",
                str(workdir),
                "-P",
                "0",
                "-z",
                str(workdir / "zserv.api"),
            ],
            stdout=out,
            stderr=out,
        )
    finally:
        out.close()


def _wait(path: Path, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def _show(workdir: Path) -> list[dict[str, Any]]:
    for _ in range(20):
        proc = subprocess.run(
            ["vtysh", "--vty_socket", str(workdir), "-d", "vrrpd", "-c", "show vrrp json"],
            capture_output=True,
            text=True,
            check=False,
            timeout=20,
        )
        if proc.returncode == 0 and proc.stdout.strip():
            value = json.loads(proc.stdout)
            return value if isinstance(value, list) else [value]
        time.sleep(0.25)
    return []


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""
