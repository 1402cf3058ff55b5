"""Recording lab: real keepalived VRRP traffic captured in Linux network namespaces.

Run ``python -m lab.record --list`` to see the scenarios, ``python -m lab.record --out pcaps``
to record them all (root only). See ``docs/lab.md``.
"""
