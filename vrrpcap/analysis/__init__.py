"""The analysis engine and its detectors: adverts in, events and a report out."""

from vrrpcap.analysis.engine import Engine
from vrrpcap.analysis.events import (
    Event,
    FailoverEvent,
    FindingEvent,
    MasterEnded,
    MasterStarted,
    VirtualRouterMerged,
)
from vrrpcap.analysis.options import Options, master_down_interval

__all__ = [
    "Engine",
    "Event",
    "FailoverEvent",
    "FindingEvent",
    "MasterEnded",
    "MasterStarted",
    "Options",
    "VirtualRouterMerged",
    "master_down_interval",
]
