"""keepalived.conf and FRR vrrpd configurations: parsed as the daemons read them, and linted.

The API (everything else in the package is internal):

* :func:`load_configs` (files or directories, keepalived and FRR told apart),
  :func:`parse_keepalived`, :func:`parse_frr`: configurations, never an exception for content;
  what they cannot take is in ``problems`` (:class:`ConfigProblem`, each with a
  :class:`Location`).
* :func:`lint`: the static checks, a list of :class:`LintIssue` (``reason`` one of
  :data:`LintReason`, suggested severities in :data:`LINT_SEVERITY`).
* :func:`reachable_priorities`: the priorities an instance can advertise, each with the failing
  checks that explain it ("150 - 80 (chk_nginx failing)"); :func:`healthy_priority`,
  :func:`priority_when`, :func:`fault_checks` for the single cases.
* :func:`members` / :func:`peer_groups`: configured instances as virtual-router members, and which
  of them are peers of one virtual router.
"""

from vrrpcap.config.frr import parse_frr
from vrrpcap.config.keepalived import parse_keepalived
from vrrpcap.config.lint import SEVERITY as LINT_SEVERITY
from vrrpcap.config.lint import InstanceRef, LintIssue, LintReason, lint
from vrrpcap.config.load import is_frr, load_configs
from vrrpcap.config.model import (
    AnyConfig,
    Authentication,
    ConfigProblem,
    FrrConfig,
    FrrVrrpInstance,
    GlobalDefs,
    KeepalivedConfig,
    Location,
    Notify,
    ProblemKind,
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
from vrrpcap.config.peers import Member, members, peer_groups
from vrrpcap.config.priority import (
    ReachablePriority,
    fault_checks,
    healthy_priority,
    priority_when,
    reachable_priorities,
)

__all__ = [
    "LINT_SEVERITY",
    "AnyConfig",
    "Authentication",
    "ConfigProblem",
    "FrrConfig",
    "FrrVrrpInstance",
    "GlobalDefs",
    "InstanceRef",
    "KeepalivedConfig",
    "LintIssue",
    "LintReason",
    "Location",
    "Member",
    "Notify",
    "ProblemKind",
    "ReachablePriority",
    "Script",
    "Secret",
    "SyncGroup",
    "TrackedInterface",
    "TrackedScript",
    "UnicastPeer",
    "VirtualAddress",
    "VrrpInstance",
    "VrrpScript",
    "fault_checks",
    "healthy_priority",
    "is_frr",
    "lint",
    "load_configs",
    "members",
    "parse_frr",
    "parse_keepalived",
    "peer_groups",
    "priority_when",
    "reachable_priorities",
]
