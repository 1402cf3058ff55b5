"""The static checks: crafted configurations, each with exactly the reasons it must produce; and
the lab's own configurations, where lint must report what each scenario was built to show."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.frr import render_vrrpd_conf
from lab.keepalived import render_config
from lab.netns import Router, router_ipv4, router_ipv6
from lab.scenarios import SCENARIOS
from vrrpcap.config import AnyConfig, lint, load_configs, parse_frr, parse_keepalived


def instance(
    name: str = "VI_51",
    *,
    vrid: int = 51,
    priority: int = 100,
    vips: tuple[str, ...] = ("192.0.2.100/24",),
    extra: str = "",
    interface: str = "eth0",
) -> str:
    lines = "\n".join(f"        {vip}" for vip in vips)
    return f"""vrrp_instance {name} {{
    interface {interface}
    virtual_router_id {vrid}
    priority {priority}
{extra}
    virtual_ipaddress {{
{lines}
    }}
}}
"""


def unicast(src: str, *peers: str) -> str:
    listed = "\n".join(f"        {p}" for p in peers)
    return f"    unicast_src_ip {src}\n    unicast_peer {{\n{listed}\n    }}"


def write(tmp_path: Path, **files: str) -> list[AnyConfig]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return load_configs([tmp_path / name for name in files])


def reasons(configs: list[AnyConfig]) -> list[str]:
    return [issue.reason for issue in lint(configs)]


def test_a_consistent_pair_has_no_issue(tmp_path: Path) -> None:
    configs = write(tmp_path, **{"r1.conf": instance(priority=150), "r2.conf": instance(priority=100)})
    assert lint(configs) == []


def test_interval_mismatch_points_at_both_advert_int_lines(tmp_path: Path) -> None:
    configs = write(
        tmp_path,
        **{
            "r1.conf": instance(priority=150, extra="    advert_int 1"),
            "r2.conf": instance(extra="    advert_int 2"),
        },
    )
    issues = lint(configs)
    assert [i.reason for i in issues] == ["interval-mismatch"]
    assert [(Path(loc.file).name, loc.line) for loc in issues[0].locations] == [("r1.conf", 5), ("r2.conf", 5)]
    assert {ref.name for ref in issues[0].instances} == {"VI_51"}
    assert "1 s" in issues[0].message and "2 s" in issues[0].message


def test_vip_version_and_delivery_mismatches(tmp_path: Path) -> None:
    vips = write(
        tmp_path,
        **{
            "a1.conf": instance(priority=150, vips=("192.0.2.100/24", "192.0.2.101/24")),
            "a2.conf": instance(vips=("192.0.2.100/24",)),
        },
    )
    assert reasons(vips) == ["vip-mismatch"]
    versions = write(
        tmp_path,
        **{"b1.conf": instance(priority=150, extra="    version 3"), "b2.conf": instance(extra="    version 2")},
    )
    assert reasons(versions) == ["version-mismatch"]
    delivery = write(
        tmp_path,
        **{"c1.conf": instance(priority=150, extra=unicast("192.0.2.1", "192.0.2.2")), "c2.conf": instance()},
    )
    assert reasons(delivery) == ["delivery-mismatch"]


def test_auth_mismatch_never_shows_a_password(tmp_path: Path) -> None:
    def auth(password: str) -> str:
        return f"    authentication {{\n        auth_type PASS\n        auth_pass {password}\n    }}"

    types = write(tmp_path, **{"p1.conf": instance(priority=150, extra=auth("s3cret")), "p2.conf": instance()})
    assert reasons(types) == ["auth-mismatch"]
    passwords = write(
        tmp_path,
        **{"q1.conf": instance(priority=150, extra=auth("s3cret")), "q2.conf": instance(extra=auth("other1"))},
    )
    issues = lint(passwords)
    assert [i.reason for i in issues] == ["auth-mismatch"]
    text = repr(issues) + str(passwords)
    assert "s3cret" not in text and "other1" not in text
    same = write(
        tmp_path,
        **{"s1.conf": instance(priority=150, extra=auth("s3cret")), "s2.conf": instance(extra=auth("s3cret"))},
    )
    assert reasons(same) == []


def test_two_clusters_with_one_vrid_on_one_segment(tmp_path: Path) -> None:
    configs = write(
        tmp_path,
        **{
            "a1.conf": instance(priority=150, vips=("192.0.2.100/24",)),
            "a2.conf": instance(vips=("192.0.2.100/24",)),
            "b1.conf": instance(priority=140, vips=("192.0.2.200/24",)),
            "b2.conf": instance(priority=90, vips=("192.0.2.200/24",)),
        },
    )
    issues = lint(configs)
    assert [i.reason for i in issues] == ["vrid-collision"]
    assert len(issues[0].instances) == 4
    # Unicast pairs reuse VRIDs legitimately: no collision.
    pairs = write(
        tmp_path,
        **{
            "u1.conf": instance(priority=150, vips=("192.0.2.110/24",), extra=unicast("192.0.2.11", "192.0.2.12")),
            "u2.conf": instance(vips=("192.0.2.110/24",), extra=unicast("192.0.2.12", "192.0.2.11")),
            "u3.conf": instance(priority=150, vips=("192.0.2.120/24",), extra=unicast("192.0.2.13", "192.0.2.14")),
            "u4.conf": instance(vips=("192.0.2.120/24",), extra=unicast("192.0.2.14", "192.0.2.13")),
        },
    )
    assert reasons(pairs) == []


def test_state_master_with_nopreempt(tmp_path: Path) -> None:
    configs = write(tmp_path, **{"r1.conf": instance(priority=150, extra="    state MASTER\n    nopreempt")})
    issues = lint(configs)
    assert [i.reason for i in issues] == ["master-nopreempt"]
    assert [loc.line for loc in issues[0].locations] == [6, 5]  # the nopreempt line, the state line
    backup = write(tmp_path, **{"r2.conf": instance(priority=150, extra="    state BACKUP\n    nopreempt")})
    assert reasons(backup) == []


def test_unicast_peer_lists_that_are_not_symmetric(tmp_path: Path) -> None:
    configs = write(
        tmp_path,
        **{
            "r1.conf": instance(priority=150, extra=unicast("192.0.2.1", "192.0.2.2")),
            "r2.conf": instance(extra=unicast("192.0.2.2", "192.0.2.3")),
        },
    )
    issues = lint(configs)
    assert [i.reason for i in issues] == ["unicast-asymmetry"]
    assert "192.0.2.2" in issues[0].message and "does not list 192.0.2.1" in issues[0].message


def test_priority_255_without_owning_the_vip(tmp_path: Path) -> None:
    not_owner = write(
        tmp_path, **{"o1.conf": instance(priority=255, extra=unicast("192.0.2.1", "192.0.2.2"), vips=("192.0.2.100",))}
    )
    assert reasons(not_owner) == ["owner-not-vip"]
    owner = write(
        tmp_path, **{"o2.conf": instance(priority=255, extra=unicast("192.0.2.1", "192.0.2.2"), vips=("192.0.2.1",))}
    )
    assert reasons(owner) == []
    two = write(tmp_path, **{"t1.conf": instance(priority=255), "t2.conf": instance(priority=255)})
    assert reasons(two) == ["owner-conflict"]


def test_track_weights_that_never_fail_over_and_that_do(tmp_path: Path) -> None:
    script = "vrrp_script chk_nginx {\n    script /bin/true\n    weight %d\n}\n"
    track = "    track_script {\n        chk_nginx\n    }"
    never = write(
        tmp_path,
        **{"n1.conf": script % -20 + instance(priority=150, extra=track), "n2.conf": instance(priority=100)},
    )
    issues = lint(never)
    assert [i.reason for i in issues] == ["track-never-fails-over"]
    assert "lowest 130" in issues[0].message
    fails = write(
        tmp_path,
        **{"f1.conf": script % -80 + instance(priority=150, extra=track), "f2.conf": instance(priority=100)},
    )
    issues = lint(fails)
    assert [i.reason for i in issues] == ["track-fails-over"]
    assert "150 - 80 (chk_nginx failing)" in issues[0].message


def test_frr_and_keepalived_peers_are_compared(tmp_path: Path) -> None:
    (tmp_path / "vrrpd.conf").write_text(
        "interface eth0\n vrrp 51 version 3\n vrrp 51 priority 150\n vrrp 51 ip 192.0.2.100\n"
    )
    (tmp_path / "r2.conf").write_text(instance(extra="    version 2"))
    configs = load_configs([tmp_path])
    assert {type(c).__name__ for c in configs} == {"FrrConfig", "KeepalivedConfig"}
    issues = lint(configs)
    assert [i.reason for i in issues] == ["version-mismatch"]
    assert any(Path(loc.file).name == "vrrpd.conf" and loc.line == 2 for loc in issues[0].locations)


# -- the lab's configurations -----------------------------------------------------------------

EXPECTED = {
    "v2-interval-mismatch": ["interval-mismatch"],
    "v2-mixed-delivery": ["delivery-mismatch"],
    "v2-vrid-collision": ["vrid-collision"],
    "v2-track-weight": ["track-fails-over"],
}


def _lab_configs(name: str, tmp_path: Path) -> list[AnyConfig]:
    """The scenario's configurations as the lab writes them, every router on an "eth0"."""
    sc = SCENARIOS[name]
    configs: list[AnyConfig] = []
    for index, router_name in enumerate(sc.routers, start=1):
        router = Router(router_name, index, "ns", "eth0", "p", router_ipv4(index), router_ipv6(index), "m")
        path = tmp_path / f"{router_name}.conf"
        if router_name in sc.frr:
            path = tmp_path / f"{router_name}-vrrpd.conf"
            path.write_text(render_vrrpd_conf(router, sc.frr[router_name], tmp_path / "log"))
            configs.append(parse_frr(path))
        elif sc.instances.get(router_name):
            scripts = sc.scripts.get(router_name, {})
            path.write_text(
                render_config(router, sc.instances[router_name], scripts, tmp_path, tmp_path / "n", tmp_path / "f")
            )
            configs.append(parse_keepalived(path))
    return configs


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_lint_on_the_lab_configs_reports_what_each_scenario_shows(name: str, tmp_path: Path) -> None:
    configs = _lab_configs(name, tmp_path)
    assert reasons(configs) == EXPECTED.get(name, [])
