"""The audit report and the values it is made of."""

from vrrpcap.report.model import Failover, InputSummary, Mastership, RouterSummary, VirtualRouter
from vrrpcap.report.report import SCHEMA_VERSION, Report, Summary

__all__ = [
    "SCHEMA_VERSION",
    "Failover",
    "InputSummary",
    "Mastership",
    "Report",
    "RouterSummary",
    "Summary",
    "VirtualRouter",
]
