"""Parse a keepalived.conf into a :class:`KeepalivedConfig`, the way keepalived 2.2 reads it.

Reading (preprocess.py) and block structure (blocks.py) follow keepalived's parser; this module
runs the handlers of the top-level blocks in file order, because order matters to keepalived
too: a ``track_script`` only finds a ``vrrp_script`` defined above it.
"""

from __future__ import annotations

import os
from dataclasses import replace

from vrrpcap.config.addresses import parse_script
from vrrpcap.config.blocks import BlockParser, Statement
from vrrpcap.config.completion import OWNER, complete
from vrrpcap.config.instance import InstanceDraft, InstanceReader, first_arg
from vrrpcap.config.model import (
    ConfigProblem,
    GlobalDefs,
    KeepalivedConfig,
    Location,
    Notify,
    ProblemKind,
    Script,
    SyncGroup,
    TrackedInterface,
    TrackedScript,
    VrrpInstance,
    VrrpScript,
)
from vrrpcap.config.numbers import read_int, read_unsigned
from vrrpcap.config.preprocess import Reader
from vrrpcap.config.tracking import track_entry, track_interface_entry

UINT_SECONDS = 4294


def parse_keepalived(path: str | os.PathLike[str], *, config_id: str | None = None) -> KeepalivedConfig:
    """Read the keepalived configuration at ``path`` (and its includes).

    ``config_id`` is keepalived's ``-i`` / ``--config-id``: it selects ``@id`` lines. keepalived
    defaults it to the host name; here the default is no id (``@id`` lines are dropped, ``@^id``
    lines kept). Never raises for the content: everything it cannot take is in ``problems``.
    """
    reader = Reader(os.fspath(path), config_id=config_id)
    return _Builder(reader).build()


class _Builder:
    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.problems: list[ConfigProblem] = reader.problems
        self.globals = GlobalDefs()
        self.scripts: list[VrrpScript] = []
        self.known_scripts: dict[str, VrrpScript] = {}
        self.drafts: list[InstanceDraft] = []
        self.groups: list[SyncGroup] = []

    def report(self, location: Location, message: str, kind: ProblemKind) -> None:
        self.problems.append(ConfigProblem(location, message, kind))

    def build(self) -> KeepalivedConfig:
        statements = BlockParser(self.reader, self.problems).parse()
        handlers = {
            "global_defs": self._global_defs,
            "vrrp_script": self._vrrp_script,
            "vrrp_instance": self._vrrp_instance,
            "vrrp_sync_group": self._sync_group,
        }
        for st in statements:
            handler = handlers.get(st.keyword)
            if handler is not None:
                handler(st)
        groups = self._resolve_groups()
        member_of = {member: group for group in groups for member in group.members}
        instances = [complete(d, self.globals, member_of.get(d.name), self.report) for d in self.drafts]
        instances = self._sync_states(instances, groups)
        self._vrid_conflicts(instances)
        scripts = self._used_scripts(instances, groups)
        return KeepalivedConfig(
            path=self.reader.path,
            files=tuple(self.reader.files),
            config_id=self.reader.config_id,
            global_defs=self.globals,
            instances=tuple(instances),
            scripts=scripts,
            sync_groups=tuple(groups),
            problems=tuple(self.problems),
        )

    # -- blocks -------------------------------------------------------------------------------

    def _global_defs(self, block: Statement) -> None:
        g = replace(self.globals, location=self.globals.location or block.location)
        for st in block.children:
            if st.keyword == "router_id":
                if len(st.words) < 2:
                    self.report(st.location, "router_id without a name - ignored", "invalid-value")
                else:
                    g = replace(g, router_id=st.words[1])
            elif st.keyword == "vrrp_strict":
                g = replace(g, vrrp_strict=True)
            elif st.keyword == "enable_script_security":
                g = replace(g, enable_script_security=True)
            elif st.keyword == "script_user":
                if len(st.words) < 2:
                    self.report(st.location, "script_user without a user name - ignored", "invalid-value")
                else:
                    g = replace(g, script_user=st.words[1])
            elif st.keyword == "vrrp_version":
                number = read_int(first_arg(st, self.report) or "", 2, 3, lenient=True)
                if number.ok:
                    g = replace(g, vrrp_version=number.value)
                elif len(st.words) > 1:
                    self.report(st.location, "vrrp_version must be 2 or 3 - ignored", "invalid-value")
        self.globals = g

    def _vrrp_script(self, block: Statement) -> None:
        script = VrrpScript(name=block.args[0], location=block.location)
        for st in block.children:
            script = self._script_keyword(script, st)
        if script.script is None:
            self.report(block.location, f"vrrp_script {script.name} has no script - keepalived removes it", "ignored")
            return
        self.scripts.append(script)
        self.known_scripts.setdefault(script.name, script)

    def _script_keyword(self, script: VrrpScript, st: Statement) -> VrrpScript:
        if st.keyword == "script":
            return replace(script, script=parse_script(st.text, st.location, self.report))
        if st.keyword == "init_fail":
            return replace(script, init_fail=True)
        text = first_arg(st, self.report)
        if text is None:
            return script
        if st.keyword in ("interval", "timeout"):
            number = read_unsigned(text, 0, UINT_SECONDS, lenient=True)
            if not number.ok:
                self.report(
                    st.location, f"vrrp_script {script.name}: {st.keyword} '{text}' invalid - ignored", "invalid-value"
                )
                return script
            if number.value == 0:
                self.report(st.location, f"vrrp_script {script.name}: {st.keyword} 0 - 1 used", "adjusted")
            seconds = max(1, number.value)
            return replace(script, interval=seconds) if st.keyword == "interval" else replace(script, timeout=seconds)
        if st.keyword == "weight":
            number = read_int(text, -253, 253, lenient=True)
            if not number.ok:
                self.report(
                    st.location, f"vrrp_script {script.name}: weight '{text}' must be -253..253", "invalid-value"
                )
            reverse = len(st.words) > 2 and st.words[2] == "reverse"
            if len(st.words) > 2 and not reverse:
                self.report(
                    st.location, f"vrrp_script {script.name}: unknown weight option {st.words[2]}", "invalid-value"
                )
            return replace(script, weight=number.value, weight_reverse=reverse or script.weight_reverse)
        if st.keyword in ("rise", "fall"):
            number = read_unsigned(text, 1, 2**31 - 1, lenient=True)
            if not number.ok:
                self.report(
                    st.location, f"vrrp_script {script.name}: {st.keyword} '{text}' invalid - 1 used", "invalid-value"
                )
            count = number.value if number.ok else 1
            return replace(script, rise=count) if st.keyword == "rise" else replace(script, fall=count)
        if st.keyword == "user":
            return replace(script, user=text)
        return script

    def _vrrp_instance(self, block: Statement) -> None:
        self.drafts.append(InstanceReader(self.report, self.known_scripts).read(block))

    def _sync_group(self, block: Statement) -> None:
        group = SyncGroup(name=block.args[0], location=block.location)
        have_members = False
        notify: dict[str, Script] = {}
        scripts: list[TrackedScript] = []
        interfaces: list[TrackedInterface] = []
        for st in block.children:
            if st.keyword == "group":
                if have_members:
                    self.report(st.location, f"sync group {group.name}: group list already given - ignored", "ignored")
                    continue
                have_members = True
                members = tuple(word for item in st.items for word in item.words)
                if not members:
                    self.report(st.location, f"sync group {group.name} has an empty group block", "warning")
                group = replace(group, members=members, location=group.location)
            elif st.keyword in ("notify", "notify_master", "notify_backup", "notify_fault", "notify_stop"):
                if st.keyword in notify:
                    self.report(
                        st.location, f"sync group {group.name}: {st.keyword} already given - ignored", "ignored"
                    )
                    continue
                script = parse_script(st.text, st.location, self.report)
                if script is not None:
                    notify[st.keyword] = script
            elif st.keyword == "track_script":
                for item in st.items:
                    tracked = track_entry(item.words, item.location, group.name, self.known_scripts, self.report)
                    if tracked is not None and all(t.name != tracked.name for t in scripts):
                        scripts.append(tracked)
            elif st.keyword == "track_interface":
                for item in st.items:
                    entry = track_interface_entry(item.words, item.location, group.name, self.report)
                    if entry is not None and all(t.name != entry.name for t in interfaces):
                        interfaces.append(entry)
            elif st.keyword in ("sync_group_tracking_weight", "global_tracking"):
                group = replace(group, tracking_weight=True)
        self.groups.append(
            replace(
                group,
                notify=Notify(
                    notify=notify.get("notify"),
                    master=notify.get("notify_master"),
                    backup=notify.get("notify_backup"),
                    fault=notify.get("notify_fault"),
                    stop=notify.get("notify_stop"),
                ),
                track_scripts=tuple(scripts),
                track_interfaces=tuple(interfaces),
            )
        )

    # -- across blocks (vrrp_complete_init) ---------------------------------------------------

    def _resolve_groups(self) -> list[SyncGroup]:
        names = {d.name for d in self.drafts}
        taken: set[str] = set()
        out: list[SyncGroup] = []
        for group in self.groups:
            members: list[str] = []
            for member in group.members:
                if member not in names:
                    self.report(group.location, f"sync group {group.name}: no instance {member} - ignored", "ignored")
                elif member in taken:
                    self.report(
                        group.location, f"{member} is already in a sync group - ignored in {group.name}", "ignored"
                    )
                else:
                    members.append(member)
                    taken.add(member)
            if not members:
                self.report(
                    group.location, f"sync group {group.name} has no instances - keepalived removes it", "ignored"
                )
                continue
            if len(members) == 1:
                self.report(group.location, f"sync group {group.name} has only one instance", "warning")
            out.append(replace(group, members=tuple(members)))
        return out

    def _sync_states(self, instances: list[VrrpInstance], groups: list[SyncGroup]) -> list[VrrpInstance]:
        """A sync group starts MASTER only if all its members are MASTER address owners."""
        demote: set[str] = set()
        for group in groups:
            members = [inst for inst in instances if inst.sync_group == group.name]
            has_master = any(inst.state == "MASTER" for inst in members)
            has_backup = any(inst.state == "BACKUP" or inst.priority != OWNER for inst in members)
            if has_master and has_backup:
                for inst in members:
                    if inst.state == "MASTER":
                        self.report(
                            inst.where("state"), f"({inst.name}) sync group {group.name}: starts as BACKUP", "adjusted"
                        )
                        demote.add(inst.name)
        return [replace(inst, state="BACKUP") if inst.name in demote else inst for inst in instances]

    def _used_scripts(self, instances: list[VrrpInstance], groups: list[SyncGroup]) -> tuple[VrrpScript, ...]:
        """keepalived drops a vrrp_script that nothing tracks (with a warning)."""
        used = {t.name for inst in instances for t in inst.track_scripts}
        used |= {t.name for group in groups for t in group.track_scripts}
        kept = []
        for script in self.scripts:
            if script.name in used:
                kept.append(script)
            else:
                self.report(script.location, f"vrrp_script {script.name} is not used - keepalived drops it", "warning")
        return tuple(kept)

    def _vrid_conflicts(self, instances: list[VrrpInstance]) -> None:
        seen: dict[tuple[object, ...], VrrpInstance] = {}
        for inst in instances:
            if inst.virtual_router_id is None:
                continue
            keys: list[tuple[object, ...]]
            head = (inst.family, inst.virtual_router_id, inst.interface)
            if inst.delivery == "multicast":
                keys = [(*head, "multicast")]
            else:
                keys = [(*head, inst.unicast_src_ip, peer) for peer in inst.peer_addresses]
            for key in keys:
                other = seen.setdefault(key, inst)
                if other is not inst:
                    self.report(
                        inst.where("virtual_router_id"),
                        f"({inst.name}) VRID {inst.virtual_router_id} already used by {other.name} here:"
                        " keepalived refuses the configuration",
                        "fatal",
                    )
                    break
