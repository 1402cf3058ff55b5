"""The one-line errors of a live capture. All exit with code 3 (the input is unavailable)."""

from __future__ import annotations

from vrrpcap.errors import InputUnavailable


class NoSuchInterface(InputUnavailable):
    def __init__(self, interface: str) -> None:
        super().__init__(f"{interface}: no such network interface (see `ip link`)")


class CapturePermission(InputUnavailable):
    def __init__(self, interface: str, backend: str) -> None:
        if backend == "scapy":
            how = (
                "run as root, or grant CAP_NET_RAW+CAP_NET_ADMIN "
                "(setcap cap_net_raw,cap_net_admin=eip on the Python binary), "
                "or use --backend tshark as a member of the `wireshark` group"
            )
        else:
            how = (
                "add your user to the `wireshark` group (dumpcap needs cap_net_raw,cap_net_admin: "
                "dpkg-reconfigure wireshark-common) and log in again, or run as root"
            )
        super().__init__(f"{interface}: no permission to capture: {how}")


class BackendMissing(InputUnavailable):
    pass


class CaptureFailed(InputUnavailable):
    pass


class NotifyScriptUnusable(InputUnavailable):
    pass
