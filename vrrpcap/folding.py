"""The file pipeline's fast path: a router's repeated adverts counted in C and fed as one item.

A master sends the same advert every interval; a capture of many virtual routers is mostly repeats.
After the engine has handled an advert and offered to take its repeats in bulk (`Engine.offer`), the
frame's content is registered with the C folder (vrrpcap/_fold.c), which then counts every repeat it
meets in the scanned frames without decoding it, and stops at anything else: an unregistered content,
a gap beyond the router's limit, a deadline of the engine (`Mastership.rearm`) or of a registered
router running out. Python then feeds the counted repeats that the next step may look at
(`Engine.feed_repeats`) and handles the frame it stopped at as the ordinary pipeline does.

What may look at a router's state, and so must see its repeats fed first:
- an advert of the same segment (link, family, VRID): its placement, hooks and mastership look no
  further than the segment (vrrpcap/parallel/shard.py relies on the same fact);
- a run ending in the engine's deadline heap (its cause reads the other routers of its virtual router):
  everything is fed first; that is rare (a master going silent);
- the end of the capture: everything.
Registered routers' deadlines are watched by the folder (`Mastership.hold`), and every frame the
folder stops at comes before all of them, so no run of a registered router can end unseen. After an
advert of a virtual router its routers' registrations are dropped (a new run, a claim or an overlap may
have begun), and after a change of its segment's groups all of the segment's.

Two masters at once (a split brain) are registered together or not at all. The first one offered
waits (unregistered) for its partner's offer; when that comes and the first one's offer still holds
(`Engine.still`), both are registered and linked as a pair with the overlap episode's state
(`Engine.pairing`). The folder then counts either master's repeats only while the other is active,
and the pair's counts go back with theirs (`Engine.feed_pair`). Releasing one releases both.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import TYPE_CHECKING, Any

from vrrpcap.analysis import Engine
from vrrpcap.analysis.identity import Segment, segment_of
from vrrpcap.analysis.repeats import Offer, PairRepeats, PairStart, Repeats
from vrrpcap.analysis.state import Router, VirtualRouter
from vrrpcap.decode import CachingDecoder
from vrrpcap.frames import Frame

if TYPE_CHECKING:
    from vrrpcap.pipeline import AdvertStream

BATCH = 8192  # frames merged from several files handed to the folder at a time (a few MB at most)
END, UNKNOWN, GAP, HORIZON, DEADLINE, FILE_CHANGED = range(6)  # why fold() stopped (see _fold.c)
INFINITY = float("inf")


def _load() -> ModuleType | None:
    """The C folder (vrrpcap/_fold.c), or None: not built, or VRRPCAP_NO_EXTENSION is set."""
    if os.environ.get("VRRPCAP_NO_EXTENSION"):
        return None
    try:
        return importlib.import_module("vrrpcap._fold")
    except ImportError:
        return None


# Module-level, read when a run starts, so that tests can set it to None (every advert fed one by one).
folder: ModuleType | None = _load()


class FoldedFeed:
    """One stream of scanned frames fed to one engine, repeats counted in C."""

    def __init__(self, engine: Engine, module: ModuleType) -> None:
        self.engine = engine
        self.folder: Any = module.Folder()
        self.decode = CachingDecoder()
        self._held: dict[Router, tuple[int, Offer]] = {}  # registered routers: their slot and offer
        self._by_segment: dict[Segment, set[Router]] = {}
        self._by_slot: dict[int, Router] = {}
        self._pairs: dict[Router, tuple[int, PairStart]] = {}  # a paired router: its pair's index and start
        self._waiting: dict[VirtualRouter, tuple[Offer, Frame]] = {}  # an offer waiting for its partner's

    def run(self, stream: AdvertStream) -> None:
        fold = self.folder.fold
        engine = self.engine
        mastership = engine.mastership
        deadlines = mastership.deadlines
        counted = stream.counted
        for batch in stream.batches(BATCH):
            i, size = 0, len(batch)
            while i < size:
                i_stop, count, reason, latest = fold(batch, i, deadlines[0][0] if deadlines else INFINITY)
                if count:
                    counted(batch[i].file, count)
                    if engine.now is None or latest > engine.now:
                        engine.now = latest
                i = i_stop
                if reason == END:
                    break
                if reason == FILE_CHANGED:
                    continue
                t = batch[i].time
                if reason == HORIZON and mastership.rearm(t):
                    continue  # only entries pushed again: nothing ends, fold on
                if reason == DEADLINE:
                    # A registered router's run ends before this frame: back to the heap with it (fed
                    # first); the next fold stops at the horizon that is now its deadline.
                    for slot in self.folder.expired(t):
                        if slot in self._by_slot:  # not released with its pair's other slot
                            self._release(self._by_slot[slot])
                    continue
                self._one(batch[i], stream)
                i += 1
        while self._held:
            self._release(next(iter(self._held)))

    def _one(self, frame: Frame, stream: AdvertStream) -> None:
        """A frame the folder does not count: decoded and fed as the ordinary pipeline feeds it."""
        advert = self.decode(frame)
        if advert is None:
            return
        stream.counted(frame.file, 1)
        engine = self.engine
        deadlines = engine.mastership.deadlines
        if deadlines and deadlines[0][0] < advert.time and not engine.mastership.rearm(advert.time):
            self._feed_all()  # a run ends on the way: its virtual router's state must be current
        segment = segment_of(advert)
        if segment is None:  # not placed (ICMP quotes, malformed): reads no router's counts or times
            engine.feed(advert)
            return
        held = self._by_segment.get(segment)
        if held:
            for router in held:
                self._feed(router)
        placement = engine.placement
        sender = placement.routers.get((segment, advert.src))
        if sender is not None and sender in self._held:
            self._release(sender)
        version = placement.version(segment)
        engine.feed(advert)
        if held:
            sender = placement.routers.get((segment, advert.src))
            home = None if sender is None else sender.home
            changed = version is None or placement.version(segment) != version
            for router in [r for r in held if changed or r.home is home]:
                if router in self._held:  # not released with its pair's other master
                    self._release(router)
        offer = engine.offer(advert)
        if offer is None:
            return
        if offer.partner is None:
            self._hold(offer, frame)
            return
        waiting = self._waiting.pop(offer.vr, None)
        if (
            waiting is None
            or waiting[0].router is not offer.partner
            or not engine.still(waiting[0])
            or not self._hold_pair((offer, frame), waiting)
        ):
            self._waiting[offer.vr] = (offer, frame)

    def _hold_pair(self, one: tuple[Offer, Frame], other: tuple[Offer, Frame]) -> bool:
        """Register two partners' contents and link them as a pair, or neither (False)."""
        start = self.engine.pairing(one[0].vr)
        keys = [self.decode.fold_key(frame) for _, frame in (one, other)]
        if start is None or None in keys or {start.low, start.high} != {one[0].router, other[0].router}:
            return False
        slots = {offer.router: self._hold(offer, frame) for offer, frame in (one, other)}
        index = self.folder.pair(
            slots[start.low],
            slots[start.high],
            start.counting,
            start.answer_window,
            start.high_interval,
            start.pending,
            start.high_last,
            0 if start.latest is start.low else 1,
            start.latest_time,
            start.second,
        )
        for router in slots:
            self._pairs[router] = (index, start)
        return True

    def _hold(self, offer: Offer, frame: Frame) -> int | None:
        key = self.decode.fold_key(frame)
        if key is None:
            return None
        linktype, interface, content, ip, template_id = key
        a, router = offer.advert, offer.router
        slot: int = self.folder.add(
            linktype,
            interface,
            content,
            ip,
            -1 if template_id is None else template_id,
            offer.limit,
            offer.mdi,
            a.time,
            -1 if a.ip_id is None else a.ip_id,
        )
        self._held[router] = (slot, offer)
        self._by_segment.setdefault(router.segment, set()).add(router)
        self._by_slot[slot] = router
        self.engine.mastership.hold(router)
        return slot

    def _feed(self, router: Router) -> None:
        paired = self._pairs.get(router)
        if paired is None:
            self._feed_one(router)
            return
        index, start = paired
        self._feed_one(start.low)
        self._feed_one(start.high)
        self._feed_pair(start, self.folder.take_pair(index))

    def _feed_one(self, router: Router) -> None:
        slot, offer = self._held[router]
        taken = self.folder.take(slot)
        if taken is not None:
            self.engine.feed_repeats(offer, Repeats(*taken))

    def _feed_pair(self, start: PairStart, taken: tuple[Any, ...]) -> None:
        adverts, lower, answered, off_phase, pending, high_last, latest, latest_time, second = taken
        if adverts:
            pair = PairRepeats(
                start, adverts, lower, answered, off_phase, pending, high_last,
                start.high if latest else start.low, latest_time, second,
            )  # fmt: skip
            self.engine.feed_pair(pair)

    def _feed_all(self) -> None:
        for router in self._held:
            self._feed(router)

    def _release(self, router: Router) -> None:
        paired = self._pairs.get(router)
        if paired is None:
            self._release_one(router)
            return
        index, start = paired
        self._feed_one(start.low)
        self._feed_one(start.high)
        self._feed_pair(start, self.folder.unpair(index))
        for member in (start.low, start.high):
            del self._pairs[member]
            self._release_one(member)

    def _release_one(self, router: Router) -> None:
        slot, offer = self._held.pop(router)
        taken = self.folder.remove(slot)
        if taken is not None:
            self.engine.feed_repeats(offer, Repeats(*taken))
        del self._by_slot[slot]
        self._by_segment[router.segment].discard(router)
        self.engine.mastership.release(router)
