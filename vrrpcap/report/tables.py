"""The report as pandas DataFrames, one row per virtual router, mastership, failover or finding.

Times are `datetime64[ns, UTC]`, exact to the microsecond a capture records (a float epoch near 1.7e9
holds about a quarter of a microsecond, so pandas' own conversion would show 01:23:05.196291924 where
the wire says .196292). A time pandas cannot hold (before 1677 or after 2262: a corrupt timestamp) is
NaT, never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from vrrpcap.report.report import Report

# pandas' datetime64[ns] range, in microseconds since the epoch.
_EARLIEST_US = -9_223_372_036_854_775 + 1
_LATEST_US = 9_223_372_036_854_775 - 1


def utc_times(values: Iterable[float | None]) -> tuple[pd.Series, int]:
    """Epoch seconds as a datetime64[ns, UTC] series rounded to microseconds, and how many were out of
    pandas' range (those are NaT)."""
    nanos: list[Any] = []
    outside = 0
    for value in values:
        if value is None or not math.isfinite(value):
            nanos.append(None)
            continue
        micros = round(value * 1_000_000)
        if not _EARLIEST_US <= micros <= _LATEST_US:
            outside += 1
            nanos.append(None)
            continue
        nanos.append(micros * 1000)
    return pd.to_datetime(pd.Series(nanos, dtype="Int64"), unit="ns", utc=True), outside


def _with_times(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in columns:
        if column in frame:
            frame[column] = utc_times(frame[column].tolist())[0]
    return frame


def virtual_routers_df(report: Report) -> pd.DataFrame:
    rows = [
        {k: v for k, v in _plain(vr.as_dict()).items() if k not in ("routers", "masters", "failovers")}
        for vr in report.virtual_routers
    ]
    return _with_times(rows, ("first_seen", "last_seen"))


def masters_df(report: Report) -> pd.DataFrame:
    rows = [{"vr": m.vr, **_plain(m.as_dict(vr.protocol))} for vr in report.virtual_routers for m in vr.masters]
    return _with_times(rows, ("start", "end"))


def failovers_df(report: Report) -> pd.DataFrame:
    rows = [{"vr": f.vr, **_plain(f.as_dict(vr.protocol))} for vr in report.virtual_routers for f in vr.failovers]
    return _with_times(rows, ("time",))


def findings_df(report: Report) -> pd.DataFrame:
    return _with_times([_plain(f.as_dict()) for f in report.findings], ("start", "end"))


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """A row without the ISO strings: the time columns are datetimes already."""
    return {k: v for k, v in row.items() if not k.endswith("_iso")}
