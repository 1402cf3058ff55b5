"""The report page as values the template renders: header, summary, findings, timelines, delivery,
inputs. Strings here are plain text; the template escapes every one of them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from vrrpcap import __version__
from vrrpcap.findings import CODES, Finding, Severity
from vrrpcap.render.common import clock, duration
from vrrpcap.render.html._timeline import TimelineView, timeline_view
from vrrpcap.render.layout import Layout, layout_of
from vrrpcap.report import Report
from vrrpcap.report.model import RouterSummary, VirtualRouter
from vrrpcap.times import UTC_ZONE, Zone

MAX_FRAMES_SHOWN = 12


@dataclass(frozen=True, slots=True)
class Card:
    label: str
    value: int
    css: str  # a severity class when the count is a problem


@dataclass(frozen=True, slots=True)
class RouterChip:
    address: str
    colour: str
    priorities: str


@dataclass(frozen=True, slots=True)
class VrRow:
    anchor: str
    id: str
    vrid: int
    number: str  # "51", or "51 (CARP vhid)"
    family: str
    delivery: str
    versions: str
    vips: str
    routers: tuple[RouterChip, ...]
    at_end: str  # the master(s) at the end of the capture; empty: none
    failovers: int
    problems: int  # warnings and errors


@dataclass(frozen=True, slots=True)
class FindingRow:
    severity: str
    rank: int
    code: str
    title: str
    vr: str | None
    anchor: str | None
    start: float
    start_text: str
    length: float  # -1: none
    length_text: str
    routers: str
    message: str
    frames: str
    frames_total: int | None  # set when only the first MAX_FRAMES_SHOWN are listed
    first_frame: int


@dataclass(frozen=True, slots=True)
class RouterRow:
    address: str
    colour: str
    priorities: str
    intervals: str
    versions: str
    deliveries: str
    peers: str
    auth: str
    adverts: int
    seen: str


@dataclass(frozen=True, slots=True)
class VrArticle:
    anchor: str
    id: str
    vrid: int
    number_name: str  # VRID, or CARP vhid
    level_name: str  # priority, or advskew
    family: str
    delivery: str
    vips: str
    adverts: int
    masters: int
    failovers: int
    red: int  # red marks on its timeline
    timeline: TimelineView
    routers: tuple[RouterRow, ...]


@dataclass(frozen=True, slots=True)
class DeliveryGroup:
    family: str
    delivery: str
    vrs: int
    adverts: int
    multicast: int
    unicast: int


@dataclass(frozen=True, slots=True)
class InputRow:
    path: str
    format: str
    packets: int
    adverts: int
    first: str
    last: str
    drops: int | None
    problems: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PageView:
    version: str
    names: str
    span: str  # the capture's first to last frame, or "no packets"
    worst: str | None  # severity label of the worst finding
    verdict: str
    cards: tuple[Card, ...]
    vrs: tuple[VrRow, ...]
    findings: tuple[FindingRow, ...]
    articles: tuple[VrArticle, ...]
    multicast: int
    unicast: int
    carp: int
    share: float  # multicast share of the VRRP adverts, in percent
    groups: tuple[DeliveryGroup, ...]
    inputs: tuple[InputRow, ...]
    settle: float
    missed: float
    flap_changes: int
    flap_window: float
    clamped: int  # times outside years 1-9999, drawn at the edge of the axis
    zone: str  # where the page's times are: "UTC", "Europe/Berlin"


def page_view(report: Report, zone: Zone = UTC_ZONE) -> tuple[PageView, Layout]:
    layout = layout_of(report, zone)
    facts = layout.facts
    anchors = {vr.id: f"vr-{n}" for n, vr in enumerate(report.virtual_routers, 1)}
    window = facts.window()
    summary = facts.summary
    total = summary.multicast_adverts + summary.unicast_adverts
    options = report.options
    worst = report.worst()
    problems = Counter(f.vr for f in report.findings if f.severity >= Severity.WARNING)
    view = PageView(
        version=__version__,
        names=", ".join(i.path for i in facts.inputs) or "no input",
        span=f"{clock(window[0], zone=zone)} to {clock(window[1], zone=zone)} {zone.name}" if window else "no packets",
        worst=None if worst is None else worst.label,
        verdict=_counts_text(report),
        cards=_cards(report, summary.virtual_routers, summary.adverts, summary.failovers),
        vrs=tuple(_vr_row(vr, anchors[vr.id], layout.colours, problems[vr.id]) for vr in report.virtual_routers),
        findings=tuple(_finding_row(f, anchors, zone) for f in report.findings),
        articles=tuple(_article(vr, anchors[vr.id], layout, n) for n, vr in enumerate(report.virtual_routers)),
        multicast=summary.multicast_adverts,
        unicast=summary.unicast_adverts,
        carp=summary.carp_adverts,
        share=100.0 * summary.multicast_adverts / total if total else 0.0,
        groups=_groups(report.virtual_routers),
        inputs=tuple(
            InputRow(
                path=i.path,
                format=i.format + (f" ({i.compression})" if i.compression else ""),
                packets=i.packets,
                adverts=i.adverts,
                first=clock(i.first_time, zone=zone),
                last=clock(i.last_time, zone=zone),
                drops=i.capture_drops,
                problems=i.problems,
            )
            for i in facts.inputs
        ),
        settle=options.settle_intervals,
        missed=options.missed_factor,
        flap_changes=options.flap_changes,
        flap_window=options.flap_window,
        clamped=layout.axis.clamped,
        zone=zone.name,
    )
    return view, layout


def _counts_text(report: Report) -> str:
    words = []
    for severity in sorted(Severity, reverse=True):
        n = report.count(severity)
        if n:
            words.append(f"{n} {severity.label}{'s' if n != 1 and severity is not Severity.INFO else ''}")
    return ", ".join(words) or "no findings"


def _cards(report: Report, vrs: int, adverts: int, failovers: int) -> tuple[Card, ...]:
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    return (
        Card("virtual routers", vrs, ""),
        Card("adverts", adverts, ""),
        *((Card("CARP adverts", report.carp_adverts, ""),) if report.carp_adverts else ()),
        Card("failovers", failovers, ""),
        Card("errors", errors, "sev-error" if errors else ""),
        Card("warnings", warnings, "sev-warning" if warnings else ""),
        Card("info", report.count(Severity.INFO), ""),
    )


def _vr_row(vr: VirtualRouter, anchor: str, colours: dict[str, str], problems: int) -> VrRow:
    return VrRow(
        anchor=anchor,
        id=vr.id,
        vrid=vr.vrid,
        number=f"{vr.vrid} (CARP vhid)" if vr.protocol == "carp" else str(vr.vrid),
        family=vr.family,
        delivery=vr.delivery,
        versions=", ".join(f"v{v}" for v in vr.versions),
        vips=", ".join(vr.vips),
        routers=tuple(
            RouterChip(r.address, colours.get(r.address, "#999"), r.levels())
            for r in vr.routers
        ),
        at_end=", ".join(m.router for m in vr.masters if not m.end_observed),
        failovers=len(vr.failovers),
        problems=problems,
    )


def _finding_row(f: Finding, anchors: dict[str, str], zone: Zone) -> FindingRow:
    length = (f.end - f.start) if f.start is not None and f.end is not None else None
    return FindingRow(
        severity=f.severity.label,
        rank=int(f.severity),
        code=f.code,
        title=CODES[f.code].title if f.code in CODES else "",
        vr=f.vr,
        anchor=anchors.get(f.vr) if f.vr is not None else None,
        start=f.start if f.start is not None else 0.0,
        start_text=clock(f.start, zone=zone),
        length=length if length is not None else -1.0,
        length_text=duration(length) if length else "",
        routers=", ".join(r for r in f.routers if r),
        message=f.message,
        frames=", ".join(str(n) for n in f.frames[:MAX_FRAMES_SHOWN]),
        frames_total=len(f.frames) if len(f.frames) > MAX_FRAMES_SHOWN else None,
        first_frame=f.frames[0] if f.frames else 0,
    )


def _article(vr: VirtualRouter, anchor: str, layout: Layout, index: int) -> VrArticle:
    lane = layout.lanes[index]
    return VrArticle(
        anchor=anchor,
        id=vr.id,
        vrid=vr.vrid,
        number_name="CARP vhid" if vr.protocol == "carp" else "VRID",
        level_name=vr.level_name,
        family=vr.family,
        delivery=vr.delivery,
        vips=", ".join(vr.vips) or "none",
        adverts=vr.adverts,
        masters=len(vr.masters),
        failovers=len(vr.failovers),
        red=len(lane.red),
        timeline=timeline_view(layout, lane),
        routers=tuple(_router_row(r, layout.colours, layout.zone) for r in vr.routers),
    )


def _router_row(r: RouterSummary, colours: dict[str, str], zone: Zone) -> RouterRow:
    return RouterRow(
        address=r.address,
        colour=colours.get(r.address, "#999"),
        priorities=r.levels(),
        intervals="/".join(f"{i:g} s" for i in r.intervals),
        versions="/".join(f"v{v}" for v in r.versions),
        deliveries=", ".join(r.deliveries),
        peers=", ".join(r.unicast_peers) or "-",
        auth=", ".join(r.auth),
        adverts=r.adverts,
        seen=f"{clock(r.first_seen, False, zone)} to {clock(r.last_seen, False, zone)}",
    )


def _groups(vrs: list[VirtualRouter]) -> tuple[DeliveryGroup, ...]:
    groups: dict[tuple[str, str], list[VirtualRouter]] = {}
    for vr in vrs:
        groups.setdefault((vr.family, vr.delivery), []).append(vr)
    return tuple(
        DeliveryGroup(
            family,
            delivery,
            len(members),
            sum(v.adverts for v in members),
            sum(v.multicast_adverts for v in members),
            sum(v.unicast_adverts for v in members),
        )
        for (family, delivery), members in sorted(groups.items())
    )
