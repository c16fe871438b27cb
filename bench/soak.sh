#!/bin/bash
# Soak: the daemon in live mode on captures replayed in a loop at full speed (DPDK net_pcap
# with infinite_rx=1: the frames are loaded into mbufs once and handed out again and again,
# no kernel in the way, stamped with the receive time like any live packet) for DURATION
# seconds. Every INTERVAL seconds it prints the daemon's resident memory (VmRSS from
# /proc/PID/status) and, from the telemetry command /tcpwintmt/stats (dpdk-telemetry.py),
# packets, flows in memory and flow lines written. At the end: RSS growth from the first
# sample on (the first interval holds start-up: pools, tables, file buffers), in %, and the
# exit status is 1 if it grew by more than MAX_GROWTH % (or if the daemon died), else 0.
#
# Usage: soak.sh [-d DURATION_S] [-i INTERVAL_S] [-g MAX_GROWTH_PCT] [-D DAEMON] [CAPTURE...]
#   defaults: 600 s, 60 s, 1 %, build/app/tcpwintmtd, and two real captures from
#   ../shared/pcaps/real (ftp-crack: 714 short FTP sessions; echo-connections: 500
#   connections), concatenated with mergecap -a when several are given.
# Needs: dpdk-telemetry.py (dpdk package), mergecap and capinfos (wireshark-common).
# Work files (merged capture, flow files, up to ~200 MB) go to $TMPDIR (default /tmp); a disk
# that fills up during the run makes the daemon hold records in memory (by design), which
# shows as RSS growth: the daemon's messages are printed at the end, and TMPDIR=/dev/shm
# keeps the soak independent of the disk.
# Cleans up (daemon, work directory) on exit, on Ctrl-C and on SIGTERM. Not run in CI.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
duration=600
interval=60
max_growth=1
daemon=$top/build/app/tcpwintmtd
while getopts "d:i:g:D:h" opt; do
	case $opt in
	d) duration=$OPTARG ;;
	i) interval=$OPTARG ;;
	g) max_growth=$OPTARG ;;
	D) daemon=$OPTARG ;;
	*) sed -n '2,/^set -u/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -eq 0 ]; then
	real=$top/../shared/pcaps/real
	set -- "$real/chrissanders+packets__ftp-crack.pcap" "$real/zeek+zeek__echo-connections.pcap"
fi
for f in "$@"; do
	[ -r "$f" ] || { echo "soak: cannot read capture $f" >&2; exit 2; }
done
[ -x "$daemon" ] || { echo "soak: no daemon at $daemon (build first)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tcpw-soak.XXXXXX")
prefix=tcpw-soak-$$
pid=
cleanup() {
	trap - EXIT INT TERM
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$work" "/var/run/dpdk/$prefix"
}
trap cleanup EXIT
trap 'echo "soak: interrupted" >&2; exit 130' INT TERM

if [ $# -gt 1 ]; then
	cap=$work/soak.pcap
	mergecap -a -F pcap -w "$cap" "$@" || exit 2
else
	cap=$1
fi
# infinite_rx copies the whole capture into mbufs first: the pool must hold it
pkts=$(capinfos -c -M "$cap" | awk '/Number of packets/ {print $NF}')
# the flow file grows by ~50k lines/s: rotate at 64 MB and keep one closed file, so the
# disk holds at most ~130 MB and rotation and retention run all along
printf 'capture = { mbufs = %d; };\noutput = { rotate_bytes = 67108864; keep_files = 1; };\n' \
	$((pkts + 16384)) > "$work/soak.conf"
eal="--lcores=(0-2)@(0,1) --no-huge -m 2048 --no-pci --file-prefix=$prefix"
dev="net_pcap0,rx_pcap=$cap,infinite_rx=1"
echo "command: $daemon $eal -- -c $work/soak.conf -i $dev -w $work/out"
echo "capture: $pkts packets ($*), for ${duration} s, a sample every ${interval} s"
"$daemon" $eal -- -c "$work/soak.conf" -i "$dev" -w "$work/out" \
	>"$work/report" 2>"$work/err" &
pid=$!

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null; }
stat_of() { # stat_of JSON NAME
	printf '%s' "$1" | sed -n "s/.*\"$2\": \([0-9]*\).*/\1/p"
}
telemetry() {
	printf '/tcpwintmt/stats\n' | timeout 20 dpdk-telemetry.py -f "$prefix" 2>/dev/null |
		grep -o '{"/tcpwintmt/stats".*}' | head -1
}

start=$(date +%s)
first_rss=
rss=
n=0
printf '%8s %10s %14s %12s %14s\n' "time_s" "rss_kb" "packets" "flows_mem" "lines_written"
while :; do
	sleep "$interval"
	kill -0 "$pid" 2>/dev/null || { echo "soak: the daemon exited early" >&2; cat "$work/err" >&2; exit 1; }
	rss=$(rss_kb)
	js=$(telemetry)
	n=$((n + 1))
	[ -z "$first_rss" ] && first_rss=$rss
	printf '%8d %10s %14s %12s %14s\n' $(($(date +%s) - start)) "$rss" \
		"$(stat_of "$js" packets)" "$(stat_of "$js" flows_in_memory)" \
		"$(stat_of "$js" flow_lines_written)"
	[ $(($(date +%s) - start + interval / 2)) -ge "$duration" ] && break
done

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
echo "daemon exit status: $rc"
if grep -q '^tcpwintmtd:' "$work/err"; then
	echo "daemon messages (first 5 of $(grep -c '^tcpwintmtd:' "$work/err")):"
	grep '^tcpwintmtd:' "$work/err" | head -5
fi
grep -E 'packets received:|in flow records:|flow lines written:|dropped' "$work/report"
growth=$(awk -v a="$first_rss" -v b="$rss" 'BEGIN { printf "%.3f", 100 * (b - a) / a }')
echo "RSS: ${first_rss} kB after the first interval, ${rss} kB at the end: growth ${growth} %" \
	"(limit ${max_growth} %)"
if [ "$rc" -ne 0 ] || awk -v g="$growth" -v m="$max_growth" 'BEGIN { exit !(g > m) }'; then
	echo "soak: FAIL"
	exit 1
fi
echo "soak: OK"
