"""The FRR vrrpd reader without a daemon (the differential runs vrrpd itself)."""

from __future__ import annotations

from pathlib import Path

from vrrpcap.config import load_configs, parse_frr


def test_commands_defaults_and_problems(tmp_path: Path) -> None:
    path = tmp_path / "frr.conf"
    path.write_text(
        """frr version 8.4.4
!
vrrp default priority 120
interface eth0
 vrrp 5 version 2
 vrrp 5 ip 10.0.0.1
 vrrp 5 ipv6 2001:db8::5
 vrrp 6 advertisement-interval 1505
 vrrp 6 ipv6 2001:db8::6
 no vrrp 6 preempt
 vrrp 6 shutdown
 vrrp 7 priority 255
 vrrp 300 ip 10.0.0.3
 vrrp 8 bogus
exit
vrrp 9 ip 10.0.0.9
router bgp 1
 neighbor 10.0.0.2 remote-as 2
"""
    )
    config = parse_frr(path)
    by_vrid = {i.vrid: i for i in config.instances}
    assert sorted(by_vrid) == [5, 6, 7, 8]
    five, six, seven = by_vrid[5], by_vrid[6], by_vrid[7]
    assert (five.version, five.priority, five.ipv4, five.ipv6) == (2, 120, ("10.0.0.1",), ())
    assert (six.version, six.advertisement_interval_ms, six.preempt, six.shutdown) == (3, 1500, False, True)
    assert six.ipv6 == ("2001:db8::6",)
    assert seven.priority == 120  # 255 is not a vrrpd priority: rejected, the default stays
    assert six.where("vrrp 6 shutdown").line == 11 and six.location.line == 8
    problems = {(p.location.line, p.kind) for p in config.problems}
    assert problems == {
        (7, "invalid-value"),  # IPv6 on VRRPv2
        (8, "adjusted"),  # 1505 ms kept as 1500
        (12, "invalid-value"),
        (13, "invalid-value"),
        (14, "unknown-keyword"),
        (16, "unknown-keyword"),  # vrrp outside an interface
    }


def test_unreadable_and_detection(tmp_path: Path) -> None:
    assert [p.kind for p in parse_frr(tmp_path / "missing.conf").problems] == ["unreadable"]
    (tmp_path / "r1.conf").write_text("interface eth0\n vrrp 1 ip 10.0.0.1\n")
    (tmp_path / "r2.conf").write_text("vrrp_instance X {\n interface eth0\n virtual_router_id 1\n}\n")
    (tmp_path / "notes.txt").write_text("not a configuration")
    kinds = sorted(type(c).__name__ for c in load_configs([tmp_path]))
    assert kinds == ["FrrConfig", "KeepalivedConfig"]
    missing = load_configs([tmp_path / "gone.conf"])
    assert [p.kind for c in missing for p in c.problems] == ["unreadable"]
