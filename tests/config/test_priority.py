"""Reachable priorities and their explanations (keepalived's weight rules, vrrp_track.c)."""

from __future__ import annotations

from pathlib import Path

from vrrpcap.config import fault_checks, healthy_priority, parse_keepalived, priority_when, reachable_priorities

CONFIG = """vrrp_script chk_nginx {
    script /bin/true
    weight -80
}
vrrp_script chk_disk {
    script /bin/true
    weight -20
}
vrrp_script chk_web {
    script /bin/true
    weight 10
}
vrrp_script chk_up {
    script /bin/true
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 1
    priority 150
    virtual_ipaddress {
        192.0.2.1
    }
    track_script {
        chk_nginx
        chk_disk
        chk_web
        chk_up
    }
    track_interface {
        eth1 weight -200
    }
}
"""


def test_every_reachable_priority_with_its_cause(tmp_path: Path) -> None:
    path = tmp_path / "k.conf"
    path.write_text(CONFIG)
    config = parse_keepalived(path)
    inst = config.instances[0]
    got = [(r.priority, r.explanation) for r in reachable_priorities(inst, config)]
    assert got[:5] == [
        (160, "150 + 10 (chk_web passing)"),
        (150, "150 (chk_web failing)"),
        (140, "150 + 10 - 20 (chk_web passing; chk_disk failing)"),
        (130, "150 - 20 (chk_disk, chk_web failing)"),
        (80, "150 + 10 - 80 (chk_web passing; chk_nginx failing)"),
    ]
    assert got[-1] == (1, "150 + 10 - 200 = 1 (chk_web passing; eth1 down; keepalived keeps priorities within 1..254)")
    assert healthy_priority(inst, config) == 160
    assert priority_when(inst, frozenset({"chk_nginx", "chk_web"}), config) == 70
    assert fault_checks(inst, config) == ("chk_up",)


def test_an_address_owner_never_moves(tmp_path: Path) -> None:
    path = tmp_path / "k.conf"
    path.write_text(CONFIG.replace("priority 150", "priority 255"))
    config = parse_keepalived(path)
    inst = config.instances[0]
    assert [r.priority for r in reachable_priorities(inst, config)] == [255]
    assert inst.track_scripts and all(t.weight == 0 for t in inst.track_scripts)
