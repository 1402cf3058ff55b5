from __future__ import annotations

from datetime import UTC, datetime


def clock(epoch: float | None, date: bool = True) -> str:
    if epoch is None:
        return "-"
    fmt = "%Y-%m-%d %H:%M:%S.%f" if date else "%H:%M:%S.%f"
    try:
        return datetime.fromtimestamp(epoch, UTC).strftime(fmt)[:-3]
    except (ValueError, OSError, OverflowError):
        return f"{epoch:.3f}"


def duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
