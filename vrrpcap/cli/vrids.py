"""`vrrpcap vrids CAPTURE... [--config ...]`: the VRIDs in use per segment and family, who uses them,
and the free ones ("check for ids already in use on the network" before configuring a new cluster).

A segment is what the capture tells apart: capture interface, VLANs, address family. With --config,
the configured instances are named beside the virtual routers they are (the matching of
config/wire.py), and a configured VRID not on the wire is listed too and counted as taken for its
family on every segment: it is somebody's, even while it is silent.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from vrrpcap.cli.lint import ConfigIdOption
from vrrpcap.cli.options import Files, OutputOption, ProgressOption
from vrrpcap.cli.outputs import output_file, refuse_inputs
from vrrpcap.errors import ExitCode

if TYPE_CHECKING:
    from vrrpcap.report import Report
    from vrrpcap.report.model import VirtualRouter

VRIDS = range(1, 256)


class VridsFormat(StrEnum):
    text = "text"
    json = "json"


@dataclass(frozen=True, slots=True)
class Segment:
    interface: str | None
    vlan: tuple[int, ...]
    family: str

    def __str__(self) -> str:
        parts = [self.interface or "(capture)", *(f"vlan{v}" for v in self.vlan), self.family]
        return "/".join(parts)


@dataclass(frozen=True, slots=True)
class Unseen:
    """A configured instance whose VRID is not on the wire."""

    family: str
    vrid: int
    name: str
    where: str


def ranges(numbers: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for n in sorted(numbers):
        if out and out[-1][1] == n - 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def _ranges_text(numbers: list[int]) -> str:
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ranges(numbers)) or "none"


def segments(report: Report) -> dict[Segment, list[VirtualRouter]]:
    out: dict[Segment, list[VirtualRouter]] = {}
    for vr in sorted(report.virtual_routers, key=lambda v: (v.vrid, v.id)):
        out.setdefault(Segment(vr.interface, vr.vlan, vr.family), []).append(vr)
    return out


def vrids_document(report: Report, unseen: list[Unseen]) -> dict[str, Any]:
    rows = []
    for segment, vrs in segments(report).items():
        taken = {vr.vrid for vr in vrs} | {u.vrid for u in unseen if u.family == segment.family}
        used = []
        for vrid in sorted({vr.vrid for vr in vrs}):
            mine = [vr for vr in vrs if vr.vrid == vrid]
            used.append(
                {
                    "vrid": vrid,
                    "virtual_routers": [
                        {
                            "id": vr.id,
                            # A CARP vhid takes its number too: keepalived on the same VRID loses
                            # adverts to it (VRRP-CARP-COEXIST).
                            "protocol": vr.protocol,
                            "routers": [r.address for r in vr.routers],
                            "vips": list(vr.vips),
                            "instances": [i.as_dict() for i in vr.instances],
                        }
                        for vr in mine
                    ],
                }
            )
        free = [n for n in VRIDS if n not in taken]
        rows.append(
            {
                "segment": str(segment),
                "interface": segment.interface,
                "vlan": list(segment.vlan),
                "family": segment.family,
                "used": used,
                "free": [list(r) for r in ranges(free)],
                "free_count": len(free),
            }
        )
    return {
        "segments": rows,
        "configured_not_seen": [
            {"family": u.family, "vrid": u.vrid, "instance": u.name, "location": u.where} for u in unseen
        ],
    }


def render_text(document: dict[str, Any], out: TextIO) -> None:
    from vrrpcap.render.escape import printable

    def line(text: str) -> None:
        out.write(printable(text) + "\n")

    if not document["segments"]:
        line("no VRRP virtual router on the wire")
    for row in document["segments"]:
        line(f"{row['segment']}: {len(row['used'])} VRID(s) in use, {row['free_count']} free")
        for used in row["used"]:
            for vr in used["virtual_routers"]:
                names = ", ".join(f"{i['name']} ({i['file']}:{i['line']})" for i in vr["instances"])
                who = ", ".join(vr["routers"])
                vips = ", ".join(vr["vips"]) or "-"
                carp = "  (CARP vhid)" if vr.get("protocol") == "carp" else ""
                line(f"  VRID {used['vrid']:>3}  {who}  VIPs {vips}{carp}" + (f"  = {names}" if names else ""))
        free = [n for a, b in row["free"] for n in range(a, b + 1)]
        line(f"  free: {_ranges_text(free)}")
    for u in document["configured_not_seen"]:
        line(f"configured, not on the wire: VRID {u['vrid']} ({u['family']}) {u['instance']} at {u['location']}")


def vrids(
    files: Files,
    fmt: Annotated[
        VridsFormat, typer.Option("--format", "-f", metavar="FORMAT", help="text for people; json for machines.")
    ] = VridsFormat.text,
    output: OutputOption = None,
    config: Annotated[
        list[str] | None,
        typer.Option(
            "--config",
            metavar="PATH[=ADDRESS]",
            help="keepalived/FRR config (file or directory): name the instances, count configured VRIDs as taken.",
            show_default=False,
        ),
    ] = None,
    config_id: ConfigIdOption = None,
    progress: ProgressOption = None,
) -> None:
    """VRIDs in use per segment and address family, who uses them, and the free ones.

    Exit 5 when a capture is damaged (what came before the damage is still counted), 0 otherwise.
    """
    from vrrpcap.analysis import Options
    from vrrpcap.cli.audit import _configs
    from vrrpcap.cli.run import analyze_files

    refuse_inputs(files, [("--output", output)])
    held = _configs(config, config_id) if config else None
    analysis = analyze_files(files, Options(), progress)
    report = analysis.report
    unseen: list[Unseen] = []
    if held is not None:
        from vrrpcap.config.wire import held_against, match

        unseen = [
            Unseen(m.member.family, m.member.vrid, m.member.name, str(m.member.instance.location))
            for m in match(held[0], report, held[1])
            if m.vr is None and not m.ambiguous
        ]
        report = held_against(report, *held)
    document = vrids_document(report, unseen)
    with output_file(output) as target:
        if fmt is VridsFormat.json:
            import json

            json.dump(document, target.stream, indent=2)
            target.stream.write("\n")
        else:
            render_text(document, target.stream)
    raise typer.Exit(int(ExitCode.DAMAGED_CAPTURE if analysis.damaged else ExitCode.OK))
