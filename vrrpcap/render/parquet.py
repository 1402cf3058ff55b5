"""Parquet: the adverts of `decode` streamed as row groups, the `audit` report as six tables.

Adverts are buffered ROW_GROUP at a time, turned into a record batch and written: memory stays flat
whatever the capture's size. With partitions (``date``: the UTC day of each row; ``sensor``) files go
in hive-style directories (``date=2026-11-25/``), the partition columns carried by the directory names
and not stored in the files, as pyarrow, DuckDB and Spark expect. File names are fixed by the inputs
(``<sensor>-<digest>.parquet``): running again over the same captures replaces its own files, and
several sensors or days write side by side into one dataset.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import BinaryIO, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vrrpcap.decode import Advert
from vrrpcap.render.arrow_adverts import advert_batch
from vrrpcap.render.arrow_report import report_tables
from vrrpcap.render.arrow_schema import DATE_COLUMN, TimeUnit, advert_schema
from vrrpcap.report import InputSummary, Report

Partition = Literal["date", "sensor"]
Opener = Callable[[str], BinaryIO]  # a path relative to the output -> a binary file (cli/tree.py)

ROW_GROUP = 65_536
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # Hive's (and Spark's) name for a null partition value


def run_name(inputs: Sequence[str], sensor: str | None) -> str:
    """The file name of one run's output: the sensor and a digest of the inputs' names."""
    digest = hashlib.sha1("\0".join(inputs).encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return f"{sensor or 'vrrpcap'}-{digest}.parquet"


def _escape(value: str) -> str:
    # Hive escapes path characters in partition values; these are the ones a sensor name may hold.
    return "".join(f"%{ord(c):02X}" if c in '/\\%=:"#?*' or not c.isprintable() else c for c in value)


def _days(column: pa.ChunkedArray | pa.Array) -> list[str]:
    """The UTC day of each timestamp as hive values ('2026-11-25'; null: the default partition)."""
    unit = column.type.unit
    per_day = 86400 * {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]
    ticks = pc.fill_null(pc.cast(column, pa.int64()), 0).to_numpy(zero_copy_only=False)
    valid = pc.is_valid(column).to_numpy(zero_copy_only=False)
    names: dict[int, str] = {}
    out = []
    for day, ok in zip((ticks // per_day).tolist(), valid.tolist(), strict=True):
        if not ok:
            out.append(NULL_PARTITION)
            continue
        name = names.get(day)
        if name is None:
            name = names[day] = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d")
        out.append(name)
    return out


class _Partitioned:
    """One Parquet writer per partition directory of one table, each writing row groups as they come."""

    def __init__(
        self, opener: Opener, table: str, schema: pa.Schema, by: Sequence[Partition], sensor: str | None, name: str
    ) -> None:
        self._open, self._table, self._by, self._sensor, self._name = opener, table, tuple(by), sensor, name
        self.schema = schema.remove(schema.get_field_index("sensor")) if "sensor" in by else schema
        self._writers: dict[str, pq.ParquetWriter] = {}

    def _writer(self, folder: str) -> pq.ParquetWriter:
        writer = self._writers.get(folder)
        if writer is None:
            path = f"{folder}/{self._name}" if folder else self._name
            writer = self._writers[folder] = pq.ParquetWriter(self._open(path), self.schema, compression="zstd")
        return writer

    def write(self, table: pa.Table) -> None:
        if "sensor" in self._by:
            table = table.drop_columns(["sensor"])
        if "date" not in self._by:
            self._writer(self._folder(None)).write_table(table, row_group_size=ROW_GROUP)
            return
        days = _days(table.column(DATE_COLUMN[self._table]))
        for day in sorted(set(days)):
            mask = pa.array([d == day for d in days])
            self._writer(self._folder(day)).write_table(table.filter(mask), row_group_size=ROW_GROUP)

    def _folder(self, day: str | None) -> str:
        parts = []
        for key in self._by:
            value = day if key == "date" else self._sensor
            parts.append(f"{key}={_escape(value) if value else NULL_PARTITION}")
        return "/".join(parts)

    def touch(self) -> None:
        """Open the file of an unpartitioned table now: written with its schema even when empty."""
        self._writer("")

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()


class ParquetAdvertWriter:
    """decode -f parquet: adverts in, row groups out (AdvertWriter's protocol, render/records.py)."""

    def __init__(
        self,
        opener: Opener,
        unit: TimeUnit,
        show_secrets: bool,
        sensor: str | None,
        by: Sequence[Partition],
        name: str,
    ) -> None:
        self.unit, self.show_secrets, self.sensor = unit, show_secrets, sensor
        self._out = _Partitioned(opener, "adverts", advert_schema(unit), by, sensor, name)
        self._rows: list[Advert] = []
        self.count = 0
        if not by:
            self._out.touch()  # an empty capture still gives a file with the schema

    def write(self, advert: Advert) -> None:
        self._rows.append(advert)
        if len(self._rows) >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            batch = advert_batch(self._rows, self.unit, self.show_secrets, self.sensor)
            self._out.write(pa.Table.from_batches([batch]))
            self.count += len(self._rows)
            self._rows = []

    def close(self, inputs: Sequence[InputSummary]) -> None:
        self._flush()
        self._out.close()


def write_report(
    opener: Opener,
    report: Report,
    unit: TimeUnit,
    sensor: str | None,
    by: Sequence[Partition],
    name: str,
) -> None:
    """audit -f parquet: ``<table>.parquet`` each, or ``<table>/<partitions>/<name>`` with partitions."""
    for table, data in report_tables(report, unit, sensor).items():
        if by:
            out = _Partitioned(_under(opener, table), table, data.schema, by, sensor, name)
        else:
            out = _Partitioned(opener, table, data.schema, by, sensor, f"{table}.parquet")
            out.touch()
        out.write(data)
        out.close()


def _under(opener: Opener, folder: str) -> Opener:
    return lambda path: opener(f"{folder}/{path}")
