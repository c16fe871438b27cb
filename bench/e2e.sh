#!/bin/sh
# End to end: the daemon on a capture replayed by net_pcap with infinite_rx=1 for SECONDS
# (one RX lcore, live mode), beside a bare rte_eth_rx_burst + free loop on the same device
# (dpdk-testpmd in rxonly mode): the ceiling this machine's PMD allows. Prints both rates
# and their ratio. Usage: e2e.sh CAPTURE [SECONDS] [DAEMON]
set -eu
cap=$1
secs=${2:-10}
top=$(cd "$(dirname "$0")/.." && pwd)
daemon=${3:-$top/build/app/tcpwintmtd}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
eal="--lcores=(0-2)@(0,1) --no-huge -m 2048 --no-pci"
# infinite_rx loads the whole capture into mbufs first: the pool must hold it
pkts=$(capinfos -c -M "$cap" | awk '/Number of packets/ {print $NF}')
printf 'capture = { mbufs = %d; };\n' $((pkts + 16384)) > "$work/e2e.conf"

"$daemon" $eal --file-prefix=bench-e2e-$$ -- -c "$work/e2e.conf" -i "net_pcap0,rx_pcap=$cap,infinite_rx=1" \
	-w "$work" >"$work/report" 2>"$work/err" &
pid=$!
sleep "$secs"
kill -TERM $pid
wait $pid || true
got=$(awk '/packets received:/ {print $3}' "$work/report")
daemon_pps=$(echo "$got / $secs" | bc -l)

timeout -s INT "$secs" dpdk-testpmd -l 0,1 --no-huge -m 2048 --no-pci \
	--file-prefix=bench-pmd-$$ --vdev "net_pcap0,rx_pcap=$cap,infinite_rx=1" -- \
	--forward-mode=rxonly --auto-start --no-mlockall --total-num-mbufs=$((pkts + 16384)) \
	>"$work/pmd" 2>&1 || true
pmd=$(awk '/RX-packets:/ {n=$2} END {print n+0}' "$work/pmd")
pmd_pps=$(echo "$pmd / $secs" | bc -l)

echo "command: $daemon $eal -- -i net_pcap0,rx_pcap=$cap,infinite_rx=1 -w DIR (for ${secs} s)"
echo "command: dpdk-testpmd -l 0,1 --no-huge -m 1024 --no-pci --vdev net_pcap0,rx_pcap=$cap,infinite_rx=1 -- --forward-mode=rxonly --auto-start (for ${secs} s)"
printf 'tcpwintmtd: %.2f Mpps (%s packets)\n' "$(echo "$daemon_pps / 1000000" | bc -l)" "$got"
printf 'bare PMD:   %.2f Mpps (%s packets)\n' "$(echo "$pmd_pps / 1000000" | bc -l)" "$pmd"
printf 'ratio:      %.0f%% of the PMD ceiling\n' "$(echo "100 * $daemon_pps / ($pmd_pps + 1)" | bc -l)"
