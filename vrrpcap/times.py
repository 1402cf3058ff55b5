"""Capture timestamps for people and machines: a display zone (`--tz`), wall-clock text, ISO 8601.

Timestamps are float epoch seconds everywhere in vrrpcap. A float near 1.7e9 holds about a quarter of
a microsecond, so every text form rounds to whole microseconds first: a pcap's 01:23:05.196292 is
shown as the wire has it, never as 01:23:05.196291924. A corrupt timestamp outside the calendar is
shown as raw epoch seconds instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Zone:
    """Where times are shown: UTC, the machine's local time, or an IANA zone."""

    name: str  # as people read it in a heading: "UTC", "local time", "Europe/Berlin"
    tz: tzinfo | None  # None: the machine's local time (with its daylight-saving rules)

    def at(self, epoch: float) -> datetime | None:
        """The wall-clock time in this zone, or None outside the calendar."""
        try:
            micros = round(epoch * 1_000_000)
            moment = _EPOCH + timedelta(microseconds=micros)
            return moment.astimezone(self.tz) if self.tz is not UTC else moment
        except (ValueError, OverflowError, OSError):
            return None

    def offset(self, epoch: float) -> float:
        """Seconds east of UTC at that time (0 outside the calendar)."""
        moment = self.at(epoch)
        shift = None if moment is None else moment.utcoffset()
        return 0.0 if shift is None else shift.total_seconds()

    @property
    def is_utc(self) -> bool:
        return self.tz is UTC


UTC_ZONE = Zone("UTC", UTC)


def parse_zone(text: str) -> Zone:
    """`--tz`: "UTC", "local" or an IANA zone name; ValueError for anything else."""
    if text.upper() in ("UTC", "Z", "GMT"):
        return UTC_ZONE
    if text.lower() == "local":
        return Zone("local time", None)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return Zone(text, ZoneInfo(text))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"{text!r} is not a time zone (UTC, local, or a name such as Europe/Berlin)") from None


def wall(epoch: float | None, zone: Zone = UTC_ZONE, *, date: bool = True, digits: int = 3) -> str:
    """ "2014-03-05 21:55:06.745" (``digits`` of the second's fraction, 0-6); "-" for no time."""
    if epoch is None:
        return "-"
    moment = zone.at(epoch)
    if moment is None:
        return f"{epoch:.{digits}f}"
    text = f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    if digits:
        text += f".{moment.microsecond:06d}"[: digits + 1]
    if date:
        text = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} {text}"
    return text


def day(epoch: float | None, zone: Zone = UTC_ZONE) -> str | None:
    """The calendar day of a time in the zone, "2014-03-05"; None outside the calendar."""
    moment = None if epoch is None else zone.at(epoch)
    return None if moment is None else f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"


def iso8601(epoch: float | None) -> str | None:
    """UTC as ISO 8601 with microseconds, "2014-03-05T21:55:06.745123Z"; None for no time or one
    outside the calendar (the epoch seconds beside it still say what the capture held)."""
    if epoch is None:
        return None
    moment = UTC_ZONE.at(epoch)
    if moment is None:
        return None
    return f"{wall(epoch, UTC_ZONE, digits=6).replace(' ', 'T')}Z"
