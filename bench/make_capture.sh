#!/bin/sh
# Make a benchmark capture of a few million packets: a real capture from ../shared (or the
# bundled demo) repeated COPIES times, each copy shifted in time (editcap -t) to start a
# second after the previous one ends, so capture time only moves forward, as in a long
# capture of a busy link. Usage: make_capture.sh OUT.pcap [COPIES]
set -eu
out=$1
copies=${2:-40}
top=$(cd "$(dirname "$0")/.." && pwd)
src="$top/../shared/pcaps/real/zeek+zeek__echo-connections.pcap"
[ -f "$src" ] || src="$top/tests/data/demo.pcap"
for t in mergecap editcap capinfos; do
	command -v $t >/dev/null || { echo "$t (wireshark-common) is needed" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
span=$(capinfos -u -M "$src" | awk '/Capture duration/ {print int($(NF-1)) + 2}')
set --
i=0
while [ $i -lt "$copies" ]; do
	editcap -F pcap -t $((i * span)) "$src" "$work/$i.pcap"
	set -- "$@" "$work/$i.pcap"
	i=$((i + 1))
done
mergecap -F pcap -a -w "$out" "$@"
echo "$out: $(capinfos -c -M "$out" | awk '/Number of packets/ {print $NF}') packets," \
	"$copies copies of $(basename "$src") ${span} s apart"
