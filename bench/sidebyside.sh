#!/bin/sh
# The same capture through whole processes: tcpwintmtd -r, softflowd -r, nfpcapd -r and
# argus -r (Debian packages softflowd, nfdump, argus-server, argus-client). Prints wall time,
# CPU time (user + system), packets per CPU-second, each tool's flow count and the ratios
# to tcpwintmtd. Usage: sidebyside.sh CAPTURE [DAEMON]
set -eu
cap=$1
top=$(cd "$(dirname "$0")/.." && pwd)
daemon=${2:-$top/build/app/tcpwintmtd}
pkts=$(capinfos -c -M "$cap" | awk '/Number of packets/ {print $NF}')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run NAME CMD...: sets wall, cpu
run() {
	name=$1; shift
	# setsid: softflowd signals its whole process group when it reaches the end of the file
	setsid -w timeout 300 /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" \
		</dev/null >"$work/$name.out" 2>"$work/$name.err" || true
	read -r wall user sys < "$work/time"
	cpu=$(echo "$user + $sys" | bc -l)
}

printf '%-12s %10s %10s %14s %10s  %s\n' tool wall_s cpu_s pkts_per_cpu_s flows command
report() {
	pps=$(echo "$pkts / ($cpu + 0.001)" | bc -l)
	printf '%-12s %10.2f %10.2f %14.0f %10s  %s\n' "$1" "$wall" "$cpu" "$pps" "$2" "$3"
	eval "pps_$1=$pps"
}

mkdir -p "$work/t2"
run tcpwintmtd "$daemon" -r "$cap" -w "$work/t2"
flows=$(grep -vc '^%' "$work"/t2/*_flows.txt)
report tcpwintmtd "$flows" "$daemon -r CAPTURE -w DIR"

run softflowd softflowd -r "$cap" -d -n 127.0.0.1:9 -v 9 -T full -6 -m 1000000 -p "$work/sf.pid" -c "$work/sf.ctl"
flows=$(awk '/Flows expired:/ {print $3}' "$work/softflowd.out" "$work/softflowd.err" | head -1)
report softflowd "${flows:-?}" "softflowd -r CAPTURE -d -n 127.0.0.1:9 -v 9 -T full -6"

mkdir -p "$work/nf"
run nfpcapd nfpcapd -r "$cap" -w "$work/nf"
flows=$(nfdump -R "$work/nf" -q -o csv 2>/dev/null | grep -c . || echo "?")
report nfpcapd "$flows" "nfpcapd -r CAPTURE -w DIR"

run argus argus -r "$cap" -w "$work/out.argus"
flows=$(ra -r "$work/out.argus" -n -N 1000000000 2>/dev/null | grep -c . || echo "?")
report argus "$flows" "argus -r CAPTURE -w FILE"

echo "capture: $cap ($pkts packets)"
for t in softflowd nfpcapd argus; do
	eval "p=\$pps_$t"
	printf 'tcpwintmtd / %-10s packets per CPU-second: %.2fx\n' "$t" "$(echo "$pps_tcpwintmtd / $p" | bc -l)"
done
