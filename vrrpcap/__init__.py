"""vrrpcap: audit VRRP traffic from captures and live interfaces."""

from __future__ import annotations

__version__ = "0.1.0"
