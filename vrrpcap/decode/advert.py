"""The advert record: one decoded VRRP or CARP message seen on the wire.

Field names are a public contract (JSON, CSV, the DataFrame API): add fields, never rename them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

from vrrpcap.times import iso8601

Family = Literal["ipv4", "ipv6"]
Delivery = Literal["multicast", "unicast"]
AdvertKind = Literal["advert", "carp", "icmp-quote"]
# v2-style: VRRPv3 over IPv4 summed without the pseudo-header (Cisco, keepalived v3_checksum_as_v2);
# old-unicast: the pseudo-header with 224.0.0.18 as destination (keepalived <= 1.3.6 unicast);
# unverified: the message was not captured whole.
ChecksumVerdict = Literal["ok", "v2-style", "old-unicast", "bad", "unverified"]

REDACTED = "<redacted>"

AUTH_TYPE_NAMES = {0: "none", 1: "simple", 2: "ah", 254: "cisco-md5"}


@dataclass(frozen=True, slots=True)
class Advert:
    """A VRRP/CARP message, or a VRRP message quoted inside an ICMP error.

    ``kind`` is ``advert`` (VRRP), ``carp`` (OpenBSD/FreeBSD CARP on the same protocol number) or
    ``icmp-quote`` (an ICMP/ICMPv6 error quoting an advert; ``icmp_from`` sent the error).
    A packet that cannot be decoded completely still becomes a record, with ``malformed`` saying why
    and every field that could be read filled in.
    """

    file: str
    frame: int
    time: float
    interface: str | None
    vlan: tuple[int, ...]
    src_mac: str | None
    dst_mac: str | None
    family: Family
    src: str
    dst: str
    delivery: Delivery
    ttl: int
    kind: AdvertKind = "advert"
    version: int | None = None
    type: int | None = None
    vrid: int | None = None
    priority: int | None = None
    addr_count: int | None = None
    interval: float | None = None  # seconds
    auth_type: int | None = None
    auth: str | None = None  # name of auth_type
    addresses: tuple[str, ...] = ()
    checksum: ChecksumVerdict = "unverified"
    checksum_value: int | None = None
    length: int = 0  # VRRP message length from the IP header
    encapsulation: str | None = None  # "ah" when carried in IPsec AH
    icmp_from: str | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None
    advskew: int | None = None  # CARP only
    demotion: int | None = None  # CARP only
    notes: tuple[str, ...] = ()
    malformed: str | None = None
    tos: int | None = None  # IPv4 type of service / IPv6 traffic class (keepalived sends 0xc0)
    dscp: int | None = None  # its upper six bits (48: CS6, network control)
    ip_id: int | None = None  # IPv4 identification (None for IPv6)
    # The password (v2 simple auth) or digest as sent. Kept out of repr; renderers redact it.
    auth_secret: bytes | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.malformed is None


FIELD_NAMES: tuple[str, ...] = (
    *(f.name for f in fields(Advert) if f.name != "auth_secret"),
    "auth_data",
    "time_iso",
)
# The fields copied from the record as they are; the rest are made from it (the shown secret, the ISO time).
STORED_FIELDS: tuple[str, ...] = FIELD_NAMES[:-2]


def auth_data_text(advert: Advert, show_secrets: bool) -> str | None:
    """The authentication data as people may see it: redacted unless asked for."""
    secret = advert.auth_secret
    if secret is None:
        return None
    if not show_secrets:
        return REDACTED
    if advert.auth_type == 1:
        text = secret.rstrip(b"\x00")
        return text.decode("ascii", errors="backslashreplace")
    return secret.hex()


def advert_to_dict(advert: Advert, show_secrets: bool = False) -> dict[str, Any]:
    """A JSON-ready dict with the stable field names (lists for tuples, auth data redacted)."""
    out: dict[str, Any] = {}
    for name in STORED_FIELDS:
        value = getattr(advert, name)
        out[name] = list(value) if isinstance(value, tuple) else value
    out["auth_data"] = auth_data_text(advert, show_secrets)
    out["time_iso"] = iso8601(advert.time)
    return out
