"""Configurations as findings: the static checks (``VRRP-CONFIG-LINT``) and what the parser could not
take as written (``VRRP-CONFIG-PROBLEM``), each pointing at its config file and line.

The config package stays free of the finding catalogue; this module is the one hand-off between them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from vrrpcap.config.lint import LintIssue, lint
from vrrpcap.config.model import AnyConfig, ConfigProblem, Location, ProblemKind
from vrrpcap.findings import Finding, Severity, SourceLine

# What a problem costs: keepalived refusing or not reading the file is an error; a value it rejects
# or a keyword it does not know is a warning (it runs, not as written); the rest it runs as it says.
PROBLEM_SEVERITY: Mapping[ProblemKind, Severity] = {
    "unreadable": Severity.ERROR,
    "syntax": Severity.ERROR,
    "fatal": Severity.ERROR,
    "unknown-keyword": Severity.WARNING,
    "invalid-value": Severity.WARNING,
    "adjusted": Severity.INFO,
    "ignored": Severity.INFO,
    "warning": Severity.INFO,
    "unsupported": Severity.INFO,
}


def source_line(location: Location) -> SourceLine:
    return SourceLine(location.file, location.line)


def issue_finding(issue: LintIssue) -> Finding:
    return Finding(
        code="VRRP-CONFIG-LINT",
        severity=Severity.parse(issue.severity),
        vr=None,
        start=None,
        end=None,
        routers=(),
        message=issue.message,
        locations=tuple(dict.fromkeys(source_line(loc) for loc in issue.locations)),
        reason=issue.reason,
    )


def problem_finding(problem: ConfigProblem) -> Finding:
    return Finding(
        code="VRRP-CONFIG-PROBLEM",
        severity=PROBLEM_SEVERITY[problem.kind],
        vr=None,
        start=None,
        end=None,
        routers=(),
        message=problem.message,
        locations=(source_line(problem.location),),
        reason=problem.kind,
    )


def static_findings(
    configs: Iterable[AnyConfig], *, addresses: Mapping[str, Sequence[str]] | None = None
) -> list[Finding]:
    """Every configuration problem, then every lint issue, as findings in a stable order."""
    configs = list(configs)
    problems = [problem_finding(p) for c in configs for p in c.problems]
    return problems + [issue_finding(i) for i in lint(configs, addresses=addresses)]
