"""Running one scenario: lab up, daemons up, capture, the scenario's actions, truth out."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lab.capture import Capture
from lab.faults import LossyMonitor, PathLoss
from lab.frr import Frr, FrrVirtualRouter
from lab.keepalived import Event, FifoReader, Instance, Keepalived, KeepalivedFiles, TrackFile
from lab.netns import Lab, LabError, new_prefix, run, run_dir_path
from lab.ucarp import CarpVhid, Ucarp

NFT_TABLE = "vrrpcap_lab"
STATES = ("INIT", "BACKUP", "MASTER", "FAULT", "STOP", "DELETED")
Daemon = Keepalived | Frr | Ucarp


@dataclass(frozen=True)
class Scenario:
    """What to build and what to do. ``play`` gets a :class:`Run` and tells the story."""

    name: str
    description: str
    routers: tuple[str, ...]
    instances: dict[str, list[Instance]]
    play: Callable[[Run], None]
    expected_findings: tuple[str, ...] = ()
    forbidden_findings: tuple[str, ...] = ()
    scripts: dict[str, dict[str, TrackFile]] = field(default_factory=dict)
    heavy: bool = False  # many daemons/instances: record alone, not in parallel
    notes: str = ""
    frr: dict[str, list[FrrVirtualRouter]] = field(default_factory=dict)  # FRR vrrpd routers
    ucarp: dict[str, CarpVhid] = field(default_factory=dict)  # ucarp (CARP) routers, one vhid each
    # Routers whose own interface is captured too (inside their namespace), beside the bridge.
    vantages: tuple[str, ...] = ()
    # "monitor": the capture is a lossy monitor port (lab.faults.LossyMonitor), the bridge's own
    # capture becomes the reference that says what the monitor lost.
    capture_at: str = "bridge"
    # Called once the recording is over: extra top-level truth keys (e.g. "expect_v2").
    annotate: Callable[[Run, dict[str, object]], dict[str, object]] | None = None

    def capture_files(self) -> dict[str, str]:
        """Capture name -> file name in pcaps/: "main" first."""
        if self.vantages:
            files = {"main": f"{self.name}.bridge.pcap"}
            files.update({router: f"{self.name}.{router}.pcap" for router in self.vantages})
            return files
        if self.capture_at == "monitor":
            return {"main": f"{self.name}.pcap", "reference": f"{self.name}.reference.pcap"}
        return {"main": f"{self.name}.pcap"}


@dataclass(frozen=True)
class Transition:
    time: float
    router: str
    instance: str
    state: str
    priority: int | None

    def to_json(self) -> dict[str, object]:
        return {
            "time": round(self.time, 6),
            "router": self.router,
            "instance": self.instance,
            "state": self.state,
            "priority": self.priority,
        }


def parse_notify_log(text: str) -> list[Transition]:
    """Lines ``epoch router instance state priority`` (written by the notify scripts).

    The scripts run concurrently, so two quick transitions can be logged out of order: the
    lab's ordered record is the notify FIFO; this log only cross-checks that scripts ran."""
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 5:
            continue
        try:
            when = float(parts[0])
        except ValueError:
            continue
        prio = int(parts[4]) if parts[4].lstrip("-").isdigit() else None
        out.append(Transition(when, parts[1], parts[2], parts[3], prio))
    out.sort(key=lambda t: t.time)
    return out


class Run:
    """The state of one scenario being recorded; the scenario's ``play`` drives it."""

    def __init__(self, scenario: Scenario, lab: Lab, rundir: Path) -> None:
        self.scenario = scenario
        self.lab = lab
        self.rundir = rundir
        self.notify_log = rundir / "notify.log"
        self.notify_log.touch()
        self.actions: list[dict[str, object]] = []
        self.warnings: list[str] = []  # problems the scenario noticed (truth's lab_warnings)
        self.path_loss = PathLoss(lab)
        self.monitor: LossyMonitor | None = None
        self.captures: dict[str, Capture] = {}
        for key, file in scenario.capture_files().items():
            path = rundir / file
            if key == "main" and scenario.capture_at == "monitor":
                self.monitor = LossyMonitor(lab)
                self.monitor.build()
                self.captures[key] = Capture(lab, path, interface=self.monitor.capture_interface)
            elif key in lab.routers:
                router = lab.routers[key]
                self.captures[key] = Capture(lab, path, ns=router.ns, interface=router.ifname)
            else:
                self.captures[key] = Capture(lab, path)
        self.capture = self.captures["main"]
        self.load_at_start: tuple[float, float, float] | None = None
        self.daemons: dict[str, Daemon] = {}
        self.events: list[Event] = []
        self.events_lock = threading.Lock()
        self.fifos: list[FifoReader] = []
        for name in scenario.routers:
            if name in scenario.ucarp:
                self.daemons[name] = Ucarp(
                    lab=lab,
                    router=lab.routers[name],
                    vhid=scenario.ucarp[name],
                    rundir=rundir,
                    sink=self.events,
                    lock=self.events_lock,
                )
                continue
            if name in scenario.frr:
                self.daemons[name] = Frr(
                    lab=lab,
                    router=lab.routers[name],
                    vrs=scenario.frr[name],
                    rundir=rundir,
                    sink=self.events,
                    lock=self.events_lock,
                )
                continue
            fifo = KeepalivedFiles(rundir, name).fifo
            self.fifos.append(FifoReader(fifo, name, self.events, self.events_lock))
            self.daemons[name] = Keepalived(
                lab=lab,
                router=lab.routers[name],
                instances=scenario.instances.get(name, []),
                rundir=rundir,
                notify_log=self.notify_log,
                fifo=fifo,
                scripts=scenario.scripts.get(name, {}),
            )

    def close(self) -> None:
        for reader in self.fifos:
            reader.close()
        for daemon in self.daemons.values():
            if isinstance(daemon, Frr | Ucarp):
                daemon.close()

    # -- actions (each one is recorded with its time) ----------------------------------------

    def action(self, action: str, router: str | None = None, **detail: object) -> float:
        now = time.time()
        entry: dict[str, object] = {"time": round(now, 6), "action": action, "router": router}
        entry.update(detail)
        self.actions.append(entry)
        return now

    def warn(self, problem: str) -> None:
        """A problem that makes the recording doubtful: it lands in the truth's lab_warnings."""
        self.warnings.append(problem)

    def kind(self, router: str) -> str:
        """The daemon's name, for the action names: keepalived, vrrpd or ucarp."""
        daemon = self.daemons[router]
        return "vrrpd" if isinstance(daemon, Frr) else "ucarp" if isinstance(daemon, Ucarp) else "keepalived"

    def start(self, *routers: str) -> None:
        """Start keepalived on ``routers`` (default: every router with instances)."""
        names = routers or tuple(n for n in self.scenario.routers if self.daemons[n].instances)
        for name in names:
            daemon = self.daemons[name]
            kind = self.kind(name)
            self.action(f"start-{kind}" if daemon.starts == 0 else f"restart-{kind}", name)
            daemon.start()
        for name in names:
            self.daemons[name].wait_ready()

    def stop(self, router: str) -> None:
        """Graceful stop (SIGTERM): a master resigns with priority 0."""
        self.action(f"stop-{self.kind(router)}", router, signal="SIGTERM")
        self.daemons[router].stop()

    def kill(self, router: str) -> None:
        """Crash (SIGKILL to keepalived's whole process group): no goodbye advert."""
        self.action(f"kill-{self.kind(router)}", router, signal="SIGKILL")
        self.daemons[router].kill()

    def track(self, router: str, script: str, *, ok: bool) -> None:
        """Make ``script`` on ``router`` pass or fail (it tests for a flag file)."""
        self.action("track-restore" if ok else "track-fail", router, script=script)
        daemon = self.daemons[router]
        if not isinstance(daemon, Keepalived):
            raise LabError(f"{router} does not run keepalived")
        daemon.set_track(script, ok=ok)

    def block_vrrp(self, router: str) -> None:
        """nftables in ``router``'s namespace: drop incoming VRRP and AH (it stops hearing)."""
        self.action("block-vrrp-input", router)
        ns = self.lab.routers[router].ns
        run(self.lab.routers[router].argv(["nft", "add", "table", "inet", NFT_TABLE]))
        run(
            ["ip", "netns", "exec", ns, "nft", "add", "chain", "inet", NFT_TABLE, "input",
             "{ type filter hook input priority 0 ; policy accept ; }"]
        )  # fmt: skip
        run(
            ["ip", "netns", "exec", ns, "nft", "add", "rule", "inet", NFT_TABLE, "input",
             "meta", "l4proto", "{ 51, 112 }", "drop"]
        )  # fmt: skip

    def unblock_vrrp(self, router: str) -> None:
        self.action("unblock-vrrp-input", router)
        run(self.lab.routers[router].argv(["nft", "delete", "table", "inet", NFT_TABLE]))

    def lose(self, into: str, *, source: str | None = None, percent: int = 100) -> int:
        """nftables in the bridge: drop ``percent`` % of the VRRP forwarded to ``into``'s port
        (only what ``source`` sends, if given). Returns the rule's handle for :meth:`restore`."""
        handle = self.path_loss.drop(into=into, source=source, percent=percent)
        self.action("path-loss-start", into, source=source, percent=percent, rule=handle)
        return handle

    def restore(self, handle: int) -> int:
        """Remove loss rule ``handle``; records (and returns) how many packets it dropped."""
        dropped = self.path_loss.remove(handle)
        entry = next(a for a in self.actions if a.get("rule") == handle and a["action"] == "path-loss-start")
        self.action("path-loss-end", str(entry["router"]), rule=handle, dropped=dropped)
        return dropped

    def _monitor(self) -> LossyMonitor:
        if self.monitor is None:
            raise LabError(f"{self.scenario.name} has no lossy monitor (capture_at='monitor')")
        return self.monitor

    def capture_loss(self, percent: int) -> None:
        """The monitor port loses ``percent`` % of the VRRP frames from now on."""
        self._monitor().set_loss(percent)
        self.action("capture-loss", None, percent=percent)

    def capture_outage(self, on: bool) -> None:
        """The monitor port loses everything (``on``) or is back to its random loss."""
        self._monitor().outage(on)
        self.action("capture-outage-start" if on else "capture-outage-end", None)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    # -- observing ----------------------------------------------------------------------------

    def all_events(self) -> list[Event]:
        with self.events_lock:
            return list(self.events)

    def transitions(self) -> list[Transition]:
        """State changes in the order keepalived made them (per router)."""
        out = [
            Transition(e.time, e.router, e.instance, e.state, e.priority)
            for e in self.all_events()
            if e.kind == "INSTANCE" and e.state in STATES
        ]
        out.sort(key=lambda t: t.time)  # stable: each router's own order is kept
        return out

    def script_log_problems(self, until: float, wait: float = 3.0) -> list[str]:
        """Cross-check the notify scripts' log against the FIFO: every state change up to
        ``until`` must also have run the notify script (proves script security is right)."""
        deadline = time.monotonic() + wait
        while True:
            fifo = Counter(
                (t.router, t.instance, t.state)
                for t in self.transitions()
                if t.time <= until and isinstance(self.daemons[t.router], Keepalived)  # only it has notify
            )
            script = Counter(
                (t.router, t.instance, t.state) for t in parse_notify_log(self.notify_log.read_text(errors="replace"))
            )
            missing = fifo - script
            if not missing or time.monotonic() > deadline:
                return [f"notify script did not report {k} x{n}" for k, n in missing.items()]
            time.sleep(0.1)

    def wait_state(
        self,
        router: str,
        instance: str,
        state: str,
        *,
        since: float | None = None,
        timeout: float = 20.0,
    ) -> Transition:
        """Wait for the notify script to report ``router``/``instance`` entering ``state``
        (after ``since``, default: the last action)."""
        if since is None:
            since = float(str(self.actions[-1]["time"])) if self.actions else 0.0
        deadline = time.monotonic() + timeout
        while True:
            for tr in self.transitions():
                key = (tr.router, tr.instance, tr.state)
                if key == (router, instance, state) and tr.time >= since:
                    return tr
            if time.monotonic() > deadline:
                raise LabError(
                    f"{self.scenario.name}: {router}/{instance} never reached {state}"
                    f" within {timeout:g}s; notify log:\n{self.notify_log.read_text()}"
                )
            time.sleep(0.05)

    def wait_current(self, router: str, instance: str, state: str, timeout: float = 20.0) -> None:
        """Wait until the latest reported state of ``router``/``instance`` is ``state``."""
        deadline = time.monotonic() + timeout
        while True:
            latest = [t for t in self.transitions() if (t.router, t.instance) == (router, instance)]
            if latest and latest[-1].state == state:
                return
            if time.monotonic() > deadline:
                raise LabError(f"{self.scenario.name}: {router}/{instance} is not {state}")
            time.sleep(0.05)

    def capture_start(self) -> None:
        """Start every capture of the scenario (the main one last: its start is the truth's)."""
        self.load_at_start = _load()
        for key, capture in self.captures.items():
            if key != "main":
                capture.start()
        self.capture.start()

    def capture_stop(self) -> None:
        self.capture.stop()
        for key, capture in self.captures.items():
            if key != "main" and capture.stopped_at is None:
                capture.stop()

    def capturing(self) -> bool:
        return self.capture.proc is not None and self.capture.stopped_at is None


def _load() -> tuple[float, float, float]:
    one, five, fifteen = os.getloadavg()
    return (one, five, fifteen)


def _run_dir(prefix: str) -> Path:
    """The run's private dir, /run/vrrpcap-lab-<prefix> (root, 0700, so keepalived's script
    security accepts it): named by the prefix alone, so the configs the daemons ran can be
    rendered again from the truth file's prefix (``lab.configs``)."""
    path = run_dir_path(prefix)
    path.mkdir(mode=0o700)  # an existing one is another run's: refuse it
    return path


def record(scenario: Scenario, out: Path, *, keep_rundir: bool = False, prefix: str | None = None) -> dict[str, object]:
    """Record ``scenario`` into ``out/``: its capture(s), ``<name>.truth.json`` and the daemons'
    configs in ``<name>.configs/``.

    Nothing is written to ``out`` unless the whole scenario succeeded; the lab is torn down
    in every case."""
    from lab.configs import check_configs, write_configs
    from lab.truth import build_truth, dump_truth

    out.mkdir(parents=True, exist_ok=True)
    with Lab(list(scenario.routers), prefix=prefix or new_prefix()) as lab:
        rundir = _run_dir(lab.prefix)
        try:
            r = Run(scenario, lab, rundir)
            try:
                try:
                    scenario.play(r)
                finally:
                    if r.capturing():
                        r.capture_stop()
                truth = build_truth(r)
            finally:
                r.close()
            check_configs(scenario, lab.prefix, rundir)
            for key, file in scenario.capture_files().items():
                _publish(r.captures[key].path, out / file)
            write_configs(scenario, lab.prefix, out)
            tmp = out / f".{scenario.name}.truth.json.tmp"
            tmp.write_text(dump_truth(truth))
            os.replace(tmp, out / f"{scenario.name}.truth.json")
        finally:
            if keep_rundir:
                print(f"{scenario.name}: run dir kept: {rundir}", flush=True)
            else:
                shutil.rmtree(rundir, ignore_errors=True)
    return truth


def _publish(src: Path, dst: Path) -> None:
    tmp = dst.with_name(f".{dst.name}.tmp")
    shutil.copyfile(src, tmp)
    os.chmod(tmp, 0o644)
    os.replace(tmp, dst)
