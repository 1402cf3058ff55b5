"""vrrpcap: audit VRRP traffic from captures and live interfaces.

`vrrpcap.read_adverts(path)`, `vrrpcap.audit(paths)` and `vrrpcap.audit_vantages({name: path})` are the
notebook API (see vrrpcap/api.py); they are imported on first use so that the command line starts fast.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
# Where the project lives (pyproject.toml's [project.urls] says the same); SARIF's informationUri and its
# rules' helpUri point here (`audit --sarif-docs` points the rules elsewhere, a mirror for one).
HOMEPAGE = "https://github.com/vrrpcap/vrrpcap"
DOCS_URL = f"{HOMEPAGE}/blob/main/docs/findings.md"
__all__ = ["DOCS_URL", "HOMEPAGE", "__version__", "audit", "audit_vantages", "read_adverts"]


def __getattr__(name: str) -> Any:
    if name in ("audit", "audit_vantages", "read_adverts"):
        from vrrpcap import api

        return getattr(api, name)
    raise AttributeError(f"module 'vrrpcap' has no attribute {name!r}")
