"""What every renderer for people shares: times in the chosen zone, durations."""

from __future__ import annotations

from vrrpcap.times import UTC_ZONE, Zone, wall


def clock(epoch: float | None, date: bool = True, zone: Zone = UTC_ZONE) -> str:
    """Wall-clock time to the millisecond in ``zone``, "2014-03-05 21:55:06.745"; "-" for no time."""
    return wall(epoch, zone, date=date, digits=3)


def duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
