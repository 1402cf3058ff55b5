"""keepalived's completion of an instance (vrrp_complete_instance, chk_min_cfg in vrrp.c).

After the whole file is read keepalived fills in what was not written and corrects what it will
not run: version from ``vrrp_version``, priority and state from each other, the v2 interval to
whole seconds, nopreempt cleared for an initial MASTER, authentication dropped for VRRPv3, track
weights ignored in a sync group or for an address owner. Each correction is a problem of kind
``adjusted`` or ``ignored`` at the line it concerns; what makes keepalived refuse the whole
configuration is ``fatal``.
"""

from __future__ import annotations

from dataclasses import replace

from vrrpcap.config.addresses import Report
from vrrpcap.config.instance import TIMER_HZ, InstanceDraft, authentication
from vrrpcap.config.model import GlobalDefs, InitialState, Notify, SyncGroup, VrrpInstance

OWNER = 255
DEFAULT_PRIORITY = 100
CENTI = TIMER_HZ // 100
DEFAULT_MTU = 1500  # keepalived sizes the VIP list by the interface MTU; vrrpcap cannot know it


def _max_vips(draft: InstanceDraft, version: int, family: str) -> int:
    if family == "ipv6":
        return min(255, (DEFAULT_MTU - 14 - 40 - 8) // 16)
    header = 14 + 20 + 8 + (8 if version == 2 else 0) + (24 if version == 2 and draft.auth_type == "AH" else 0)
    return min(255, (DEFAULT_MTU - header) // 4)


def complete(draft: InstanceDraft, globals_: GlobalDefs, sync: SyncGroup | None, report: Report) -> VrrpInstance:
    d = draft
    name = f"({d.name})"
    if d.vrid == 0:
        report(d.location, f"{name} virtual_router_id is not set: keepalived refuses the configuration", "fatal")
    if d.interface is None:
        report(d.location, f"{name} no interface: keepalived refuses the configuration", "fatal")
    strict = globals_.vrrp_strict if d.strict_mode is None else d.strict_mode
    version = d.version
    if d.family == "ipv6":
        if version == 2 and strict:
            report(d.where("version"), f"{name} IPv6 cannot use VRRP version 2 - version 3 used", "adjusted")
            version = 3
        elif not version:
            version = 3
    family = d.family or "ipv4"
    if not version:
        version = globals_.vrrp_version
    ttl = d.ttl
    if family == "ipv4" and ttl is None:
        ttl = 255
    if not d.vips:
        if version == 3 or strict:
            report(
                d.location, f"{name} no VIP: at least one is required, keepalived refuses the configuration", "fatal"
            )
        else:
            report(d.location, f"{name} no VIP: at least one is sensible", "warning")
    priority = d.priority or (OWNER if d.wantstate == "MASTER" else DEFAULT_PRIORITY)
    wantstate: InitialState
    if d.wantstate is None:
        wantstate = "MASTER" if priority == OWNER else "BACKUP"
    elif strict and (d.wantstate == "MASTER") != (priority == OWNER):
        report(d.where("state"), f"{name} strict mode: state MASTER must match priority 255 - adjusted", "adjusted")
        wantstate = "MASTER" if priority == OWNER else "BACKUP"
    else:
        wantstate = d.wantstate
    auth = authentication(d)
    if auth is not None:
        why = None
        if strict:
            why = "strict mode does not support authentication"
        elif version == 3:
            why = "VRRP version 3 does not support authentication"
        elif auth.auth_pass is None:
            why = "authentication without a password"
        elif family == "ipv6" and auth.auth_type == "AH":
            why = "AH authentication cannot be used with IPv6"
        if why is not None:
            report(auth.location, f"{name} {why} - ignored", "ignored")
            auth = None
        elif auth.auth_type == "AH" and wantstate == "MASTER" and priority != OWNER:
            report(d.where("state"), f"{name} initial state MASTER does not work with AH - BACKUP used", "adjusted")
            wantstate = "BACKUP"
    if strict and d.peers:
        report(
            d.where("unicast_peer"),
            f"{name} unicast peers are not supported in strict mode: keepalived refuses",
            "fatal",
        )
    peers = tuple(d.peers) if d.unicast_configured else ()
    if d.unicast_configured and not d.peers:
        if d.unicast_fault_no_peer:
            report(d.location, f"{name} unicast without peers: keepalived keeps the instance in FAULT", "warning")
        else:
            report(d.location, f"{name} a unicast keyword without unicast peers: multicast is used", "warning")
    vips, evips = list(d.vips), list(d.evips)
    limit = _max_vips(d, version, family)
    if len(vips) > limit:
        report(
            vips[limit].location, f"{name} more VIPs than fit in an advert ({limit}): the rest are excluded", "adjusted"
        )
        evips = vips[limit:] + evips
        vips = vips[:limit]
    nopreempt = d.nopreempt
    if priority == OWNER and nopreempt:
        report(d.where("nopreempt"), f"{name} nopreempt does not work with priority 255 - cleared", "adjusted")
        nopreempt = False
    delay = d.preempt_delay_us
    if wantstate == "MASTER":
        if nopreempt:
            report(
                d.where("nopreempt"), f"{name} nopreempt does not work with initial state MASTER - cleared", "adjusted"
            )
            nopreempt = False
        if delay:
            report(
                d.where("preempt_delay"), f"{name} preempt_delay does not work with state MASTER - cleared", "adjusted"
            )
            delay = 0
    if delay and (strict or nopreempt):
        why = "strict mode" if strict else "nopreempt"
        report(d.where("preempt_delay"), f"{name} preempt_delay does not work with {why} - cleared", "adjusted")
        delay = 0
    advert = _advert_interval(d, version, report)
    if ttl is not None and not peers and d.ttl is not None:
        report(d.where("unicast_ttl"), f"{name} unicast_ttl without unicast peers - ignored", "ignored")
    tracked_if = [t for t in d.track_interfaces if t.name != d.interface]
    if len(tracked_if) != len(d.track_interfaces):
        report(d.where("track_interface"), f"{name} tracking its own interface {d.interface} - ignored", "ignored")
    scripts = list(d.track_scripts)
    no_weights = (sync is not None and not sync.tracking_weight) or priority == OWNER
    if no_weights:
        why = (
            f"sync group {sync.name}"
            if sync is not None and not sync.tracking_weight
            else "address owner (priority 255)"
        )
        for tracked in [t for t in scripts if t.weight]:
            report(tracked.location, f"{name} weight of track script {tracked.name} ignored: {why}", "ignored")
        scripts = [t for t in scripts if not t.weight]
        if priority == OWNER:
            tracked_if = [t for t in tracked_if if not t.weight]
        else:
            tracked_if = [replace(t, weight=0) if t.weight else t for t in tracked_if]
    return VrrpInstance(
        name=d.name,
        location=d.location,
        virtual_router_id=d.vrid or None,
        state=wantstate,
        priority=priority,
        advert_int=advert / TIMER_HZ,
        version=3 if version == 3 else 2,
        family="ipv6" if family == "ipv6" else "ipv4",
        interface=d.interface,
        nopreempt=nopreempt,
        nopreempt_configured=d.nopreempt,
        preempt_delay=delay / TIMER_HZ,
        unicast_src_ip=d.saddr,
        unicast_peers=peers,
        unicast_ttl=ttl if peers else None,
        use_vmac=d.use_vmac,
        vmac_interface=(d.vmac_name or f"vrrp.{d.vrid}") if d.use_vmac else None,
        virtual_ipaddress=tuple(vips),
        virtual_ipaddress_excluded=tuple(evips),
        authentication=auth,
        track_scripts=tuple(scripts),
        track_interfaces=tuple(tracked_if),
        notify=Notify(
            notify=d.notify.get("notify"),
            master=d.notify.get("notify_master"),
            backup=d.notify.get("notify_backup"),
            fault=d.notify.get("notify_fault"),
            stop=d.notify.get("notify_stop"),
        ),
        strict_mode=strict,
        sync_group=sync.name if sync is not None else None,
        keywords=tuple(d.keywords),
    )


def _advert_interval(d: InstanceDraft, version: int, report: Report) -> int:
    """The interval in microseconds after keepalived's range checks and rounding."""
    advert = d.advert_us or TIMER_HZ
    where = d.where("advert_int")
    if version == 2:
        if advert >= 256 * TIMER_HZ:
            report(where, f"({d.name}) VRRPv2 advert_int must be below 256 s - 255 used", "adjusted")
            return 255 * TIMER_HZ
        if advert % TIMER_HZ:
            rounded = max(TIMER_HZ, (advert + TIMER_HZ // 2) // TIMER_HZ * TIMER_HZ)
            report(
                where, f"({d.name}) VRRPv2 advert_int must be whole seconds - {rounded // TIMER_HZ} used", "adjusted"
            )
            return rounded
        return advert
    if advert >= 4096 * CENTI:
        report(where, f"({d.name}) VRRPv3 advert_int must be below 40.96 s - 40.95 used", "adjusted")
        return 4095 * CENTI
    if advert % CENTI:
        rounded = max(CENTI, (advert + CENTI // 2) // CENTI * CENTI)
        report(where, f"({d.name}) VRRPv3 advert_int is rounded to 10 ms - {rounded / TIMER_HZ:g} used", "adjusted")
        return rounded
    return advert
