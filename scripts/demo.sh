#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The main job on the embedded default: install, build, replay the bundled capture
# (tests/data/demo.pcap) through DPDK's net_pcap device, write the flow and packet files
# to out/demo and print the end report.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
[ -d build ] || meson setup build
ninja -C build
./build/app/tcpwintmtd -r tests/data/demo.pcap -w out/demo -s
echo
echo "Flow file:   out/demo/demo_flows.txt"
echo "Packet file: out/demo/demo_packets.txt"
