"""CachingDecoder: decode_frame with memory, for the adverts a router repeats every interval.

Frames of a repeated advert differ only in their time, and for IPv4 in the IP identification and header
checksum (keepalived counts the ID up). The content key is the frame's bytes with those four IPv4 header
bytes zeroed (for Ethernet, with at most one VLAN tag), plus the link type and interface; a record made
from a cached one takes the identification from its own frame. The C extension computes the key and
copies the cached record's slots when it is built; ``_clone`` and ``_content_key`` are module-level so
that tests can put the Python versions back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import cast

from vrrpcap.decode.advert import Advert
from vrrpcap.decode.frame import decode_frame
from vrrpcap.frames import Frame

Clone = Callable[[Advert, str, int, float, int | None], Advert]


def _slow_clone(template: Advert, file: str, number: int, time: float, ip_id: int | None) -> Advert:
    return replace(template, file=file, frame=number, time=time, ip_id=ip_id)


def _fast_clone() -> Clone:
    """The C extension's slot copy when it is there and gives what the dataclass would; else replace()."""
    from vrrpcap.frames.reader import scanner

    if scanner is None:
        return _slow_clone
    clone = cast(Clone, scanner.clone)
    probe = Advert("a", 1, 1.0, "if0", (1,), "m", "n", "ipv4", "s", "d", "unicast", 9, auth_secret=b"x")
    try:
        copy = clone(probe, "b", 2, 2.5, 7)
    except TypeError:
        return _slow_clone
    expected = _slow_clone(probe, "b", 2, 2.5, 7)
    same = copy == expected and copy.auth_secret == expected.auth_secret and type(copy) is Advert
    return clone if same else _slow_clone


_clone = _fast_clone()


def _masked_ip(linktype: int, data: bytes) -> int:
    """Where the IPv4 header whose identification and checksum the key zeroes starts; 0: none is."""
    if linktype != 1:
        return 0
    if data[12:14] == b"\x08\x00":
        ip = 14
    elif data[12:14] == b"\x81\x00" and data[16:18] == b"\x08\x00":
        ip = 18
    else:
        return 0
    return ip if len(data) >= ip + 20 else 0


def stamped(template: Advert, file: str, number: int, time: float, ip_id: int | None) -> Advert:
    """A decoded advert again, as carried by another frame (its file, number, time and IPv4 ID)."""
    return _clone(template, file, number, time, ip_id)


def _content_key_py(linktype: int, data: bytes) -> bytes:
    ip = _masked_ip(linktype, data)
    if ip:
        return data[: ip + 4] + b"\x00\x00" + data[ip + 6 : ip + 10] + b"\x00\x00" + data[ip + 12 :]
    return data


def _content_key_function() -> Callable[[int, bytes], bytes]:
    from vrrpcap.frames.reader import scanner

    return cast(Callable[[int, bytes], bytes], scanner.content_key) if scanner is not None else _content_key_py


_content_key = _content_key_function()


class CachingDecoder:
    """decode_frame with memory: a router repeats the same advert every interval, so the advert decoded
    from each distinct frame content is kept (at most `size`) and the next one is made from it with the
    new file, frame number and time. One per stream of frames: the cache is its own, never global."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        # Per content: the advert and where the frame's IPv4 identification sits (0: it is not read per
        # frame). Frames of one content share their layout, so the offset is found once.
        self._cache: dict[tuple[int, str | None, bytes], tuple[Advert | None, int]] = {}

    def __call__(self, frame: Frame) -> Advert | None:
        key = (frame.linktype, frame.interface, _content_key(frame.linktype, frame.data))
        try:
            template, ip = self._cache[key]
        except KeyError:
            return self._decoded(key, frame)
        if template is None:
            return None
        if ip:
            data = frame.data
            return _clone(template, frame.file, frame.number, frame.time, (data[ip + 4] << 8) | data[ip + 5])
        return _clone(template, frame.file, frame.number, frame.time, template.ip_id)

    def template(self, frame: Frame) -> tuple[Advert | None, int | None]:
        """The advert decoded from the first frame with this frame's content (its file, number and time
        are that frame's), and this frame's own IPv4 identification: columnar readers keep one advert per
        content and a few numbers per advert."""
        key = (frame.linktype, frame.interface, _content_key(frame.linktype, frame.data))
        try:
            template, ip = self._cache[key]
        except KeyError:
            advert = self._decoded(key, frame)
            return advert, None if advert is None else advert.ip_id
        if template is None:
            return None, None
        if ip:
            data = frame.data
            return template, (data[ip + 4] << 8) | data[ip + 5]
        return template, template.ip_id

    def fold_key(self, frame: Frame) -> tuple[int, str | None, bytes, int, int | None] | None:
        """For a frame decoded before: its content key (link type, interface, masked bytes), where its
        own IPv4 identification sits (0: it is not read per frame) and the identification the content
        carries; None when it is no advert. What vrrpcap/folding.py registers with the C folder."""
        key = (frame.linktype, frame.interface, _content_key(frame.linktype, frame.data))
        template, ip = self._cache.get(key, (None, 0))
        if template is None:
            return None
        return key[0], key[1], key[2], ip, template.ip_id

    def _decoded(self, key: tuple[int, str | None, bytes], frame: Frame) -> Advert | None:
        advert = decode_frame(frame)
        if len(self._cache) >= self.size:
            self._cache.clear()
        # A quote's ID is the quoted packet's, part of the key: only an advert's own ID is read per frame.
        ip = _masked_ip(frame.linktype, frame.data) if advert is not None and advert.ip_id is not None else 0
        self._cache[key] = (advert, ip if advert is not None and advert.kind != "icmp-quote" else 0)
        return advert
