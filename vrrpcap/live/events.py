"""The live event stream: analyzer events and notify results as JSON-ready records, and the
findings only a snapshot of the analyzer shows.

One record per line with ``--json``; the dashboard's log prints the same records as text. Every
record has ``event`` (its kind) and ``time`` (epoch seconds: the packet's time for what the wire
showed, the wall clock for what vrrpcap did). docs/live.md lists the kinds and their fields.
"""

from __future__ import annotations

from typing import Any

from vrrpcap.analysis.events import Event, FailoverEvent, MasterEnded, MasterStarted, VirtualRouterMerged
from vrrpcap.findings import Finding
from vrrpcap.live.notify import NotifyResult
from vrrpcap.live.source import CaptureStats
from vrrpcap.report import Report


def finding_record(finding: Finding, now: float) -> dict[str, Any]:
    """``time``: when the finding became certain (its latest evidence); ``start``/``end``: its span."""
    when = finding.end if finding.end is not None else finding.start
    return {"event": "finding", "time": now if when is None else when, **finding.as_dict()}


def event_record(event: Event, now: float) -> dict[str, Any]:
    if isinstance(event, MasterStarted):
        return {
            "event": "master-started",
            "time": event.time,
            "vr": event.vr,
            "vrid": event.vrid,
            "router": event.router,
            "priority": event.priority,
            "frame": event.frame,
        }
    if isinstance(event, MasterEnded):
        return {
            "event": "master-ended",
            "time": event.time,
            "vr": event.vr,
            "vrid": event.vrid,
            "router": event.router,
            "cause": event.cause,
            "priority": event.priority,
        }
    if isinstance(event, FailoverEvent):
        f = event.failover
        return {"event": "failover", "vr": f.vr, "vrid": f.vrid, **f.as_dict()}
    if isinstance(event, VirtualRouterMerged):
        return {"event": "merged", "time": event.time, "vr": event.into, "vrid": event.vrid, "absorbed": event.absorbed}
    return finding_record(event.finding, now)


def stop_record(
    now: float, reason: str, frames: int, adverts: int, total: CaptureStats, report: Report | None
) -> dict[str, Any]:
    """The last record; ``report`` (the final report, filtered) only in ``--json`` mode."""
    return {
        "event": "stop",
        "time": now,
        "reason": reason,
        "frames": frames,
        "adverts": adverts,
        "received": total.received,
        "dropped": total.dropped,
        **({"report": report.as_dict()} if report is not None else {}),
    }


def notify_record(result: NotifyResult, now: float) -> dict[str, Any]:
    c = result.change
    return {
        "event": "notify" if result.ok else "notify-failed",
        "time": now,
        "vr": c.vr,
        "vrid": c.vrid,
        "router": c.router,
        "state": c.state,
        "priority": c.priority,
        "cause": c.cause,
        "argv": list(result.argv),
        "returncode": result.returncode,
        "duration_s": round(result.duration_s, 6),
        "error": result.error,
    }


# Snapshot findings that grow while the capture runs: told again whenever their message changes
# (the drop count), so the stream's last word is the current count, not the first one.
GROWING = frozenset({"VRRP-CAPTURE-DROPS"})


def _key(finding: Finding) -> tuple[str, str | None, int, str]:
    return finding.code, finding.vr, int(finding.severity), finding.message if finding.code in GROWING else ""


# Every failover has its own `failover` record (with takeover latency); the analyzer's VRRP-FAILOVER
# finding says it once per pair of routers, so the stream leaves it out. The final report keeps it.
NOT_STREAMED = frozenset({"VRRP-FAILOVER"})


class FindingTracker:
    """Which findings the stream has announced.

    The analyzer announces per-advert findings itself, once per (code, virtual router, router):
    those pass through. Findings about configuration (VIP, interval, auth mismatches...) and the
    capture's drops exist only in a report, so once a second the session diffs a snapshot's findings
    against what was announced, by (code, virtual router, severity; the message for GROWING)."""

    def __init__(self, ignored: frozenset[str] = frozenset()) -> None:
        self._announced: set[tuple[str, str | None, int, str]] = set()
        self._hidden = ignored | NOT_STREAMED

    def announce(self, finding: Finding) -> bool:
        """Record an analyzer finding; True when the stream should show it."""
        self._announced.add(_key(finding))
        return finding.code not in self._hidden

    def new_in(self, report: Report) -> list[Finding]:
        fresh = []
        for finding in report.findings:
            key = _key(finding)
            if key in self._announced:
                continue
            self._announced.add(key)
            if finding.code not in self._hidden:
                fresh.append(finding)
        return fresh
