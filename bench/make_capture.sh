#!/bin/sh
# Make a benchmark capture of a few million packets: real captures from ../shared (or the
# bundled demo) concatenated N times with mergecap -a (capture time repeats: every daemon
# compared here handles that). Usage: make_capture.sh OUT.pcap [COPIES]
set -eu
out=$1
copies=${2:-40}
top=$(cd "$(dirname "$0")/.." && pwd)
src="$top/../shared/pcaps/real/zeek+zeek__echo-connections.pcap"
[ -f "$src" ] || src="$top/tests/data/demo.pcap"
command -v mergecap >/dev/null || { echo "mergecap (wireshark-common) is needed" >&2; exit 1; }
set --
i=0
while [ $i -lt "$copies" ]; do set -- "$@" "$src"; i=$((i + 1)); done
mergecap -F pcap -a -w "$out" "$@"
echo "$out: $(capinfos -c -M "$out" | awk '/Number of packets/ {print $NF}') packets from $copies x $(basename "$src")"
