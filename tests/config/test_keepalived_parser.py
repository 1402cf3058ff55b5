"""The keepalived.conf reader without a daemon: the grammar features one by one, with the
examples of keepalived.conf(5) as the expected results, and every problem typed and located."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vrrpcap.config import KeepalivedConfig, Location, Secret, parse_keepalived
from vrrpcap.config.lexer import decomment, script_words, split_at_brace, words
from vrrpcap.config.preprocess import Reader, expand_braces


def parse(tmp_path: Path, text: str, *, config_id: str | None = None, **files: str) -> KeepalivedConfig:
    for name, body in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    main = tmp_path / "keepalived.conf"
    main.write_text(text)
    return parse_keepalived(main, config_id=config_id)


def lines(tmp_path: Path, text: str, *, config_id: str | None = None) -> list[tuple[str, ...]]:
    main = tmp_path / "k.conf"
    main.write_text(text)
    return [line.words for line in Reader(str(main), config_id=config_id)]


def test_comments_quotes_and_escapes() -> None:
    assert decomment("  priority 100 # comment").text == "priority 100"
    assert decomment("priority 100 ! bang").text == "priority 100"
    assert decomment('script "/bin/echo #x" # real').text == 'script "/bin/echo #x"'
    assert decomment(r"label a\#b").text == "label a#b"
    assert decomment("priority 150 \\").text == "priority 150\\"
    assert decomment('notify "x').unterminated_quote
    assert words('notify "a b" c').words == ("notify", "a b", "c")
    assert words('x"y z"').words == ("x", "y z")
    assert script_words(r"""script "/bin/echo 'a b' \"c\"" root""") == ("script", "/bin/echo 'a b' \"c\"", "root")
    assert script_words(r"/bin/echo 'a b' \x41\t") == ("/bin/echo", "a b", "A\t")


def test_braces_become_lines_of_their_own() -> None:
    assert split_at_brace("vrrp_instance VI_1 { state MASTER }") == ("vrrp_instance VI_1", "{ state MASTER }")
    assert split_at_brace("{ state MASTER }") == ("{", "state MASTER }")
    assert split_at_brace('notify "a{b}"') == ('notify "a{b}"', "")


def test_parameter_substitution_as_the_manual_describes(tmp_path: Path) -> None:
    text = """$ADDRESS_BASE=10.2.${ADDRESS_BASE_SUB}
$ADDRESS_BASE_SUB=0
${ADDRESS_BASE}.100/32
$ADDRESS_BASE_SUB=10
${ADDRESS_BASE}.100/32
$UNDEFINED_IS_KEPT $ADDRESS_BASE_SUB.x
x ${NOPE}
"""
    assert lines(tmp_path, text) == [
        ("10.2.0.100/32",),
        ("10.2.10.100/32",),
        ("$UNDEFINED_IS_KEPT", "$ADDRESS_BASE_SUB.x"),  # a name must end at a blank , ) or the line's end
        ("x", "$"),  # an undefined ${NAME} is kept, and its braces split the line as any others
        ("{",),
        ("NOPE",),
        ("}",),
    ]


def test_conditional_lines_as_the_manual_describes(tmp_path: Path) -> None:
    text = """unicast_peer {
    @^main    1.2.3.4
    @^backup  1.2.3.5
    @^backup2 1.2.3.6
}
@main router_id main_router
@backup router_id backup_router
"""
    assert lines(tmp_path, text, config_id="main") == [
        ("unicast_peer",),
        ("{",),
        ("1.2.3.5",),
        ("1.2.3.6",),
        ("}",),
        ("router_id", "main_router"),
    ]
    assert lines(tmp_path, text) == [("unicast_peer",), ("{",), ("1.2.3.4",), ("1.2.3.5",), ("1.2.3.6",), ("}",)]


def test_sequences_as_the_manual_describes(tmp_path: Path) -> None:
    assert lines(tmp_path, "~SEQ(SUBNET, 0, 3) ip_address 10.0.${SUBNET}.1\n") == [
        ("ip_address", f"10.0.{n}.1") for n in range(4)
    ]
    expected = [("ip_address", f"fe80::20:{h}:1") for h in ("90", "a0", "b0", "c0")]
    assert lines(tmp_path, "~SEQx(SUBNET, 144, 16, 192) ip_address fe80::20:${SUBNET}:1\n") == expected
    assert lines(tmp_path, "~SEQx(SUBNET, 0x90, 0x10, 0xc0) ip_address fe80::20:${SUBNET}:1\n") == expected
    nested = lines(tmp_path, "~SEQx(AD2, 0x90, 0x10, 0xa0) ~SEQx(AD1, 0x12, -1, 0x11) fe81::10:${AD2}:${AD1}\n")
    assert nested == [("fe81::10:90:12",), ("fe81::10:90:11",), ("fe81::10:a0:12",), ("fe81::10:a0:11",)]


def test_multiline_definitions_nested_in_sequences(tmp_path: Path) -> None:
    text = """$VI= \\
vrrp_instance VI_${N} { \\
    @high priority 130 \\
    @low priority 120 \\
}
~SEQ(N, 1, 2) $VI
"""
    assert lines(tmp_path, text, config_id="low") == [
        ("vrrp_instance", "VI_1"), ("{",), ("priority", "120"), ("}",),
        ("vrrp_instance", "VI_2"), ("{",), ("priority", "120"), ("}",),
    ]  # fmt: skip


def test_include_globs_are_relative_to_the_including_file(tmp_path: Path) -> None:
    config = parse(
        tmp_path,
        "include conf.d/*.conf\ninclude missing/*.conf\n",
        **{
            "conf.d/b.conf": "vrrp_instance VI_B {\n interface eth0\n virtual_router_id 2\n"
            " include ../frag/vip.conf\n}\n",
            "conf.d/a.conf": "vrrp_instance VI_A {\n interface eth0\n virtual_router_id 1\n}\n",
            "frag/vip.conf": "virtual_ipaddress {\n 192.0.2.9\n}\n",
        },
    )
    assert [i.name for i in config.instances] == ["VI_A", "VI_B"]  # glob order
    assert config.instance("VI_B") is not None and config.instance("VI_B").vips == ("192.0.2.9",)  # type: ignore[union-attr]
    assert [Path(f).name for f in config.files] == ["keepalived.conf", "a.conf", "b.conf", "vip.conf"]
    vip = config.instance("VI_B").virtual_ipaddress[0]  # type: ignore[union-attr]
    assert Path(vip.location.file).name == "vip.conf" and vip.location.line == 2
    (problem,) = [p for p in config.problems if p.kind == "unreadable"]
    assert "missing/*.conf" in problem.message and problem.location.line == 2
    assert expand_braces("a/{x,y{1,2}}.conf") == ["a/x.conf", "a/y1.conf", "a/y2.conf"]


def test_executable_and_unreadable_files_are_problems(tmp_path: Path) -> None:
    script = tmp_path / "run.conf"
    script.write_text("vrrp_instance X {\n}\n")
    os.chmod(script, 0o755)
    config = parse(tmp_path, "include run.conf\n")
    assert [p.kind for p in config.problems] == ["unreadable"]
    missing = parse_keepalived(tmp_path / "nope.conf")
    assert [(p.kind, p.location.line) for p in missing.problems] == [("unreadable", 0)]
    assert missing.instances == ()


def test_defaults_as_keepalived_applies_them(tmp_path: Path) -> None:
    config = parse(
        tmp_path,
        """global_defs {
    vrrp_version 3
}
vrrp_instance DEFAULTS {
    interface eth0
    virtual_router_id 7
    virtual_ipaddress {
        192.0.2.7
    }
}
vrrp_instance OWNER {
    state MASTER
    interface eth0
    virtual_router_id 8
    virtual_ipaddress {
        2001:db8::8
    }
}
""",
    )
    d, o = config.instances
    assert (d.priority, d.state, d.advert_int, d.version, d.family, d.delivery) == (
        100,
        "BACKUP",
        1.0,
        3,
        "ipv4",
        "multicast",
    )
    assert (o.priority, o.state, o.version, o.family) == (255, "MASTER", 3, "ipv6")
    assert config.problems == ()


def test_corrections_are_located_problems(tmp_path: Path) -> None:
    config = parse(
        tmp_path,
        """vrrp_script chk {
    script "/bin/true"
    weight -30
}
vrrp_instance VI_1 {
    state MASTER
    nopreempt
    interface eth0
    virtual_router_id 1
    priority 300
    advert_int 1.5
    bogus_keyword 1
    authentication {
        auth_type PASS
        auth_pass 0123456789
    }
    virtual_ipaddress {
        192.0.2.1/24 dev eth0 frobnicate
        not-an-address
    }
    track_script {
        chk weight -40
        nosuch
    }
}
""",
    )
    inst = config.instances[0]
    assert (inst.priority, inst.advert_int, inst.nopreempt, inst.nopreempt_configured) == (100, 2.0, False, True)
    assert [(t.name, t.weight) for t in inst.track_scripts] == [("chk", -40)]
    assert inst.authentication is not None and inst.authentication.auth_pass == Secret("01234567")
    got = {(p.kind, p.location.line) for p in config.problems}
    assert got == {
        ("invalid-value", 10),  # priority 300
        ("unknown-keyword", 12),
        ("adjusted", 15),  # auth_pass truncated
        ("ignored", 18),  # unknown address option
        ("invalid-value", 19),  # not an address
        ("ignored", 23),  # nosuch script
        ("adjusted", 7),  # nopreempt cleared
        ("adjusted", 11),  # v2 interval rounded
    }


def test_a_one_line_keyword_with_a_block_closes_its_instance(tmp_path: Path) -> None:
    config = parse(
        tmp_path,
        "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n priority 90 {\n }\n priority 80\n}\n",
    )
    assert config.instances[0].priority == 90  # keepalived ignores the '{', the '}' ends VI_1
    assert {p.kind for p in config.problems} >= {"syntax", "unknown-keyword"}


def test_passwords_never_appear_in_repr_or_str(tmp_path: Path) -> None:
    config = parse(
        tmp_path,
        "vrrp_instance V {\n interface eth0\n virtual_router_id 1\n authentication {\n"
        "  auth_type PASS\n  auth_pass hunter2\n }\n virtual_ipaddress {\n  192.0.2.1\n }\n}\n",
    )
    auth = config.instances[0].authentication
    assert auth is not None and auth.auth_pass is not None
    assert auth.auth_pass.reveal() == "hunter2"
    for text in (repr(config), str(config), repr(auth), str(auth.auth_pass), f"{auth.auth_pass}"):
        assert "hunter2" not in text


def test_locations_order_and_print() -> None:
    assert str(Location("a.conf", 3)) == "a.conf:3"
    assert sorted([Location("b", 1), Location("a", 2)])[0].file == "a"


@pytest.mark.parametrize("text", ["", "}\n", "{\n", "vrrp_instance\n", '"\n', "$X=\\\n", "~SEQ(\n", "@\n"])
def test_garbage_never_raises(tmp_path: Path, text: str) -> None:
    parse(tmp_path, text)
