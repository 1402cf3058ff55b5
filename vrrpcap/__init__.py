"""vrrpcap: audit VRRP traffic from captures and live interfaces.

`vrrpcap.read_adverts(path)` and `vrrpcap.audit(paths)` are the notebook API (see vrrpcap/api.py);
they are imported on first use so that the command line starts fast.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "audit", "read_adverts"]


def __getattr__(name: str) -> Any:
    if name in ("audit", "read_adverts"):
        from vrrpcap import api

        return getattr(api, name)
    raise AttributeError(f"module 'vrrpcap' has no attribute {name!r}")
