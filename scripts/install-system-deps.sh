#!/usr/bin/env bash
# Installs the Debian packages the tests drive for real: tshark (the reference dissector), tcpdump
# (capture, BPF pre-filter), keepalived, ucarp and nftables (the recording lab), chromium (opens the HTML
# report headless). Only as root with apt-get; otherwise it says what is missing, and the tests that
# need it skip with that reason.
set -euo pipefail
declare -A package_of=([tshark]=tshark [tcpdump]=tcpdump [keepalived]=keepalived [nft]=nftables [ip]=iproute2
  [ucarp]=ucarp [chromium]=chromium)
# FRR's vrrpd is the lab's second implementation: only `make pcaps` (LAB_WITH_FRR=1) needs it.
if [ "${LAB_WITH_FRR:-0}" = 1 ]; then package_of[vtysh]=frr; fi
missing=()
for cmd in "${!package_of[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("${package_of[$cmd]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "warning: missing ${missing[*]} (need root and apt-get to install); tests that need them will skip" >&2
fi
