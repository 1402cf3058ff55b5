"""pcapng: sections, interface descriptions (name, timestamp resolution and offset), enhanced, simple and
obsolete packet blocks, interface statistics (drop counters). Other blocks are skipped.

    block        block_type(4) total_length(4) body trailer_length(4)
    SHB body     byte_order_magic(4) version(4) section_length(8) options
    IDB body     linktype(2) reserved(2) snaplen(4) options
    EPB body     interface(4) ts_high(4) ts_low(4) captured(4) wire(4) data options
    PB body      interface(2) drops(2) ts_high(4) ts_low(4) captured(4) wire(4) data options
    SPB body     wire(4) data
    ISB body     interface(4) ts_high(4) ts_low(4) options
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from typing import Any

from vrrpcap.errors import NotACapture
from vrrpcap.frames.frame import Frame, InterfaceInfo
from vrrpcap.frames.open import PCAPNG_SHB, SCAN_WINDOW, ByteSource
from vrrpcap.frames.state import ReadState

MAX_PCAPNG_BLOCK = 16 * 1024 * 1024
BLOCK_IDB, BLOCK_PB, BLOCK_SPB, BLOCK_ISB, BLOCK_EPB = 1, 2, 3, 5, 6
PACKET_BLOCKS = frozenset({BLOCK_EPB, BLOCK_PB, BLOCK_SPB})
BYTE_ORDER_LITTLE = b"\x4d\x3c\x2b\x1a"
BYTE_ORDER_BIG = b"\x1a\x2b\x3c\x4d"
OPT_END, OPT_IF_NAME, OPT_IF_TSRESOL, OPT_IF_TSOFFSET = 0, 2, 9, 14
OPT_ISB_IFRECV, OPT_ISB_IFDROP, OPT_ISB_OSDROP = 4, 5, 7


def pcapng_frames(
    source: ByteSource,
    state: ReadState,
    scanning: bool,
    keyed: bool,
    scan_pcapng: Callable[..., Any] | None,
    batched: bool = False,
) -> Iterator[Any]:
    """Frames in file order; in scan mode (keyed: with their merge keys) the C scan_pcapng walks enhanced
    packet blocks and the block it stops at is handled here, in Python. Damage ends the stream."""
    block_type_bytes: bytes | None = source.magic
    label = state.label
    endian = "<"
    number = 0
    read = source.read
    while True:
        if block_type_bytes is None and scan_pcapng is not None:
            # Enhanced packet blocks at C speed; the block it stops at is handled below, in Python.
            source.buf, source.pos = source.map_from(source.buf, source.pos)
            start = source.pos
            source.pos, number, found, keys, state.first_time, state.last_time, faulted = scan_pcapng(
                source.buf,
                source.pos,
                number,
                endian == ">",
                [(i.linktype, i.snaplen, i.resolution, i.offset, i.name) for i in state.interfaces],
                state.first_time,
                state.last_time,
                Frame,
                label,
                keyed,
                SCAN_WINDOW,
            )
            state.frames = number
            source.release(source.buf, source.pos)
            if found and batched:  # the scanner's list as it is (vrrpcap/folding.py reads lists)
                yield found
            elif found:
                yield from zip(keys, found, strict=True) if keyed else found
            if state.progress is not None:
                state.progress()
            if faulted:  # the mapped file is shorter than when it was mapped
                state.damage = f"{source.shrank() or 'the file shrank while it was being read'}, after frame {number}"
                return
            if source.is_map(source.buf):
                if source.pos - start >= SCAN_WINDOW:
                    continue  # a window walked: the next block is the scanner's too
                source.buf, source.pos = source.unmap(source.pos)
            elif source.could_map(source.buf, source.pos):
                continue  # the read-ahead is used up: on with the file mapped
        if block_type_bytes is None:
            block_type_bytes = read(4)
            if not block_type_bytes:
                return
            if len(block_type_bytes) < 4:
                state.damage = f"truncated in a block header after frame {number}"
                return
        length_bytes = read(4)
        if block_type_bytes == PCAPNG_SHB:
            bom = read(4)
            if len(length_bytes) < 4 or len(bom) < 4:
                state.damage = f"truncated in a section header after frame {number}"
                return
            if bom == BYTE_ORDER_LITTLE:
                endian = "<"
            elif bom == BYTE_ORDER_BIG:
                endian = ">"
            else:
                if number == 0:
                    raise NotACapture(f"{label}: pcapng section header with a bad byte-order magic")
                state.damage = f"section header with a bad byte-order magic after frame {number}"
                return
            (total,) = struct.unpack(endian + "I", length_bytes)
            if total < 28:
                state.damage = f"section header of impossible length {total} after frame {number}"
                return
            body_length = total - 16
            state.new_section()
        else:
            if len(length_bytes) < 4:
                state.damage = f"truncated in a block header after frame {number}"
                return
            (total,) = struct.unpack(endian + "I", length_bytes)
            body_length = total - 12
        if total < 12 or total % 4 or total > MAX_PCAPNG_BLOCK:
            state.damage = f"block of impossible length {total} after frame {number}"
            return
        body = read(body_length)
        trailer = read(4)
        if len(body) < body_length or len(trailer) < 4:
            state.damage = f"truncated in a block after frame {number}"
            return
        (block_type,) = struct.unpack(endian + "I", block_type_bytes)
        block_type_bytes = None
        if block_type in PACKET_BLOCKS:
            frame = _packet(state, block_type, body, endian, number + 1)
            if frame is None:
                return
            number += 1
            state.frames = number
            if scanning:
                state.see(frame.time)
                if keyed:
                    yield state.merge_key, frame
                    continue
            yield frame
        elif block_type == BLOCK_IDB:
            _interface(state, body, endian, number)
        elif block_type == BLOCK_ISB:
            _statistics(state, body, endian)
        # other blocks (section header options, name resolution, secrets, custom) carry nothing for us


def _packet(state: ReadState, block_type: int, body: bytes, endian: str, number: int) -> Frame | None:
    if block_type == BLOCK_EPB:
        if len(body) < 20:
            state.damage = f"enhanced packet block {number} shorter than its header"
            return None
        iface, ts_high, ts_low, caplen, wirelen = struct.unpack_from(endian + "IIIII", body)
        data_offset = 20
    elif block_type == BLOCK_PB:
        if len(body) < 20:
            state.damage = f"packet block {number} shorter than its header"
            return None
        iface, _drops, ts_high, ts_low, caplen, wirelen = struct.unpack_from(endian + "HHIIII", body)
        data_offset = 20
    else:
        if len(body) < 4:
            state.damage = f"simple packet block {number} shorter than its header"
            return None
        iface, ts_high, ts_low = 0, 0, 0
        (wirelen,) = struct.unpack_from(endian + "I", body)
        data_offset = 4
        caplen = min(wirelen, len(body) - 4)
        if state.interfaces and state.interfaces[0].snaplen:
            caplen = min(caplen, state.interfaces[0].snaplen)
    if iface >= len(state.interfaces):
        state.damage = f"frame {number} names interface {iface}, which no interface block described"
        return None
    if caplen > len(body) - data_offset:
        state.damage = f"frame {number} claims {caplen} captured bytes, its block holds fewer"
        return None
    info = state.interfaces[iface]
    if info.snaplen and caplen > info.snaplen:
        state.anomaly("snaplen", f"longer than the interface's snaplen {info.snaplen}", number)
    if caplen > wirelen:
        state.anomaly("wirelen", "with more bytes captured than were on the wire", number)
    ts = ((ts_high << 32) | ts_low) * info.resolution + info.offset
    data = body[data_offset : data_offset + caplen]
    return Frame(state.label, number, ts, info.linktype, data, wirelen, info.name)


def _interface(state: ReadState, body: bytes, endian: str, number: int) -> None:
    if len(body) < 8:
        state.damage = f"interface block shorter than its header after frame {number}"
        return
    linktype, _reserved, snaplen = struct.unpack_from(endian + "HHI", body)
    # A name the file does not give is no identity: the first interface without if_name is the same
    # link as a classic pcap of it (None), so a pcap and a pcapng of one link make one virtual router.
    # Later unnamed interfaces of a section are other links, told apart by their index.
    index = len(state.interfaces)
    info = InterfaceInfo(f"if{index}" if index else None, linktype, snaplen)
    for code, value in _options(body, 8, endian):
        if code == OPT_IF_NAME:
            info.name = value.decode("utf-8", errors="replace").rstrip("\x00") or info.name
        elif code == OPT_IF_TSRESOL and value:
            exponent = value[0] & 0x7F
            info.resolution = 2.0**-exponent if value[0] & 0x80 else 10.0**-exponent
        elif code == OPT_IF_TSOFFSET and len(value) >= 8:  # seconds
            info.offset = float(struct.unpack_from(endian + "q", value)[0])
    state.interfaces.append(info)


def _statistics(state: ReadState, body: bytes, endian: str) -> None:
    if len(body) < 12:
        return
    (iface,) = struct.unpack_from(endian + "I", body)
    if iface >= len(state.interfaces):
        return
    info = state.interfaces[iface]
    dropped = None
    for code, value in _options(body, 12, endian):
        if len(value) < 8:
            continue
        (count,) = struct.unpack_from(endian + "Q", value)
        if code == OPT_ISB_IFRECV:
            info.received = count
        elif code in (OPT_ISB_IFDROP, OPT_ISB_OSDROP):
            dropped = (dropped or 0) + count
    if dropped is not None:
        # Counters are cumulative: the latest block is the total so far.
        info.dropped = dropped


def _options(body: bytes, offset: int, endian: str) -> Iterator[tuple[int, bytes]]:
    """pcapng options (code, value) from offset to the end of a block body."""
    end = len(body)
    unpack = struct.Struct(endian + "HH").unpack_from
    while offset + 4 <= end:
        code, length = unpack(body, offset)
        if code == OPT_END:
            return
        offset += 4
        if offset + length > end:
            return
        yield code, body[offset : offset + length]
        offset += (length + 3) & ~3
