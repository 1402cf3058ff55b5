"""Find and read configuration files: keepalived or FRR, one file or whole directories.

A directory is searched recursively for ``*.conf`` files; a keepalived file that another one includes is read as part
of that one, not as a configuration of its own (so /etc/keepalived with its conf.d/ is one
router). A file is FRR when its name is frr.conf or vrrpd.conf, or when it has ``vrrp VRID``
commands under ``interface`` lines and no keepalived blocks.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from vrrpcap.config.frr import parse_frr
from vrrpcap.config.keepalived import parse_keepalived
from vrrpcap.config.model import AnyConfig, ConfigProblem, GlobalDefs, KeepalivedConfig, Location

FRR_NAMES = ("frr.conf", "vrrpd.conf")
FRR_LINE = re.compile(r"^\s*(no\s+)?vrrp\s+\d+\b", re.MULTILINE)
KEEPALIVED_BLOCK = re.compile(
    r"^\s*(vrrp_instance|global_defs|vrrp_script|vrrp_sync_group|virtual_server)\b", re.MULTILINE
)


def is_frr(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` looks like an FRR configuration rather than a keepalived one."""
    if os.path.basename(os.fspath(path)) in FRR_NAMES:
        return True
    try:
        head = Path(path).read_bytes()[:1_000_000].decode("utf-8", errors="replace")
    except OSError:
        return False
    return (
        bool(FRR_LINE.search(head))
        and re.search(r"^interface\s", head, re.MULTILINE) is not None
        and not (KEEPALIVED_BLOCK.search(head))
    )


def load_configs(paths: Iterable[str | os.PathLike[str]], *, config_id: str | None = None) -> list[AnyConfig]:
    """Parse every configuration in ``paths`` (files or directories). A path that does not exist
    becomes a configuration with one ``unreadable`` problem, never an exception."""
    files: list[str] = []
    for path in paths:
        name = os.fspath(path)
        if os.path.isdir(name):
            for root, dirs, names in os.walk(name):
                dirs.sort()
                files += [os.path.join(root, n) for n in sorted(names) if n.endswith(".conf") and not n.startswith(".")]
        else:
            files.append(name)
    configs: list[AnyConfig] = []
    for name in files:
        if not os.path.exists(name):
            problem = ConfigProblem(Location(name, 0), f"{name}: no such file or directory", "unreadable")
            configs.append(KeepalivedConfig(name, (), config_id, GlobalDefs(), (), (), (), (problem,)))
        elif is_frr(name):
            configs.append(parse_frr(name))
        else:
            configs.append(parse_keepalived(name, config_id=config_id))
    included = {
        os.path.realpath(f)
        for c in configs
        if isinstance(c, KeepalivedConfig)
        for f in c.files
        if os.path.realpath(f) != os.path.realpath(c.path)
    }
    return [c for c in configs if os.path.realpath(c.path) not in included]
