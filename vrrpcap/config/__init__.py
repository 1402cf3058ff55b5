"""keepalived.conf and FRR vrrpd configurations: parsed as the daemons read them, and linted."""

from vrrpcap.config.keepalived import parse_keepalived
from vrrpcap.config.model import (
    Authentication,
    ConfigProblem,
    FrrConfig,
    FrrVrrpInstance,
    GlobalDefs,
    KeepalivedConfig,
    Location,
    Notify,
    Script,
    Secret,
    SyncGroup,
    TrackedInterface,
    TrackedScript,
    UnicastPeer,
    VirtualAddress,
    VrrpInstance,
    VrrpScript,
)

__all__ = [
    "Authentication",
    "ConfigProblem",
    "FrrConfig",
    "FrrVrrpInstance",
    "GlobalDefs",
    "KeepalivedConfig",
    "Location",
    "Notify",
    "Script",
    "Secret",
    "SyncGroup",
    "TrackedInterface",
    "TrackedScript",
    "UnicastPeer",
    "VirtualAddress",
    "VrrpInstance",
    "VrrpScript",
    "parse_keepalived",
]
