"""The live parts that need no network: the pcapng writer read back by the offline reader, notify
scripts run for real (success, failure, timeout, order), and the notify decisions taken on the real
analyzer's events for the three ways a master changes (silence, priority 0, preemption)."""

from __future__ import annotations

import shlex
import time
from dataclasses import replace
from pathlib import Path

from vrrpcap.analysis import Engine, FailoverEvent, MasterStarted
from vrrpcap.decode import Advert
from vrrpcap.frames import CaptureReader, Frame
from vrrpcap.live.notify import Change, MasterChanges, Notifier, NotifyResult
from vrrpcap.live.pcapng_writer import PcapngWriter
from vrrpcap.live.source import CaptureStats, microseconds

# -- the pcapng writer ------------------------------------------------------------------------------


def test_written_pcapng_reads_back_exactly(tmp_path: Path) -> None:
    path = tmp_path / "out.pcapng"
    t0 = microseconds(1_795_569_931.2062351)
    frames = [
        Frame("eth9", 1, t0, 1, bytes(range(54)), 54, "eth9"),
        Frame("eth9", 2, microseconds(t0 + 1.000123), 1, b"\x01" * 61, 64, "eth9"),  # padded, snapped
        Frame("eth9", 3, microseconds(t0 + 2.5), 101, b"\x45" + b"\x00" * 39, 40, "eth9"),  # raw IP: 2nd IDB
    ]
    writer = PcapngWriter(str(path), "eth9")
    for frame in frames:
        writer.write(frame)
    writer.close(CaptureStats(received=7, dropped=4), t0 - 1, t0 + 3, 1)

    reader = CaptureReader(str(path))
    back = list(reader)
    assert reader.damage is None and reader.anomalies == {}
    assert [f._replace(file="eth9") for f in back] == frames  # times identical, not just close
    assert [(i.name, i.linktype) for i in reader.interfaces] == [("eth9", 1), ("eth9", 101)]
    assert reader.drops == 4  # counted once, on the first interface


def test_empty_capture_is_still_a_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pcapng"
    PcapngWriter(str(path), "br0").close(CaptureStats(0, 0), 1.0, 2.0, None)
    reader = CaptureReader(str(path))
    assert list(reader) == [] and reader.damage is None
    assert [(i.name, i.linktype) for i in reader.interfaces] == [("br0", 1)] and reader.drops == 0


# -- notify scripts, run for real -------------------------------------------------------------------


def _change(
    vr: str = "eth0/ipv4/vrid7/multicast", state: str = "MASTER", router: str = "192.0.2.9", vrid: int = 7
) -> Change:
    return Change(vr, vrid, router, state, 120, "silence", 1_700_000_000.0, 3.61)


def _script(folder: Path, body: str) -> str:
    script = folder / "hook.sh"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return str(script)


def test_notify_passes_keepalived_arguments_and_environment(tmp_path: Path) -> None:
    log = tmp_path / "log"
    script = _script(tmp_path, f'echo "$# $* $VRRPCAP_ROUTER $VRRPCAP_VR $VRRPCAP_CAUSE" >> {shlex.quote(str(log))}\n')
    results: list[NotifyResult] = []
    notifier = Notifier(script, 5.0, results.append, "eth0")
    notifier.submit(_change())
    notifier.close(wait=5.0)
    assert log.read_text() == "4 INSTANCE 7 MASTER 120 192.0.2.9 eth0/ipv4/vrid7/multicast silence\n"
    assert [(r.ok, r.returncode, r.error) for r in results] == [(True, 0, None)]


def test_notify_failures_are_results_not_exceptions(tmp_path: Path) -> None:
    results: list[NotifyResult] = []
    notifier = Notifier(_script(tmp_path, "echo boom >&2\nexit 3\n"), 5.0, results.append, "eth0")
    notifier.submit(_change())
    notifier.close(wait=5.0)
    assert [(r.ok, r.returncode, r.error) for r in results] == [(False, 3, "exit status 3: boom")]


def test_notify_timeout_kills_the_script(tmp_path: Path) -> None:
    results: list[NotifyResult] = []
    notifier = Notifier(_script(tmp_path, "sleep 30\n"), 0.5, results.append, "eth0")
    started = time.monotonic()
    notifier.submit(_change())
    notifier.close(wait=5.0)
    assert time.monotonic() - started < 3.0
    assert [(r.ok, r.error) for r in results] == [(False, "timed out after 0.5 s (killed)")]


def test_notify_keeps_order_per_virtual_router_and_never_blocks(tmp_path: Path) -> None:
    log = tmp_path / "log"
    # The first call is slow; the second for the same virtual router must still come after it.
    script = _script(tmp_path, f'[ "$3" = FAULT ] && sleep 0.5\necho "$2 $3" >> {shlex.quote(str(log))}\n')
    results: list[NotifyResult] = []
    notifier = Notifier(script, 5.0, results.append, "eth0")
    started = time.monotonic()
    notifier.submit(_change(state="FAULT", router="192.0.2.1"))
    notifier.submit(_change(state="MASTER", router="192.0.2.2"))
    notifier.submit(_change(vr="eth0/ipv4/vrid8/multicast", state="MASTER", vrid=8))  # another VR: not held up
    assert time.monotonic() - started < 0.2  # submit returns at once
    notifier.close(wait=5.0)
    lines = log.read_text().splitlines()
    assert lines.index("7 FAULT") < lines.index("7 MASTER")
    assert lines[0] == "8 MASTER"
    assert all(r.ok for r in results) and len(results) == 3


# -- which calls a change of master makes, on the analyzer's real events -----------------------------


def _advert(t: float, src: str, priority: int, frame: int) -> Advert:
    return Advert(
        file="eth0",
        frame=frame,
        time=t,
        interface="eth0",
        vlan=(),
        src_mac=None,
        dst_mac=None,
        family="ipv4",
        src=src,
        dst="224.0.0.18",
        delivery="multicast",
        ttl=255,
        version=2,
        type=1,
        vrid=51,
        priority=priority,
        addr_count=1,
        interval=1.0,
        auth_type=0,
        auth="none",
        addresses=("192.0.2.100",),
        checksum="ok",
        length=20,
    )


def _changes(adverts: list[Advert], until: float) -> list[tuple[str, str, int, str]]:
    """Feed adverts in time order with a tick every 100 ms, as a live session does."""
    engine = Engine()
    priorities: dict[tuple[int | None, str], int] = {}
    tracker = MasterChanges(priorities)
    out: list[Change] = []
    pending = sorted(adverts, key=lambda a: a.time)
    t = pending[0].time
    while t <= until:
        while pending and pending[0].time <= t:
            advert = pending.pop(0)
            if advert.priority:
                priorities[(advert.vrid, advert.src)] = advert.priority
            out += tracker.observe(engine.feed(advert))
        out += tracker.observe(engine.tick(t))
        t += 0.1
    return [(c.router, c.state, c.priority, c.cause) for c in out]


def test_notify_decisions_on_silence() -> None:
    adverts = [_advert(100.0 + i, "192.0.2.1", 150, i + 1) for i in range(5)]
    adverts += [_advert(104.0 + 3.61 + i, "192.0.2.2", 100, 10 + i) for i in range(5)]
    assert _changes(adverts, 112.0) == [
        ("192.0.2.1", "MASTER", 150, "initial"),
        ("192.0.2.1", "FAULT", 150, "silence"),
        ("192.0.2.2", "MASTER", 100, "silence"),
    ]


def test_notify_decisions_on_priority_zero() -> None:
    adverts = [_advert(100.0 + i, "192.0.2.1", 150, i + 1) for i in range(5)]
    adverts.append(_advert(104.5, "192.0.2.1", 0, 6))  # keepalived stopped: it resigns
    adverts += [_advert(104.5 + 0.61 + i, "192.0.2.2", 100, 10 + i) for i in range(5)]
    assert _changes(adverts, 111.0) == [
        ("192.0.2.1", "MASTER", 150, "initial"),
        ("192.0.2.1", "FAULT", 150, "priority-0"),  # the last non-zero priority, as keepalived would say
        ("192.0.2.2", "MASTER", 100, "priority-0"),
    ]


def test_notify_decisions_on_preemption() -> None:
    adverts = [_advert(100.0 + i, "192.0.2.2", 100, i + 1) for i in range(6)]
    adverts += [_advert(105.3 + i, "192.0.2.1", 150, 10 + i) for i in range(6)]
    assert _changes(adverts, 112.0) == [
        ("192.0.2.2", "MASTER", 100, "initial"),
        ("192.0.2.2", "BACKUP", 100, "preempted"),  # alive and a backup now; its later end adds nothing
        ("192.0.2.1", "MASTER", 150, "preempted"),
    ]


def test_events_carry_the_vrid_whatever_the_interface_is_called() -> None:
    first = [_advert(float(t), "192.0.2.1", 100, t + 1) for t in range(4)]
    second = [_advert(6.7 + t, "192.0.2.2", 90, t + 10) for t in range(3)]
    adverts = [replace(a, interface="vrid9/x") for a in first + second]
    engine = Engine()
    events = [e for a in adverts for e in engine.feed(a)]
    failovers = [e.failover for e in events if isinstance(e, FailoverEvent)]
    assert [(f.vrid, f.from_router, f.to_router) for f in failovers] == [(51, "192.0.2.1", "192.0.2.2")]
    assert all(e.vrid == 51 for e in events if isinstance(e, MasterStarted))
    assert {e.vr for e in events if isinstance(e, MasterStarted)} == {"vrid9%2Fx/ipv4/vrid51/multicast"}
