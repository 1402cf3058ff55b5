#!/usr/bin/env bash
# Installs the Debian packages the tests drive for real: tshark (the reference dissector), tcpdump
# (capture, BPF pre-filter), keepalived and nftables (the recording lab). Only as root with apt-get;
# otherwise it says what is missing, and the tests that need it skip with that reason.
set -euo pipefail
declare -A package_of=([tshark]=tshark [tcpdump]=tcpdump [keepalived]=keepalived [nft]=nftables [ip]=iproute2)
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
