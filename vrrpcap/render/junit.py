"""JUnit XML for CI: one test case per virtual router, a failure per finding at or above the gate.

Validated by the tests against the widely used Jenkins/xunit JUnit schema.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TextIO

from vrrpcap.findings import Finding, Severity
from vrrpcap.report import Report


def render_junit(report: Report, out: TextIO, fail_on: Severity | None) -> None:
    cases: dict[str, list[Finding]] = {vr.id: [] for vr in report.virtual_routers}
    capture_wide: list[Finding] = []
    for f in report.findings:
        cases.get(f.vr or "", capture_wide).append(f)
    suites = ET.Element("testsuites", name="vrrpcap")
    suite = ET.SubElement(suites, "testsuite", name="vrrpcap audit")
    all_cases = [*cases.items(), ("capture", capture_wide)]
    failures = 0
    for name, findings in all_cases:
        case = ET.SubElement(suite, "testcase", classname="vrrpcap.virtual_router", name=name)
        failing = [f for f in findings if fail_on is not None and f.severity >= fail_on]
        for f in failing:
            failure = ET.SubElement(case, "failure", message=f"{f.code}: {f.message}", type=f.code)
            failure.text = _detail(f)
        failures += bool(failing)
        others = [f for f in findings if f not in failing]
        if others:
            ET.SubElement(case, "system-out").text = "\n".join(
                f"{f.severity.label} {f.code}: {f.message}" for f in others
            )
    suite.set("tests", str(len(all_cases)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suites.set("tests", str(len(all_cases)))
    suites.set("failures", str(failures))
    ET.indent(suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(suites, encoding="unicode"))
    out.write("\n")


def _detail(f: Finding) -> str:
    return (
        f"severity: {f.severity.label}\nvirtual router: {f.vr}\nrouters: {', '.join(f.routers)}\n"
        f"time: {f.start} - {f.end}\nframes: {', '.join(map(str, f.frames))}"
    )
