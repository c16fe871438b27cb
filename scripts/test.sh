#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install, build and run the whole test suite:
#   1. release-like build (warnings are errors): everything but the malformed captures
#      (unit, lint, the fuzz regression inputs, integration; the real captures against
#      Tranalyzer's output when ../shared is present);
#   2. ASan+UBSan build (warnings are errors, no recovery from a report): every test,
#      the malformed captures included;
#   3. a bounded fuzz run (scripts/fuzz.sh 60: the engine target 60 s, the parser and the
#      config loader 30 s each beside it; clang, libFuzzer): any finding fails.
# Tests that need ../shared say SKIP with their name where it is absent.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
[ -d build ] || meson setup build -Dwerror=true
ninja -C build
meson test -C build --print-errorlogs --no-suite malformed
[ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined \
	-Db_lundef=false -Dc_args=-fno-sanitize-recover=all -Dwerror=true
ninja -C build-asan
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
	meson test -C build-asan --print-errorlogs
./scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
