"""keepalived's own view of its configuration, read from what the daemon writes on signals.

``keepalived.json`` (the JSON signal) has one object per instance with the fields of
keepalived/vrrp/vrrp_json.c; ``keepalived.data`` (the DATA signal) is the text dump of
vrrp_data.c / global_data.c, the only place keepalived shows unicast peers, tracking weights,
sync groups and vrrp_script settings. Both are parsed here into plain values, independently of
vrrpcap.config (these readers know the dump formats, not keepalived.conf).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass
class DumpSection:
    """One ``VRRP Instance = X`` (or script, sync group) section of keepalived.data."""

    name: str
    values: dict[str, str] = field(default_factory=dict)  # "Key = value" lines
    lists: dict[str, list[str]] = field(default_factory=dict)  # "Key :" followed by indented lines
    flags: list[str] = field(default_factory=list)  # lines without "=" (e.g. "Using Native IPv6")


@dataclass
class DataDump:
    globals: dict[str, str]
    global_flags: list[str]
    instances: dict[str, DumpSection]
    scripts: dict[str, DumpSection]
    sync_groups: dict[str, DumpSection]


SECTION = re.compile(r"^------< (.+) >------$")
HEAD = {
    "VRRP Topology": re.compile(r"^ VRRP Instance = (.+)$"),
    "VRRP Scripts": re.compile(r"^ VRRP Script = (.+)$"),
    "VRRP Sync groups": re.compile(r"^ VRRP Sync Group = (.+?), \S+$"),
}


def parse_data(text: str) -> DataDump:
    dump = DataDump({}, [], {}, {}, {})
    targets = {"VRRP Topology": dump.instances, "VRRP Scripts": dump.scripts, "VRRP Sync groups": dump.sync_groups}
    section = ""
    current: DumpSection | None = None
    list_key: str | None = None
    list_indent = 0
    for line in text.splitlines():
        match = SECTION.match(line)
        if match:
            section, current, list_key = match.group(1), None, None
            continue
        if section == "Global definitions":
            key, sep, value = line.strip().partition(" = ")
            if sep:
                dump.globals[key] = value
            elif line.strip():
                dump.global_flags.append(line.strip())
            continue
        head = HEAD.get(section)
        if head is None:
            continue
        match = head.match(line)
        if match:
            current = DumpSection(match.group(1))
            targets[section][current.name] = current
            list_key = None
            continue
        if current is None or not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        if list_key is not None and indent > list_indent:
            current.lists[list_key].append(line.strip())
            continue
        list_key = None
        stripped = line.strip()
        if stripped.endswith(":") or re.match(r"^[A-Za-z ]+ \(\d+\):$", stripped):
            list_key = re.sub(r"\s*(\(\d+\))?\s*:$", "", stripped)
            list_indent = indent
            current.lists[list_key] = []
            continue
        key, sep, value = stripped.partition(" = ")
        if sep:
            current.values.setdefault(key, value)
        else:
            current.flags.append(stripped)
    return dump


@dataclass
class JsonInstance:
    data: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


def parse_json(text: str) -> dict[str, JsonInstance]:
    return {entry["data"]["iname"]: JsonInstance(entry["data"]) for entry in json.loads(text)}


@dataclass(frozen=True)
class VipText:
    """One VIP as keepalived's format_ipaddress prints it."""

    address: str
    prefix: int | None
    options: tuple[tuple[str, str], ...]

    def option(self, key: str) -> str | None:
        return next((value for name, value in self.options if name == key), None)


def parse_vip_text(text: str) -> VipText:
    words = text.split()
    address, _, prefix = words[0].partition("/")
    options: list[tuple[str, str]] = []
    i = 1
    while i < len(words):
        if words[i] in ("dev", "scope", "label", "brd", "peer") and i + 1 < len(words):
            options.append((words[i], words[i + 1]))
            i += 2
        else:
            options.append((words[i], ""))
            i += 1
    return VipText(address, int(prefix) if prefix else None, tuple(options))


def parse_cmd(text: str) -> tuple[str, ...]:
    """keepalived's cmd_str: each word in single quotes, separated by spaces."""
    return tuple(re.findall(r"'([^']*)'", text))


COMPLAINT = re.compile(r"\((?:(/[^:()]+): )?Line (\d+)\) (.*)$")
# Reported by keepalived from a block's end handler, on the block's last line; vrrpcap puts the
# problem on the keyword's own line instead.
END_OF_BLOCK = ("Cannot use unicast_ttl without unicast peers",)


def complaints(log: str, main: str) -> list[tuple[str, int, str]]:
    """(file, line, message) of every configuration complaint keepalived logged with a line
    (keepalived leaves the file name out while it has read only ``main``)."""
    out = []
    for line in log.splitlines():
        match = COMPLAINT.search(line)
        if match and not any(text in match.group(3) for text in END_OF_BLOCK):
            out.append((match.group(1) or main, int(match.group(2)), match.group(3)))
    return out
