"""Several vantage points of one segment: each advert analysed once, and which vantage missed which.

Captures of one segment taken at different points (the switch, each router's host) hold copies of the
same packets. The copies of one advert are told apart from other adverts by their content (every
field the wire carries: sender, destination, VRID, priority, VIPs, interval, auth, checksum, TTL,
VLAN tags) and the sender's IPv4 identification. The ID is the same in every copy of one packet, and
keepalived counts it up per advert (ucarp draws it at random, which tells packets apart as well), so
with an ID the match is exact. Without one (IPv6, or a stack that sends 0) copies are matched by
content and time: the nearest unmatched copy within half the advert's interval, which pairs the
right ones as long as one sender does not send two identical adverts closer than that.

Copies of one advert lie within ``window`` seconds of each other (queues, capture clocks): an
advert is settled once the stream is ``window`` past its first copy, and only then is it handed on,
as the copy of the first vantage (in the order given) that has it: the first vantage is the
reference whose times and frame numbers the analysis shows. Memory holds the adverts of one window,
never more.

A vantage is judged only between its first and last frame: before its capture began and after it
ended it missed nothing. Interface names are not compared (each vantage names its own link) and
the merged adverts carry none: the captures are of one segment.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from vrrpcap.decode import Advert

MATCH_WINDOW = 1.0  # seconds between the copies of one advert in different captures, at most


@dataclass(frozen=True, slots=True)
class VantageMiss:
    """A vantage point lacks an advert that others have: where it was not seen, and where it was."""

    advert: Advert  # the copy analysed (of the first vantage that has it)
    vantage: str
    seen_by: tuple[str, ...]  # the vantages that have it, in the order given


@dataclass(slots=True, eq=False)
class _Pending:
    key: tuple[Any, ...]
    first: float  # the earliest copy's time
    limit: float  # how far from ``first`` another vantage's copy may lie and still be this advert
    copies: list[Advert | None]


def identity(a: Advert) -> tuple[Any, ...]:
    """What makes two copies one advert: everything the packet carries but where and when it was seen.
    The ID is left out when it tells nothing (IPv6 has none; 0 is what stacks send that do not count)."""
    return (
        a.kind, a.family, a.src, a.dst, a.vlan, a.ttl, a.version, a.type, a.vrid, a.priority, a.addr_count,
        a.interval, a.auth_type, a.addresses, a.checksum_value, a.length, a.encapsulation, a.icmp_from,
        a.icmp_type, a.icmp_code, a.advskew, a.demotion, a.malformed, a.auth_secret, a.ip_id or None,
    )  # fmt: skip


class Aligner:
    """Copies in (each with its vantage's index), in time order; each advert out once, then its misses.

    ``push`` and ``flush`` return what is settled: the advert to analyse, followed by one
    `VantageMiss` per vantage that was capturing then and has no copy of it.
    """

    def __init__(self, names: Sequence[str], window: float = MATCH_WINDOW) -> None:
        self.names = tuple(names)
        self.window = window
        self._pending: deque[_Pending] = deque()  # in order of first copy
        self._by_key: dict[tuple[Any, ...], deque[_Pending]] = {}
        self._first: list[float | None] = [None] * len(self.names)
        self._last: list[float | None] = [None] * len(self.names)  # set when a vantage's capture ends

    def __len__(self) -> int:
        """Adverts not settled yet: those of the last window."""
        return len(self._pending)

    def push(self, index: int, a: Advert) -> list[Advert | VantageMiss]:
        t = a.time
        out = self._settle(t - self.window)
        if self._first[index] is None:
            self._first[index] = t
        if a.interface is not None:
            a = replace(a, interface=None)
        key = identity(a)
        same = self._by_key.get(key)
        if same is not None:
            for pending in same:
                if pending.copies[index] is None and abs(t - pending.first) <= pending.limit:
                    pending.copies[index] = a
                    return out
        limit = self.window if key[-1] is not None else min(self.window, (a.interval or 1.0) / 2)
        pending = _Pending(key, t, limit, [None] * len(self.names))
        pending.copies[index] = a
        self._pending.append(pending)
        if same is None:
            self._by_key[key] = deque([pending])
        else:
            same.append(pending)
        return out

    def ended(self, index: int, last: float) -> None:
        """A vantage's capture ended with a frame at ``last``: it is not judged for adverts after that."""
        self._last[index] = last

    def flush(self) -> list[Advert | VantageMiss]:
        """Every capture has ended: settle what is left."""
        return self._settle(None)

    def _settle(self, before: float | None) -> list[Advert | VantageMiss]:
        pending = self._pending
        out: list[Advert | VantageMiss] = []
        while pending and (before is None or pending[0].first < before):
            item = pending.popleft()
            same = self._by_key[item.key]
            same.popleft()  # the oldest of its key, as it is the oldest of all
            if not same:
                del self._by_key[item.key]
            copies = item.copies
            chosen = next(c for c in copies if c is not None)
            out.append(chosen)
            if None in copies:
                seen_by = tuple(n for n, c in zip(self.names, copies, strict=True) if c is not None)
                out.extend(
                    VantageMiss(chosen, self.names[i], seen_by)
                    for i, copy in enumerate(copies)
                    if copy is None and self._capturing(i, item.first)
                )
        return out

    def _capturing(self, index: int, t: float) -> bool:
        first, last = self._first[index], self._last[index]
        return first is not None and first <= t and (last is None or t <= last)
