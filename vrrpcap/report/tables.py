"""The report as pandas DataFrames, one row per virtual router, mastership, failover or finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from vrrpcap.report.report import Report


def virtual_routers_df(report: Report) -> pd.DataFrame:
    rows = [
        {k: v for k, v in vr.as_dict().items() if k not in ("routers", "masters", "failovers")}
        for vr in report.virtual_routers
    ]
    return pd.DataFrame(rows)


def masters_df(report: Report) -> pd.DataFrame:
    return pd.DataFrame([{"vr": m.vr, **m.as_dict()} for vr in report.virtual_routers for m in vr.masters])


def failovers_df(report: Report) -> pd.DataFrame:
    return pd.DataFrame([{"vr": f.vr, **f.as_dict()} for vr in report.virtual_routers for f in vr.failovers])


def findings_df(report: Report) -> pd.DataFrame:
    return pd.DataFrame([f.as_dict() for f in report.findings])
