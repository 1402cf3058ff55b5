"""JUnit XML for CI: a test case per virtual router and finding code, one failure each at the gate.

CI servers (Jenkins' junit plugin, GitLab, GitHub reporters) read one result per test case: a case
that fails twice shows one failure. So a virtual router has a case per finding code it has (and one
passing case when it has none), capture-wide findings have a case per code; a case fails once, with
every occurrence of its code in the failure's text, when the code's severity is at or above --fail-on.
Times are what the format expects: decimal seconds (``time``), an ISO 8601 ``timestamp`` without zone
(UTC). Every string from the capture goes through xml_text: XML 1.0 cannot hold most control characters.

Validated by the tests against the Jenkins/Surefire shape (tests/schemas/junit.xsd).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TextIO

from vrrpcap.findings import Finding, Severity
from vrrpcap.render.escape import xml_text
from vrrpcap.render.groups import EvidenceNames
from vrrpcap.report import Report
from vrrpcap.times import iso8601


def _seconds(start: float | None, end: float | None) -> str:
    return f"{max(0.0, (end or 0.0) - (start or 0.0)) if start is not None else 0.0:.3f}"


def _case(
    suite: ET.Element,
    classname: str,
    name: str,
    findings: Sequence[Finding],
    gate: Severity | None,
    names: EvidenceNames,
) -> bool:
    """One test case; whether it failed."""
    starts = [f.start for f in findings if f.start is not None]
    ends = [f.end for f in findings if f.end is not None]
    case = ET.SubElement(suite, "testcase", classname=classname, name=xml_text(name))
    case.set("time", _seconds(min(starts, default=None), max(ends, default=None)))
    failing = bool(findings) and gate is not None and findings[0].severity >= gate
    lines = [_detail(f, names) for f in findings]
    if failing:
        first = findings[0]
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        failure = ET.SubElement(case, "failure", message=xml_text(f"{first.code}: {first.message}{more}"))
        failure.set("type", first.code)
        failure.text = "\n\n".join(lines)
    elif lines:
        ET.SubElement(case, "system-out").text = "\n\n".join(lines)
    return failing


def render_junit(report: Report, out: TextIO, fail_on: Severity | None) -> None:
    names = EvidenceNames(report.inputs)
    by_vr: dict[str | None, dict[str, list[Finding]]] = {vr.id: {} for vr in report.virtual_routers}
    for f in report.findings:
        by_vr.setdefault(f.vr, {}).setdefault(f.code, []).append(f)
    suites = ET.Element("testsuites", name="vrrpcap")
    suite = ET.SubElement(suites, "testsuite", name="vrrpcap audit")
    window = report.capture_window()
    stamp = iso8601(window[0]) if window else None
    if stamp:
        suite.set("timestamp", stamp[:19])  # the format's timestamp: ISO 8601 to the second, no zone
    suite.set("time", _seconds(*window) if window else "0.000")
    tests = failures = 0
    for vr, codes in by_vr.items():
        classname = "vrrpcap.capture" if vr is None else "vrrpcap.virtual_router"
        if not codes and vr is not None:
            tests += 1
            _case(suite, classname, vr, (), fail_on, names)
        for code, findings in codes.items():
            tests += 1
            failures += _case(suite, classname, code if vr is None else f"{vr} {code}", findings, fail_on, names)
    for element in (suite, suites):
        element.set("tests", str(tests))
        element.set("failures", str(failures))
        element.set("errors", "0")
    suites.set("time", suite.get("time", "0.000"))
    ET.indent(suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(suites, encoding="unicode"))
    out.write("\n")


def _detail(f: Finding, names: EvidenceNames) -> str:
    reason = f" ({f.reason})" if f.reason else ""
    lines = [f"{f.severity.label} {f.code}{reason}: {f.message}"]
    if f.vr is not None:
        lines.append(f"virtual router: {f.vr}")
    if f.routers:
        lines.append(f"routers: {', '.join(f.routers)}")
    if f.start is not None:
        lines.append(f"time: {iso8601(f.start)} to {iso8601(f.end if f.end is not None else f.start)}")
    if f.locations:
        lines.append(f"config: {', '.join(str(loc) for loc in f.locations)}")
    if f.count > 1:
        lines.append(f"occurrences: {f.count}")
    if f.evidence:
        lines.append(f"frames: {names.text(f.evidence, limit=len(f.evidence))}")
    return xml_text("\n".join(lines))
