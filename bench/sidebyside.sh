#!/bin/bash
# The same capture through whole processes, each reading the file itself: tcpwintmtd -R (in
# place) and -r (through net_pcap), softflowd -r, nfpcapd -r (nfdump) and argus -r. For each:
# wall time and CPU time (user + system, from /usr/bin/time, children included), packets per
# CPU-second, its ratio to tcpwintmtd -R's, and the flows the tool wrote (read back from its
# own output). RUNS runs per
# tool (interleaved: a round is one run of each tool); the table shows the best and the
# median of each column; flow counts come from the last round (they do not vary).
#
# Usage: sidebyside.sh CAPTURE
#   environment: RUNS (3), DAEMON (build/app/tcpwintmtd)
# Needs (not test dependencies):
#   apt-get install softflowd nfdump argus-server argus-client wireshark-common bc time
# Flow counts do not mean the same thing for every tool (see bench/README.md): tcpwintmtd
# writes a line per direction (A and B of one pair) with tcpWinTMT's short TCP timeouts
# (1 s established, 1 ms after FIN/RST); softflowd counts bidirectional flows (and exports
# each as two NetFlow v9 records) with 1-hour TCP timeouts; nfpcapd counts unidirectional
# flows with 300 s active / 60 s inactive timeouts; argus writes bidirectional records
# every 5 s of activity (its status interval) and per connection.
# Cleans up (work directory, processes, the daemon's DPDK runtime directory) on exit, on
# Ctrl-C and on SIGTERM; each tool is stopped after 600 s. Not run in CI.
set -u
case ${1:-} in
"" | -h | --help) sed -n '2,/^set -u/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
cap=$1
runs=${RUNS:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
daemon=${DAEMON:-$top/build/app/tcpwintmtd}
[ -r "$cap" ] || { echo "sidebyside: cannot read capture $cap" >&2; exit 2; }
[ -x "$daemon" ] || { echo "sidebyside: no daemon at $daemon (build first)" >&2; exit 2; }
for t in softflowd nfpcapd nfdump argus ra capinfos bc /usr/bin/time; do
	command -v "$t" >/dev/null || {
		echo "sidebyside: $t is missing: apt-get install softflowd nfdump argus-server" \
			"argus-client wireshark-common bc time" >&2
		exit 2
	}
done
pkts=$(capinfos -c -M "$cap" | awk '/Number of packets/ {print $NF}')
work=$(mktemp -d "${TMPDIR:-/tmp}/tcpw-sbs.XXXXXX")
cleanup() {
	trap - EXIT INT TERM
	# the tool runs in its own session (setsid): end that process group if it is still there
	if [ -s "$work/pid" ]; then
		kill -TERM -- "-$(cat "$work/pid")" 2>/dev/null
		sleep 0.5
		kill -KILL -- "-$(cat "$work/pid")" 2>/dev/null
	fi
	# the daemon's default --file-prefix is tcpwintmtd-PID: DPDK leaves that directory behind
	for p in "$work"/daemon.pid.*; do
		[ -s "$p" ] && rm -rf "/var/run/dpdk/tcpwintmtd-$(cat "$p")"
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "sidebyside: interrupted" >&2; exit 130' INT TERM

# run NAME ROUND CMD...: runs CMD in a new session (softflowd and argus install their own
# signal handlers; a session keeps them off our terminal and lets cleanup end the whole
# group), stdin from /dev/null, 600 s at most. Appends "wall cpu" to $work/NAME.times.
run() {
	local name=$1 round=$2 wall user sys rc
	shift 2
	setsid -w sh -c 'echo $$ > "$0"; t=$1; shift; exec timeout -s KILL 600 /usr/bin/time -f "%e %U %S" -o "$t" "$@"' \
		"$work/pid" "$work/time" "$@" </dev/null >"$work/$name.out" 2>"$work/$name.err"
	rc=$?
	: > "$work/pid"
	if [ "$rc" -ne 0 ]; then
		echo "sidebyside: $name (round $round) exited with status $rc:" >&2
		tail -5 "$work/$name.err" >&2
	fi
	read -r wall user sys < <(tail -1 "$work/time")
	echo "$wall $(echo "$user + $sys" | bc -l)" >> "$work/$name.times"
}

# daemon NAME ROUND MODE: the daemon reading the capture with -r (net_pcap) or -R (in place)
daemon() {
	rm -rf "$work/$1.d"
	# sh -c records the daemon's PID (it execs the daemon) for its runtime directory
	run "$1" "$2" sh -c 'echo $$ > "$0"; exec "$@"' "$work/daemon.pid.$1.$2" \
		"$daemon" "$3" "$cap" -w "$work/$1.d"
}
daemon_flows() {
	local lines pairs
	lines=$(cat "$work/$1.d"/*_flows.txt | grep -vc '^%')
	pairs=$(awk '/Number of processed A +flows:/ {print $6}' "$work/$1.out")
	echo "$lines lines (directions); ${pairs:-?} A flows (pairs)"
}
tcpw_R_run() { daemon tcpw_R "$1" -R; }
tcpw_R_flows() { daemon_flows tcpw_R; }
tcpw_R_cmd="$daemon -R CAPTURE -w DIR"
tcpw_r_run() { daemon tcpw_r "$1" -r; }
tcpw_r_flows() { daemon_flows tcpw_r; }
tcpw_r_cmd="$daemon -r CAPTURE -w DIR"

softflowd_run() {
	# -r: read the file, expire everything at its end, print statistics, exit. -d: stay in
	# the foreground. -n is required: NetFlow v9 datagrams go to the discard port.
	# -c none: softflowd 1.1.0 with a control socket (the default /var/run/softflowd.ctl or
	# -c FILE) can block in accept(2) on it before reading a packet (strace), forever: that
	# was the hang, seen with and without setsid, timeout or /usr/bin/time around it.
	run softflowd "$1" softflowd -r "$cap" -d -n 127.0.0.1:9 -v 9 -T full -6 -m 1000000 \
		-p "$work/sf.pid" -c none
}
softflowd_flows() {
	awk '/^Flows exported:/ {gsub(/\(/, "", $4); print $3 " bidirectional (" $4 " v9 records)"}' \
		"$work/softflowd.out"
}
softflowd_cmd="softflowd -r CAPTURE -d -n 127.0.0.1:9 -v 9 -T full -6 -m 1000000 -p FILE -c none"

nfpcapd_run() {
	rm -rf "$work/nf"
	mkdir -p "$work/nf"
	run nfpcapd "$1" nfpcapd -r "$cap" -w "$work/nf"
}
nfpcapd_flows() {
	local n
	n=$(nfdump -R "$work/nf" -I 2>/dev/null | awk '/^Flows:/ {print $2}')
	echo "${n:-?} unidirectional"
}
nfpcapd_cmd="nfpcapd -r CAPTURE -w DIR; nfdump -R DIR -I"

argus_run() {
	rm -f "$work/out.argus"
	run argus "$1" argus -r "$cap" -w "$work/out.argus"
}
argus_flows() {
	local n
	n=$(ra -r "$work/out.argus" -n -L-1 -s stime 2>/dev/null | grep -c .)
	echo "${n:-?} bidirectional records"
}
argus_cmd="argus -r CAPTURE -w FILE; ra -r FILE -n -L-1 -s stime | wc -l"

tools="tcpw_R tcpw_r softflowd nfpcapd argus"
echo "capture: $cap ($pkts packets, $(stat -c %s "$cap") bytes); $runs rounds"
for i in $(seq "$runs"); do
	for t in $tools; do "${t}_run" "$i"; done
	echo "round $i: $(for t in $tools; do printf '%s %s s CPU; ' "$t" "$(tail -1 "$work/$t.times" | cut -d' ' -f2)"; done)"
done

# best_median FILE COLUMN: "best median" (best = smallest)
best_median() {
	awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{v[NR] = $1} END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print v[1], m }'
}
read -r _ ref_cpu_med < <(best_median "$work/tcpw_R.times" 2)
read -r ref_cpu_best _ < <(best_median "$work/tcpw_R.times" 2)
printf '\n%-11s %15s %15s %21s %15s  %s\n' tool "wall s" "CPU s" "packets/CPU-s" \
	"ratio to tcpw" "flows"
printf '%-11s %15s %15s %21s %15s\n' "" "best median" "best median" "best median" "best median"
for t in $tools; do
	read -r wb wm < <(best_median "$work/$t.times" 1)
	read -r cb cm < <(best_median "$work/$t.times" 2)
	awk -v t="$t" -v wb="$wb" -v wm="$wm" -v cb="$cb" -v cm="$cm" -v p="$pkts" \
		-v rb="$ref_cpu_best" -v rm="$ref_cpu_med" -v f="$("${t}_flows")" 'BEGIN {
		if (cb < 0.01) cb = 0.01; if (cm < 0.01) cm = 0.01
		printf "%-11s %7.2f %7.2f %7.2f %7.2f %10.0f %10.0f %7.2fx %7.2fx  %s\n",
			t, wb, wm, cb, cm, p / cb, p / cm, (p / rb) / (p / cb), (p / rm) / (p / cm), f }'
done
echo "(tcpw_R: tcpwintmtd -R, the file read in place; tcpw_r: tcpwintmtd -r, through net_pcap)"
echo "(ratio to tcpw: tcpwintmtd -R's packets per CPU-second divided by the tool's; > 1: tcpwintmtd is cheaper)"
for t in $tools; do
	v=${t}_cmd
	echo "command: ${!v}" | sed "s#CAPTURE#$cap#"
done
echo "commands run under: setsid sh -c 'exec timeout -s KILL 600 /usr/bin/time -f \"%e %U %S\" CMD' </dev/null"
