"""``track_script`` and ``track_interface`` entries (keepalived's alloc_track_script and
alloc_track_if in vrrp_track.c): ``NAME [weight W [reverse|noreverse]]``. A script must be
defined above the block that tracks it; its weight is the vrrp_script's unless given here; +-254
becomes +-253; a weight keepalived cannot read leaves the default.
"""

from __future__ import annotations

from collections.abc import Mapping

from vrrpcap.config.addresses import Report
from vrrpcap.config.model import Location, TrackedInterface, TrackedScript, VrrpScript
from vrrpcap.config.numbers import read_int


def _weight(
    words: tuple[str, ...], where: Location, owner: str, what: str, report: Report
) -> tuple[int | None, bool | None] | None:
    """The ``weight W [reverse]`` of a tracking entry: None drops the entry; a None weight (not
    a number) or reverse (not written) means the default."""
    if words[1] != "weight":
        report(where, f"({owner}) unknown {what} option {words[1]} - ignored", "invalid-value")
        return None
    if len(words) == 2:
        report(where, f"({owner}) weight without value for {what} {words[0]} - ignored", "invalid-value")
        return None
    number = read_int(words[2], -254, 254, lenient=True)
    weight: int | None = number.value
    if not number.ok:
        report(where, f"({owner}) weight {words[2]} for {words[0]} must be -253..253 - default used", "invalid-value")
        weight = None
    elif abs(number.value) == 254:
        weight = number.value // 254 * 253
        report(where, f"({owner}) weight {number.value} for {words[0]} set to {weight}", "adjusted")
    reverse: bool | None = None
    if len(words) >= 4:
        if words[3] == "reverse":
            reverse = True
        elif words[3] == "noreverse" and what != "track_interface":
            reverse = False
        else:
            report(where, f"({owner}) unknown {what} weight option {words[3]} - ignored", "invalid-value")
    return weight, reverse


def track_entry(
    words: tuple[str, ...], where: Location, owner: str, scripts: Mapping[str, VrrpScript], report: Report
) -> TrackedScript | None:
    script = scripts.get(words[0])
    if script is None:
        report(where, f"({owner}) track script {words[0]} not found (it must be defined before) - ignored", "ignored")
        return None
    if len(words) < 2:
        return TrackedScript(words[0], script.weight, where, reverse=script.weight_reverse)
    parsed = _weight(words, where, owner, "track script", report)
    if parsed is None:
        return None
    weight, reverse = parsed
    return TrackedScript(
        words[0],
        script.weight if weight is None else weight,
        where,
        reverse=script.weight_reverse if reverse is None else reverse,
    )


def track_interface_entry(
    words: tuple[str, ...], where: Location, owner: str, report: Report
) -> TrackedInterface | None:
    if len(words) < 2:
        return TrackedInterface(words[0], 0, where)
    parsed = _weight(words, where, owner, "track_interface", report)
    if parsed is None:
        return None
    weight, reverse = parsed
    return TrackedInterface(words[0], weight or 0, where, reverse=bool(reverse))
