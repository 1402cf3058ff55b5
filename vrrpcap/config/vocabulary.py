"""The keywords keepalived 2.2.7's VRRP process knows, and how each one reads its block.

Taken from the keyword tables keepalived installs (global_parser.c, vrrp_parser.c,
check_parser.c, bfd_parser.c, track_file.c). A keyword is:

* ``value``: one line;
* ``list``: a value block, ``{ one item per line }`` (keepalived's alloc_value_block);
* ``block``: a nested block of keywords;
* ``skip``: a block the VRRP process does not read (LVS, BFD) or vrrpcap does not model; it is
  skipped as keepalived skips an inactive keyword's block.

A keyword not listed here is one keepalived reports as unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

KeywordKind = Literal["value", "list", "block", "skip"]


@dataclass(frozen=True, slots=True)
class Keyword:
    kind: KeywordKind
    sub: Mapping[str, Keyword] = field(default_factory=dict)


VALUE = Keyword("value")
LIST = Keyword("list")
SKIP = Keyword("skip")


def _keywords(names: str, keyword: Keyword = VALUE) -> dict[str, Keyword]:
    return dict.fromkeys(names.split(), keyword)


GLOBAL_DEFS: dict[str, Keyword] = {
    **_keywords(
        """
        process_names process_name vrrp_process_name checker_process_name lvs_process_name
        bfd_process_name router_id notification_email_from smtp_server smtp_helo_name
        smtp_connect_timeout smtp_alert startup_script startup_script_timeout shutdown_script
        shutdown_script_timeout max_auto_priority min_auto_priority_delay smtp_alert_vrrp
        smtp_alert_checker checker_log_all_failures dynamic_interfaces no_email_faults
        default_interface disable_local_igmp lvs_timeouts lvs_flush lvs_flush_on_stop
        lvs_flush_onstop lvs_sync_daemon vrrp_mcast_group4 vrrp_mcast_group6 vrrp_garp_master_delay
        vrrp_garp_master_repeat vrrp_garp_master_refresh vrrp_garp_master_refresh_repeat
        vrrp_garp_lower_prio_delay vrrp_garp_lower_prio_repeat vrrp_down_timer_adverts
        vrrp_garp_interval vrrp_gna_interval vrrp_min_garp vrrp_garp_extra_if vrrp_vmac_garp_intvl
        vrrp_lower_prio_no_advert vrrp_higher_prio_send_advert vrrp_version vrrp_iptables
        vrrp_ipsets nftables nftables_priority nftables_ifindex nftables_ipvs nftables_ipvs_priority
        nftables_ipvs_start_fwmark nftables_counters vrrp_check_unicast_src vrrp_skip_check_adv_addr
        vrrp_strict vrrp_priority vrrp_no_swap vrrp_rt_priority vrrp_cpu_affinity vrrp_rlimit_rttime
        vrrp_rlimit_rtime notify_fifo notify_fifo_script vrrp_notify_fifo vrrp_notify_fifo_script
        vrrp_notify_priority_changes fifo_write_vrrp_states_on_reload lvs_notify_fifo
        lvs_notify_fifo_script checker_priority checker_no_swap checker_rt_priority
        checker_cpu_affinity checker_rlimit_rttime checker_rlimit_rtime bfd_priority bfd_no_swap
        bfd_rt_priority bfd_cpu_affinity bfd_rlimit_rttime bfd_rlimit_rtime snmp_socket
        enable_traps enable_snmp_vrrp enable_snmp_keepalived enable_snmp_rfc enable_snmp_rfcv2
        enable_snmp_rfcv3 enable_snmp_checker enable_dbus dbus_service_name script_user
        enable_script_security vrrp_netlink_cmd_rcv_bufs vrrp_netlink_cmd_rcv_bufs_force
        vrrp_netlink_monitor_rcv_bufs vrrp_netlink_monitor_rcv_bufs_force process_monitor_rcv_bufs
        process_monitor_rcv_bufs_force lvs_netlink_cmd_rcv_bufs lvs_netlink_cmd_rcv_bufs_force
        lvs_netlink_monitor_rcv_bufs lvs_netlink_monitor_rcv_bufs_force rs_init_notifies
        no_checker_emails vrrp_rx_bufs_policy vrrp_rx_bufs_multiplier vrrp_startup_delay
        log_unknown_vrids vmac_prefix vmac_addr_prefix umask random_seed reload_check_config
        reload_time_file reload_repeat reload_file include_check config_save_dir
        tmp_config_directory data_use_instance
        """
    ),
    "notification_email": LIST,
}

AUTHENTICATION: dict[str, Keyword] = _keywords("auth_type auth_pass")

VRRP_INSTANCE: dict[str, Keyword] = {
    **_keywords(
        """
        use_vmac use_vmac_addr vmac_xmit_base use_ipvlan unicast_fault_no_peer check_unicast_src
        old_unicast_checksum native_ipv6 state interface vrf dont_track_primary mcast_src_ip
        unicast_src_ip mcast_dst_ip track_src_ip virtual_router_id unicast_ttl version priority
        advert_int promote_secondaries linkbeat_use_polling accept no_accept skip_check_adv_addr
        strict_mode preempt nopreempt preempt_delay debug notify_backup notify_master notify_fault
        notify_stop notify_deleted notify notify_master_rx_lower_pri smtp_alert
        notify_priority_changes lvs_sync_daemon_interface garp_master_delay garp_master_refresh
        garp_master_repeat garp_master_refresh_repeat garp_lower_prio_delay garp_lower_prio_repeat
        down_timer_adverts garp_extra_if vmac_garp_intvl lower_prio_no_advert
        higher_prio_send_advert kernel_rx_buf_size
        """
    ),
    **_keywords(
        """
        unicast_peer track_interface track_script track_file track_process track_bfd
        virtual_ipaddress virtual_ipaddress_excluded virtual_routes virtual_rules
        """,
        LIST,
    ),
    "authentication": Keyword("block", AUTHENTICATION),
}

VRRP_SCRIPT: dict[str, Keyword] = _keywords("script interval timeout weight rise fall user init_fail")

VRRP_SYNC_GROUP: dict[str, Keyword] = {
    **_keywords(
        """
        notify_backup notify_master notify_fault notify_stop notify smtp_alert global_tracking
        sync_group_tracking_weight notify_priority_changes
        """
    ),
    **_keywords("group track_interface track_script track_file track_process track_bfd", LIST),
}

ROOT: dict[str, Keyword] = {
    "global_defs": Keyword("block", GLOBAL_DEFS),
    "vrrp_instance": Keyword("block", VRRP_INSTANCE),
    "vrrp_script": Keyword("block", VRRP_SCRIPT),
    "vrrp_sync_group": Keyword("block", VRRP_SYNC_GROUP),
    **_keywords(
        """
        net_namespace net_namespace_ipvs namespace_with_ipsets use_pid_dir instance child_wait_time
        linkbeat_use_polling
        """
    ),
    # Read by the VRRP process but not modelled here, or read only by the LVS/BFD processes.
    **_keywords(
        """
        static_ipaddress static_routes static_rules track_group garp_group linkbeat_interfaces
        interface_up_down_delays vrrp_track_process track_file vrrp_track_file virtual_server
        virtual_server_group SSL bfd_instance
        """,
        SKIP,
    ),
}
