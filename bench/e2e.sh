#!/bin/bash
# End to end: the daemon on a capture replayed by net_pcap with infinite_rx=1 (live mode, one
# RX lcore), beside a bare rte_eth_rx_burst + free loop on the same device in the same run
# (dpdk-testpmd --forward-mode=rxonly): the ceiling this machine's PMD allows. Both get the
# same EAL options, the same pool (one 2176-byte mbuf per frame of the capture, plus 16384)
# and are measured the same way: port 0's "ipackets" read twice over telemetry
# (/ethdev/stats,0, bench/rx_rate.py), SECONDS apart, after the capture is loaded and
# WARMUP seconds of receiving. Prints both rates, the ratio daemon/PMD, the daemon's own
# "packets received" (end report) and testpmd's exit "RX-packets" as cross-checks, and the
# exact commands. RUNS rounds (daemon then testpmd in each); then the best and the median.
# With RX=2, after each daemon run, what a cache line's round trip between CPUs 0 and 1
# costs just then (build/bench/bench_crosscore, 1 s): the two-lcore rate follows it.
#
# Usage: e2e.sh CAPTURE [SECONDS=10]
#   environment: RUNS (3), WARMUP (2 s), DAEMON (build/app/tcpwintmtd), RX (1: the daemon's
#   RX lcores; with 2, RX lcore 0 polls and hands every packet to RX lcore 1, as for any
#   port without RSS; testpmd gets the same lcores and forwards on one), LCORES (EAL's
#   --lcores map for both; default: the map the daemon picks itself without EAL arguments,
#   app/args.c, as build/bench/bench_lcores prints it: each RX lcore pinned, the first to
#   CPU 1, the next to CPU 2 or else 0, and so on; the main and timer lcores on the CPUs
#   left, or on all when none is:
#   (0-1)@(0),2@1 for one RX lcore on 2 CPUs, (0-1)@(0,1),2@1,3@0 for two. Left to float,
#   the one RX lcore shares its CPU with whatever the scheduler puts there: 41-50% of the
#   PMD against 50-55% pinned, doc/performance.md, tenth round), HUGE (0; 1: EAL memory on
#   2 MiB huge pages, as a deployment has it, instead of --no-huge's 4 KiB pages, for both;
#   needs a hugetlbfs mount and enough free huge pages, e.g. as root:
#   echo 2300 > /proc/sys/vm/nr_hugepages; mkdir -p /dev/hugepages;
#   mount -t hugetlbfs nodev /dev/hugepages)
# Memory: infinite_rx copies every frame of the capture into its own mbuf before the first
# packet is received, ~2.4 kB per frame, and EAL's -m must be twice that (3.3 M frames: 16 GB,
# resident); the script refuses to start when -m exceeds half of MemAvailable. 8 copies of
# echo-connections (bench/make_capture.sh OUT.pcap 8: 661 K frames) take -m 4.1 GB. Loading
# is not measured (3.3 M frames: ~50 s per process).
# Needs: dpdk-testpmd (dpdk package), python3, capinfos (wireshark-common).
# Cleans up (processes, work directory, the DPDK runtime directories of its --file-prefix)
# on exit, on Ctrl-C and on SIGTERM. Not run in CI.
set -u
case ${1:-} in
"" | -h | --help) sed -n '2,/^set -u/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
cap=$1
secs=${2:-10}
runs=${RUNS:-3}
warmup=${WARMUP:-2}
rx=${RX:-1}
top=$(cd "$(dirname "$0")/.." && pwd)
daemon=${DAEMON:-$top/build/app/tcpwintmtd}
crosscore=$top/build/bench/bench_crosscore
[ -r "$cap" ] || { echo "e2e: cannot read capture $cap" >&2; exit 2; }
[ -x "$daemon" ] || { echo "e2e: no daemon at $daemon (build first)" >&2; exit 2; }
command -v dpdk-testpmd >/dev/null || { echo "e2e: dpdk-testpmd (dpdk package) is needed" >&2; exit 2; }

pkts=$(capinfos -c -M "$cap" | awk '/Number of packets/ {print $NF}')
mbufs=$((pkts + 16384))
# pool element: 128-byte mbuf header + 2176-byte data room + 64 bytes of mempool header:
# ~2.4 kB per mbuf. EAL's -m must be about twice the pool (DPDK 22.11, --no-huge, measured
# with testpmd: 1 M mbufs fail at -m 3944 and fit in 8192; 700 K fit in 3944), plus 1 GB for
# EAL, rings and the daemon's other allocations. With --no-huge all of -m is resident from
# start-up (3.3 M frames: 13.5 GB RSS while loading), so the script refuses a capture whose
# -m exceeds half of MemAvailable: the machine is shared.
pool_mb=$((mbufs * 2432 / 1048576))
mem_mb=$((2 * pool_mb + 1024))
avail_mb=$(($(awk '/^MemAvailable:/ {print $2}' /proc/meminfo) / 1024))
if [ "${HUGE:-0}" = 1 ]; then
	# huge pages are reserved already: what matters is that -m of them are free
	free_mb=$(($(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo) * 2))
	if [ "$free_mb" -lt "$mem_mb" ] || ! grep -qs ' hugetlbfs ' /proc/mounts; then
		echo "e2e: HUGE=1 needs -m $mem_mb MB of free 2 MiB huge pages (free: $free_mb MB)" \
			"and a hugetlbfs mount: see the comment at the top of $0" >&2
		exit 2
	fi
	# --huge-unlink: the pages go back to the system when the process exits
	mem_opts="--huge-unlink -m $mem_mb"
elif [ $((mem_mb * 2)) -gt "$avail_mb" ]; then
	echo "e2e: $pkts frames need -m $mem_mb (MB, resident) with infinite_rx, more than half" \
		"of the $avail_mb MB available: use a smaller capture (bench/make_capture.sh OUT.pcap 8)" >&2
	exit 2
else
	mem_opts="--no-huge -m $mem_mb"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tcpw-e2e.XXXXXX")
prefixes=()
pid=
cleanup() {
	trap - EXIT INT TERM
	exec 3>&- 2>/dev/null
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$work"
	for p in "${prefixes[@]}"; do rm -rf "/var/run/dpdk/$p"; done
}
trap cleanup EXIT
trap 'echo "e2e: interrupted" >&2; exit 130' INT TERM

# the daemon's own map (app/args.c), so that testpmd gets it too
lcores=${LCORES:-$("$top/build/bench/bench_lcores" "$rx")} || exit 2
eal="--lcores=$lcores $mem_opts --no-pci"
dev="net_pcap0,rx_pcap=$cap,infinite_rx=1"
printf 'capture = { mbufs = %d; };\n' "$mbufs" > "$work/e2e.conf"

# stop PID: SIGTERM, then wait (the daemon writes every flow in memory first)
stop() {
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	pid=
}

# rate_of PREFIX: measure; sets mpps and rate_desc, or fails
rate_of() {
	local r
	r=$(python3 "$top/bench/rx_rate.py" "$1" "$secs" "$warmup" 600) || return 1
	mpps=$(awk '{printf "%.3f", ($2 - $1) / $3 / 1e6}' <<<"$r")
	rate_desc=$(awk '{print $2 - $1 " packets in " $3 " s"}' <<<"$r")
}

# daemon_run I: one measured run of the daemon; sets mpps
daemon_run() {
	local prefix=tcpw-e2e-d-$$-$1 got own
	prefixes+=("$prefix")
	rm -rf "$work/out"
	dcmd=("$daemon" $eal --file-prefix="$prefix" -- -c "$work/e2e.conf" -i "$dev" -w "$work/out")
	"${dcmd[@]}" >"$work/d.report" 2>"$work/d.err" &
	pid=$!
	rate_of "$prefix" || { stop; cat "$work/d.err" >&2; return 1; }
	stop
	[ "$rc" -eq 0 ] || { echo "e2e: daemon exit status $rc" >&2; cat "$work/d.err" >&2; }
	got=$(awk '/^ *packets received:/ {print $3}' "$work/d.report")
	own=$(awk '/packets\/s:/ {printf "%.3f", $NF / 1e6}' "$work/d.report")
	echo "  tcpwintmtd: $mpps Mpps ($rate_desc); end report: ${got:-?} packets received," \
		"${own:-?} Mpps over its whole dump"
	rm -rf "/var/run/dpdk/$prefix"
	# with a poller and a worker the rate follows what a line costs between their CPUs,
	# which a VM's host can change by several times from one minute to the next
	if [ "$rx" -ge 2 ] && [ -x "$crosscore" ]; then
		echo "  just after: a cache line's round trip between CPUs 0 and 1" \
			"$("$crosscore" 1 | awk '/^second 1:/ {print $3}') ns (bench_crosscore)"
	fi
}

# pmd_run I: one measured run of testpmd rxonly; sets mpps. testpmd without -i runs
# until its standard input reaches end of file ("Press enter to exit"): stdin is a fifo held
# open on fd 3 and closed to stop it, so it prints its exit statistics. (Run with stdin at
# /dev/null, as before, it read EOF at once and exited after a few bursts: the 96 packets.)
pmd_run() {
	local prefix=tcpw-e2e-p-$$-$1 tot
	prefixes+=("$prefix")
	rm -f "$work/pmd.in"
	mkfifo "$work/pmd.in"
	pcmd=(dpdk-testpmd $eal --file-prefix="$prefix" --vdev "$dev" -- --forward-mode=rxonly
		--auto-start --no-mlockall --total-num-mbufs="$mbufs" --mbuf-size=2176)
	"${pcmd[@]}" <"$work/pmd.in" >"$work/p.out" 2>&1 &
	pid=$!
	exec 3>"$work/pmd.in"
	rate_of "$prefix" || { exec 3>&-; stop; tail -20 "$work/p.out" >&2; return 1; }
	exec 3>&-
	wait "$pid"
	pid=
	tot=$(awk '/RX-packets:/ {n = $2} END {print n + 0}' "$work/p.out")
	echo "  testpmd:    $mpps Mpps ($rate_desc); at exit: RX-packets $tot"
	rm -rf "/var/run/dpdk/$prefix"
}

echo "capture: $cap ($pkts packets, $(stat -c %s "$cap") bytes); pool $mbufs mbufs, -m $mem_mb"
echo "measure: port 0 ipackets over telemetry, $secs s after the first packet + $warmup s; $runs runs"
d_all=()
p_all=()
r_all=()
for i in $(seq "$runs"); do
	echo "run $i:"
	daemon_run "$i" || exit 1
	d=$mpps
	pmd_run "$i" || exit 1
	p=$mpps
	r=$(awk -v d="$d" -v p="$p" 'BEGIN {printf "%.1f", 100 * d / p}')
	echo "  ratio daemon/PMD: $r %"
	d_all+=("$d"); p_all+=("$p"); r_all+=("$r")
done
echo "command: $(printf '%q ' "${dcmd[@]}")" | sed "s/tcpw-e2e-d-$$-[0-9]*/PREFIX/; s#$work#WORK#g"
echo "command: $(printf '%q ' "${pcmd[@]}")<FIFO (closed to stop)" | sed "s/tcpw-e2e-p-$$-[0-9]*/PREFIX/; s#$work#WORK#g"
echo "  (WORK/e2e.conf: $(cat "$work/e2e.conf"))"
# best_median VALUES...: "best B, median M"
best_median() {
	printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "best %s, median %s", v[NR], m }'
}
echo "tcpwintmtd:        $(best_median "${d_all[@]}") Mpps   (runs: ${d_all[*]})"
echo "bare PMD (rxonly): $(best_median "${p_all[@]}") Mpps   (runs: ${p_all[*]})"
echo "daemon/PMD:        $(best_median "${r_all[@]}") %   (per run, same round)"
