"""The analysis thresholds and the RFC timer rules they rest on."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Options:
    settle_intervals: float = 3.0  # overlap longer than this many intervals is a split brain
    missed_factor: float = 1.5  # a gap longer than this many intervals misses adverts
    flap_window: float = 60.0  # seconds
    flap_changes: int = 3  # more master changes than this within the window is flapping


def master_down_interval(version: int | None, priority: int, interval: float) -> float:
    """RFC 3768/5798: 3 * interval + skew; the skew depends on the router's own priority."""
    skew = (256 - priority) * interval / 256 if version == 3 else (256 - priority) / 256
    return 3 * interval + skew


def carp_master_down_interval(advbase: int, advskew: int) -> float:
    """CARP (OpenBSD carp_setrun, ucarp): a backup declares the master down after 3 x advbase +
    advskew/256 of silence, the skew being the backup's own."""
    return 3 * advbase + advskew / 256


def carp_order(demotion: int, advbase: int, advskew: int) -> int:
    """CARP's preference, lower first: the demotion counter (OpenBSD compares it first), then the
    advert period advbase + advskew/256 (the more frequent advertiser is master)."""
    return (demotion << 16) + (advbase << 8) + advskew


@lru_cache(maxsize=65536)
def ip_key(address: str) -> tuple[int, ...]:
    """Sort key for 'the higher primary IP address wins' (IPv4 dotted or IPv6). Cached: parsing an
    address costs microseconds, and the same few addresses come back with every advert."""
    try:
        return (int(ipaddress.ip_address(address)),)
    except ValueError:  # not an address (a crafted record): after every real one, stable
        return (1 << 129, *address.encode())
