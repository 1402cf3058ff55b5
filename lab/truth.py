"""The truth file of a recording: what the daemons said happened, what the lab did, what to expect.

Layout and keys: docs/lab.md. One top-level key per line and one list item per line, so the files
stay readable and diffable.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess

from lab.frr import Frr, frr_version
from lab.keepalived import keepalived_version
from lab.netns import which
from lab.runner import STATES, Run
from lab.sanity import advert_timing
from lab.story import read_pcap
from lab.ucarp import Ucarp

TRUTH_FORMAT = 1


def _ucarp_version() -> str:
    exe = which("ucarp")
    if exe is None:
        return "not installed"
    proc = subprocess.run([exe, "--help"], capture_output=True, text=True, check=False, shell=False)
    for word in (proc.stdout + proc.stderr).split():
        if word[:1].isdigit() and "." in word:
            return word
    return "unknown"


def build_truth(r: Run) -> dict[str, object]:
    sc = r.scenario
    start = r.capture.started_at or 0.0
    end = r.capture.stopped_at or start
    problems = r.script_log_problems(end)
    other_events = [
        {"time": round(e.time, 6), "router": e.router, "instance": e.instance, "event": e.state, "priority": e.priority}
        for e in r.all_events()
        if e.kind == "INSTANCE" and e.state not in STATES and e.time <= end
    ]
    instances = [
        inst.to_json(r.lab.routers[router], sc.scripts.get(router, {}))
        for router in sc.routers
        for inst in sc.instances.get(router, [])
    ]
    instances += [entry for router, vrs in sc.frr.items() for vr in vrs for entry in vr.to_json(router)]
    routers = []
    for name in sc.routers:
        entry: dict[str, object] = dict(r.lab.routers[name].to_json())
        daemon = r.daemons[name]
        entry["daemon"] = r.kind(name)
        if isinstance(daemon, Frr):
            entry["frr_macvlans"] = daemon.macvlan_info()
        routers.append(entry)
    transitions = r.transitions()
    for name, daemon in r.daemons.items():
        if isinstance(daemon, Ucarp):
            problems += daemon.problems([t.state for t in transitions if t.router == name])

    files = sc.capture_files()
    exempt = frozenset(
        addr
        for router in sc.routers
        for inst in sc.instances.get(router, [])
        if inst.wire_gaps or inst.silent_on_wire
        for addr in (r.lab.routers[router].ipv4, r.lab.routers[router].ipv6, r.lab.routers[router].ipv6_link_local)
    )
    timing = advert_timing(read_pcap(r.capture.path), start, exempt)
    problems += timing.problems()

    truth: dict[str, object] = {
        "format": TRUTH_FORMAT,
        "scenario": sc.name,
        "description": sc.description,
        "notes": sc.notes,
        "recorded_at": dt.datetime.fromtimestamp(start, dt.UTC).isoformat(),
        "keepalived_version": keepalived_version(),
        **({"frr_version": frr_version()} if sc.frr else {}),
        **({"ucarp_version": _ucarp_version()} if sc.ucarp else {}),
        "lab": {"prefix": r.lab.prefix, "bridge": r.lab.bridge_if},
        "capture": r.capture.to_json(files["main"]),
    }
    if sc.vantages:
        truth["vantages"] = [
            {"name": "bridge" if key == "main" else key, **r.captures[key].to_json(file)} for key, file in files.items()
        ]
    if "reference" in files:
        truth["reference_capture"] = r.captures["reference"].to_json(files["reference"])
    truth.update(
        {
            "routers": routers,
            "instances": instances,
            **({"carp_instances": [v.to_json(r.lab.routers[n]) for n, v in sc.ucarp.items()]} if sc.ucarp else {}),
            "transitions": [t.to_json() for t in transitions if t.time <= end],
            "events": other_events,
            "actions": [a for a in r.actions if float(str(a["time"])) <= end],
            "expected_findings": list(sc.expected_findings),
            "forbidden_findings": list(sc.forbidden_findings),
            "timing": timing.to_json(),
        }
    )
    if sc.annotate is not None:
        extra = sc.annotate(r, truth)
        clash = set(extra) & set(truth)
        if clash:
            raise ValueError(f"{sc.name}: annotate would overwrite {sorted(clash)}")
        truth.update(extra)
    truth["lab_warnings"] = problems + r.warnings
    return truth


def _records(value: object) -> bool:
    """A non-empty list of objects: written one per line."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def dump_truth(truth: dict[str, object]) -> str:
    """JSON, one top-level key per line and one list item (compact) per line: readable and
    diffable, and small even with hundreds of instances. Dicts of lists (``expect_v2``) get one
    line per list item too."""
    lines = []
    for key, value in truth.items():
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {json.dumps(item)}" for item in value)
            lines.append(f"  {json.dumps(key)}: [\n{items}\n  ]")
        elif isinstance(value, dict) and any(_records(v) for v in value.values()):
            parts = []
            for sub, item in value.items():
                if _records(item):
                    rows = ",\n".join(f"      {json.dumps(x)}" for x in item)
                    parts.append(f"    {json.dumps(sub)}: [\n{rows}\n    ]")
                else:
                    parts.append(f"    {json.dumps(sub)}: {json.dumps(item)}")
            lines.append(f"  {json.dumps(key)}: {{\n" + ",\n".join(parts) + "\n  }")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"
