"""Advert records as Arrow columns: from a batch of adverts, or from decoded contents and per-advert numbers.

The second way makes no Python object per advert: each distinct content (a template) becomes one row,
and the table is those rows taken by index, with each advert's file, frame and time put in.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vrrpcap.decode import STORED_FIELDS, Advert, auth_data_text
from vrrpcap.render.arrow_schema import TimeUnit, advert_schema, times

_STORED = STORED_FIELDS  # auth_data is worded from the secret, after them
_ROW = attrgetter(*_STORED)


def advert_batch(
    adverts: Sequence[Advert], unit: TimeUnit, show_secrets: bool = False, sensor: str | None = None
) -> pa.RecordBatch:
    """A batch of adverts as one record batch of the advert schema."""
    schema = advert_schema(unit)
    columns = list(zip(*map(_ROW, adverts), strict=True)) if adverts else [() for _ in _STORED]
    arrays: list[pa.Array] = []
    for name, values in zip(_STORED, columns, strict=True):
        kind = schema.field(name).type
        arrays.append(times(values, unit) if name == "time" else pa.array(values, type=kind))
    arrays.append(pa.array([auth_data_text(a, show_secrets) for a in adverts], type=pa.string()))
    arrays.append(pa.array([sensor] * len(adverts), type=pa.string()))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def columns_table(
    templates: Sequence[Advert],
    template: npt.NDArray[np.int64],
    labels: Sequence[str],
    file: npt.NDArray[np.int64],
    frame: npt.NDArray[np.int64],
    time: npt.NDArray[np.float64],
    ip_id: npt.NDArray[np.int64],
    unit: TimeUnit,
    show_secrets: bool = False,
) -> pa.Table:
    """The adverts given as contents and per-advert columns (file index, frame, time, IPv4 ID or -1)."""
    rows = pa.Table.from_batches([advert_batch(templates, unit, show_secrets)], schema=advert_schema(unit))
    table = rows.take(pa.array(template, type=pa.int64()))
    files = pa.DictionaryArray.from_arrays(pa.array(file, type=pa.int32()), pa.array(list(labels), pa.string()))
    table = table.set_column(0, "file", files.cast(pa.string()))
    table = table.set_column(1, "frame", pa.array(frame, type=pa.int64()))
    table = table.set_column(2, "time", times(time, unit))
    ids = pa.array(ip_id, type=pa.int32(), mask=ip_id < 0)
    return table.set_column(table.schema.get_field_index("ip_id"), "ip_id", ids)
