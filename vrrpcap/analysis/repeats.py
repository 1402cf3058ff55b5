"""Repeats: a router's latest advert sent again and again, handed to the engine as one item.

A master repeats one advert every interval. Once the engine has handled such an advert, and every part
that looks at adverts says that a repeat of it would change nothing but counters (`Engine.offer`), the
file pipeline counts the repeats without making an `Advert` of each (vrrpcap/folding.py, at C speed) and
feeds them as one `Repeats` (`Engine.feed_repeats`). The repeats it counts are those that come while
nothing else could happen on their account: each repeat within the router's gap limit of the one
before it, and before any deadline ran out. So the engine's state afterwards is the state ``count``
calls of `Engine.feed` would have left; the reference path (one advert at a time) is the oracle the
tests compare with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vrrpcap.analysis.book import Entry
from vrrpcap.analysis.state import Router, VirtualRouter
from vrrpcap.decode import Advert


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
