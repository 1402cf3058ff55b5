"""The Python API for notebooks and scripts.

import vrrpcap
df = vrrpcap.read_adverts("capture.pcapng")        # one row per advert (pandas)
t = vrrpcap.read_adverts("capture.snoop", engine="arrow")   # a pyarrow Table, no Python object per advert
report = vrrpcap.audit(["a.pcap", "b.pcap"])       # virtual routers, timelines, findings
report.findings_df(); report.masters_df(); report.failovers_df()
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from vrrpcap.analysis import Options
from vrrpcap.decode import FIELD_NAMES, advert_to_dict
from vrrpcap.frames import CaptureSet
from vrrpcap.pipeline import AdvertStream, audit_paths
from vrrpcap.report import Report

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from vrrpcap.frames.choose import ReaderChoice


def _paths(paths: str | Iterable[str]) -> list[str]:
    return [paths] if isinstance(paths, str) else [str(p) for p in paths]


def read_adverts(
    paths: str | Iterable[str],
    show_secrets: bool = False,
    engine: Literal["pandas", "arrow"] = "pandas",
    reader: ReaderChoice = "auto",
) -> pd.DataFrame | pa.Table:
    """Every VRRP/CARP record of the captures with the advert record's columns: a pandas DataFrame, or
    with ``engine="arrow"`` a pyarrow Table (docs/parquet.md's schema) built from each distinct content
    decoded once and three numbers per advert. ``reader`` as `--reader` (frames/choose.py)."""
    if engine == "arrow":
        return _arrow_adverts(_paths(paths), show_secrets, reader)
    import pandas as pd

    with CaptureSet(_paths(paths), reader=reader) as captures:
        rows = [advert_to_dict(a, show_secrets) for a in AdvertStream(captures)]
    frame = pd.DataFrame(rows, columns=list(FIELD_NAMES))
    frame["time"] = pd.to_datetime(frame["time"], unit="s", utc=True) if rows else frame["time"]
    return frame


def _arrow_adverts(paths: list[str], show_secrets: bool, reader: ReaderChoice) -> pa.Table:
    from vrrpcap.decode.columns import AdvertColumns
    from vrrpcap.render.arrow_adverts import columns_table
    from vrrpcap.render.arrow_schema import time_unit

    columns = AdvertColumns()
    with CaptureSet(paths, reader=reader) as captures:
        for frame in captures.scan():
            columns.add(frame)
        unit = time_unit(captures.resolution())
    return columns_table(
        columns.templates,
        columns.content,
        columns.labels,
        columns.file,
        columns.frame,
        columns.time,
        unit,
        show_secrets,
    )


def audit(paths: str | Iterable[str], options: Options | None = None) -> Report:
    """Analyze the captures (merged by time) and return the report."""
    return audit_paths(_paths(paths), options)
