"""SARIF 2.1.0: findings as results, one rule per finding code, the capture as the artifact."""

from __future__ import annotations

import json
from typing import Any, TextIO

from vrrpcap import __version__
from vrrpcap.findings import CODES, Severity
from vrrpcap.report import Report

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def sarif_document(report: Report) -> dict[str, Any]:
    rules = [
        {
            "id": info.code,
            "name": info.code.title().replace("-", ""),
            "shortDescription": {"text": info.title},
            "helpUri": f"docs/findings.md#{info.code.lower()}",
            "defaultConfiguration": {"level": LEVEL[info.severity]},
        }
        for info in CODES.values()
    ]
    index = {info.code: i for i, info in enumerate(CODES.values())}
    artifact = report.inputs[0].path if report.inputs else "capture"
    results = []
    for f in report.findings:
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {"artifactLocation": {"uri": artifact}},
                    "logicalLocations": [{"name": f.vr or "capture", "kind": "module"}],
                }
            ],
            "properties": {
                "routers": list(f.routers),
                "start": f.start,
                "end": f.end,
                "frames": list(f.frames),
                "count": f.count,
            },
        }
        results.append(result)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "vrrpcap",
                        "version": __version__,
                        "informationUri": "https://example.invalid/vrrpcap",
                        "rules": rules,
                    }
                },
                "artifacts": [{"location": {"uri": i.path}} for i in report.inputs],
                "results": results,
            }
        ],
    }


def render_sarif(report: Report, out: TextIO) -> None:
    json.dump(sarif_document(report), out, indent=2)
    out.write("\n")
