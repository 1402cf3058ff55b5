"""Running one scenario: lab up, keepalived up, capture, the scenario's actions, truth out."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lab.capture import CAPTURE_FILTER, Capture
from lab.frr import Frr, FrrVirtualRouter, frr_version
from lab.keepalived import Event, FifoReader, Instance, Keepalived, TrackFile, keepalived_version
from lab.netns import Lab, LabError, new_prefix, run

NFT_TABLE = "vrrpcap_lab"
TRUTH_FORMAT = 1
STATES = ("INIT", "BACKUP", "MASTER", "FAULT", "STOP", "DELETED")


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
        self.capture = Capture(lab, rundir / f"{scenario.name}.pcap")
        self.daemons: dict[str, Keepalived | Frr] = {}
        self.events: list[Event] = []
        self.events_lock = threading.Lock()
        self.fifos: list[FifoReader] = []
        for name in scenario.routers:
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
            fifo = rundir / f"{name}.fifo"
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
            if isinstance(daemon, Frr):
                daemon.close()

    # -- actions (each one is recorded with its time) ----------------------------------------

    def action(self, action: str, router: str | None = None, **detail: object) -> float:
        now = time.time()
        entry: dict[str, object] = {"time": round(now, 6), "action": action, "router": router}
        entry.update(detail)
        self.actions.append(entry)
        return now

    def kind(self, router: str) -> str:
        """The VRRP daemon's name, for the action names: keepalived or vrrpd."""
        return "vrrpd" if isinstance(self.daemons[router], Frr) else "keepalived"

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
                if t.time <= until and t.router not in self.scenario.frr  # FRR has no notify
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
        self.capture.start()

    def capture_stop(self) -> None:
        if self.capture.stopped_at is None:
            self.capture.stop()

    # -- truth --------------------------------------------------------------------------------

    def truth(self) -> dict[str, object]:
        sc = self.scenario
        start = self.capture.started_at or 0.0
        end = self.capture.stopped_at or time.time()
        problems = self.script_log_problems(end)
        other_events = [
            {
                "time": round(e.time, 6),
                "router": e.router,
                "instance": e.instance,
                "event": e.state,
                "priority": e.priority,
            }
            for e in self.all_events()
            if e.kind == "INSTANCE" and e.state not in STATES and e.time <= end
        ]
        instances = [
            inst.to_json(self.lab.routers[router], sc.scripts.get(router, {}))
            for router in sc.routers
            for inst in sc.instances.get(router, [])
        ]
        instances += [entry for router, vrs in sc.frr.items() for vr in vrs for entry in vr.to_json(router)]
        routers = []
        for name in sc.routers:
            entry: dict[str, object] = dict(self.lab.routers[name].to_json())
            daemon = self.daemons[name]
            if isinstance(daemon, Frr):
                entry["frr_macvlans"] = daemon.macvlan_info()
            routers.append(entry)
        return {
            "format": TRUTH_FORMAT,
            "scenario": sc.name,
            "description": sc.description,
            "notes": sc.notes,
            "recorded_at": dt.datetime.fromtimestamp(start, dt.UTC).isoformat(),
            "keepalived_version": keepalived_version(),
            **({"frr_version": frr_version()} if sc.frr else {}),
            "lab": {"prefix": self.lab.prefix, "bridge": self.lab.bridge_if},
            "capture": {
                "file": f"{sc.name}.pcap",
                "interface": self.lab.bridge_if,
                "filter": CAPTURE_FILTER,
                "start": round(start, 6),
                "end": round(end, 6),
                "duration_s": round(end - start, 3),
                "packets": self.capture.stats.captured,
                "dropped": self.capture.stats.dropped,
            },
            "routers": routers,
            "instances": instances,
            "transitions": [t.to_json() for t in self.transitions() if t.time <= end],
            "events": other_events,
            "actions": [a for a in self.actions if float(str(a["time"])) <= end],
            "expected_findings": list(sc.expected_findings),
            "forbidden_findings": list(sc.forbidden_findings),
            "lab_warnings": problems,
        }


def dump_truth(truth: dict[str, object]) -> str:
    """JSON, one top-level key per line and one list item (compact) per line: readable and
    diffable, and small even with hundreds of instances."""
    lines = []
    for key, value in truth.items():
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {json.dumps(item)}" for item in value)
            lines.append(f"  {json.dumps(key)}: [\n{items}\n  ]")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _run_dir(prefix: str) -> Path:
    """A private run dir under /run (root 0755), so keepalived's script security accepts it."""
    base = Path("/run") if os.access("/run", os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix=f"vrrpcap-lab-{prefix}-", dir=base))


def record(scenario: Scenario, out: Path, *, keep_rundir: bool = False, prefix: str | None = None) -> dict[str, object]:
    """Record ``scenario`` into ``out/<name>.pcap`` and ``out/<name>.truth.json``.

    Nothing is written to ``out`` unless the whole scenario succeeded; the lab is torn down
    in every case."""
    out.mkdir(parents=True, exist_ok=True)
    with Lab(list(scenario.routers), prefix=prefix or new_prefix()) as lab:
        rundir = _run_dir(lab.prefix)
        try:
            r = Run(scenario, lab, rundir)
            try:
                try:
                    scenario.play(r)
                finally:
                    if r.capture.proc is not None:
                        r.capture_stop()
                truth = r.truth()
            finally:
                r.close()
            _publish(r.capture.path, out / f"{scenario.name}.pcap")
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
