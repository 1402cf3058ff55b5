"""The detectors: each family of findings is one class with one job (see docs/architecture.md)."""

from vrrpcap.analysis.book import FindingBook
from vrrpcap.analysis.detectors.base import Detector, ReportView
from vrrpcap.analysis.detectors.capacity import Capacity
from vrrpcap.analysis.detectors.changes import Failovers, Flapping, Priorities
from vrrpcap.analysis.detectors.claims import MasterClaims
from vrrpcap.analysis.detectors.coexist import Coexistence
from vrrpcap.analysis.detectors.collision import Collision
from vrrpcap.analysis.detectors.consistency import CaptureDrops, Consistency
from vrrpcap.analysis.detectors.content import ContentChecks
from vrrpcap.analysis.detectors.inputs import NoAdverts
from vrrpcap.analysis.detectors.malformed import Malformed, PeerUnreachable
from vrrpcap.analysis.detectors.overlap import Overlap
from vrrpcap.analysis.detectors.takeovers import TakeoverOutliers
from vrrpcap.analysis.detectors.timing import MissedAdverts
from vrrpcap.analysis.detectors.vantage import VantageMisses
from vrrpcap.analysis.options import Options

__all__ = ["DEFAULT_DETECTORS", "ContentChecks", "Detector", "ReportView", "make_detectors"]

# In the order the engine calls their hooks within one advert.
DEFAULT_DETECTORS: tuple[type[Detector], ...] = (
    Collision,
    Priorities,
    MissedAdverts,
    Failovers,
    TakeoverOutliers,
    MasterClaims,
    Flapping,
    Overlap,
    Malformed,
    PeerUnreachable,
    Consistency,
    Coexistence,
    CaptureDrops,
    Capacity,
    NoAdverts,
    VantageMisses,
)


def make_detectors(
    book: FindingBook, options: Options, kinds: tuple[type[Detector], ...] = DEFAULT_DETECTORS
) -> list[Detector]:
    return [kind(book, options) for kind in kinds]
