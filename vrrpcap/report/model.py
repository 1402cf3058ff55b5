"""What the analysis concludes, as values: inputs, mastership runs, failovers, routers, virtual routers.

All frozen: the report is a value. The JSON contract (docs/report.schema.json) is built from these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from vrrpcap.decode import Family
from vrrpcap.times import iso8601

EndCause = Literal["silence", "priority-0", "yielded", "capture-end", "open"]
FailoverCause = Literal["silence", "priority-0", "preempted"]
# The rule a takeover's figure follows (docs/findings.md, VRRP-TAKEOVER-OUTLIER): the first three are
# what each cause predicts; the others explain a figure that is not the cause's own.
TakeoverRule = Literal[
    "master-down-interval",  # silence: the new master's Master_Down_Interval
    "skew",  # priority 0: the new master's Skew_Time
    "preempted",  # a better router appeared; no outage, any figure up to about one interval
    "first-advert-unsent",  # FRR vrrpd over IPv6 does not send its first advert as master: one interval late
    "capture-loss",  # late by whole intervals: adverts around the takeover are missing from the capture
    "late-backup",  # the new master's first advert in the capture: it was not running, or not able to take over
    "unexplained",
]
CAUSE_RULE: dict[FailoverCause, TakeoverRule] = {
    "silence": "master-down-interval",
    "priority-0": "skew",
    "preempted": "preempted",
}
VirtualRouterDelivery = Literal["multicast", "unicast", "mixed"]
# VRRP, or CARP (OpenBSD/FreeBSD, ucarp) on the same IP protocol. For a CARP virtual router the
# priority slots of its masters and failovers hold advskew (CARP has no priority; lower advskew is
# preferred), and its JSON names them advskew.
VirtualRouterProtocol = Literal["vrrp", "carp"]


@dataclass(frozen=True, slots=True)
class InputSummary:
    """One input of a run (a capture file, stdin or a live interface): what was read and its health."""

    path: str
    format: str  # pcap | pcapng | live
    compression: str | None
    packets: int
    adverts: int
    first_time: float | None
    last_time: float | None
    capture_drops: int | None  # None: the input cannot tell
    problems: tuple[str, ...] = ()
    backend: str | None = None  # live only: scapy | dumpcap
    vantage: str | None = None  # `audit --vantage`: the name of the point this capture was taken at

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "format": self.format,
            "compression": self.compression,
            "packets": self.packets,
            "adverts": self.adverts,
            "first_time": self.first_time,
            "last_time": self.last_time,
            "first_time_iso": iso8601(self.first_time),
            "last_time_iso": iso8601(self.last_time),
            "capture_drops": self.capture_drops,
            "problems": list(self.problems),
        }
        if self.backend is not None:
            out["backend"] = self.backend
        if self.vantage is not None:
            out["vantage"] = self.vantage
        return out


@dataclass(frozen=True, slots=True)
class Mastership:
    """One router's uninterrupted run as master: first advert to last advert."""

    vr: str
    router: str
    start: float
    end: float
    start_observed: bool  # False: the router was probably master before the capture began
    end_observed: bool  # False: still master when the capture ended
    end_cause: EndCause
    adverts: int
    priority_min: int
    priority_max: int
    first_frame: int
    last_frame: int
    priorities: tuple[int, ...] = ()  # as advertised, in order of change ("150 -> 0")
    priorities_elided: int = 0  # changes between the first ones and the latest that were not kept

    @property
    def duration(self) -> float:
        return self.end - self.start

    def as_dict(self, protocol: VirtualRouterProtocol = "vrrp") -> dict[str, Any]:
        levels: dict[str, Any] = (
            {
                "advskew": self.priority_max,
                "advskew_min": self.priority_min,
                "advskew_max": self.priority_max,
                "advskews": list(self.priorities),
                "advskews_elided": self.priorities_elided,
            }
            if protocol == "carp"
            else {
                "priority": self.priority_max,
                "priority_min": self.priority_min,
                "priority_max": self.priority_max,
                "priorities": list(self.priorities),
                "priorities_elided": self.priorities_elided,
            }
        )
        return {
            "router": self.router,
            "start": self.start,
            "end": self.end,
            "start_observed": self.start_observed,
            "end_observed": self.end_observed,
            "end_cause": self.end_cause,
            "adverts": self.adverts,
            **levels,
            "first_frame": self.first_frame,
            "last_frame": self.last_frame,
            "start_iso": iso8601(self.start),
            "end_iso": iso8601(self.end),
        }


@dataclass(frozen=True, slots=True)
class Failover:
    """The master changed: from one router to another, why, and how long the handover took."""

    vr: str
    time: float  # the new master's first advert
    from_router: str | None
    to_router: str
    cause: FailoverCause
    takeover_s: float | None  # old master's last advert to the new master's first
    from_priority: int | None
    to_priority: int
    frame: int
    vrid: int = 0
    expected_takeover_s: float | None = None  # what explained_by predicts; None: no outage, or no rule fits
    explained_by: TakeoverRule | None = None  # None: not judged (a record built by hand)
    explanation: str = ""  # explained_by in words, with the figures

    @property
    def outlier(self) -> bool:
        """The takeover does not follow its cause's own rule (another rule or none explains it)."""
        return self.explained_by is not None and self.explained_by != CAUSE_RULE[self.cause]

    def takeover_text(self) -> str:
        """What the takeover number means for the cause: an outage only when the old master went silent
        or resigned; after a preemption, the time since the old master's last advert (no outage)."""
        old = self.from_router or "the old master"
        if self.takeover_s is None:
            return self.cause
        if self.cause == "preempted":
            return f"preempted, {self.takeover_s:.2f} s after {old}'s last advert; no outage"
        if self.cause == "priority-0":
            return f"{old} resigned with priority 0; no master advert for {self.takeover_s:.2f} s"
        return f"{old} fell silent; no master advert for {self.takeover_s:.2f} s"

    def rule_text(self) -> str:
        """The rule its figure follows, briefly ("" when not judged): the full sentence is `explanation`."""
        if self.explained_by is None:
            return ""
        expected = "" if self.expected_takeover_s is None else f", expected {self.expected_takeover_s:.2f} s"
        if self.explained_by == "unexplained":
            return f"unexplained{expected}"
        return f"explained by {self.explained_by}{expected}"

    def as_dict(self, protocol: VirtualRouterProtocol = "vrrp") -> dict[str, Any]:
        level = "advskew" if protocol == "carp" else "priority"
        return {
            "time": self.time,
            "time_iso": iso8601(self.time),
            "from": self.from_router,
            "to": self.to_router,
            "cause": self.cause,
            "takeover_s": self.takeover_s,
            f"from_{level}": self.from_priority,
            f"to_{level}": self.to_priority,
            "frame": self.frame,
            "expected_takeover_s": self.expected_takeover_s,
            "explained_by": self.explained_by,
            "explanation": self.explanation,
        }


@dataclass(frozen=True, slots=True)
class RouterSummary:
    address: str
    macs: tuple[str, ...]
    priorities: tuple[int, ...]
    intervals: tuple[float, ...]
    versions: tuple[int, ...]
    deliveries: tuple[str, ...]
    unicast_peers: tuple[str, ...]
    vips: tuple[str, ...]
    vip_sets: tuple[tuple[str, ...], ...]  # every distinct set it announced
    auth: tuple[str, ...]  # "none", "ah", "simple#1": secrets numbered, never shown
    adverts: int
    first_seen: float
    last_seen: float
    first_frame: int
    first_file: str = ""  # the input of first_frame
    # CARP routers only (empty for VRRP, whose priorities are then empty instead): what it advertised.
    advskews: tuple[int, ...] = ()
    advbases: tuple[int, ...] = ()
    demotions: tuple[int, ...] = ()

    def levels(self) -> str:
        """Its place in the election as advertised: VRRP priorities ('150/0'), CARP advskew and advbase."""
        if not self.advbases:
            return "/".join(map(str, self.priorities))
        text = f"advskew {'/'.join(map(str, self.advskews))}, advbase {'/'.join(map(str, self.advbases))}"
        return text + (f", demotion {'/'.join(map(str, self.demotions))}" if any(self.demotions) else "")

    def as_dict(self) -> dict[str, Any]:
        carp = (
            {"advskews": list(self.advskews), "advbases": list(self.advbases), "demotions": list(self.demotions)}
            if self.advbases
            else {}
        )
        return {
            "address": self.address,
            "macs": list(self.macs),
            "priorities": list(self.priorities),
            "intervals": list(self.intervals),
            "versions": list(self.versions),
            "delivery": list(self.deliveries),
            "unicast_peers": list(self.unicast_peers),
            "vips": list(self.vips),
            "auth": list(self.auth),
            "adverts": self.adverts,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "first_seen_iso": iso8601(self.first_seen),
            "last_seen_iso": iso8601(self.last_seen),
            "first_frame": self.first_frame,
            **carp,
        }


@dataclass(frozen=True, slots=True)
class ConfiguredInstance:
    """A configured instance this virtual router is (``audit --config``): where it is written and,
    when the wire shows which, the router address that runs it."""

    name: str
    file: str
    line: int
    router: str | None = None

    def __str__(self) -> str:
        return f"{self.name} ({self.file}:{self.line}{f', {self.router}' if self.router else ''})"

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "file": self.file, "line": self.line, "router": self.router}


@dataclass(frozen=True, slots=True)
class VirtualRouter:
    id: str  # stable for the whole run: set at the first sighting
    label: str  # for people: the peer group as it ended up (members, mixed delivery, collision VIP)
    segment: str  # the link, family and VRID it shares with any VRID-collision sibling
    interface: str | None
    vlan: tuple[int, ...]
    family: Family
    vrid: int
    delivery: VirtualRouterDelivery
    versions: tuple[int, ...]
    vips: tuple[str, ...]
    routers: tuple[RouterSummary, ...]
    masters: tuple[Mastership, ...]
    failovers: tuple[Failover, ...]
    adverts: int
    multicast_adverts: int
    unicast_adverts: int
    first_seen: float
    last_seen: float
    instances: tuple[ConfiguredInstance, ...] = ()  # with --config: the configured instances it is
    protocol: VirtualRouterProtocol = "vrrp"  # carp: vrid is the vhid, the priority slots hold advskew

    @property
    def level_name(self) -> str:
        """What the priority slots of its runs and failovers hold, for people: priority or advskew."""
        return "advskew" if self.protocol == "carp" else "priority"

    @property
    def number_name(self) -> str:
        """VRID or vhid."""
        return "vhid" if self.protocol == "carp" else "VRID"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "protocol": self.protocol,
            "label": self.label,
            "segment": self.segment,
            "interface": self.interface,
            "vlan": list(self.vlan),
            "family": self.family,
            "vrid": self.vrid,
            "delivery": self.delivery,
            "versions": list(self.versions),
            "vips": list(self.vips),
            "adverts": self.adverts,
            "multicast_adverts": self.multicast_adverts,
            "unicast_adverts": self.unicast_adverts,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "first_seen_iso": iso8601(self.first_seen),
            "last_seen_iso": iso8601(self.last_seen),
            "routers": [r.as_dict() for r in self.routers],
            "masters": [m.as_dict(self.protocol) for m in self.masters],
            "failovers": [f.as_dict(self.protocol) for f in self.failovers],
            "instances": [i.as_dict() for i in self.instances],
        }
