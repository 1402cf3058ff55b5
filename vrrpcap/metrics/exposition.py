"""The two text formats a scraper may ask for: Prometheus text 0.0.4 and OpenMetrics 1.0.0.

They differ only in the family headers (OpenMetrics names a counter without `_total`, has an `info`
type, and ends with `# EOF`); sample lines are the same. Label strings come escaped from labels.py,
so a sample line is one f-string. prometheus_client decides which format a scraper's Accept header
asks for (`choose_encoder`) and renders its own process metrics; tests parse what this module writes
with prometheus_client's parsers, the reference for both formats.

Why not prometheus_client's metric families for everything: its generic formatter validates and
escapes every label of every sample, 9 us a sample here; 1,000 virtual routers are ~45,000 samples,
0.4 s a scrape. With the label strings kept per virtual router the same exposition takes a tenth of
that (docs/metrics.md, "Cost").
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from vrrpcap.metrics.catalogue import Family

OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8"
TEXT = "text/plain; version=0.0.4; charset=utf-8"


def number(value: float) -> str:
    if isinstance(value, int):
        return str(value)
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return repr(value)


def sample(name: str, labels: str, value: float) -> str:
    if labels:
        return f"{name}{{{labels}}} {number(value)}\n"
    return f"{name} {number(value)}\n"


def _help(text: str, openmetrics: bool) -> str:
    text = text.replace("\\", "\\\\").replace("\n", "\\n")
    return text.replace('"', '\\"') if openmetrics else text


def header(family: Family, openmetrics: bool) -> str:
    if openmetrics:
        return f"# TYPE {family.name} {family.kind}\n# HELP {family.name} {_help(family.help, True)}\n"
    kind = "gauge" if family.kind == "info" else family.kind
    name = family.name if family.kind == "histogram" else family.exposed
    return f"# HELP {name} {_help(family.help, False)}\n# TYPE {name} {kind}\n"


def document(blocks: Iterable[tuple[Family, list[str]]], openmetrics: bool, tail: str = "", end: bool = True) -> str:
    """Every family's header and samples, in order; ``tail`` (already formatted), then the end."""
    parts: list[str] = []
    for family, lines in blocks:
        parts.append(header(family, openmetrics))
        parts.extend(lines)
    parts.append(tail)
    if openmetrics and end:
        parts.append("# EOF\n")
    return "".join(parts)


def negotiate(accept: str | None) -> tuple[bool, str]:
    """(OpenMetrics?, content type) for a scraper's Accept header, as prometheus_client decides."""
    from prometheus_client.exposition import choose_encoder

    content_type = choose_encoder(accept or "")[1]
    return content_type.startswith("application/openmetrics-text"), content_type
