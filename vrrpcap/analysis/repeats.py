"""Repeats: a router's latest advert sent again and again, handed to the engine as one item.

A master repeats one advert every interval. Once the engine has handled such an advert, and every part
that looks at adverts says that a repeat of it would change nothing but counters (`Engine.offer`), the
file pipeline counts the repeats without making an `Advert` of each (vrrpcap/folding.py, at C speed) and
feeds them as one `Repeats` (`Engine.feed_repeats`). The repeats it counts are those that come while
nothing else could happen on their account: each repeat within the router's gap limit of the one
before it, and before any deadline ran out. So the engine's state afterwards is the state ``count``
calls of `Engine.feed` would have left; the reference path (one advert at a time) is the oracle the
tests compare with.

Two masters of one virtual router at once (a split brain past its settle window) are counted as a
pair: their repeats interleave, and the overlap detector reads the order (which advertised last, the
lower's adverts and the higher's answers to them). `PairStart` is its state when the pair is
registered, `PairRepeats` what the pair's repeats did to it (`Engine.feed_pair`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vrrpcap.analysis.book import Entry
from vrrpcap.analysis.state import Router, VirtualRouter
from vrrpcap.decode import Advert

if TYPE_CHECKING:
    from vrrpcap.analysis.placement import SegmentIndex


@dataclass(frozen=True, slots=True)
class Repeats:
    """``count`` repeats of an advert, in time order, the first ``first`` and the last ``last``."""

    count: int
    first: float
    last: float
    last_frame: int
    last_file: str
    ip_id: int | None  # the last repeat's IPv4 identification
    # Back-to-back pairs of adverts (the advert repeated and its first repeat, and so on) whose IPv4 IDs
    # are both known, and how many of them stepped by exactly one: what timing.py learns IDs from.
    id_pairs: int
    id_steps: int


@dataclass(frozen=True, slots=True)
class Offer:
    """The engine's word after an advert: its repeats may be fed as `Repeats` while each comes no more
    than ``limit`` after the one before and no later than its router's latest advert + ``mdi``."""

    advert: Advert  # the advert handled (its repeats differ in file, frame, time and IPv4 ID)
    vr: VirtualRouter
    router: Router
    limit: float  # the gap beyond which an advert is late (timing.py, claims.py read it per advert)
    mdi: float  # the router's Master_Down_Interval: its run ends when that much time passes silently
    entries: tuple[Entry[Any], ...]  # the book entries its content checks count (their evidence already full)
    partner: Router | None  # the other master its repeats interleave with (counted as a pair), or None
    index: SegmentIndex  # the segment's index and its version when the advert was placed
    version: int
    profile: object  # the content's cache key: the router's profile while nothing else was observed
    verdict_codes: tuple[str, ...]  # the content checks' findings (``entries``)


@dataclass(frozen=True, slots=True)
class PairStart:
    """The overlap episode of two masters when their repeats start being counted together."""

    vr: VirtualRouter  # the episode's virtual router
    low: Router  # the lower and the higher master (any order when the episode tells no direction)
    high: Router
    counting: bool  # the episode tells a direction: count the lower's adverts and the higher's answers
    answer_window: float
    high_interval: float
    pending: float | None  # the lower's latest advert not answered yet
    high_last: float | None  # the higher's previous advert
    latest: Router  # the master that advertised last, at ``latest_time``
    latest_time: float
    second: float  # the other's latest advert: the episode's end so far


@dataclass(frozen=True, slots=True)
class PairRepeats:
    """What a pair's repeats (``adverts`` of them, both masters') did to its episode."""

    start: PairStart
    adverts: int
    lower: int  # the lower's adverts
    answered: int  # those the higher answered within the window
    off_phase: int  # answers off the higher's own phase
    pending: float | None
    high_last: float | None
    latest: Router
    latest_time: float
    second: float
