"""VRRP-TAKEOVER-OUTLIER: a takeover whose figure its cause's timer rule does not explain."""

from __future__ import annotations

from vrrpcap.analysis.book import Entry
from vrrpcap.analysis.detectors.base import Detector
from vrrpcap.analysis.state import VirtualRouter
from vrrpcap.decode import Advert
from vrrpcap.findings import CODES, Finding, Severity
from vrrpcap.report.model import Failover

CODE = "VRRP-TAKEOVER-OUTLIER"


class TakeoverOutliers(Detector):
    """One finding per failover whose explanation (vrrpcap/analysis/takeover.py) is not its cause's own
    rule: a warning when no rule explains it, information when another one does."""

    def failover(self, vr: VirtualRouter, failover: Failover, a: Advert) -> None:
        if not failover.outlier:
            return
        subject = f"{failover.from_router}>{failover.to_router}@{failover.time!r}#{failover.frame}"
        entry, new = self.book.sight((CODE, vr.id, subject), vr.vrid, a, lambda: failover, _outlier)
        if new:
            self.book.announce(entry)


def _outlier(entry: Entry[Failover]) -> Finding:
    f = entry.detail
    unexplained = f.explained_by == "unexplained"
    took = "?" if f.takeover_s is None else f"{f.takeover_s:.2f} s"
    return Finding(
        CODE,
        CODES[CODE].severity if unexplained else Severity.INFO,
        entry.vr,
        f.time - (f.takeover_s or 0.0),
        f.time,
        (f.from_router or "", f.to_router),
        f"{f.to_router} took over from {f.from_router} after {took} ({f.cause}): "
        + ("unexplained: " if unexplained else f"explained by {f.explained_by}: ")
        + f.explanation,
        tuple(entry.evidence),
        1,
        entry.vrid,
        reason=f.explained_by,
    )
