"""Classic pcap (libpcap's format, microsecond or nanosecond, either byte order, Kuznetzov's variant).

file header   magic(4) version_major(2) version_minor(2) thiszone(4) sigfigs(4) snaplen(4) linktype(4)
record header ts_sec(4) ts_frac(4) incl_len(4) orig_len(4) [ifindex(4) protocol(2) pkt_type(1) pad(1)]
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from typing import Any

from vrrpcap.errors import NotACapture
from vrrpcap.frames.frame import Frame, InterfaceInfo
from vrrpcap.frames.open import PCAP_MAGICS, SCAN_WINDOW, ByteSource
from vrrpcap.frames.state import ReadState

# libpcap refuses records above 256 KiB (its MAXIMUM_SNAPLEN); a larger claim means a corrupt header.
MAX_RECORD = 262_144
FILE_HEADER = "HHiIII"  # after the magic: version major, minor, thiszone, sigfigs, snaplen, linktype
RECORD_HEADER = "IIII"  # ts_sec, ts_frac, incl_len, orig_len (the Kuznetzov fields are skipped)


def pcap_frames(
    source: ByteSource,
    state: ReadState,
    scanning: bool,
    keyed: bool,
    scan_pcap: Callable[..., Any] | None,
    batched: bool = False,
) -> Iterator[Any]:
    """Frames in file order; in scan mode (keyed: with their merge keys) the C scan_pcap walks ordinary
    records and the record it stops at is handled here, in Python. Damage ends the stream."""
    endian, resolution, record_header = PCAP_MAGICS[source.magic]
    header = source.read(20)
    if len(header) < 20:
        raise NotACapture(f"{state.label}: pcap file header cut short ({4 + len(header)} of 24 bytes)")
    _major, _minor, _zone, _sigfigs, snaplen, linktype_field = struct.unpack(endian + FILE_HEADER, header)
    linktype = linktype_field & 0xFFFF  # upper bits: FCS length, as libpcap reads it
    state.interfaces = [InterfaceInfo(None, linktype, snaplen, resolution)]
    unpack_record = struct.Struct(endian + RECORD_HEADER).unpack_from
    label = state.label
    number = 0
    # Records are parsed out of large reads: two small reads per record cost more than the parsing.
    buffer, position = source.buf, source.pos
    source.buf, source.pos = b"", 0
    big = endian == ">"
    while True:
        if scan_pcap is not None:
            # Ordinary records at C speed; the record it stops at is handled below, in Python.
            buffer, position = source.map_from(buffer, position)
            start = position
            position, number, found, keys, state.first_time, state.last_time, faulted = scan_pcap(
                buffer,
                position,
                number,
                big,
                record_header,
                linktype,
                snaplen,
                resolution,
                state.first_time,
                state.last_time,
                Frame,
                label,
                keyed,
                SCAN_WINDOW,
            )
            state.frames = number
            source.release(buffer, position)
            if found and batched:  # the scanner's list as it is (vrrpcap/folding.py reads lists)
                yield found
            elif found:
                yield from zip(keys, found, strict=True) if keyed else found
            if state.progress is not None:
                state.progress()
            if faulted:  # the mapped file is shorter than when it was mapped
                state.damage = f"{source.shrank() or 'the file shrank while it was being read'}, after frame {number}"
                return
            if source.is_map(buffer):
                if position - start >= SCAN_WINDOW:
                    continue  # a window walked: the next record is the scanner's too
                buffer, position = source.unmap(position)
            elif source.could_map(buffer, position):
                continue  # the read-ahead is used up: on with the file mapped
        if len(buffer) - position < record_header:
            buffer, position = source.fill(buffer, position, record_header)
            if not buffer:
                return
            if len(buffer) < record_header:
                state.damage = (
                    f"truncated in the header of record {number + 1} ({len(buffer)} of {record_header} bytes)"
                )
                return
        seconds, fraction, caplen, wirelen = unpack_record(buffer, position)
        number += 1
        if caplen > MAX_RECORD:
            state.damage = f"record {number} claims {caplen} captured bytes (the limit is {MAX_RECORD})"
            return
        if len(buffer) - position < record_header + caplen:
            buffer, position = source.fill(buffer, position, record_header + caplen)
            if len(buffer) < record_header + caplen:
                state.damage = f"truncated in record {number} ({len(buffer) - record_header} of {caplen} bytes)"
                return
        start = position + record_header
        end = start + caplen
        position = end
        if caplen > snaplen and snaplen:
            state.anomaly("snaplen", f"longer than the file's snaplen {snaplen}", number)
        if caplen > wirelen:
            state.anomaly("wirelen", "with more bytes captured than were on the wire", number)
        state.frames = number
        frame = Frame(label, number, seconds + fraction * resolution, linktype, buffer[start:end], wirelen, None)
        if scanning:
            state.see(frame.time)
            if keyed:
                yield state.merge_key, frame
                continue
        yield frame
