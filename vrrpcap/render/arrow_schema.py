"""The Arrow schemas of vrrpcap's tables (documented, and kept stable, in docs/parquet.md).

Column types are the ones every engine reads alike (DuckDB, Spark, pandas, polars): signed integers
(Spark has no unsigned ones), strings for addresses, lists for VLAN stacks and address sets, and UTC
timestamps in the unit of the capture's own resolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa

TimeUnit = Literal["s", "ms", "us", "ns"]
_SCALE: dict[TimeUnit, float] = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}

STRINGS = pa.list_(pa.string())


def time_unit(resolution: float) -> TimeUnit:
    """The timestamp unit that keeps a capture's resolution (pcap: us or ns; pcapng: if_tsresol)."""
    if resolution >= 1:
        return "s"
    if resolution >= 1e-3:
        return "ms"
    if resolution >= 1e-6:
        return "us"
    return "ns"


def timestamp(unit: TimeUnit) -> pa.TimestampType:
    return pa.timestamp(unit, tz="UTC")


def times(values: Sequence[float | None] | npt.NDArray[np.float64], unit: TimeUnit) -> pa.Array:
    """Epoch seconds as UTC timestamps, rounded to the unit (a float64 epoch holds ~0.25 us)."""
    if isinstance(values, np.ndarray):
        raw = values.astype(np.float64)
    else:
        raw = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    missing = np.isnan(raw)
    ticks = np.rint(np.where(missing, 0.0, raw) * _SCALE[unit]).astype(np.int64)
    return pa.array(ticks, type=timestamp(unit), mask=missing if missing.any() else None)


def advert_schema(unit: TimeUnit) -> pa.Schema:
    """One row per advert record: docs/advert-record.md's fields, then the sensor."""
    return pa.schema(
        [
            ("file", pa.string()),
            ("frame", pa.int64()),
            ("time", timestamp(unit)),
            ("interface", pa.string()),
            ("vlan", pa.list_(pa.int32())),
            ("src_mac", pa.string()),
            ("dst_mac", pa.string()),
            ("family", pa.string()),
            ("src", pa.string()),
            ("dst", pa.string()),
            ("delivery", pa.string()),
            ("ttl", pa.int16()),
            ("kind", pa.string()),
            ("version", pa.int16()),
            ("type", pa.int16()),
            ("vrid", pa.int16()),
            ("priority", pa.int16()),
            ("addr_count", pa.int16()),
            ("interval", pa.float64()),
            ("auth_type", pa.int16()),
            ("auth", pa.string()),
            ("addresses", STRINGS),
            ("checksum", pa.string()),
            ("checksum_value", pa.int32()),
            ("length", pa.int32()),
            ("encapsulation", pa.string()),
            ("icmp_from", pa.string()),
            ("icmp_type", pa.int16()),
            ("icmp_code", pa.int16()),
            ("advskew", pa.int16()),
            ("demotion", pa.int16()),
            ("notes", STRINGS),
            ("malformed", pa.string()),
            ("tos", pa.int16()),
            ("dscp", pa.int16()),
            ("ip_id", pa.int32()),
            ("auth_data", pa.string()),
            ("sensor", pa.string()),
        ]
    )


def report_schemas(unit: TimeUnit) -> dict[str, pa.Schema]:
    """The audit's tables: one row per input, virtual router, router, mastership run, failover, finding."""
    ts = timestamp(unit)
    return {
        "inputs": pa.schema(
            [
                ("path", pa.string()),
                ("format", pa.string()),
                ("compression", pa.string()),
                ("packets", pa.int64()),
                ("adverts", pa.int64()),
                ("first_time", ts),
                ("last_time", ts),
                ("capture_drops", pa.int64()),
                ("problems", STRINGS),
                ("sensor", pa.string()),
            ]
        ),
        "virtual_routers": pa.schema(
            [
                ("vr", pa.string()),
                ("label", pa.string()),
                ("segment", pa.string()),
                ("interface", pa.string()),
                ("vlan", pa.list_(pa.int32())),
                ("family", pa.string()),
                ("vrid", pa.int16()),
                ("protocol", pa.string()),
                ("delivery", pa.string()),
                ("versions", pa.list_(pa.int16())),
                ("vips", STRINGS),
                ("routers", pa.int32()),
                ("masterships", pa.int32()),
                ("failovers", pa.int32()),
                ("adverts", pa.int64()),
                ("multicast_adverts", pa.int64()),
                ("unicast_adverts", pa.int64()),
                ("first_seen", ts),
                ("last_seen", ts),
                ("sensor", pa.string()),
            ]
        ),
        "routers": pa.schema(
            [
                ("vr", pa.string()),
                ("segment", pa.string()),
                ("vrid", pa.int16()),
                ("address", pa.string()),
                ("macs", STRINGS),
                ("priorities", pa.list_(pa.int16())),
                ("advskews", pa.list_(pa.int16())),
                ("advbases", pa.list_(pa.int16())),
                ("intervals", pa.list_(pa.float64())),
                ("versions", pa.list_(pa.int16())),
                ("delivery", STRINGS),
                ("unicast_peers", STRINGS),
                ("vips", STRINGS),
                ("auth", STRINGS),
                ("adverts", pa.int64()),
                ("first_seen", ts),
                ("last_seen", ts),
                ("first_frame", pa.int64()),
                ("sensor", pa.string()),
            ]
        ),
        "masterships": pa.schema(
            [
                ("vr", pa.string()),
                ("segment", pa.string()),
                ("vrid", pa.int16()),
                ("router", pa.string()),
                ("start", ts),
                ("end", ts),
                ("duration_s", pa.float64()),
                ("start_observed", pa.bool_()),
                ("end_observed", pa.bool_()),
                ("end_cause", pa.string()),
                ("adverts", pa.int64()),
                ("priority_min", pa.int16()),
                ("priority_max", pa.int16()),
                ("advskew_min", pa.int16()),
                ("advskew_max", pa.int16()),
                ("first_frame", pa.int64()),
                ("last_frame", pa.int64()),
                ("sensor", pa.string()),
            ]
        ),
        "failovers": pa.schema(
            [
                ("vr", pa.string()),
                ("segment", pa.string()),
                ("vrid", pa.int16()),
                ("time", ts),
                ("from_router", pa.string()),
                ("to_router", pa.string()),
                ("cause", pa.string()),
                ("takeover_s", pa.float64()),
                ("from_priority", pa.int16()),
                ("to_priority", pa.int16()),
                ("from_advskew", pa.int16()),
                ("to_advskew", pa.int16()),
                ("frame", pa.int64()),
                ("expected_takeover_s", pa.float64()),
                ("explained_by", pa.string()),
                ("sensor", pa.string()),
            ]
        ),
        "findings": pa.schema(
            [
                ("code", pa.string()),
                ("severity", pa.string()),
                ("vr", pa.string()),
                ("vrid", pa.int16()),
                ("start", ts),
                ("end", ts),
                ("routers", STRINGS),
                ("message", pa.string()),
                ("frames", pa.list_(pa.int64())),
                ("count", pa.int64()),
                ("sensor", pa.string()),
            ]
        ),
    }


# The column each table is partitioned by date on (the UTC day of this time).
DATE_COLUMN = {
    "adverts": "time",
    "inputs": "first_time",
    "virtual_routers": "first_seen",
    "routers": "first_seen",
    "masterships": "start",
    "failovers": "time",
    "findings": "start",
}
