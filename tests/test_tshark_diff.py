"""Differential test: vrrpcap's decoder against Wireshark's dissector, field by field, frame by frame.

Every frame tshark dissects as VRRP (or CARP) must be decoded by vrrpcap with the same values, and
every record vrrpcap produces must be one tshark dissects, except the documented disagreements:
tshark does not dissect VRRP inside IP fragments nor an empty VRRP payload, which vrrpcap reports as
malformed records (the guide: a broken packet is a finding, not silence).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import lab_captures, public_captures
from vrrpcap.decode import Advert, decode_frames
from vrrpcap.frames import CaptureSet

TSHARK_FIELDS = (
    "frame.number",
    "ip.src",
    "ipv6.src",
    "ip.dst",
    "ipv6.dst",
    "ip.ttl",
    "ipv6.hlim",
    "ip.dsfield",
    "ipv6.tclass",
    "ip.id",
    "eth.src",
    "vlan.id",
    "vrrp.version",
    "vrrp.virt_rtr_id",
    "vrrp.prio",
    "vrrp.auth_type",
    "vrrp.adver_int",
    "vrrp.short_adver_int",
    "vrrp.addr_count",
    "vrrp.ip_addr",
    "vrrp.ipv6_addr",
    "vrrp.checksum.status",
    "carp.vhid",
    "carp.advskew",
    "carp.demotion",
    "carp.adver_int",
    "icmp.type",
    "icmpv6.type",
)

# Records tshark leaves undissected on purpose, by the start of vrrpcap's malformed reason.
TSHARK_SILENT_ON = ("IP fragment", "IPv6 fragment", "empty VRRP message")


def tshark_frames(tshark: str, path: Path) -> dict[int, dict[str, list[str]]]:
    command = [
        tshark,
        "-n",
        "-r",
        str(path),
        "-Y",
        "vrrp or carp",
        "-T",
        "fields",
        "-E",
        "separator=/t",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=,",
    ]
    for name in TSHARK_FIELDS:
        command += ["-e", name]
    done = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=120, check=False)
    assert done.returncode in (0, 2), done.stderr  # 2: tshark read a file it calls cut short or damaged
    frames = {}
    for line in done.stdout.splitlines():
        cells = line.split("\t")
        row = {name: (cell.split(",") if cell else []) for name, cell in zip(TSHARK_FIELDS, cells, strict=False)}
        frames[int(row["frame.number"][0])] = row
    return frames


def vrrpcap_records(path: Path) -> dict[int, Advert]:
    with CaptureSet([str(path)]) as captures:
        return {a.frame: a for a in decode_frames(captures)}


def _last(row: dict[str, list[str]], *names: str) -> str | None:
    for name in names:
        if row.get(name):
            return row[name][-1]  # an ICMP error lists the outer header first, the quoted one last
    return None


CHECKSUM_STATUS = {"ok": "1", "bad": "0", "v2-style": "0", "old-unicast": "0"}


def compare(advert: Advert, row: dict[str, list[str]]) -> list[str]:
    """Every field both sides decoded must be equal; a field only tshark decoded is a miss."""
    differences: list[str] = []

    def check(name: str, ours: object, theirs: object) -> None:
        if theirs is None or theirs == [] or theirs == "":
            return
        if ours is None and advert.malformed:
            differences.append(f"{name}: tshark {theirs!r}, vrrpcap none (malformed: {advert.malformed})")
        elif ours != theirs:
            differences.append(f"{name}: tshark {theirs!r}, vrrpcap {ours!r}")

    check("src", advert.src, _last(row, "ipv6.src", "ip.src"))
    check("dst", advert.dst, _last(row, "ipv6.dst", "ip.dst"))
    ttl = _last(row, "ipv6.hlim", "ip.ttl")
    check("ttl", advert.ttl, int(ttl) if ttl else None)
    check("vlan", list(advert.vlan), [int(v) for v in row["vlan.id"]])
    tos = _last(row, "ipv6.tclass", "ip.dsfield")
    check("tos", advert.tos, int(tos, 0) if tos else None)
    check("dscp", advert.dscp, int(tos, 0) >> 2 if tos else None)
    ident = _last(row, "ip.id") if advert.family == "ipv4" else None
    check("ip_id", advert.ip_id, int(ident, 0) if ident else None)
    if row["eth.src"]:  # the outer frame's: an ICMP error's too
        check("src_mac", advert.src_mac, row["eth.src"][0])
    if advert.kind == "carp":
        check("vhid", advert.vrid, int(row["carp.vhid"][-1]) if row["carp.vhid"] else None)
        check("advskew", advert.advskew, int(row["carp.advskew"][-1]) if row["carp.advskew"] else None)
        check("demotion", advert.demotion, int(row["carp.demotion"][-1]) if row["carp.demotion"] else None)
        if row["carp.adver_int"] and advert.advskew is not None and advert.interval is not None:
            check("advbase", round(advert.interval - advert.advskew / 256), int(row["carp.adver_int"][-1]))
        return differences
    check("version", advert.version, int(row["vrrp.version"][-1]) if row["vrrp.version"] else None)
    check("vrid", advert.vrid, int(row["vrrp.virt_rtr_id"][-1]) if row["vrrp.virt_rtr_id"] else None)
    check("priority", advert.priority, int(row["vrrp.prio"][-1]) if row["vrrp.prio"] else None)
    check("addr_count", advert.addr_count, int(row["vrrp.addr_count"][-1]) if row["vrrp.addr_count"] else None)
    if row["vrrp.adver_int"]:
        check("interval", advert.interval, float(row["vrrp.adver_int"][-1]))
    if row["vrrp.short_adver_int"]:
        check("interval", advert.interval, int(row["vrrp.short_adver_int"][-1]) / 100)
    if advert.version == 2:
        check("auth_type", advert.auth_type, int(row["vrrp.auth_type"][-1]) if row["vrrp.auth_type"] else None)
    addresses = row["vrrp.ip_addr"] or row["vrrp.ipv6_addr"]
    if addresses:
        check("addresses", list(advert.addresses), addresses)
    status = row["vrrp.checksum.status"]
    if status and advert.checksum != "unverified":
        check("checksum", CHECKSUM_STATUS[advert.checksum], status[-1])
    return differences


CAPTURES = lab_captures() + public_captures()


@pytest.mark.skipif(not CAPTURES, reason="no captures in pcaps/ nor ../shared/pcaps-public")
@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.name)
def test_decoder_agrees_with_wireshark(tshark: str, path: Path) -> None:
    theirs = tshark_frames(tshark, path)
    ours = vrrpcap_records(path)
    problems = []
    for number, row in theirs.items():
        advert = ours.get(number)
        if advert is None:
            problems.append(f"frame {number}: tshark dissects VRRP/CARP, vrrpcap has no record")
            continue
        problems += [f"frame {number}: {d}" for d in compare(advert, row)]
    for number, advert in ours.items():
        if number in theirs:
            continue
        if advert.malformed and advert.malformed.startswith(TSHARK_SILENT_ON):
            continue
        problems.append(f"frame {number}: vrrpcap has a record ({advert.malformed or 'well formed'}), tshark none")
    assert not problems, "\n".join(problems[:40])


def test_public_captures_are_read_from_shared_not_copied() -> None:
    shared = {p.name for p in public_captures()}
    assert not shared & {p.name for p in lab_captures()}
