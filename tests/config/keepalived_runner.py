"""Run keepalived on configurations in network namespaces and collect its own view of them.

One :class:`Probe` is one keepalived.conf (plus files it includes) on one lab router. All probes
of a call run at once in one lab (lab.netns: per-run random prefix, teardown of only what the run
made). keepalived gets ``TMPDIR`` set to a directory of its own, so the JSON and DATA dumps it
writes on signal (``/tmp/keepalived.json`` by default) cannot collide with anyone else's.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lab.keepalived import NOTIFY_SCRIPT, Instance, TrackFile, render_config
from lab.netns import Lab, Router, which

NO_CONFIG_ID = "vrrpcap-no-id"  # keepalived defaults -i to the host name; this matches no @line


def signal_number(name: str) -> int:
    out = subprocess.run(["keepalived", f"--signum={name}"], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def keepalived_available() -> str | None:
    """Why keepalived cannot be run here, or None (installs it with apt-get as root)."""
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    if which("keepalived") is None and shutil.which("apt-get"):
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "keepalived", "iproute2"],
            capture_output=True,
            check=False,
            timeout=600,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    if which("keepalived") is None:
        return "keepalived is not installed and apt-get could not install it"
    if which("ip") is None:
        return "iproute2 is not installed"
    return None


@dataclass
class Probe:
    """A configuration to run: ``render`` writes it for the router (files go in ``workdir``)."""

    label: str
    render: Callable[[Router, Path], str]
    config_id: str | None = None
    router: str | None = None  # the lab router to run on (default: one of its own)
    settle: float = 2.5  # seconds for track scripts to have run (rise/fall) before dumping


@dataclass
class ProbeResult:
    probe: Probe
    conf: Path
    json_text: str
    data_text: str
    log: str
    # Dumped right after start-up, before any instance can have timed out into MASTER: the only
    # time keepalived's "wantstate" is still the configured initial state.
    early_json_text: str = ""


@dataclass
class _Running:
    probe: Probe
    router: Router
    workdir: Path
    conf: Path
    tmp: Path
    proc: subprocess.Popen[bytes] | None = None
    fifo_fd: int | None = field(default=None)


def lab_renderer(instances: list[Instance], scripts: dict[str, TrackFile]) -> Callable[[Router, Path], str]:
    """The lab's own keepalived.conf for these instances (lab/keepalived.py), with the notify
    script, FIFO and track flag files it refers to."""

    def render(router: Router, workdir: Path) -> str:
        notify = workdir / f"notify-{router.name}.sh"
        notify.write_text(
            NOTIFY_SCRIPT.format(router=shlex.quote(router.name), log=shlex.quote(str(workdir / "n.log")))
        )
        notify.chmod(0o700)
        for script in scripts.values():
            (workdir / f"{script.name}.ok").touch()
        return render_config(router, instances, scripts, workdir, notify, workdir / "notify.fifo")

    return render


def private_dir() -> Path:
    """A directory only root can write, on a path without world-writable parts (/run): keepalived's
    script security refuses scripts below /tmp."""
    return Path(tempfile.mkdtemp(prefix="vrrpcap-cfgdiff-", dir="/run" if os.access("/run", os.W_OK) else None))


def run_probes(probes: Sequence[Probe], base: Path, routers: Sequence[str] = ()) -> list[ProbeResult]:
    """Run every probe at once in one lab of ``routers`` (default: one router per probe, k0..);
    the configurations stay in ``base`` (the caller removes it)."""
    names = list(routers) or [f"k{i}" for i in range(len(probes))]
    placed = [probe.router or names[i] for i, probe in enumerate(probes)]
    json_sig, data_sig = signal_number("JSON"), signal_number("DATA")
    with Lab(names) as lab:
        running = [_prepare(lab.routers[name], probe, base) for name, probe in zip(placed, probes, strict=True)]
        try:
            for run in running:
                _start(lab, run)
            for run in running:
                _wait_started(run)
            early = [_dump_json(run, json_sig) for run in running]
            time.sleep(max(probe.settle for probe in probes))
            results = [_collect(run, json_sig, data_sig) for run in running]
            for result, text in zip(results, early, strict=True):
                result.early_json_text = text
            return results
        finally:
            for run in running:
                if run.fifo_fd is not None:
                    os.close(run.fifo_fd)


def _prepare(router: Router, probe: Probe, base: Path) -> _Running:
    workdir = base / router.ns
    workdir.mkdir(mode=0o700)
    tmp = workdir / "tmp"
    tmp.mkdir(mode=0o700)
    conf = workdir / "keepalived.conf"
    conf.write_text(probe.render(router, workdir))
    run = _Running(probe, router, workdir, conf, tmp)
    fifo = workdir / "notify.fifo"
    if not fifo.exists():
        os.mkfifo(fifo, 0o600)
    # A reader that never reads: keepalived may write its notify FIFO without blocking.
    run.fifo_fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    return run


def _start(lab: Lab, run: _Running) -> None:
    argv = [
        "env",
        f"TMPDIR={run.tmp}",
        "keepalived",
        "--dont-fork",
        "--log-console",
        "--log-detail",
        "--no-syslog",
        "--vrrp",
        f"--use-file={run.conf}",
        f"--pid={run.workdir / 'parent.pid'}",
        f"--vrrp_pid={run.workdir / 'vrrp.pid'}",
        f"--checkers_pid={run.workdir / 'checkers.pid'}",
        f"--bfd_pid={run.workdir / 'bfd.pid'}",
        f"--config-id={run.probe.config_id or NO_CONFIG_ID}",
    ]
    log = (run.workdir / "keepalived.log").open("ab")
    try:
        run.proc = lab.popen(run.router.ns, argv, stdout=log, stderr=log)
    finally:
        log.close()


def _wait_started(run: _Running, timeout: float = 20.0) -> None:
    """Until the VRRP child logs "Startup complete" (its signal handlers are set then)."""
    log = run.workdir / "keepalived.log"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and "Startup complete" in log.read_text(errors="replace"):
            return
        if run.proc is not None and run.proc.poll() is not None:
            return  # keepalived gave up on the configuration; its log says why
        if (run.workdir / "vrrp.pid").exists() and not _vrrp_child_alive(run):
            return
        time.sleep(0.05)


def _dump_json(run: _Running, json_sig: int, timeout: float = 5.0) -> str:
    pid_file = run.workdir / "parent.pid"
    path = run.tmp / "keepalived.json"
    if run.proc is None or run.proc.poll() is not None or not pid_file.exists() or not _vrrp_child_alive(run):
        return ""
    os.kill(int(pid_file.read_text().strip()), json_sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not path.exists():
        time.sleep(0.02)
    _settle_size(path)
    text = path.read_text() if path.exists() else ""
    path.unlink(missing_ok=True)
    return text


def _collect(run: _Running, json_sig: int, data_sig: int, timeout: float = 10.0) -> ProbeResult:
    log_path = run.workdir / "keepalived.log"
    pid_file = run.workdir / "parent.pid"
    json_path, data_path = run.tmp / "keepalived.json", run.tmp / "keepalived.data"
    if run.proc is not None and run.proc.poll() is None and pid_file.exists() and _vrrp_child_alive(run):
        pid = int(pid_file.read_text().strip())
        os.kill(pid, json_sig)
        os.kill(pid, data_sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not (json_path.exists() and data_path.exists()):
            time.sleep(0.05)
        _settle_size(json_path)
        _settle_size(data_path)
    if run.proc is not None and run.proc.poll() is None:
        run.proc.send_signal(signal.SIGTERM)
    return ProbeResult(
        probe=run.probe,
        conf=run.conf,
        json_text=json_path.read_text() if json_path.exists() else "",
        data_text=data_path.read_text() if data_path.exists() else "",
        log=log_path.read_text(errors="replace") if log_path.exists() else "",
    )


def _vrrp_child_alive(run: _Running) -> bool:
    """keepalived's VRRP child exits when it refuses the configuration (the parent may stay)."""
    try:
        return Path("/proc", (run.workdir / "vrrp.pid").read_text().strip()).exists()
    except (OSError, ValueError):
        return False


def _settle_size(path: Path, timeout: float = 10.0) -> None:
    """Wait until keepalived has finished writing ``path``: its size unchanged for 0.2 s and, for the
    JSON dump, the text whole. keepalived writes in chunks (20 KiB seen cut off on a loaded machine)."""
    deadline = time.monotonic() + timeout
    last, stable = -1, 0
    while time.monotonic() < deadline:
        size = path.stat().st_size if path.exists() else -1
        stable = stable + 1 if size == last and size > 0 else 0
        if stable >= 4 and (path.suffix != ".json" or _whole_json(path)):
            return
        last = size
        time.sleep(0.05)


def _whole_json(path: Path) -> bool:
    try:
        json.loads(path.read_text())
    except ValueError:
        return False
    return True
