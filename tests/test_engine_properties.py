"""The engine's caches change nothing: on random advert streams, cached and reference runs agree.

The streams are made to hit what the caches must get right: routers joining and leaving, priority
changes, silences, overlapping masters, VRIDs reused by unicast pairs and by disjoint VIP clusters,
peer groups that merge mid-stream, repeated and changing content (TTL, checksum, auth, MAC), and
CARP bursts on the same numbers (advskew and demotion in place of priority, an HMAC new per advert).
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vrrpcap.analysis import Engine, Event
from vrrpcap.decode import Advert, ChecksumVerdict
from vrrpcap.report import InputSummary

ROUTERS = [f"192.0.2.{i}" for i in range(1, 7)]
VIPS = [("192.0.2.100",), ("192.0.2.200",), ("192.0.2.100", "192.0.2.101")]


@dataclass(frozen=True)
class Burst:
    """One router advertising for a while with fixed content."""

    src: str
    dst: str  # 224.0.0.18 or a peer
    vrid: int
    priority: int
    interval: float
    vips: tuple[str, ...]
    start: float
    count: int
    ttl: int
    checksum: ChecksumVerdict
    auth_type: int
    mac: str | None
    jitter: tuple[float, ...]
    carp: bool = False  # a CARP advert: priority becomes advskew, the interval advbase + advskew/256
    demotion: int = 0


bursts = st.builds(
    Burst,
    src=st.sampled_from(ROUTERS),
    dst=st.sampled_from(["224.0.0.18", "224.0.0.18", *ROUTERS[:4]]),
    vrid=st.sampled_from([1, 1, 2]),
    priority=st.sampled_from([0, 50, 100, 100, 150, 255]),
    interval=st.sampled_from([1.0, 1.0, 2.0]),
    vips=st.sampled_from(VIPS),
    start=st.floats(0, 60).map(lambda t: round(t, 3)),
    count=st.integers(1, 12),
    ttl=st.sampled_from([255, 255, 255, 64]),
    checksum=st.sampled_from(["ok", "ok", "ok", "bad", "v2-style"]),
    auth_type=st.sampled_from([0, 0, 0, 1]),
    mac=st.sampled_from([None, "02:00:5e:10:00:01", "00:00:5e:00:01:01", "00:00:5e:00:01:07"]),
    jitter=st.lists(st.floats(-0.3, 0.9), min_size=12, max_size=12).map(tuple),
    carp=st.sampled_from([False, False, False, True]),
    demotion=st.sampled_from([0, 0, 1]),
)


def adverts_of(plan: list[Burst]) -> list[Advert]:
    out = []
    for b in plan:
        if b.dst == b.src:
            continue
        if b.carp:
            out += _carp_adverts(b)
            continue
        for i in range(b.count):
            t = b.start + i * b.interval + b.jitter[i]
            out.append(
                Advert(
                    file="p.pcap",
                    frame=0,
                    time=t,
                    interface="eth0",
                    vlan=(),
                    src_mac=b.mac,
                    dst_mac=None,
                    family="ipv4",
                    src=b.src,
                    dst=b.dst,
                    delivery="multicast" if b.dst.startswith("224.") else "unicast",
                    ttl=b.ttl,
                    version=2,
                    type=1,
                    vrid=b.vrid,
                    priority=b.priority,
                    addr_count=len(b.vips),
                    interval=b.interval,
                    auth_type=b.auth_type,
                    addresses=b.vips,
                    checksum=b.checksum,
                    auth_secret=b"secret\0\0" if b.auth_type == 1 else None,
                )
            )
    out.sort(key=lambda a: a.time)
    from dataclasses import replace

    return [replace(a, frame=n) for n, a in enumerate(out, 1)]


def _carp_adverts(b: Burst) -> list[Advert]:
    advskew = b.priority % 255
    interval = b.interval + advskew / 256
    return [
        Advert(
            file="p.pcap",
            frame=0,
            time=b.start + i * interval + b.jitter[i],
            interface="eth0",
            vlan=(),
            src_mac=f"00:00:5e:00:00:{b.vrid:02x}",
            dst_mac=None,
            family="ipv4",
            src=b.src,
            dst="224.0.0.18",
            delivery="multicast",
            ttl=b.ttl,
            kind="carp",
            version=2,
            type=1,
            vrid=b.vrid,
            addr_count=0,
            interval=interval,
            advskew=advskew,
            demotion=b.demotion,
            checksum=b.checksum if b.checksum != "v2-style" else "ok",
            auth_secret=i.to_bytes(20, "big"),  # the HMAC covers CARP's counter: new in every advert
        )
        for i in range(b.count)
    ]


def run(adverts: list[Advert], caching: bool) -> tuple[list[Event], dict[str, object]]:
    engine = Engine()
    engine.caching = caching
    events: list[Event] = []
    for n, advert in enumerate(adverts):
        events += engine.feed(advert)
        if n % 7 == 3:  # a live session ticks between adverts
            events += engine.tick(advert.time + 0.05)
        for vr in engine.placement.virtual_routers:  # the count the overlap detector relies on
            assert vr.open_runs == sum(r.run is not None for r in vr.routers.values())
    end = adverts[-1].time if adverts else None
    inputs = (
        InputSummary("p.pcap", "pcap", None, len(adverts), len(adverts), adverts[0].time if adverts else None, end, 0),
    )
    report = engine.finish(inputs)
    return events, report.as_dict()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(bursts, min_size=1, max_size=10))
def test_cached_and_reference_engines_agree(plan: list[Burst]) -> None:
    adverts = adverts_of(plan)
    cached_events, cached_report = run(adverts, caching=True)
    reference_events, reference_report = run(adverts, caching=False)
    assert cached_events == reference_events
    assert cached_report == reference_report


@settings(max_examples=200, deadline=None)
@given(st.lists(bursts, min_size=1, max_size=10))
def test_ids_never_change_and_first_sightings_are_told_once(plan: list[Burst]) -> None:
    adverts = adverts_of(plan)
    events, report = run(adverts, caching=True)
    from vrrpcap.analysis import FindingEvent, MasterStarted, VirtualRouterMerged

    told = [
        (e.finding.code, e.finding.vr, e.finding.routers, e.finding.start)
        for e in events
        if isinstance(e, FindingEvent)
    ]
    assert len(told) == len(set(told))
    absorbed = {e.absorbed for e in events if isinstance(e, VirtualRouterMerged)}
    started = {e.vr for e in events if isinstance(e, MasterStarted)}
    listed = {vr["id"] for vr in report["virtual_routers"]}  # type: ignore[attr-defined]
    # Every id a master started under is either still listed or was merged into a listed one.
    assert started <= listed | absorbed
    assert not listed & absorbed
