"""SARIF 2.1.0 for GitHub code scanning: one rule per finding code, a result per finding.

GitHub's ingestion rules (docs "SARIF support for code scanning"): every result needs a location with
an artifact URI and a region with a start line, and an upload keeps a result's identity across runs
by its partialFingerprints. A capture has no source lines, so a result points at line 1 of the capture
file its evidence comes from (URIs relative to ``root``, the repository checkout: the current directory
by default, never an absolute machine path), its frames go in the result's properties, and its
fingerprint is a hash of what identifies the finding, not of when or where in the file it was seen.
A config finding (``vrrpcap lint``, ``audit --config``) points at its config file and line instead, so
code scanning annotates the keepalived.conf line; its other lines are related locations.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Sequence
from typing import Any, TextIO
from urllib.parse import quote

from vrrpcap import DOCS_URL, HOMEPAGE, __version__
from vrrpcap.findings import CODES, Finding, Severity, SourceLine
from vrrpcap.report import Report
from vrrpcap.times import iso8601

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT = "vrrpcapFinding/v1"
# GitHub's security-severity scale (0-10) for its alert ranking.
SECURITY_SEVERITY = {Severity.ERROR: "7.0", Severity.WARNING: "4.0", Severity.INFO: "1.0"}


def artifact_uri(path: str, root: str) -> str:
    """The capture's URI relative to ``root`` (POSIX separators, percent-encoded); stdin as "stdin"."""
    if path == "<stdin>":
        return "stdin"
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    return quote(relative.replace(os.sep, "/"), safe="/")


def _rule(code: str, docs: str) -> dict[str, Any]:
    info = CODES[code]
    anchor = code.lower()  # the heading "### VRRP-SPLIT-BRAIN" of docs/findings.md
    return {
        "id": code,
        "name": "".join(part.title() for part in code.split("-")),
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": f"{code}: {info.title}."},
        "helpUri": f"{docs}#{anchor}",
        "help": {"text": f"See {docs}#{anchor}", "markdown": f"See [{code}]({docs}#{anchor})."},
        "defaultConfiguration": {"level": LEVEL[info.severity]},
        "properties": {
            "tags": ["vrrp", "network"],
            "precision": "high",
            "problem.severity": LEVEL[info.severity].replace("note", "recommendation"),
            "security-severity": SECURITY_SEVERITY[info.severity],
        },
    }


def _fingerprint(f: Finding, ordinal: int) -> str:
    # What the finding is about, not when: stable across runs on the same capture and across captures
    # of the same fault. Findings alike in all of that (several failovers A -> B) are told apart by order.
    # A config finding by its reason and file, not its line: editing lines above it keeps its identity.
    files = ",".join(loc.file for loc in f.locations)
    identity = "\x1f".join([f.code, f.vr or "", ",".join(f.routers), f.reason or "", files, str(ordinal)])
    return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()


def _config_location(loc: SourceLine, uris: list[str], index: dict[str, int]) -> dict[str, Any]:
    where = index[loc.file]
    return {"artifactLocation": {"uri": uris[where], "index": where}, "region": {"startLine": max(1, loc.line)}}


def sarif_document(report: Report, root: str = ".", docs: str = DOCS_URL) -> dict[str, Any]:
    return sarif_findings(report.findings, [i.path for i in report.inputs] or ["<stdin>"], root, docs)


def sarif_findings(findings: Sequence[Finding], inputs: Sequence[str], root: str, docs: str) -> dict[str, Any]:
    """The SARIF log of ``findings`` read from ``inputs`` (captures or configs); the config files
    findings point at become artifacts too."""
    codes = list(CODES)
    rules = [_rule(code, docs) for code in codes]
    paths = list(dict.fromkeys([*inputs, *(loc.file for f in findings for loc in f.locations)]))
    uris = [artifact_uri(p, root) for p in paths]
    index = {p: n for n, p in enumerate(paths)}
    seen: Counter[tuple[str, str | None, tuple[str, ...]]] = Counter()
    results = []
    for f in findings:
        where = index.get(f.evidence[0].file, 0) if f.evidence else 0
        key = (f.code, f.vr, f.routers)
        seen[key] += 1
        physical: dict[str, Any] = {
            "artifactLocation": {"uri": uris[where], "index": where},
            "region": {"startLine": 1},
        }
        if f.locations:
            physical = _config_location(f.locations[0], uris, index)
        location: dict[str, Any] = {
            "physicalLocation": physical,
            "logicalLocations": [{"name": f.vr or ("config" if f.locations else "capture"), "kind": "module"}],
        }
        related = [
            {"id": n, "physicalLocation": _config_location(loc, uris, index), "message": {"text": str(loc)}}
            for n, loc in enumerate(f.locations[1:], 1)
        ]
        results.append(
            {
                "ruleId": f.code,
                "ruleIndex": codes.index(f.code),
                "level": LEVEL[f.severity],
                "message": {"text": f.message},
                "locations": [location],
                **({"relatedLocations": related} if related else {}),
                "partialFingerprints": {FINGERPRINT: _fingerprint(f, seen[key])},
                "properties": {
                    "virtualRouter": f.vr,
                    "vrid": f.vrid,
                    "routers": list(f.routers),
                    "start": f.start,
                    "end": f.end,
                    "startIso": iso8601(f.start),
                    "endIso": iso8601(f.end),
                    "count": f.count,
                    "frames": [{"file": uris[index.get(e.file, 0)], "frame": e.frame} for e in f.evidence],
                    "reason": f.reason,
                },
            }
        )
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "vrrpcap",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": HOMEPAGE,
                        "rules": rules,
                    }
                },
                "artifacts": [{"location": {"uri": uri}, "roles": ["analysisTarget"]} for uri in uris],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render_sarif(report: Report, out: TextIO, root: str = ".", docs: str = DOCS_URL) -> None:
    json.dump(sarif_document(report, root, docs), out, indent=2)
    out.write("\n")


def render_findings_sarif(
    findings: Sequence[Finding], inputs: Sequence[str], out: TextIO, root: str, docs: str
) -> None:
    json.dump(sarif_findings(findings, inputs, root, docs), out, indent=2)
    out.write("\n")
