"""The TPACKET_V3 ring reader (vrrpcap/live/ring.py, ``ring_read`` in vrrpcap/_scan.c).

First on rings laid out here byte by byte as the kernel lays them out (no root): frames, VLAN tags put
back, times rounded as the per-packet reader rounds them, blocks given back, limits, wrap-around. Then
for real (root, tcpreplay): one process opens the ring reader and the per-packet reader on the same
veth and both must read the same frames, byte for byte, with the same times and numbers.
"""

from __future__ import annotations

import json
import random
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.netns import Lab
from tests.forge import Advert
from tests.live.conftest import ROOT, ensure_tools
from tests.support import LT_ETHERNET, Record, pcap_bytes
from vrrpcap.frames import Frame
from vrrpcap.frames import reader as reader_module
from vrrpcap.live.source import microseconds

ring_read = getattr(reader_module.scanner, "ring_read", None)
needs_ring = pytest.mark.skipif(ring_read is None, reason="the C extension is not built (or has no ring_read)")

TP_STATUS_KERNEL, TP_STATUS_USER = 0, 1
TP_STATUS_VLAN_VALID, TP_STATUS_VLAN_TPID_VALID = 0x10, 0x40
BLOCK_HEADER = 48  # struct tpacket_block_desc
PACKET_HEADER = 48  # struct tpacket3_hdr
MAC = 82  # where the kernel puts an Ethernet frame after the packet header (and its sockaddr_ll)
BLOCK = 4096


def packet(sec: int, nsec: int, data: bytes, status: int = 0, tci: int = 0, tpid: int = 0, wire: int = 0) -> bytes:
    """One tpacket3_hdr and its frame, without the next offset (filled in by block())."""
    header = struct.pack(
        "<IIIIIIHHIIHH8x", 0, sec, nsec, len(data), wire or len(data), status, MAC, MAC + 14, 0, tci, tpid, 0
    )
    assert len(header) == PACKET_HEADER
    return header + bytes(MAC - PACKET_HEADER) + data


def block(packets: list[bytes], status: int = TP_STATUS_USER) -> bytes:
    body = b""
    for i, p in enumerate(packets):
        size = (len(p) + 7) & ~7
        next_offset = size if i + 1 < len(packets) else 0
        body += struct.pack("<I", next_offset) + p[4:] + bytes(size - len(p))
    header = struct.pack("<IIIIIIQ16x", 1, 0, status, len(packets), BLOCK_HEADER, BLOCK_HEADER + len(body), 7)
    assert len(header) == BLOCK_HEADER and len(header) + len(body) <= BLOCK
    return (header + body).ljust(BLOCK, b"\x00")


def read(
    ring: bytearray, blocks: int, index: int = 0, number: int = 0, limit: int = 0
) -> tuple[list[Frame], int, int, bool]:
    assert ring_read is not None
    frames, index, number, drained = ring_read(ring, BLOCK, blocks, index, Frame, "veth9", "veth9", number, 1, limit)
    return frames, index, number, drained


def status(ring: bytearray, index: int) -> int:
    return int(struct.unpack_from("<I", ring, index * BLOCK + 8)[0])


FRAME = bytes(range(12)) + b"\x08\x00" + bytes(range(100, 146))  # 60 bytes: MACs, IPv4, payload


@needs_ring
def test_frames_of_a_ready_block_and_the_block_given_back() -> None:
    ring = bytearray(block([packet(1_700_000_000, 123_456_789, FRAME), packet(1_700_000_001, 0, FRAME[:40])]))
    ring += block([], TP_STATUS_KERNEL)
    frames, index, number, drained = read(ring, 2, number=41)
    assert frames == [
        Frame("veth9", 42, microseconds(1_700_000_000 + 123_456_789 * 1e-9), 1, FRAME, 60, "veth9"),
        Frame("veth9", 43, microseconds(1_700_000_001.0), 1, FRAME[:40], 40, "veth9"),
    ]
    assert (index, number, drained) == (1, 43, True)
    assert status(ring, 0) == TP_STATUS_KERNEL  # read: the kernel may fill it again
    assert read(ring, 2, index=1, number=43) == ([], 1, 43, True)  # the kernel's block is not touched


@needs_ring
def test_vlan_tags_are_put_back_as_scapy_puts_them() -> None:
    ring = bytearray(
        block(
            [
                packet(5, 0, FRAME, status=TP_STATUS_VLAN_VALID, tci=0x2064),  # no TPID given: 802.1Q
                packet(5, 1000, FRAME, status=TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID, tci=7, tpid=0x88A8),
                packet(5, 2000, FRAME, status=TP_STATUS_VLAN_VALID, tci=0),  # priority tag, VLAN 0
                packet(5, 3000, FRAME, tci=300),  # a TCI without the flag (old kernels): scapy puts it back too
                packet(5, 4000, FRAME[:40], wire=1514),  # cut to the block: wire length as the kernel says
            ]
        )
    )
    frames, *_ = read(ring, 1)
    tags = [bytes.fromhex("81002064"), bytes.fromhex("88a80007"), bytes.fromhex("81000000"), bytes.fromhex("8100012c")]
    assert [f.data for f in frames[:4]] == [FRAME[:12] + tag + FRAME[12:] for tag in tags]
    assert [f.wire_length for f in frames] == [64, 64, 64, 64, 1514]
    assert frames[4].data == FRAME[:40]


@needs_ring
def test_times_are_rounded_exactly_as_the_per_packet_reader_rounds_them() -> None:
    rng = random.Random(18)
    # Half-microsecond ties and random nanoseconds: round half to even, bit for bit Python's.
    stamps = [(1_795_569_931, n) for n in (500, 1500, 2500, 999_999_500, 999_999_999, 0)]
    stamps += [(rng.randrange(1_600_000_000, 1_900_000_000), rng.randrange(1_000_000_000)) for _ in range(40)]
    ring = bytearray()
    for start in range(0, len(stamps), 12):
        ring += block([packet(s, n, FRAME) for s, n in stamps[start : start + 12]])
    frames, *_ = read(ring, len(ring) // BLOCK)
    assert [f.time for f in frames] == [microseconds(s + n * 1e-9) for s, n in stamps]


@needs_ring
def test_limit_wrap_around_and_bad_geometry() -> None:
    ring = bytearray(block([packet(1, 0, FRAME)] * 3) + block([packet(2, 0, FRAME)]) + block([packet(3, 0, FRAME)]))
    frames, index, number, drained = read(ring, 3, index=1, limit=1)  # whole blocks: one block, then stop
    assert ([f.time for f in frames], index, number, drained) == ([2.0], 2, 1, False)
    frames, index, number, drained = read(ring, 3, index=2, number=1)  # block 2, then 0 (wrapped), then 1: given back
    assert ([f.time for f in frames], [f.number for f in frames]) == ([3.0, 1.0, 1.0, 1.0], [2, 3, 4, 5])
    assert (index, number, drained) == (1, 5, True)
    assert [status(ring, i) for i in range(3)] == [TP_STATUS_KERNEL] * 3
    assert ring_read is not None
    with pytest.raises(ValueError):
        ring_read(ring, BLOCK, 4, 0, Frame, "x", "x", 0, 1, 0)  # more blocks than the buffer holds
    with pytest.raises(TypeError):
        ring_read(bytes(ring), BLOCK, 3, 0, Frame, "x", "x", 0, 1, 0)  # read-only: blocks cannot be given back


def _tag(frame: bytes, *tags: tuple[int, int]) -> bytes:
    """The Ethernet frame with VLAN tags (TPID, VLAN id), outermost first, after the MAC addresses."""
    return frame[:12] + b"".join(struct.pack("!HH", tpid, vid) for tpid, vid in tags) + frame[12:]


# -- for real: both readers on one veth ------------------------------------------------------------------

BOTH = """
import json, os, queue, sys, time
from vrrpcap.live.socket_source import SocketSource
from vrrpcap.live.source import SourceEnded
iface, count = sys.argv[1], int(sys.argv[2])
sources = []
for no_ring in ("", "1"):
    os.environ["VRRPCAP_NO_RING"] = no_ring
    source = SocketSource(iface, queue.Queue())
    source.open()
    sources.append(source)
assert sources[0]._ring is not None and sources[1]._ring is None
for source in sources:
    source.start()
print("ready", flush=True)
got = [[], []]
deadline = time.monotonic() + 60
while min(map(len, got)) < count and time.monotonic() < deadline:
    for i, source in enumerate(sources):
        while not source._queue.empty():
            item = source._queue.get()
            got[i].extend(item if isinstance(item, list) else [item])
    time.sleep(0.05)
for source in sources:
    source.stop()
out = {"frames": [[[f.number, repr(f.time), f.linktype, f.data.hex(), f.wire_length, f.interface] for f in g]
                  for g in got], "stats": [list(s.stats()) for s in sources]}
print(json.dumps(out), flush=True)
"""


@pytest.fixture(scope="module")
def replay_lab() -> Iterator[Lab]:
    why = ensure_tools({"tcpreplay": "tcpreplay", "ip": "iproute2"})
    if why:
        pytest.skip(f"replay lab: {why}")
    with Lab(["r1"]) as lab:
        yield lab


@needs_ring
def test_ring_and_per_packet_reader_read_the_same_frames(replay_lab: Lab, tmp_path: Path) -> None:
    """Untagged, 802.1Q, QinQ (802.1ad outside) and VLAN 0 frames, 2,000 of them at 5,000/s."""
    t0 = 1_700_000_000.0
    plain = Advert(t0, "198.51.100.7", vrid=7, priority=120).frame()
    other = Advert(t0, "198.51.100.8", vrid=8, vips=("198.51.100.1", "198.51.100.2")).frame()
    base = [plain, _tag(other, (0x8100, 20)), _tag(plain, (0x88A8, 30), (0x8100, 40)), _tag(other, (0x8100, 0))]
    frames = [base[i % len(base)] for i in range(2000)]
    capture = tmp_path / "mix.pcap"
    capture.write_bytes(
        pcap_bytes([Record(round((t0 + i * 1e-3) * 1e9), f) for i, f in enumerate(frames)], LT_ETHERNET)
    )
    router = replay_lab.routers["r1"]
    argv = ["ip", "netns", "exec", replay_lab.bridge_ns, sys.executable, "-c", BOTH, router.peer_ifname, "2000"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
        time.sleep(0.2)
        subprocess.run(
            router.argv(["tcpreplay", "-q", "--pps=5000", "-i", router.ifname, str(capture)]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    result = json.loads(out.splitlines()[-1])
    ring, per_packet = result["frames"]
    assert len(ring) == len(per_packet) == 2000, err
    assert ring == per_packet  # number, time (repr: every bit), link type, bytes with the tag back, length
    assert {bytes.fromhex(f[3]) for f in ring} == set(base)
    assert result["stats"] == [[2000, 0], [2000, 0]]
