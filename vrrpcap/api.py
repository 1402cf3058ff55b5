"""The Python API for notebooks and scripts.

import vrrpcap
df = vrrpcap.read_adverts("capture.pcapng")        # one row per advert (pandas)
report = vrrpcap.audit(["a.pcap", "b.pcap"])       # virtual routers, timelines, findings
report.findings_df(); report.masters_df(); report.failovers_df()
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from vrrpcap.analysis import Options
from vrrpcap.decode import FIELD_NAMES, advert_to_dict
from vrrpcap.frames import CaptureSet
from vrrpcap.pipeline import AdvertStream, audit_paths
from vrrpcap.report import Report

if TYPE_CHECKING:
    import pandas as pd


def _paths(paths: str | Iterable[str]) -> list[str]:
    return [paths] if isinstance(paths, str) else [str(p) for p in paths]


def read_adverts(paths: str | Iterable[str], show_secrets: bool = False) -> pd.DataFrame:
    """Every VRRP/CARP record of the captures as a DataFrame with the advert record's columns."""
    import pandas as pd

    with CaptureSet(_paths(paths)) as captures:
        rows = [advert_to_dict(a, show_secrets) for a in AdvertStream(captures)]
    frame = pd.DataFrame(rows, columns=list(FIELD_NAMES))
    frame["time"] = pd.to_datetime(frame["time"], unit="s", utc=True) if rows else frame["time"]
    return frame


def audit(paths: str | Iterable[str], options: Options | None = None) -> Report:
    """Analyze the captures (merged by time) and return the report."""
    return audit_paths(_paths(paths), options)
