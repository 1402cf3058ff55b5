"""Why a takeover took as long as it did: the timer rule its figure follows, or none.

A failover's takeover (the old master's last advert to the new master's first) follows from its cause:
silence waits the new master's Master_Down_Interval, a priority-0 resignation its Skew_Time, and a
preemption has no outage at all (the figure is the phase between the two streams). A figure that is far
from its cause's rule gets the rule that does explain it, from the wire alone, or "unexplained".

Timer rules (RFC 3768 and RFC 5798; keepalived computes them the same way, to the microsecond): Skew_Time
is (256 - priority) / 256 s for VRRPv2 and (256 - priority) x Master_Adver_Interval / 256 for VRRPv3,
where a v3 backup's Master_Adver_Interval is the one the old master advertised; Master_Down_Interval is
3 x that interval + Skew_Time, with the new master's own priority.

What the wire cannot show: preempt_delay (keepalived 2.2 applies it only to a returning backup, which
is silent until it preempts, so its takeover is an ordinary preemption), and when a silent backup
started. See docs/findings.md, VRRP-TAKEOVER-OUTLIER, for how sure each rule is.
"""

from __future__ import annotations

from dataclasses import dataclass

from vrrpcap.analysis.state import Router
from vrrpcap.decode import Advert, Family
from vrrpcap.report.model import FailoverCause, TakeoverRule

# Timers on the wire: keepalived and FRR land within a few ms of the rule (FRR rounds v3 skews down to
# centiseconds: up to 10 ms early), Cisco IOS ~30 ms late (packetlife's 3.64 s for 3.61 s). 10 % of the
# interval and at least 50 ms covers them and a busy host; never more than a quarter interval, so that
# "one interval late" stays apart from "on time".
TOLERANCE_FLOOR_S = 0.05
TOLERANCE_SHARE = 0.1
MAX_MISSING = 3  # whole intervals late that still read as missing adverts rather than a timer gone wrong


@dataclass(frozen=True, slots=True)
class Takeover:
    """What the wire says about one failover, as the rules need it."""

    cause: FailoverCause
    takeover_s: float | None
    old: str
    new: str
    old_priority: int | None
    new_priority: int
    version: int | None  # the new master's
    interval: float  # the new master's advertised interval (seconds)
    old_interval: float  # the old master's advertised interval (a v3 backup times out on it)
    family: Family
    virtual_mac: bool  # the new master's advert left from the virtual MAC (FRR vrrpd always does)
    first_sighting: bool  # the new master's first advert in the capture


@dataclass(frozen=True, slots=True)
class Explanation:
    rule: TakeoverRule
    expected_s: float | None  # the figure `rule` predicts; for late-backup and unexplained, the cause's own
    text: str


def judge(old: Router, new: Router, a: Advert, cause: FailoverCause, takeover: float | None) -> Explanation | None:
    """The explanation of a failover to ``new``, whose first advert as master is ``a``; None for CARP,
    whose implementations keep other timers (ucarp checks its own only when poll() returns)."""
    if a.kind == "carp":
        return None
    return explain(
        Takeover(
            cause,
            takeover,
            old.address,
            new.address,
            old.last_priority,
            a.priority or 0,
            new.version,
            new.interval,
            old.interval,
            a.family,
            virtual_mac(a),
            new.adverts == 1,  # counted before mastership sees the advert
        )
    )


def tolerance(interval: float) -> float:
    return min(max(TOLERANCE_FLOOR_S, TOLERANCE_SHARE * interval), interval / 4)


def skew_time(version: int | None, priority: int, interval: float) -> float:
    return (256 - priority) * interval / 256 if version == 3 else (256 - priority) / 256


def explain(t: Takeover) -> Explanation:
    if t.cause == "preempted":
        return _preempted(t)
    interval = t.old_interval if t.version == 3 else t.interval
    skew = skew_time(t.version, t.new_priority, interval)
    mdi = 3 * interval + skew
    timer = (
        f"Master_Down_Interval of {t.new} (priority {t.new_priority}): 3 x {interval:g} + {skew:.3f} = {mdi:.3f} s"
    )
    if t.cause == "priority-0":
        own: tuple[float, str] = (skew, f"Skew_Time of {t.new} (priority {t.new_priority}): {skew:.3f} s")
    else:
        own = (mdi, timer)
    took = t.takeover_s
    if took is None:
        return Explanation("unexplained", own[0], f"no takeover figure; {own[1]}")
    tol = tolerance(interval)
    seen = f"took {took:.3f} s"
    if abs(took - own[0]) <= tol:
        return Explanation("skew" if t.cause == "priority-0" else "master-down-interval", own[0], f"{own[1]}; {seen}")
    if t.cause == "priority-0" and abs(took - mdi) <= tol:
        return Explanation(
            "master-down-interval",
            mdi,
            f"{timer}, not its Skew_Time: {t.new} did not get {t.old}'s priority-0 advert (lost on the way to it) "
            f"and timed out; {seen}",
        )
    late = took - own[0]
    missing = round(late / interval)
    # After a resignation, 3 intervals late is the Master_Down_Interval, decided above.
    most = MAX_MISSING - 1 if t.cause == "priority-0" else MAX_MISSING
    if 1 <= missing <= most and abs(late - missing * interval) <= tol:
        expected = own[0] + missing * interval
        if missing == 1 and t.family == "ipv6" and t.virtual_mac:
            return Explanation(
                "first-advert-unsent",
                expected,
                f"{own[1]}, plus one interval: {t.new} sends from the virtual MAC over IPv6, as FRR vrrpd does, "
                f"and vrrpd does not send its first IPv6 advert after becoming master; {seen}",
            )
        return Explanation(
            "capture-loss",
            expected,
            f"{own[1]}, plus {missing} whole interval(s): {missing} advert(s) around the takeover are missing "
            f"from the capture ({t.old}'s last or {t.new}'s first; lost by the capture or on the way to it); {seen}",
        )
    if late > tol and t.first_sighting:
        return Explanation(
            "late-backup",
            own[0],
            f"{own[1]}, but {seen}: this is {t.new}'s first advert in the capture, so it was probably not running "
            f"(or could not take over) when {t.old} stopped; a backup that starts with no master waits its "
            "Master_Down_Interval from its own start",
        )
    why = (
        f"{t.new} stopped hearing {t.old} before the capture did (loss on the path into it)"
        + (f", or {t.old} resigned with a priority-0 advert the capture missed" if t.cause == "silence" else "")
        if late < 0
        else f"{t.new} was down, blocked or not hearing {t.old} when it stopped, or the timers are not the RFC's"
    )
    return Explanation("unexplained", own[0], f"{own[1]}, but {seen}: no rule explains it ({why})")


def _preempted(t: Takeover) -> Explanation:
    old_priority = "?" if t.old_priority is None else str(t.old_priority)
    if t.old_priority == t.new_priority:
        better = f"equal priority {t.new_priority}, higher address"
    else:
        better = f"priority {t.new_priority} over {old_priority}"
    return Explanation(
        "preempted",
        None,
        f"preempted: {t.new} outranks {t.old} ({better}), which stopped at once; no outage "
        "(a preempt_delay would not show on the wire)",
    )


def virtual_mac(a: Advert) -> bool:
    """The advert left from its VRID's virtual MAC (00-00-5E-00-01-XX, IPv6 00-00-5E-00-02-XX)."""
    prefix = "00:00:5e:00:01:" if a.family == "ipv4" else "00:00:5e:00:02:"
    mac = (a.src_mac or "").lower()
    return mac.startswith(prefix) and a.vrid is not None and mac[-2:] == f"{a.vrid:02x}"
