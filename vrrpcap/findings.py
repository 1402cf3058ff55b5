"""Finding codes, severities and the Finding record. Every code is documented in docs/findings.md."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Literal, NamedTuple

from vrrpcap.times import iso8601

Drawn = Literal["span", "rule"]  # how timeline pictures mark a finding: a red band, a red rule
# Who lost a VRRP-MISSED-ADVERTS finding's adverts (docs/findings.md): the capture (the sender sent them),
# the router (it did not send), some of each, or it cannot be told from the capture.
LossCause = Literal["capture", "router", "mixed", "unknown"]


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """Everything about a code that is not one occurrence: the catalogue is the one place for it."""

    code: str
    severity: Severity
    title: str
    drawn: Drawn | None = None  # marked in red on timeline pictures, and how
    picture_label: str | None = None  # the red mark's caption
    streamed: bool = True  # False: `live --json` has its own record for it (failovers)


_CATALOG = (
    ("VRRP-SPLIT-BRAIN", Severity.ERROR, "two or more routers are master of one virtual router at once"),
    (
        "VRRP-VRID-COLLISION",
        Severity.ERROR,
        "two virtual routers with disjoint VIPs share a VRID on one segment",
    ),
    ("VRRP-VIP-CONFLICT", Severity.ERROR, "one virtual IP announced by two virtual routers"),
    ("VRRP-OWNER-CONFLICT", Severity.ERROR, "two routers advertise priority 255 in one virtual router"),
    ("VRRP-BAD-TTL", Severity.ERROR, "TTL / hop limit is not 255"),
    ("VRRP-BAD-CHECKSUM", Severity.ERROR, "the checksum matches no known variant"),
    ("VRRP-MALFORMED", Severity.ERROR, "a VRRP packet that cannot be decoded completely"),
    ("VRRP-MISSED-ADVERTS", Severity.WARNING, "gaps in a master's stream of adverts"),
    (
        "VRRP-INTERVAL-MISMATCH",
        Severity.WARNING,
        "routers of one virtual router advertise different intervals",
    ),
    ("VRRP-VIP-MISMATCH", Severity.WARNING, "routers of one virtual router advertise different VIP sets"),
    ("VRRP-AUTH-MISMATCH", Severity.WARNING, "different authentication within one virtual router"),
    ("VRRP-VERSION-MISMATCH", Severity.WARNING, "VRRPv2 and VRRPv3 adverts in one virtual router"),
    ("VRRP-CHECKSUM-VARIANT", Severity.WARNING, "VRRPv3 IPv4 checksum computed a non-RFC way"),
    ("VRRP-CLEARTEXT-PASSWORD", Severity.WARNING, "VRRPv2 simple-text password on the wire"),
    ("VRRP-MIXED-DELIVERY", Severity.WARNING, "one virtual router seen both multicast and unicast"),
    ("VRRP-UNICAST-ASYMMETRY", Severity.WARNING, "unicast peers that do not match"),
    ("VRRP-PEER-UNREACHABLE", Severity.WARNING, "ICMP errors say a unicast peer is not listening"),
    ("VRRP-PRIORITY-TIE", Severity.WARNING, "competing masters with equal priority"),
    ("VRRP-OWNER-MISMATCH", Severity.WARNING, "priority 255 from a router whose address is not a VIP"),
    ("VRRP-MASTER-CLAIM", Severity.WARNING, "a backup claimed master briefly while the master kept advertising"),
    ("VRRP-FLAPPING", Severity.WARNING, "master changes too often"),
    ("VRRP-CAPTURE-DROPS", Severity.WARNING, "the capture itself dropped packets"),
    ("VRRP-VANTAGE-MISSED", Severity.WARNING, "a vantage point lacks adverts the other vantage points saw"),
    ("VRRP-TOO-MANY-ROUTERS", Severity.WARNING, "more routers than the analysis keeps: a flood or spoofed sources"),
    ("VRRP-NO-ADVERTS", Severity.WARNING, "an input holds no VRRP advert (a wrong capture filter?)"),
    ("VRRP-VMAC-MISMATCH", Severity.WARNING, "virtual-MAC source whose VRID byte differs from the VRID"),
    ("VRRP-CARP-COEXIST", Severity.WARNING, "a CARP vhid and a VRRP VRID of one number share a link"),
    ("VRRP-CONFIG-LINT", Severity.WARNING, "configurations that contradict each other or themselves"),
    ("VRRP-CONFIG-PROBLEM", Severity.WARNING, "a config line the daemon rejects or changes, or vrrpcap cannot read"),
    ("VRRP-CONFIG-NOT-SEEN", Severity.WARNING, "a configured instance whose virtual router is not on the wire"),
    ("VRRP-CONFIG-PRIORITY", Severity.WARNING, "a priority on the wire its config cannot reach"),
    ("VRRP-CONFIG-INTERVAL", Severity.ERROR, "the wire's advert interval is not the configured one"),
    ("VRRP-CONFIG-VIPS", Severity.WARNING, "the wire's VIPs are not the configured ones"),
    ("VRRP-CONFIG-VERSION", Severity.ERROR, "the wire's VRRP version is not the configured one"),
    ("VRRP-CONFIG-AUTH", Severity.ERROR, "the wire's authentication type is not the configured one"),
    ("VRRP-CONFIG-DELIVERY", Severity.ERROR, "config says unicast and the wire shows multicast, or the reverse"),
    ("VRRP-CONFIG-PEERS", Severity.WARNING, "unicast destinations on the wire differ from unicast_peer"),
    ("VRRP-FAILOVER", Severity.INFO, "the master changed"),
    (
        "VRRP-TAKEOVER-OUTLIER",
        Severity.WARNING,
        "a takeover its cause's timer rule does not explain (info when another rule does)",
    ),
    ("VRRP-PRIORITY-CHANGE", Severity.INFO, "a router's advertised priority changed"),
    ("VRRP-PRIORITY-ZERO", Severity.INFO, "a master resigned with priority 0"),
)

_PICTURES: dict[str, tuple[Drawn, str]] = {
    "VRRP-SPLIT-BRAIN": ("span", "SPLIT BRAIN"),
    "VRRP-VRID-COLLISION": ("span", "VRID COLLISION"),
    "VRRP-MISSED-ADVERTS": ("rule", "missed adverts"),
    "VRRP-CARP-COEXIST": ("span", "CARP + VRRP"),
}
_NOT_STREAMED = frozenset({"VRRP-FAILOVER"})  # every failover has its own live record, with takeover latency

CODES: dict[str, CodeInfo] = {
    code: CodeInfo(
        code,
        severity,
        title,
        drawn=_PICTURES[code][0] if code in _PICTURES else None,
        picture_label=_PICTURES[code][1] if code in _PICTURES else None,
        streamed=code not in _NOT_STREAMED,
    )
    for code, severity, title in _CATALOG
}

MAX_EVIDENCE = 40  # frames kept per finding: enough to look at, bounded whatever the capture


class Evidence(NamedTuple):
    """A frame that shows a finding: the input it is in and its number there (1-based, as Wireshark
    numbers frames). With several inputs, a frame number alone names nothing."""

    file: str
    frame: int

    def __str__(self) -> str:
        return f"{self.file}#{self.frame}"


class SourceLine(NamedTuple):
    """A line of a configuration file a finding is about (line 0: the file as a whole)."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class Hearing(NamedTuple):
    """What the wire proves a router hears: the routers it hears (empty: none of the others)."""

    router: str
    hears: tuple[str, ...]


class Claim(NamedTuple):
    """One brief claim of mastership (VRRP-MASTER-CLAIM): the claimant's first advert to the end of it
    (the master's advert that pushed it back, else the claimant's last), and whether the master answered
    the claim at once (an advert within milliseconds of the claimant's, off its own phase)."""

    start: float
    end: float
    answered: bool


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    vr: str | None  # virtual router id; None for capture-wide findings
    start: float | None
    end: float | None
    routers: tuple[str, ...]
    message: str
    evidence: tuple[Evidence, ...] = ()
    count: int = 1  # how many occurrences the finding sums up (adverts, gaps, changes)
    vrid: int | None = None  # the VRID concerned, None for capture-wide findings
    locations: tuple[SourceLine, ...] = ()  # config lines concerned, the main one first; () for wire-only findings
    reason: str | None = None  # the sub-kind of a config finding (lint reason, problem kind)
    vantage: str | None = None  # `audit --vantage`: the vantage point the finding is about
    direction: str | None = None  # a split brain: who does not hear whom, as far as the wire tells
    hears: tuple[Hearing, ...] = ()  # a split brain: the routers whose hearing the wire proves, and what they hear
    claims: tuple[Claim, ...] = ()  # VRRP-MASTER-CLAIM: the first claims (count has them all)
    cause: LossCause | None = None  # VRRP-MISSED-ADVERTS: who lost the adverts; None for other codes

    @property
    def frames(self) -> tuple[int, ...]:
        """The evidence's frame numbers (each within its own file)."""
        return tuple(e.frame for e in self.evidence)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.label,
            "vr": self.vr,
            "start": self.start,
            "end": self.end,
            "start_iso": iso8601(self.start),
            "end_iso": iso8601(self.end),
            "routers": list(self.routers),
            "message": self.message,
            "frames": list(self.frames),
            "evidence": [{"file": e.file, "frame": e.frame} for e in self.evidence],
            "count": self.count,
            "vrid": self.vrid,
            "locations": [{"file": loc.file, "line": loc.line} for loc in self.locations],
            "reason": self.reason,
            **({"vantage": self.vantage} if self.vantage is not None else {}),
            "direction": self.direction,
            "hears": {h.router: list(h.hears) for h in self.hears} if self.hears else None,
            "claims": [
                {"start": c.start, "end": c.end, "duration_s": c.end - c.start, "answered": c.answered}
                for c in self.claims
            ],
            "cause": self.cause,
        }
