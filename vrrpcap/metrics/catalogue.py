"""Every metric vrrpcap exports, described once: name, type, labels, meaning, its keepalived-exporter kin.

docs/metrics.md is written from this table (tests/metrics/test_docs.py holds them together), the
renderer takes each family's name and help from here, and the dashboard test checks that every
metric a panel names is one of these. Names follow the Prometheus conventions: base units (seconds),
``_total`` on counters (added by the exposition), an ``_info`` metric for "who is master".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["counter", "gauge", "histogram", "info"]
# Which identity labels a family carries before its own: none (the sensor), the capture's
# `interface`, a virtual router's, a router's (the virtual router's and `router`), a segment's.
Scope = Literal["sensor", "capture", "virtual-router", "router", "segment", "finding"]

SEGMENT_LABELS = ("interface", "vlan", "family", "vrid")
VIRTUAL_ROUTER_LABELS = (*SEGMENT_LABELS, "group", "vrrp_instance", "vrrp_sync_group")
ROUTER_LABELS = (*VIRTUAL_ROUTER_LABELS, "router")
SCOPE_LABELS: dict[Scope, tuple[str, ...]] = {
    "sensor": (),
    "capture": ("interface",),
    "virtual-router": VIRTUAL_ROUTER_LABELS,
    "router": ROUTER_LABELS,
    "segment": SEGMENT_LABELS,
    "finding": VIRTUAL_ROUTER_LABELS,  # as far as the finding names a virtual router or a segment
}

# Takeover latency on the wire: priority 0 about one skew time (0.6 s at 1 s), a preemption under
# one interval, a crash one Master_Down_Interval (3.6 s at 1 s); VRRPv3 intervals go down to 10 ms.
TAKEOVER_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 30.0)


@dataclass(frozen=True, slots=True, eq=False)  # each is one of FAMILIES: identity, and a cheap hash
class Family:
    name: str  # as in the OpenMetrics TYPE line: counters without `_total`, info without `_info`
    kind: Kind
    scope: Scope
    help: str
    labels: tuple[str, ...] = ()  # the family's own labels, after its scope's
    keepalived: str = ""  # the keepalived-exporter metric it stands for, and how

    @property
    def exposed(self) -> str:
        """The sample name queries use (a histogram's base name)."""
        if self.kind == "counter":
            return f"{self.name}_total"
        if self.kind == "info":
            return f"{self.name}_info"
        return self.name

    @property
    def series_names(self) -> tuple[str, ...]:
        if self.kind == "histogram":
            return (f"{self.name}_bucket", f"{self.name}_count", f"{self.name}_sum")
        return (self.exposed,)

    @property
    def all_labels(self) -> tuple[str, ...]:
        extra = ("le",) if self.kind == "histogram" else ()
        return (*SCOPE_LABELS[self.scope], *self.labels, *extra)


BUILD = Family("vrrpcap_build", "info", "sensor", "vrrpcap's version and Python.", ("version", "python"))
UP = Family(
    "vrrpcap_up",
    "gauge",
    "sensor",
    "1 while every capture runs (live) or every input was read undamaged (audit), else 0.",
    keepalived="keepalived_up (the daemon answered; here: the sensor's captures run)",
)
ANALYSIS_TIME = Family(
    "vrrpcap_analysis_timestamp_seconds",
    "gauge",
    "sensor",
    "The wire time the analysis has reached (latest advert or clock tick): states are as of then.",
)
OMITTED = Family(
    "vrrpcap_metrics_omitted_virtual_routers",
    "gauge",
    "sensor",
    "Virtual routers left out of this exposition by --metrics-max-series.",
)
EXPIRED = Family(
    "vrrpcap_metrics_expired_virtual_routers",
    "gauge",
    "sensor",
    "Virtual routers not exported because none of their routers advertised within --metrics-expiry.",
)
CAPTURE_FRAMES = Family(
    "vrrpcap_capture_frames",
    "counter",
    "capture",
    "Frames the capture filter passed to vrrpcap (live), or packets read (audit).",
)
CAPTURE_ADVERTS = Family(
    "vrrpcap_capture_adverts",
    "counter",
    "capture",
    "VRRP records decoded from those frames: adverts, CARP, ICMP quotes, malformed packets.",
)
CAPTURE_DROPS = Family(
    "vrrpcap_capture_dropped_packets",
    "counter",
    "capture",
    "Packets the kernel or dumpcap dropped before vrrpcap saw them (absent while unknown).",
)
MASTERS = Family(
    "vrrpcap_virtual_router_masters",
    "gauge",
    "virtual-router",
    "Routers advertising as master now (an advert within --missed-factor intervals): 2 or more is a split brain.",
    keepalived="count(keepalived_vrrp_state == 2) across the nodes' exporters",
)
MASTER = Family(
    "vrrpcap_virtual_router_master",
    "info",
    "virtual-router",
    "The current master (the best-ranked router whose run is open); absent while there is none.",
    ("router",),
    keepalived="keepalived_vrrp_state == 2 on the node that is master",
)
FAILOVERS = Family(
    "vrrpcap_virtual_router_failovers",
    "counter",
    "virtual-router",
    "Changes of master, by cause: silence (crash, link), priority-0 (resigned), preempted.",
    ("cause",),
    keepalived="sum of keepalived_become_master_total over the nodes, less their first start",
)
TAKEOVER = Family(
    "vrrpcap_virtual_router_takeover_seconds",
    "histogram",
    "virtual-router",
    "Takeover latency of each failover: the old master's last advert to the new master's first.",
    keepalived="none (each node sees only its own transition)",
)
LAST_FAILOVER = Family(
    "vrrpcap_virtual_router_last_failover_timestamp_seconds",
    "gauge",
    "virtual-router",
    "Wire time of the latest failover (the new master's first advert); absent before the first.",
)
LAST_TAKEOVER = Family(
    "vrrpcap_virtual_router_last_takeover_seconds",
    "gauge",
    "virtual-router",
    "Takeover latency of the latest failover; absent before the first.",
)
WITHOUT_MASTER = Family(
    "vrrpcap_virtual_router_seconds_without_master",
    "gauge",
    "virtual-router",
    "Seconds since the last master's run ended (its Master_Down_Interval ran out or it resigned), 0 while one is open.",
    keepalived="none (a node in BACKUP cannot tell that nobody is master)",
)
INTERVAL = Family(
    "vrrpcap_virtual_router_advert_interval_seconds",
    "gauge",
    "virtual-router",
    "Advertisement interval of the current master (or of the router heard last).",
    keepalived="advert_int of the instance's configuration",
)
ROUTER_ADVERTS = Family(
    "vrrpcap_router_adverts",
    "counter",
    "router",
    "Adverts the router sent, by delivery (multicast to 224.0.0.18/ff02::12, or unicast).",
    ("delivery",),
    keepalived="keepalived_advertisements_sent_total on the sender, _received_total on its peers",
)
ROUTER_PRIORITY = Family(
    "vrrpcap_router_priority",
    "gauge",
    "router",
    "Priority in the router's latest advert (0 after it resigned).",
    keepalived="none (keepalived.json effective_priority)",
)
ROUTER_STATE = Family(
    "vrrpcap_router_state",
    "gauge",
    "router",
    "1 for the router's state: master; backup (stood down while a better router advertised); "
    "resigned (sent priority 0); silent (stopped advertising with no better router in sight).",
    ("state",),
    keepalived="keepalived_vrrp_state (2 MASTER, 1 BACKUP; resigned is keepalived's FAULT or STOP)",
)
BECOME_MASTER = Family(
    "vrrpcap_router_become_master",
    "counter",
    "router",
    "Runs as master the router started (its first advert after a time without).",
    keepalived="keepalived_become_master_total",
)
RELEASE_MASTER = Family(
    "vrrpcap_router_release_master",
    "counter",
    "router",
    "Runs as master the router ended: priority 0, silence, or yielding to a better router.",
    keepalived="keepalived_release_master_total",
)
PRIORITY_ZERO = Family(
    "vrrpcap_router_priority_zero_sent",
    "counter",
    "router",
    "Times the router resigned with a priority-0 advert (keepalived's repeats counted once).",
    keepalived="keepalived_priority_zero_sent_total on the sender, _received_total on its peers",
)
MISSED = Family(
    "vrrpcap_router_missed_adverts",
    "counter",
    "router",
    "Adverts missing from the router's stream while master (gaps over --missed-factor intervals).",
    keepalived="none",
)
MULTICAST_VRS = Family(
    "vrrpcap_segment_multicast_virtual_routers",
    "gauge",
    "segment",
    "Virtual routers with multicast adverts on one interface, VLAN, family and VRID: 2 or more is a VRID collision.",
    keepalived="none (keepalived drops the other cluster's adverts as address-list errors)",
)
FINDINGS = Family(
    "vrrpcap_findings",
    "counter",
    "finding",
    "Findings announced (once each, when first certain), by code and severity; "
    "the virtual router's or segment's labels when the finding names one.",
    ("code", "severity"),
    keepalived="keepalived_ip_ttl_errors_total (VRRP-BAD-TTL), keepalived_advertisements_interval_errors_total "
    "(VRRP-INTERVAL-MISMATCH), keepalived_authentication_mismatch_total (VRRP-AUTH-MISMATCH), "
    "keepalived_address_list_errors_total (VRRP-VIP-MISMATCH), keepalived_packet_length_errors_total and "
    "keepalived_invalid_type_received_total (VRRP-MALFORMED)",
)

FAMILIES: tuple[Family, ...] = (
    BUILD,
    UP,
    ANALYSIS_TIME,
    OMITTED,
    EXPIRED,
    CAPTURE_FRAMES,
    CAPTURE_ADVERTS,
    CAPTURE_DROPS,
    MASTERS,
    MASTER,
    FAILOVERS,
    TAKEOVER,
    LAST_FAILOVER,
    LAST_TAKEOVER,
    WITHOUT_MASTER,
    INTERVAL,
    ROUTER_ADVERTS,
    ROUTER_PRIORITY,
    ROUTER_STATE,
    BECOME_MASTER,
    RELEASE_MASTER,
    PRIORITY_ZERO,
    MISSED,
    MULTICAST_VRS,
    FINDINGS,
)


def exported_names() -> frozenset[str]:
    """Every sample name an exposition may hold (what a query can name)."""
    return frozenset(name for family in FAMILIES for name in family.series_names)
