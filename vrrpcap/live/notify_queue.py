"""The notify calls waiting for a worker: bounded in all, coalesced per router, real changes first.

A flood of crafted adverts (thousands of spoofed unicast peers) makes thousands of virtual routers,
each with a first-sighting MASTER call; a real failover must not wait behind them, and memory must
not grow with them. So:

- per virtual router, one waiting call per router: a newer change for a router replaces its waiting
  one (only the latest state matters; the replaced call is reported as not run);
- virtual routers with a real change waiting (any cause but ``initial``) are served before those
  with only first sightings; within each class, in turn;
- at most ``limit`` calls wait in all; beyond that the oldest first-sighting call is dropped (a
  real change only when nothing else is left), reported as not run;
- calls of one virtual router run one after the other, in the order they were made.

Not thread-safe: the Notifier holds its lock around every call.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vrrpcap.live.notify import Change

LIMIT = 1000  # calls waiting, all virtual routers together


def _urgent(change: Change) -> bool:
    return change.cause != "initial"


class CallQueue:
    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._waiting: dict[str, OrderedDict[str, Change]] = {}  # vr -> router -> its latest change
        self._busy: set[str] = set()  # virtual routers with a call running
        # Virtual routers ready to run (waiting calls, none running), in turn; a dict as an ordered set.
        self._urgent: dict[str, None] = {}
        self._initial: dict[str, None] = {}
        self.size = 0

    def busy(self) -> bool:
        return bool(self._busy)

    def add(self, change: Change) -> list[tuple[Change, str]]:
        """Queue a change; what it pushed out, with why."""
        out: list[tuple[Change, str]] = []
        waiting = self._waiting.setdefault(change.vr, OrderedDict())
        replaced = waiting.pop(change.router, None)
        if replaced is not None:
            out.append((replaced, "not run: superseded by a later change of this router"))
        else:
            self.size += 1
        waiting[change.router] = change
        if change.vr not in self._busy:
            self._ready(change.vr)
        while self.size > self.limit:
            victim = self._evict()
            if victim is None:
                break
            out.append((victim, f"not run: {self.limit} notify calls were already waiting (script too slow?)"))
        return out

    def _ready(self, vr: str) -> None:
        waiting = self._waiting[vr]
        if any(_urgent(c) for c in waiting.values()):
            self._initial.pop(vr, None)
            self._urgent[vr] = None
        elif vr not in self._urgent:
            self._initial[vr] = None

    def _evict(self) -> Change | None:
        for ready in (self._initial, self._urgent):
            for vr in ready:
                waiting = self._waiting[vr]
                _, victim = waiting.popitem(last=False)
                self.size -= 1
                if not waiting:
                    del ready[vr]
                    del self._waiting[vr]
                return victim
        return None

    def take(self) -> Change | None:
        """The next call to run (its virtual router is busy until ``done``), or None."""
        for ready in (self._urgent, self._initial):
            if ready:
                vr = next(iter(ready))
                del ready[vr]
                _, change = self._waiting[vr].popitem(last=False)
                self.size -= 1
                self._busy.add(vr)
                return change
        return None

    def done(self, vr: str) -> None:
        self._busy.discard(vr)
        if self._waiting.get(vr):
            self._ready(vr)
        else:
            self._waiting.pop(vr, None)

    def clear(self) -> list[Change]:
        left = [c for waiting in self._waiting.values() for c in waiting.values()]
        self._waiting = {vr: OrderedDict() for vr in self._busy}
        self._urgent.clear()
        self._initial.clear()
        self.size = 0
        return left
