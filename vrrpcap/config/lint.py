"""Static checks over a set of configurations (one file per router): ``lint(configs)``.

Pure: configurations in, typed :class:`LintIssue` values out, ordered by reason and location.
Peers are found as peers.py describes. The reasons:

* ``interval-mismatch``, ``vip-mismatch``, ``version-mismatch``, ``auth-mismatch``,
  ``delivery-mismatch``: peers' configurations disagree (keepalived drops the other side's adverts,
  so each becomes master);
* ``vrid-collision``: two clusters configured with one VRID multicast on one interface name;
* ``master-nopreempt``: ``nopreempt`` with ``state MASTER`` (or priority 255): keepalived clears it;
* ``unicast-asymmetry``: A lists B as unicast peer, B does not list A;
* ``owner-not-vip``: priority 255 on a router none of whose known addresses is a VIP;
* ``owner-conflict``: two routers of one virtual router at priority 255;
* ``track-fails-over`` / ``track-never-fails-over``: the preferred master's track weights can
  take it below the best backup (which failing checks do), or never can.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from vrrpcap.config.model import AnyConfig, KeepalivedConfig, Location, VrrpInstance
from vrrpcap.config.peers import Member, collisions, members, peer_groups
from vrrpcap.config.priority import healthy_priority, reachable_priorities, trackers

LintReason = Literal[
    "interval-mismatch",
    "vip-mismatch",
    "version-mismatch",
    "auth-mismatch",
    "delivery-mismatch",
    "vrid-collision",
    "master-nopreempt",
    "unicast-asymmetry",
    "owner-not-vip",
    "owner-conflict",
    "track-fails-over",
    "track-never-fails-over",
]

# Suggested severities (the lead's finding catalogue decides).
SEVERITY: Mapping[LintReason, Literal["error", "warning", "info"]] = {
    "interval-mismatch": "error",
    "vip-mismatch": "warning",
    "version-mismatch": "error",
    "auth-mismatch": "error",
    "delivery-mismatch": "error",
    "vrid-collision": "error",
    "master-nopreempt": "warning",
    "unicast-asymmetry": "warning",
    "owner-not-vip": "warning",
    "owner-conflict": "error",
    "track-fails-over": "info",
    "track-never-fails-over": "warning",
}


@dataclass(frozen=True, slots=True)
class InstanceRef:
    """A configured instance: its configuration file, its name, where it starts."""

    config: str
    name: str
    location: Location


@dataclass(frozen=True, slots=True)
class LintIssue:
    reason: LintReason
    message: str
    locations: tuple[Location, ...]
    instances: tuple[InstanceRef, ...]

    @property
    def severity(self) -> Literal["error", "warning", "info"]:
        return SEVERITY[self.reason]


def _ref(member: Member) -> InstanceRef:
    return InstanceRef(member.path, member.name, member.instance.location)


def _issue(reason: LintReason, message: str, group: Sequence[Member], field: str) -> LintIssue:
    return LintIssue(reason, message, tuple(m.where(field) for m in group), tuple(_ref(m) for m in group))


def lint(configs: Iterable[AnyConfig], *, addresses: Mapping[str, Sequence[str]] | None = None) -> list[LintIssue]:
    """Every static issue of ``configs``; ``addresses`` adds known addresses per config path."""
    configs = list(configs)
    by_path = {c.path: c for c in configs}
    everyone = members(configs, addresses)
    issues: list[LintIssue] = []
    for config in configs:
        if isinstance(config, KeepalivedConfig):
            issues += [_nopreempt(config, inst) for inst in config.instances if _clears_nopreempt(inst)]
    for group in peer_groups(everyone):
        issues += _disagreements(group)
        issues += _asymmetry(group)
        issues += _owners(group)
        issues += _track_weights(group, by_path)
    for clusters in collisions(everyone):
        issues.append(_collision(clusters))
    issues += [
        _issue("owner-not-vip", _owner_text(m), [m], "priority")
        for m in everyone
        if m.priority == 255 and m.addresses and not (m.addresses & m.vips)
    ]
    return sorted(issues, key=lambda i: (i.reason, i.locations))


def _clears_nopreempt(inst: VrrpInstance) -> bool:
    return inst.nopreempt_configured and (inst.state == "MASTER" or inst.priority == 255)


def _nopreempt(config: KeepalivedConfig, inst: VrrpInstance) -> LintIssue:
    why = "state MASTER" if inst.state == "MASTER" else "priority 255"
    message = (
        f"{inst.name} ({config.path}): nopreempt with {why} - keepalived clears nopreempt and this router "
        "preempts when it returns"
    )
    ref = InstanceRef(config.path, inst.name, inst.location)
    lines = (inst.where("nopreempt"), inst.where("state" if why == "state MASTER" else "priority"))
    return LintIssue("master-nopreempt", message, lines, (ref,))


def _values(group: Sequence[Member], value: str) -> str:
    return ", ".join(f"{m.label} {value}" for m in group)


def _disagreements(group: list[Member]) -> list[LintIssue]:
    vrid = f"VRID {group[0].vrid} ({group[0].family})"
    out: list[LintIssue] = []
    if len({m.interval for m in group}) > 1:
        text = ", ".join(f"{m.label} {m.interval:g} s" for m in group)
        out.append(_issue("interval-mismatch", f"{vrid}: advert intervals differ: {text}", group, "interval"))
    if len({m.vips for m in group}) > 1:
        text = ", ".join(f"{m.label} {{{', '.join(sorted(m.vips))}}}" for m in group)
        out.append(_issue("vip-mismatch", f"{vrid}: virtual addresses differ: {text}", group, "vips"))
    if len({m.version for m in group}) > 1:
        text = ", ".join(f"{m.label} v{m.version}" for m in group)
        out.append(_issue("version-mismatch", f"{vrid}: VRRP versions differ: {text}", group, "version"))
    types = {m.auth.auth_type if m.auth else "none" for m in group}
    if len(types) > 1:
        text = ", ".join(f"{m.label} {m.auth.auth_type if m.auth else 'none'}" for m in group)
        out.append(_issue("auth-mismatch", f"{vrid}: authentication types differ: {text}", group, "auth"))
    elif types == {"PASS"}:
        secrets = [m.auth.auth_pass for m in group if m.auth is not None]
        if any(secret != secrets[0] for secret in secrets[1:]):
            out.append(_issue("auth-mismatch", f"{vrid}: the PASS passwords differ (not shown)", group, "auth"))
    if len({m.delivery for m in group}) > 1:
        text = ", ".join(f"{m.label} {m.delivery}" for m in group)
        out.append(_issue("delivery-mismatch", f"{vrid}: unicast and multicast mixed: {text}", group, "delivery"))
    return out


def _asymmetry(group: list[Member]) -> list[LintIssue]:
    out: list[LintIssue] = []
    unicast = [m for m in group if m.delivery == "unicast"]
    for a in unicast:
        for b in unicast:
            if a is b or not set(a.peers) & b.addresses or not a.addresses:
                continue
            if not set(b.peers) & a.addresses:
                listed = ", ".join(b.peers)
                message = (
                    f"VRID {a.vrid}: {a.label} sends to {', '.join(sorted(set(a.peers) & b.addresses))} "
                    f"but {b.label} does not list {', '.join(sorted(a.addresses))} (its unicast_peer: {listed})"
                )
                out.append(_issue("unicast-asymmetry", message, [a, b], "delivery"))
    return out


def _owners(group: list[Member]) -> list[LintIssue]:
    owners = [m for m in group if m.priority == 255]
    if len(owners) < 2:
        return []
    text = ", ".join(m.label for m in owners)
    return [
        _issue(
            "owner-conflict", f"VRID {group[0].vrid}: priority 255 on more than one router: {text}", owners, "priority"
        )
    ]


def _owner_text(m: Member) -> str:
    return (
        f"{m.label}: priority 255 (address owner) but none of its addresses "
        f"({', '.join(sorted(m.addresses))}) is a VIP ({', '.join(sorted(m.vips))})"
    )


def _collision(clusters: list[list[Member]]) -> LintIssue:
    flat = [m for cluster in clusters for m in cluster]
    first = flat[0]
    text = "; ".join(
        f"{' + '.join(m.label for m in cluster)} with {', '.join(sorted({v for m in cluster for v in m.vips}))}"
        for cluster in clusters
    )
    message = (
        f"VRID {first.vrid} ({first.family}) multicast on {first.interface} is configured for "
        f"{len(clusters)} different clusters: {text}"
    )
    return _issue("vrid-collision", message, flat, "vrid")


def _healthy(member: Member, by_path: Mapping[str, AnyConfig]) -> int:
    config = by_path.get(member.path)
    if isinstance(member.instance, VrrpInstance) and isinstance(config, KeepalivedConfig):
        return healthy_priority(member.instance, config)
    return member.priority


def _track_weights(group: list[Member], by_path: Mapping[str, AnyConfig]) -> list[LintIssue]:
    ranked = sorted(group, key=lambda m: -_healthy(m, by_path))
    master, backups = ranked[0], ranked[1:]
    config = by_path.get(master.path)
    if not isinstance(master.instance, VrrpInstance) or not isinstance(config, KeepalivedConfig):
        return []
    weighted = [t for t in trackers(master.instance, config) if t.weight]
    if not weighted or _healthy(backups[0], by_path) == _healthy(master, by_path):
        return []
    backup = backups[0]
    floor = _healthy(backup, by_path)
    top = _healthy(master, by_path)
    reachable = reachable_priorities(master.instance, config)
    below = [r for r in reachable if r.priority < floor]
    names = ", ".join(f"{t.name} {t.weight:+d}" for t in weighted)
    if not below:
        lowest = min(r.priority for r in reachable)
        tie = " (at most a tie, decided by address)" if lowest == floor else ""
        message = (
            f"VRID {master.vrid}: {master.label} (priority {top}) tracks {names}, but no combination of failing "
            f"checks takes it below {backup.label} ({floor}): lowest {lowest}{tie} - its track weights never fail over"
        )
        return [_issue("track-never-fails-over", message, [master, backup], "track")]
    fewest = min(len(r.failing) for r in below)
    causes = "; ".join(r.explanation for r in below if len(r.failing) == fewest)
    message = (
        f"VRID {master.vrid}: {master.label} (priority {top}) falls below {backup.label} ({floor}) and fails over "
        f"when: {causes}"
    )
    return [_issue("track-fails-over", message, [master, backup], "track")]
