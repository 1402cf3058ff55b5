"""What a detector is: hooks the engine calls, a finding book to write into.

Zeek's split: the engine (the protocol analyzer) raises events; a detector (a policy script) turns
them into findings. Every hook is optional; the engine calls only the hooks a detector overrides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vrrpcap.analysis.book import FindingBook
from vrrpcap.analysis.identity import Segment
from vrrpcap.analysis.options import Options
from vrrpcap.analysis.repeats import PairRepeats, PairStart, Repeats
from vrrpcap.analysis.state import Router, VirtualRouter
from vrrpcap.analysis.vantage import VantageMiss
from vrrpcap.decode import Advert
from vrrpcap.findings import Finding
from vrrpcap.report.model import Failover, InputSummary
from vrrpcap.report.model import VirtualRouter as VirtualRouterSummary


@dataclass(frozen=True, slots=True)
class ReportView:
    """What report-time detectors read: the summarized virtual routers and the inputs."""

    virtual_routers: list[VirtualRouterSummary]
    inputs: tuple[InputSummary, ...]


class Detector:
    """Base of every detector: each hook does nothing unless overridden."""

    def __init__(self, book: FindingBook, options: Options) -> None:
        self.book = book
        self.options = options
        # False (Engine.caching off): derive everything from the engine's state at every advert, keeping
        # no shortcut between adverts; the reference a detector's incremental path is tested against.
        self.incremental = True

    def joined(self, vr: VirtualRouter, router: Router, a: Advert) -> None:
        """A router's advert placed it in a virtual router it was not in."""

    def advert(self, vr: VirtualRouter, router: Router, a: Advert) -> None:
        """A VRRP advert, before mastership sees it (the router's previous run and priority are intact)."""

    def after(self, vr: VirtualRouter, router: Router, a: Advert) -> None:
        """A VRRP advert, after mastership has seen it."""

    def foldable(self, vr: VirtualRouter, router: Router, a: Advert) -> bool:
        """Right after ``a`` was handled: may its repeats (the same content from the same router, each
        within the router's gap limit of the one before, no deadline running out meanwhile) skip
        `advert` and `after`, to be counted by `folded` instead? A detector that overrides `advert` or
        `after` keeps every advert coming unless it says yes here."""
        return False

    def folded(self, vr: VirtualRouter, router: Router, a: Advert, repeats: Repeats) -> None:
        """Repeats of ``a`` that `foldable` allowed, all at once (vrrpcap/analysis/repeats.py)."""

    def pairing(self, vr: VirtualRouter) -> PairStart | None:
        """Two masters of ``vr`` offered as partners (`foldable` said yes to each): what their repeats,
        counted together, must keep of their order. Only the detector that reads the order says it."""
        return None

    def folded_pair(self, vr: VirtualRouter, pair: PairRepeats) -> None:  # vr: pair.start.vr
        """A pair's repeats (each master's fed to `folded` first): what they did to `pairing`'s state."""

    def malformed(self, a: Advert) -> None:
        """A protocol-112 packet that could not be decoded completely."""

    def quote(self, segment: Segment, a: Advert, router: Router | None) -> None:
        """An ICMP error quoting an advert; ``router`` is its sender when it has advertised."""

    def refused(self, segment: Segment, a: Advert) -> None:
        """An advert of a new router beyond the engine's bounds: not analysed (a flood, spoofing)."""

    def failover(self, vr: VirtualRouter, failover: Failover, a: Advert) -> None:
        """The master changed."""

    def resumed(self, vr: VirtualRouter, router: Router, silent_from: float, a: Advert) -> None:
        """The same master came back after a silence nobody filled."""

    def missed(self, vr: VirtualRouter, router: Router, miss: VantageMiss) -> None:
        """A vantage point lacks one of this router's adverts that others have (``audit --vantage``)."""

    def ended(self, inputs: Sequence[InputSummary]) -> None:
        """The capture ended: what each input read (its drop counters), before the book is described."""

    def report_findings(self, view: ReportView) -> list[Finding]:
        """Findings computed from the whole state at report time (not counted as they happen).

        They must depend on the view alone: a sharded audit (vrrpcap/parallel/) calls this on fresh
        detectors over the merged summaries of every shard."""
        return []
