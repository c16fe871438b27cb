#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install everything tcpwintmtd needs to build, run and test on Debian 12 (as root).
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# dpdk-dev: dpdk-telemetry.py (the live tests read the daemon's counters with it) and
# dpdk-testpmd; Debian 12's dpdk package (22.11.7 and 22.11.11) holds neither.
# clang + libclang-rt-14-dev (libclang_rt.fuzzer-x86_64.a, libFuzzer) + llvm (llvm-symbolizer):
# the fuzz targets (scripts/fuzz.sh); Debian 12's libfuzzer-14-dev is not needed.
apt-get install -y -q --no-install-recommends \
	gcc meson ninja-build pkg-config \
	dpdk dpdk-dev libdpdk-dev libconfig-dev libsystemd-dev libcmocka-dev libpcap-dev zlib1g-dev \
	python3 python3-scapy tcpreplay iproute2 systemd man-db \
	clang libclang-rt-14-dev llvm
# The Dockerfile linter (CI lints the Dockerfile; there is no Docker engine here).
if command -v npm >/dev/null 2>&1 && ! command -v dockerfilelint >/dev/null 2>&1; then
	npm install -g --no-fund --no-audit dockerfilelint@1.8.0 >/dev/null 2>&1 ||
		echo "warning: could not install dockerfilelint; lint.dockerfile will use npx"
fi
