"""Sample lines made ahead: for each virtual router and router, every line up to its value.

A scrape then writes ``prefix + value`` per series: the names, the escaped labels and the fixed
extra labels (cause, le, state, delivery) are joined once per object, not once per scrape. A state
line is kept whole for both of its values. Templates are rebuilt when an object's labels change.
"""

from __future__ import annotations

from dataclasses import dataclass

from vrrpcap.metrics.catalogue import TAKEOVER_BUCKETS
from vrrpcap.metrics.tally import CAUSES

STATES = ("master", "backup", "resigned", "silent")
_LE = (*(f'le="{b!r}"' for b in TAKEOVER_BUCKETS), 'le="+Inf"')


def _prefix(name: str, labels: str, extra: str = "") -> str:
    inner = ",".join(part for part in (labels, extra) if part)
    return f"{name}{{{inner}}} " if inner else f"{name} "


@dataclass(frozen=True, slots=True)
class VirtualRouterLines:
    labels: str
    id: str  # the virtual router's id, kept: computing it formats the segment again
    masters: str
    without_master: str
    interval: str
    failovers: tuple[str, ...]  # by CAUSES
    last_failover: str
    last_takeover: str
    buckets: tuple[str, ...]  # by bound, then +Inf
    count: str
    sum: str

    @classmethod
    def make(cls, labels: str, vr_id: str) -> VirtualRouterLines:
        t = "vrrpcap_virtual_router_"
        return cls(
            labels,
            vr_id,
            _prefix(f"{t}masters", labels),
            _prefix(f"{t}seconds_without_master", labels),
            _prefix(f"{t}advert_interval_seconds", labels),
            tuple(_prefix(f"{t}failovers_total", labels, f'cause="{cause}"') for cause in CAUSES),
            _prefix(f"{t}last_failover_timestamp_seconds", labels),
            _prefix(f"{t}last_takeover_seconds", labels),
            tuple(_prefix(f"{t}takeover_seconds_bucket", labels, le) for le in _LE),
            _prefix(f"{t}takeover_seconds_count", labels),
            _prefix(f"{t}takeover_seconds_sum", labels),
        )


@dataclass(frozen=True, slots=True)
class RouterLines:
    labels: str
    master_info: str  # the virtual router's master-info line naming this router, whole
    multicast: str
    unicast: str
    priority: str
    states: dict[str, tuple[str, str]]  # state -> (its line with 0, with 1)
    became: str
    released: str
    resigned: str
    missed: str

    @classmethod
    def make(cls, vr_labels: str, labels: str) -> RouterLines:
        t = "vrrpcap_router_"
        router = labels[len(vr_labels) + 1 :]
        states = {}
        for state in STATES:
            prefix = _prefix(f"{t}state", labels, f'state="{state}"')
            states[state] = (f"{prefix}0\n", f"{prefix}1\n")
        return cls(
            labels,
            f"{_prefix('vrrpcap_virtual_router_master_info', vr_labels, router)}1\n",
            _prefix(f"{t}adverts_total", labels, 'delivery="multicast"'),
            _prefix(f"{t}adverts_total", labels, 'delivery="unicast"'),
            _prefix(f"{t}priority", labels),
            states,
            _prefix(f"{t}become_master_total", labels),
            _prefix(f"{t}release_master_total", labels),
            _prefix(f"{t}priority_zero_sent_total", labels),
            _prefix(f"{t}missed_adverts_total", labels),
        )
