"""``--notify SCRIPT``: keepalived's notify convention, driven by what the wire shows.

keepalived runs ``SCRIPT INSTANCE <name> <MASTER|BACKUP|FAULT|STOP> <priority>`` on the router
itself. vrrpcap watches every router of a segment, so on each change of a virtual router's master
it runs the script once per router concerned, with the VRID as the instance name:

- the new master: ``INSTANCE <vrid> MASTER <priority of its first advert as master>``
- the old master, when a higher priority took over while it was still advertising (preempted, or it
  yielded): ``INSTANCE <vrid> BACKUP <its last priority>``: it is alive and a backup now
- the old master, when it went silent (crash, link down) or resigned with priority 0 (stop or
  FAULT: the wire cannot tell which): ``INSTANCE <vrid> FAULT <its last non-zero priority>``,
  run as soon as that is certain (its Master_Down_Interval ran out, or its priority-0 advert)

The first master seen on a virtual router gets MASTER too (cause ``initial``), as keepalived runs its
script on start. Environment variables say what argv cannot: ``VRRPCAP_VR`` (vrrpcap's virtual
router id: interface, VLAN, family, VRID, peer group), ``VRRPCAP_ROUTER`` (the router's address),
``VRRPCAP_CAUSE``, ``VRRPCAP_TAKEOVER_S``, ``VRRPCAP_TIME``, ``VRRPCAP_INTERFACE``.

Scripts run as argument lists (never through a shell) in a small thread pool, in their own session,
with a timeout (the process group is killed when it runs out). Calls for one virtual router run in
order (the old master's FAULT before the new master's MASTER); different virtual routers run in
parallel. What waits is bounded, coalesced and ordered by notify_queue.CallQueue. Capture never
waits for a script. Every call ends in a result the session reports (run, or why not).
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass

from vrrpcap.analysis.events import Event, FailoverEvent, MasterEnded, MasterStarted, VirtualRouterMerged
from vrrpcap.decode import Advert
from vrrpcap.live.errors import NotifyScriptUnusable
from vrrpcap.live.notify_queue import CallQueue

WORKERS = 4
STDERR_KEPT = 2000
REAP_WAIT = 1.0  # after a SIGKILL: how long a worker waits for the script to be reaped


@dataclass(frozen=True, slots=True)
class Change:
    """One router of one virtual router entering a state, as the notify script will be told."""

    vr: str
    vrid: int | None
    router: str
    state: str  # MASTER | BACKUP | FAULT
    priority: int
    cause: str  # initial | silence | priority-0 | preempted | yielded | dual-master | returned
    time: float
    takeover_s: float | None = None


@dataclass(frozen=True, slots=True)
class NotifyResult:
    change: Change
    argv: tuple[str, ...]
    ok: bool
    returncode: int | None
    duration_s: float
    error: str | None = None


def discarded(advert: Advert) -> str | None:
    """Why a VRRP router would drop this advert unread (RFC 3768 7.1, RFC 5798 7.1), or None.

    The analyzer still sees such adverts (they are findings), but a hook fires only on what a router
    would act on: a forged or damaged advert must not make a script promote or demote anything."""
    if advert.kind != "advert":
        return advert.kind
    if advert.malformed is not None:
        return "malformed"
    if advert.version not in (2, 3) or advert.type != 1:
        return "not a VRRPv2/v3 advertisement"
    if not advert.vrid:
        return "VRID 0"
    if advert.ttl != 255:
        return "TTL/hop limit not 255"
    if advert.checksum == "bad":
        return "bad checksum"
    return None


class MasterChanges:
    """Turns the analyzer's events into the notify calls they mean (see the module docstring).

    ``priorities`` maps (vrid, router address) to the router's last non-zero advertised priority; the
    session keeps it current from the adverts."""

    def __init__(self, priorities: Mapping[tuple[int | None, str], int]) -> None:
        self._priorities = priorities
        self._masters: dict[str, set[str]] = {}
        self._seen: set[str] = set()

    def _priority(self, vrid: int, router: str, fallback: int | None = None) -> int:
        return self._priorities.get((vrid, router)) or fallback or 0

    def observe(self, events: Iterable[Event], acting: bool = True) -> list[Change]:
        """``acting`` False: the events of an advert a router would discard; they change nothing here
        but a merge of ids (bookkeeping)."""
        batch = [e for e in events if acting or isinstance(e, VirtualRouterMerged)]
        failovers = {(e.failover.vr, e.failover.to_router): e.failover for e in batch if isinstance(e, FailoverEvent)}
        out: list[Change] = []
        for event in batch:
            if isinstance(event, MasterStarted):
                if not event.priority:
                    continue  # a lone priority-0 advert: a resignation, not a master
                masters = self._masters.setdefault(event.vr, set())
                if event.router in masters:
                    continue
                failover = failovers.get((event.vr, event.router))
                takeover = None
                cause: str
                if failover is not None:
                    cause, takeover = failover.cause, failover.takeover_s
                elif event.vr not in self._seen:
                    cause = "initial"
                elif masters:
                    cause = "dual-master"
                else:
                    cause = "returned"
                masters.add(event.router)
                self._seen.add(event.vr)
                out.append(
                    Change(event.vr, event.vrid, event.router, "MASTER", event.priority, cause, event.time, takeover)
                )
            elif isinstance(event, FailoverEvent):
                f = event.failover
                masters = self._masters.setdefault(f.vr, set())
                if f.from_router is None or f.from_router not in masters:
                    continue
                masters.discard(f.from_router)
                state = "BACKUP" if f.cause == "preempted" else "FAULT"
                priority = self._priority(f.vrid, f.from_router, f.from_priority)
                out.append(Change(f.vr, f.vrid, f.from_router, state, priority, f.cause, f.time, f.takeover_s))
            elif isinstance(event, VirtualRouterMerged):
                # The survivor keeps its id: the absorbed one's masters are its masters now.
                self._masters.setdefault(event.into, set()).update(self._masters.pop(event.absorbed, set()))
                if event.absorbed in self._seen:
                    self._seen.add(event.into)
            elif isinstance(event, MasterEnded):
                masters = self._masters.setdefault(event.vr, set())
                if event.router not in masters:
                    continue
                masters.discard(event.router)
                state = "BACKUP" if event.cause in ("yielded", "preempted") else "FAULT"
                priority = event.priority or self._priority(event.vrid, event.router)
                out.append(Change(event.vr, event.vrid, event.router, state, priority, event.cause, event.time))
        # Within one batch the old master hears it first, as keepalived's own order would be.
        return sorted(out, key=lambda c: c.state == "MASTER")


def check_script(path: str) -> str:
    """The script's absolute path; NotifyScriptUnusable when it cannot be run."""
    full = os.path.abspath(path)
    if not os.path.exists(full):
        raise NotifyScriptUnusable(f"{path}: notify script not found")
    if os.path.isdir(full):
        raise NotifyScriptUnusable(f"{path}: notify script is a directory")
    if not os.access(full, os.X_OK):
        raise NotifyScriptUnusable(f"{path}: notify script is not executable (chmod +x {path})")
    return full


class Notifier:
    """Runs the notify script for each Change, off the capture's thread; results go to ``done``."""

    def __init__(
        self,
        script: str,
        timeout: float,
        done: Callable[[NotifyResult], None],
        interface: str,
        workers: int = WORKERS,
    ) -> None:
        self.script = script
        self.timeout = timeout
        self._done = done
        self._interface = interface
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._queue = CallQueue()
        self._running: dict[int, subprocess.Popen[bytes]] = {}
        self._unreaped: list[subprocess.Popen[bytes]] = []  # killed, not yet seen to exit
        self._closed = False
        self._workers = [threading.Thread(target=self._work, name=f"notify-{n}", daemon=True) for n in range(workers)]
        for worker in self._workers:
            worker.start()

    def argv(self, change: Change) -> list[str]:
        name = str(change.vrid) if change.vrid is not None else change.vr
        return [self.script, "INSTANCE", name, change.state, str(change.priority)]

    def _not_run(self, change: Change, why: str) -> None:
        self._done(NotifyResult(change, tuple(self.argv(change)), False, None, 0.0, why))

    def submit(self, change: Change) -> None:
        with self._lock:
            pushed = [(change, "not run: vrrpcap is stopping")] if self._closed else self._queue.add(change)
            self._idle.notify_all()
        for old, why in pushed:
            self._not_run(old, why)

    def _work(self) -> None:
        while True:
            with self._lock:
                change = self._queue.take()
                while change is None:
                    if self._closed:
                        return
                    self._idle.wait()
                    change = self._queue.take()
            try:
                self._done(self._run(change))
            finally:
                with self._lock:
                    self._queue.done(change.vr)
                    self._idle.notify_all()

    def _environment(self, change: Change) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            VRRPCAP_VR=change.vr,
            VRRPCAP_VRID="" if change.vrid is None else str(change.vrid),
            VRRPCAP_ROUTER=change.router,
            VRRPCAP_STATE=change.state,
            VRRPCAP_PRIORITY=str(change.priority),
            VRRPCAP_CAUSE=change.cause,
            VRRPCAP_TIME=f"{change.time:.6f}",
            VRRPCAP_TAKEOVER_S="" if change.takeover_s is None else f"{change.takeover_s:.6f}",
            VRRPCAP_INTERFACE=self._interface,
        )
        return env

    def _run(self, change: Change) -> NotifyResult:
        # stderr goes to an unlinked file, not a pipe: a child the script leaves behind (setsid, a
        # daemon) may keep it open for ever, and a pipe's end would never come. Only the script's own
        # exit is waited for, and that for a bounded time.
        argv = self.argv(change)
        started = time.monotonic()
        with tempfile.TemporaryFile(prefix="vrrpcap-notify-") as err:
            try:
                proc = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                    env=self._environment(change),
                    start_new_session=True,  # a Ctrl-C in the terminal is for vrrpcap, not the script
                    shell=False,
                )
            except OSError as exc:
                return NotifyResult(change, tuple(argv), False, None, 0.0, f"cannot run: {exc.strerror or exc}")
            with self._lock:
                self._running[proc.pid] = proc
            try:
                try:
                    proc.wait(timeout=self.timeout)
                except subprocess.TimeoutExpired:
                    self._kill(proc)
                    with suppress(subprocess.TimeoutExpired):
                        proc.wait(timeout=REAP_WAIT)  # else reaped in close()
                    took = time.monotonic() - started
                    return NotifyResult(
                        change, tuple(argv), False, None, took, f"timed out after {self.timeout:g} s (killed)"
                    )
            finally:
                with self._lock:
                    self._running.pop(proc.pid, None)
                    if proc.returncode is None:
                        self._unreaped.append(proc)
            took = time.monotonic() - started
            if proc.returncode == 0:
                return NotifyResult(change, tuple(argv), True, 0, took)
            err.seek(max(0, os.fstat(err.fileno()).st_size - STDERR_KEPT))
            tail = err.read(STDERR_KEPT).decode(errors="replace").strip().splitlines()
        code = proc.returncode
        error = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
        if tail:
            error += f": {tail[-1]}"
        return NotifyResult(change, tuple(argv), False, proc.returncode, took, error)

    @staticmethod
    def _kill(proc: subprocess.Popen[bytes]) -> None:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    def close(self, wait: float) -> None:
        """Take no more calls; let queued ones run for up to ``wait`` seconds, then give up on the
        rest (reported as not run) and kill scripts still running."""
        with self._lock:
            self._closed = True
            self._idle.wait_for(lambda: not self._queue.busy() and not self._queue.size, timeout=wait)
            left = self._queue.clear()
            running = list(self._running.values())
            self._idle.notify_all()
        for proc in running:
            self._kill(proc)
        for worker in self._workers:  # bounded: a worker waits at most timeout + REAP_WAIT
            worker.join(timeout=self.timeout + REAP_WAIT + 1.0)
        for proc in self._unreaped:
            with suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.1)
        for change in left:
            self._done(NotifyResult(change, tuple(self.argv(change)), False, None, 0.0, "not run: vrrpcap stopped"))
