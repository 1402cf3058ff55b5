"""Crafted keepalived configurations for the differential: every grammar feature keepalived 2.2
has and vrrpcap claims to read, each in a configuration keepalived accepts (or, for the
``fatal`` ones, refuses: then the parser must say fatal and the daemon must give up).

Placeholders: ``%IF%`` the router's interface, ``%ADDR%`` / ``%ADDR6%`` its addresses, ``%DIR%``
the directory of the configuration. ``/bin/false`` scripts are the failing checks.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lab.netns import Router
from tests.config.keepalived_runner import Probe

GLOBAL = """global_defs {
    router_id %NAME%
    enable_script_security
    script_user root
}
"""


@dataclass(frozen=True)
class Crafted:
    label: str
    main: str
    files: dict[str, str] = field(default_factory=dict)
    config_ids: tuple[str | None, ...] = (None,)
    fatal: bool = False
    executable: tuple[str, ...] = ()  # files made 0700 (scripts)


def _fill(text: str, router: Router, workdir: Path) -> str:
    return (
        text.replace("%IF%", router.ifname)
        .replace("%ADDR6%", router.ipv6)
        .replace("%ADDR%", router.ipv4)
        .replace("%DIR%", str(workdir))
        .replace("%NAME%", router.name)
    )


def renderer(crafted: Crafted) -> Callable[[Router, Path], str]:
    def render(router: Router, workdir: Path) -> str:
        for rel, text in crafted.files.items():
            path = workdir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_fill(text, router, workdir))
            os.chmod(path, 0o700 if rel in crafted.executable else 0o600)
        return _fill(crafted.main, router, workdir)

    return render


def probes(items: list[Crafted]) -> list[Probe]:
    return [
        Probe(f"{c.label}{'' if cid is None else f' -i {cid}'}", renderer(c), config_id=cid)
        for c in items
        for cid in c.config_ids
    ]


NOTIFY = "#!/bin/sh\nexit 0\n"

CRAFTED: list[Crafted] = [
    Crafted(
        "include-globs",
        GLOBAL
        + """include conf.d/*.conf
include {scripts,more}/x*.conf
includer optional/*.conf
""",
        files={
            "conf.d/10-scripts.conf": "vrrp_script chk_a {\n  script /bin/true\n  weight -20\n}\n",
            "conf.d/20-instance.conf": """vrrp_instance VI_INC {
  interface %IF%
  virtual_router_id 61
  priority 140
  include ../fragments/vips.conf
  track_script {
    chk_a
  }
}
""",
            "conf.d/30-disabled.conf.bak": "this is not included\n",
            "fragments/vips.conf": "virtual_ipaddress {\n  192.0.2.161/24\n}\n",
            "scripts/x1.conf": 'vrrp_script chk_b {\n  script "/bin/true"\n  interval 2\n}\n',
            "more/x2.conf": """vrrp_instance VI_INC2 {
  interface %IF%
  virtual_router_id 62
  virtual_ipaddress {
    192.0.2.162
  }
  track_script {
    chk_b weight 15
  }
}
""",
        },
    ),
    Crafted(
        "variables",
        GLOBAL
        + """$PRIO=120
$NET=192.0.2
$SUB_BASE=${NET}.${LAST}
$LAST=170
$NOTIFY=%DIR%/notify.sh
$INSTANCE= \\
vrrp_instance VI_${N} { \\
    interface %IF% \\
    virtual_router_id ${N} \\
    priority $PRIO \\
    advert_int 2 \\
    virtual_ipaddress { \\
        ${SUB_BASE}/24 \\
        ${NET}.${N}/32 dev %IF% \\
    } \\
    notify_master "${_PWD}/notify.sh master" \\
}
$N=71
$INSTANCE
$N=72
$PRIO=110
$LAST=172
$INSTANCE
vrrp_instance VI_PLAIN {
    interface %IF%
    virtual_router_id 73
    priority $PRIO
    notify $NOTIFY
    virtual_ipaddress {
        $NET.173
        ${NET}.174/24
    }
}
""",
        files={"notify.sh": NOTIFY},
        executable=("notify.sh",),
    ),
    Crafted(
        "conditionals",
        """global_defs {
    @main router_id main_router
    @backup router_id backup_router
    enable_script_security
    script_user root
}
@main $PRIO=200
@^main $PRIO=100
vrrp_instance VI_COND {
    interface %IF%
    @main state MASTER
    @^main state BACKUP
    virtual_router_id 81
    priority $PRIO
    @main unicast_src_ip 192.0.2.81
    @^main unicast_src_ip 192.0.2.82
    unicast_peer {
        @^main 192.0.2.81
        @^backup 192.0.2.82
        @^other 192.0.2.83
    }
    virtual_ipaddress {
        192.0.2.180/24
    }
}
@backup include backup-extra.conf
""",
        files={
            "backup-extra.conf": """vrrp_instance VI_BACKUP_ONLY {
    interface %IF%
    virtual_router_id 82
    virtual_ipaddress {
        192.0.2.182
    }
}
"""
        },
        config_ids=("main", "backup", None),
    ),
    Crafted(
        "sequences",
        GLOBAL
        + """$INST= \\
vrrp_instance VI_SEQ_${ID} { \\
    interface %IF% \\
    virtual_router_id ${ID} \\
    priority 1${ID} \\
    virtual_ipaddress { \\
        192.0.2.${ID} \\
    } \\
}
~SEQ(ID, 91, 2, 95) $INST
vrrp_instance VI_SEQ_VIPS {
    interface %IF%
    virtual_router_id 96
    version 3
    virtual_ipaddress {
        ~SEQ(V, 1, 4) 192.0.2.2${V}0/24
        ~SEQ(W, 3) 198.51.100.${W}
    }
}
vrrp_instance VI_SEQ6 {
    interface %IF%
    virtual_router_id 97
    virtual_ipaddress {
        ~SEQx(H, 10, 3, 16) 2001:db8::${H}
    }
}
""",
    ),
    Crafted(
        "sync-groups",
        GLOBAL
        + """vrrp_script chk_ok {
    script /bin/true
    weight -30
}
vrrp_script chk_fail {
    script /bin/false
    weight 0
}
vrrp_sync_group G1 {
    group {
        VI_S1
        VI_S2
    }
    notify_master "%DIR%/notify.sh group-master"
    notify %DIR%/notify.sh
    track_script {
        chk_ok weight -40
    }
}
vrrp_sync_group G2 {
    group {
        VI_S3 VI_S4
    }
    sync_group_tracking_weight
}
vrrp_instance VI_S1 {
    state MASTER
    interface %IF%
    virtual_router_id 101
    priority 150
    virtual_ipaddress {
        192.0.2.201
    }
    track_script {
        chk_ok
    }
}
vrrp_instance VI_S2 {
    interface %IF%
    virtual_router_id 102
    priority 150
    virtual_ipaddress {
        192.0.2.202
    }
}
vrrp_instance VI_S3 {
    interface %IF%
    virtual_router_id 103
    virtual_ipaddress {
        192.0.2.203
    }
    track_script {
        chk_ok weight -25
    }
}
vrrp_instance VI_S4 {
    interface %IF%
    virtual_router_id 104
    virtual_ipaddress {
        192.0.2.204
    }
}
""",
        files={"notify.sh": NOTIFY},
        executable=("notify.sh",),
    ),
    Crafted(
        "track-weights",
        GLOBAL
        + """vrrp_script chk_pass_neg {
    script /bin/true
    interval 1
    weight -50
}
vrrp_script chk_fail_neg {
    script /bin/false
    weight -30
    fall 1
}
vrrp_script chk_pass_pos {
    script /bin/true
    weight 20
}
vrrp_script chk_fail_pos {
    script /bin/false
    weight 15
}
vrrp_script chk_rev {
    script "/bin/true"
    weight 10 reverse
}
vrrp_instance VI_T1 {
    interface %IF%
    virtual_router_id 111
    priority 150
    virtual_ipaddress {
        192.0.2.211
    }
    track_script {
        chk_pass_neg
        chk_fail_neg
        chk_pass_pos
        chk_fail_pos weight -5
        chk_rev
        chk_missing
    }
    track_interface {
        lo weight -10
    }
}
vrrp_instance VI_T2 {
    interface %IF%
    virtual_router_id 112
    priority 20
    virtual_ipaddress {
        192.0.2.212
    }
    track_script {
        chk_fail_neg weight -254
        chk_pass_pos weight 254
    }
}
vrrp_instance VI_OWNER {
    interface %IF%
    virtual_router_id 113
    priority 255
    virtual_ipaddress {
        192.0.2.213
    }
    track_script {
        chk_fail_neg
    }
}
""",
    ),
    Crafted(
        "continuations-comments",
        GLOBAL
        + """! a comment with a ! bang
vrrp_instance VI_C1 { # comment after a brace
    interface %IF%
    virtual_router_id 121   ! trailing comment
    priority 150 \\
    advert_int 3
    virtual_ipaddress { 192.0.2.221/24 }
    notify "%DIR%/notify.sh #not-a-comment"
}
$LONG= \\
  vrrp_instance VI_C2 { \\
     interface %IF%   \\
     # a comment inside a definition \\
     virtual_router_id 122 \\
     priority 99 \\
     virtual_ipaddress { \\
       192.0.2.222 \\
     } \\
  }
$LONG
vrrp_instance VI_C3 { interface %IF%
    virtual_router_id 123
    virtual_ipaddress { 192.0.2.223 }
    priority 77 }
""",
        files={"notify.sh": NOTIFY},
        executable=("notify.sh",),
    ),
    Crafted(
        "quirks",
        GLOBAL
        + """vrrp_instance VI_Q1 {
    state MASTER
    interface %IF%
    virtual_router_id 131
    nopreempt
    preempt_delay 4
    advert_int 1.6
    virtual_ipaddress {
        192.0.2.231
    }
    authentication {
        auth_type PASS
        auth_pass longerthan8chars
    }
}
vrrp_instance VI_Q2 {
    state MASTER
    interface %IF%
    virtual_router_id 132
    version 3
    advert_int 0.333
    authentication {
        auth_type AH
        auth_pass secret
    }
    virtual_ipaddress {
        192.0.2.232
    }
}
vrrp_instance VI_Q3 {
    state BACKUP
    interface %IF%
    virtual_router_id 133
    priority 90
    nopreempt
    preempt_delay 3
    unicast_ttl 10
    virtual_ipaddress {
        192.0.2.233
    }
    state MASTER
}
vrrp_instance VI_Q4 {
    interface %IF%
    virtual_router_id 134
    preempt_delay 2.5
    unknown_block {
        priority 120
    }
    virtual_ipaddress {
        192.0.2.234
    }
}
""",
    ),
    Crafted(
        "ipv6-vmac-excluded",
        """global_defs {
    router_id r6
    vrrp_version 3
}
vrrp_instance VI_V6 {
    interface %IF%
    virtual_router_id 141
    priority 130
    use_vmac
    virtual_ipaddress {
        fe80::141
        2001:db8::141/64
    }
    virtual_ipaddress_excluded {
        2001:db8::1:141/64
        192.0.2.241/24
    }
}
vrrp_instance VI_V4_DEFAULT_V3 {
    interface %IF%
    virtual_router_id 142
    unicast_src_ip %ADDR%
    unicast_peer {
        192.0.2.142 min_ttl 1 max_ttl 254
        192.0.2.143
    }
    unicast_ttl 32
    virtual_ipaddress {
        192.0.2.242/24 dev %IF% scope link label %IF%:v
        192.0.2.243 brd 192.0.2.255 no_track
    }
}
""",
    ),
    Crafted(
        "strict",
        """global_defs {
    router_id strict
    vrrp_strict
}
vrrp_instance VI_STRICT {
    state MASTER
    interface %IF%
    virtual_router_id 151
    priority 100
    authentication {
        auth_type PASS
        auth_pass abc
    }
    virtual_ipaddress {
        192.0.2.251
    }
}
vrrp_instance VI_STRICT_OWNER {
    interface %IF%
    virtual_router_id 152
    priority 255
    nopreempt
    virtual_ipaddress {
        192.0.2.252
    }
}
""",
    ),
    Crafted(
        "bad-values",
        """global_defs {
    router_id bad
    vrrp_version 4
    no_such_global 1
}
no_such_root_keyword
vrrp_script chk_bad {
    script /bin/true
    interval 0
    rise 0
    fall x
    weight 300
    timeout -1
}
vrrp_instance VI_BAD {
    interface %IF%
    state FOO
    virtual_router_id 300
    virtual_router_id 161
    priority 0
    advert_int -1
    version 4
    preempt_delay 2000
    unicast_ttl 300
    virtual_ipaddress {
        192.0.2.161/40
        192.0.2.162/24 dev
        192.0.2.163 scope nowhere-near
        2001:db8::161
    }
    track_script {
        chk_bad weight
        chk_bad weight 5 sideways
        chk_bad
    }
    track_interface {
        lo weight
        lo sideways
    }
}
vrrp_sync_group G_BAD {
    group {
        VI_BAD
        VI_NOT_THERE
    }
}
""",
    ),
    Crafted(
        "fatal-missing-vrid",
        GLOBAL
        + "vrrp_instance VI_NOVRID {\n    interface %IF%\n    virtual_ipaddress {\n        192.0.2.9\n    }\n}\n",
        fatal=True,
    ),
    Crafted(
        "fatal-v3-without-vip",
        GLOBAL + "vrrp_instance VI_NOVIP {\n    interface %IF%\n    virtual_router_id 9\n    version 3\n}\n",
        fatal=True,
    ),
]
