"""Hold a parsed :class:`KeepalivedConfig` against keepalived's own dumps, field by field."""

from __future__ import annotations

import os
import shutil
import socket
from dataclasses import dataclass, field

from tests.config.daemon_view import DataDump, JsonInstance, parse_cmd, parse_data, parse_json, parse_vip_text
from tests.config.keepalived_runner import ProbeResult
from vrrpcap.config.model import KeepalivedConfig, Script, Secret, VirtualAddress, VrrpInstance, VrrpScript
from vrrpcap.config.priority import priority_when

WANTSTATE = {"BACKUP": 1, "MASTER": 2}
FAULT = 3
AUTH = {None: 0, "PASS": 1, "AH": 2}
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass
class Comparison:
    label: str
    checked: int = 0
    mismatches: list[str] = field(default_factory=list)

    def check(self, what: str, expected: object, actual: object) -> None:
        self.checked += 1
        if expected != actual:
            self.mismatches.append(f"{self.label}: {what}: vrrpcap {expected!r}, keepalived {actual!r}")

    def check_secret(self, what: str, expected: Secret | None, actual: str | None) -> None:
        """Compare a password without ever printing either side."""
        self.checked += 1
        same = (expected is None and actual is None) or (
            expected is not None and actual is not None and expected == Secret(actual)
        )
        if not same:
            self.mismatches.append(
                f"{self.label}: {what}: passwords differ (lengths {len(expected or '')}, {len(actual or '')})"
            )


def command(script: Script | None) -> tuple[str, ...] | None:
    """The argv keepalived runs for ``script``: it resolves the program to its real path."""
    if script is None:
        return None
    program = script.args[0]
    if "/" not in program:
        program = shutil.which(program, path=PATH) or program
    return (os.path.realpath(program) if os.path.exists(program) else program, *script.args[1:])


def vip_view(vip: VirtualAddress, inst: VrrpInstance) -> tuple[object, ...]:
    full = 128 if vip.family == "ipv6" else 32
    dev = vip.dev or inst.interface
    if vip.dev is None and inst.vmac_interface and vip.family == inst.family:
        dev = f"{inst.vmac_interface}@{inst.interface}"  # keepalived puts the VIPs on its macvlan
    return (vip.address, None if vip.prefix == full else vip.prefix, dev, vip.label)


def daemon_vip(text: str) -> tuple[object, ...]:
    vip = parse_vip_text(text)
    return (vip.address, vip.prefix, vip.option("dev"), vip.option("label"))


def failing_scripts(config: KeepalivedConfig) -> frozenset[str]:
    """The crafted configurations' failing checks are the ones that run /bin/false."""
    return frozenset(s.name for s in config.scripts if s.script is not None and s.script.args[0].endswith("false"))


def compare(config: KeepalivedConfig, result: ProbeResult) -> Comparison:
    cmp = Comparison(result.probe.label)
    dump = parse_data(result.data_text)
    daemon = parse_json(result.json_text) if result.json_text else {}
    early = parse_json(result.early_json_text) if result.early_json_text else {}
    _globals(cmp, config, dump)
    cmp.check("instance names", sorted(i.name for i in config.instances), sorted(daemon))
    for inst in config.instances:
        if inst.name in daemon and inst.name in dump.instances:
            _instance(cmp, config, inst, daemon[inst.name], dump)
        start = early.get(inst.name)
        # keepalived overwrites wantstate with FAULT when it cannot run the instance (an address
        # that is not local, a failing weight-0 check): only compare a state it kept.
        if start is not None and start.get("state") != FAULT:
            cmp.check(f"{inst.name} state", WANTSTATE[inst.state], start.get("wantstate"))
    _scripts(cmp, config, dump)
    _sync_groups(cmp, config, dump)
    return cmp


def _globals(cmp: Comparison, config: KeepalivedConfig, dump: DataDump) -> None:
    g = config.global_defs
    cmp.check("router_id", g.router_id or socket.gethostname(), dump.globals.get("Router ID"))
    cmp.check("vrrp_strict", g.vrrp_strict, dump.globals.get("VRRP strict mode") == "true")
    cmp.check("vrrp_version", str(g.vrrp_version), dump.globals.get("VRRP default protocol version"))
    cmp.check("enable_script_security", g.enable_script_security, "Script security enabled" in dump.global_flags)


def _instance(cmp: Comparison, config: KeepalivedConfig, inst: VrrpInstance, js: JsonInstance, dump: DataDump) -> None:
    name = inst.name
    sec = dump.instances[name]
    # With use_vmac keepalived runs the instance on its macvlan, on top of the configured interface.
    cmp.check(f"{name} interface", inst.vmac_interface or inst.interface, js.get("ifp_ifname"))
    cmp.check(f"{name} virtual_router_id", inst.virtual_router_id, js.get("vrid"))
    cmp.check(f"{name} priority", inst.priority, js.get("base_priority"))
    expected = priority_when(inst, failing_scripts(config), config)
    cmp.check(f"{name} effective priority", expected, js.get("effective_priority"))
    cmp.check(f"{name} advert_int", inst.advert_int, js.get("adver_int"))
    cmp.check(f"{name} version", inst.version, js.get("version"))
    cmp.check(f"{name} nopreempt", inst.nopreempt, js.get("nopreempt"))
    cmp.check(f"{name} preempt_delay", int(inst.preempt_delay), js.get("preempt_delay"))
    cmp.check(f"{name} strict_mode", int(inst.strict_mode), js.get("strict_mode"))
    cmp.check(f"{name} use_vmac", inst.vmac_interface or "", js.get("vmac_ifname"))
    cmp.check(f"{name} family", inst.family == "ipv6", "Using Native IPv6" in sec.flags)
    cmp.check(f"{name} delivery", inst.delivery == "unicast", "Using unicast" in sec.lists.get("Flags", []))
    cmp.check(f"{name} sync group", inst.sync_group, sec.values.get("Sync group"))
    cmp.check(
        f"{name} virtual_ipaddress",
        [vip_view(v, inst) for v in inst.virtual_ipaddress],
        [daemon_vip(t) for t in js.get("vips", [])],
    )
    cmp.check(
        f"{name} virtual_ipaddress_excluded",
        [vip_view(v, inst) for v in inst.virtual_ipaddress_excluded],
        [daemon_vip(t) for t in js.get("evips", [])],
    )
    auth = inst.authentication
    cmp.check(f"{name} auth_type", AUTH[auth.auth_type if auth else None], js.get("auth_type"))
    if auth is not None:
        cmp.check_secret(f"{name} auth_pass", auth.auth_pass, js.get("auth_data"))
    src = sec.values.get("Using src_ip", "")
    cmp.check(
        f"{name} unicast_src_ip", inst.unicast_src_ip, src.split()[0] if src.endswith("(from configuration)") else None
    )
    cmp.check(
        f"{name} unicast_peer",
        [f"{p.address} min_ttl {p.min_ttl} max_ttl {p.max_ttl}" for p in inst.unicast_peers],
        sec.lists.get("Unicast Peer", []),
    )
    ttl = sec.values.get("Unicast TTL")
    cmp.check(f"{name} unicast_ttl", inst.unicast_ttl, int(ttl) if ttl is not None else None)
    cmp.check(
        f"{name} track_script",
        [f"{t.name} weight {t.weight}{' reverse' if t.reverse else ''}" for t in inst.track_scripts],
        sec.lists.get("Tracked scripts", []),
    )
    cmp.check(
        f"{name} track_interface",
        [f"{t.name} weight {t.weight}{' reverse' if t.reverse else ''}" for t in inst.track_interfaces],
        sec.lists.get("Tracked interfaces", []),
    )
    for field_name, key in (("notify", "script"), ("master", "script_master"), ("backup", "script_backup"),
                            ("fault", "script_fault"), ("stop", "script_stop")):  # fmt: skip
        script: Script | None = getattr(inst.notify, field_name)
        daemon_cmd = js.get(key)
        cmp.check(f"{name} notify {field_name}", command(script), parse_cmd(daemon_cmd) if daemon_cmd else None)


def _scripts(cmp: Comparison, config: KeepalivedConfig, dump: DataDump) -> None:
    first: dict[str, VrrpScript] = {}
    for script in config.scripts:
        first.setdefault(script.name, script)
    cmp.check("vrrp_script names", sorted(first), sorted(dump.scripts))
    for name, script in first.items():
        sec = dump.scripts.get(name)
        if sec is None:
            continue
        cmp.check(f"script {name} command", command(script.script), parse_cmd(sec.values.get("Command", "")))
        cmp.check(f"script {name} interval", f"{script.interval} sec", sec.values.get("Interval"))
        cmp.check(f"script {name} timeout", f"{script.timeout} sec", sec.values.get("Timeout"))
        cmp.check(
            f"script {name} weight",
            f"{script.weight}{' reverse' if script.weight_reverse else ''}",
            sec.values.get("Weight"),
        )
        cmp.check(f"script {name} rise", str(script.rise), sec.values.get("Rise"))
        cmp.check(f"script {name} fall", str(script.fall), sec.values.get("Fall"))


def _sync_groups(cmp: Comparison, config: KeepalivedConfig, dump: DataDump) -> None:
    cmp.check("sync group names", sorted(g.name for g in config.sync_groups), sorted(dump.sync_groups))
    for group in config.sync_groups:
        sec = dump.sync_groups.get(group.name)
        if sec is None:
            continue
        cmp.check(f"sync group {group.name} members", list(group.members), sec.lists.get("VRRP member instances", []))
        cmp.check(
            f"sync group {group.name} track_script",
            [f"{t.name} weight {t.weight}{' reverse' if t.reverse else ''}" for t in group.track_scripts],
            sec.lists.get("Tracked scripts", []),
        )
        cmp.check(
            f"sync group {group.name} tracking weight",
            group.tracking_weight,
            "sync group tracking weight set" in sec.flags,
        )
        for field_name, label in (("notify", "Generic"), ("master", "Master"), ("backup", "Backup"),
                                  ("fault", "Fault"), ("stop", "Stop")):  # fmt: skip
            script: Script | None = getattr(group.notify, field_name)
            text = sec.values.get(f"{label} state transition script")
            cmd = parse_cmd(text.rsplit(", uid:gid", 1)[0]) if text else None
            cmp.check(f"sync group {group.name} notify {field_name}", command(script), cmd)
