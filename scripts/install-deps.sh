#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install everything tcpwintmtd needs to build, run and test on Debian 12 (as root).
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
	gcc meson ninja-build pkg-config \
	dpdk libdpdk-dev libconfig-dev libsystemd-dev libcmocka-dev libpcap-dev zlib1g-dev \
	python3 python3-scapy tcpreplay iproute2
