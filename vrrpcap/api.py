"""The Python API for notebooks and scripts.

import vrrpcap
df = vrrpcap.read_adverts("capture.pcapng")        # one row per advert (pandas)
t = vrrpcap.read_adverts("capture.snoop", engine="arrow")   # a pyarrow Table, no Python object per advert
report = vrrpcap.audit(["a.pcap", Path("b.pcap")])      # virtual routers, timelines, findings
report = vrrpcap.audit_vantages({"switch": "sw.pcap", "r2": "r2.pcap"})   # one segment seen at several points
report.findings_df(); report.masters_df(); report.failovers_df()

Paths are `str` or `os.PathLike` (a `pathlib.Path`), one or several. The only errors that escape are
vrrpcap's own (vrrpcap.errors): `InputUnavailable` (missing, unreadable), `NotACapture` (not pcap or
pcapng), both `VrrpcapError`s. A damaged capture is no error: what came before the damage is returned,
and a `CaptureWarning` says what the reader met (the problems are also in `df.attrs["problems"]` and
in each input of the report).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal

from vrrpcap.analysis import Options
from vrrpcap.decode import FIELD_NAMES, advert_to_dict
from vrrpcap.frames import CaptureSet
from vrrpcap.pipeline import AdvertStream, Pipeline
from vrrpcap.report import InputSummary, Report

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from vrrpcap.frames.choose import ReaderChoice

Paths = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]


class CaptureWarning(UserWarning):
    """A capture was damaged or odd (truncated, records longer than the snap length): what could be
    read was."""


def _paths(paths: Paths) -> list[str]:
    if isinstance(paths, str | os.PathLike):
        return [os.fspath(paths)]
    return [os.fspath(p) for p in paths]


def _warn(inputs: Iterable[InputSummary]) -> list[str]:
    problems = [line for item in inputs for line in item.problems]
    for line in problems:
        warnings.warn(line, CaptureWarning, stacklevel=3)
    return problems


def read_adverts(
    paths: Paths,
    show_secrets: bool = False,
    engine: Literal["pandas", "arrow"] = "pandas",
    reader: ReaderChoice = "auto",
) -> pd.DataFrame | pa.Table:
    """Every VRRP/CARP record of the captures as a DataFrame with the advert record's columns
    (docs/advert-record.md), or with ``engine="arrow"`` a pyarrow Table (docs/parquet.md's schema);
    ``reader`` as `--reader` (frames/choose.py). ``time`` is datetime64[ns, UTC] to the microsecond (NaT for a timestamp
    pandas cannot hold, with a CaptureWarning). ``df.attrs``: "inputs" (what each input held) and
    "problems" (what the readers met)."""
    if engine == "arrow":
        return _arrow_adverts(_paths(paths), show_secrets, reader)
    import pandas as pd

    from vrrpcap.report.tables import utc_times

    with CaptureSet(_paths(paths), reader=reader) as captures:
        stream = AdvertStream(captures)
        rows = [advert_to_dict(a, show_secrets) for a in stream]
        inputs = stream.inputs()
    frame = pd.DataFrame(rows, columns=list(FIELD_NAMES))
    times, outside = utc_times(frame["time"].tolist())
    frame["time"] = times
    problems = _warn(inputs)
    if outside:
        line = f"{outside} timestamp(s) outside pandas' range (years 1677-2262) are NaT (time_iso holds them)"
        warnings.warn(line, CaptureWarning, stacklevel=2)
        problems.append(line)
    frame.attrs["inputs"] = [i.as_dict() for i in inputs]
    frame.attrs["problems"] = problems
    return frame


def audit(paths: Paths, options: Options | None = None) -> Report:
    """Analyze the captures (merged by time) and return the report; a damaged capture warns."""
    with CaptureSet(_paths(paths)) as captures:
        report = Pipeline(options).run(AdvertStream(captures))
    _warn(report.inputs)
    return report


def audit_vantages(vantages: Mapping[str, str | os.PathLike[str]], options: Options | None = None) -> Report:
    """Analyze captures of one segment taken at several points, ``{name: path}``, as `audit --vantage`
    does: each advert once (the first vantage's copy when it has one), and VRRP-VANTAGE-MISSED for
    the adverts a vantage lacks; each input of the report names its vantage."""
    if not vantages:
        raise ValueError("audit_vantages needs at least one {name: capture}")
    names = list(vantages)
    with CaptureSet([os.fspath(vantages[name]) for name in names]) as captures:
        report = Pipeline(options).run(AdvertStream(captures, vantages=names))
    _warn(report.inputs)
    return report


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
        columns.ip_id,
        unit,
        show_secrets,
    )
