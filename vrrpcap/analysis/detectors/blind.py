"""Silences every master of a link shares: the capture went blind (VRRP-MISSED-ADVERTS, capture-wide).

A master whose silence outlasts its Master_Down_Interval ends its run; when the same router comes back
with nobody in between, its virtual router has a break (the outage form of VRRP-MISSED-ADVERTS). When
the breaks of every virtual router with a master on one capture interface overlap, and no run on that
interface covers the overlap, the capture heard nobody while the routers' backups heard their masters
(none took over): the capture, or its path, lost the adverts. Read from the summaries alone (a sharded
audit gets the same windows); only silences longer than Master_Down_Interval split runs, so shorter
shared gaps are not seen here.
"""

from __future__ import annotations

from itertools import pairwise

from vrrpcap.analysis.detectors.base import ReportView
from vrrpcap.analysis.options import ip_key
from vrrpcap.findings import CODES, Finding

CODE = "VRRP-MISSED-ADVERTS"

# A break: silent from (the last advert before), back at (the first after), virtual router, router.
_Break = tuple[float, float, str, str]


def blind_windows(view: ReportView) -> list[Finding]:
    links: dict[str | None, list[int]] = {}
    for n, vr in enumerate(view.virtual_routers):
        links.setdefault(vr.interface, []).append(n)
    out: list[Finding] = []
    for interface, members in links.items():
        vrs = [view.virtual_routers[n] for n in members]
        breaks: list[_Break] = []
        runs: list[tuple[float, float]] = []
        for vr in vrs:
            masters = sorted(vr.masters, key=lambda m: (m.start, m.end))
            runs += [(m.start, m.end) for m in masters]
            breaks += [
                (old.end, new.start, vr.id, old.router)
                for old, new in pairwise(masters)
                if old.router == new.router and old.end_cause == "silence"
            ]
        for window in _overlaps(sorted(breaks)):
            lo, hi = max(b[0] for b in window), min(b[1] for b in window)
            streams = {(b[2], b[3]) for b in window}
            if len({b[2] for b in window}) < 2 or any(s < hi and e > lo for s, e in runs):
                continue  # one virtual router alone, or someone was heard meanwhile: not the capture's blindness
            out.append(_finding(interface, lo, hi, streams))
    return out


def _overlaps(breaks: list[_Break]) -> list[list[_Break]]:
    """Breaks (sorted by start) in groups whose common stretch is not empty."""
    groups: list[list[_Break]] = []
    hi = float("-inf")
    for b in breaks:
        if groups and b[0] < hi:
            groups[-1].append(b)
            hi = min(hi, b[1])
        else:
            groups.append([b])
            hi = b[1]
    return groups


def _finding(interface: str | None, lo: float, hi: float, streams: set[tuple[str, str]]) -> Finding:
    routers = tuple(sorted({r for _, r in streams}, key=ip_key))
    where = f" on {interface}" if interface else ""
    return Finding(
        CODE,
        CODES[CODE].severity,
        None,
        lo,
        hi,
        routers,
        f"the capture heard none of the {len(streams)} virtual routers' masters{where} for {hi - lo:.1f} s "
        "(from the latest last advert before to the earliest first after): every one went silent at once "
        "and came back with no backup taking over, so the backups kept hearing their masters and the "
        "capture (or its path) lost the adverts",
        (),
        len(streams),
        None,
        cause="capture",
    )
