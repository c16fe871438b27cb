#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# bench_pipeline's three ways of giving the engine its frames (written into the burst's
# buffers, pointed at in the array, picked cold from it) carry the same traffic, so their
# figures compare: the same records and the same peak of pairs in memory, with new flows
# replacing old ones many times over (10% of the packets).
# Usage: pipeline_modes.sh BENCH_PIPELINE
set -eu
bench=$1
figures() {
	"$bench" "$@" | sed -n 's/.* \([0-9]*\) records, peak \([0-9]*\) pairs in memory.*/\1 records, peak \2/p'
}
for flows in 300 5000; do
	written=$(figures "$flows" 300000 100 written)
	array=$(figures "$flows" 300000 100 array)
	cold=$(figures "$flows" 300000 100 cold)
	if [ -z "$written" ] || [ "$written" != "$array" ] || [ "$written" != "$cold" ]; then
		echo "FAIL: $flows flows: written '$written', array '$array', cold '$cold'" >&2
		exit 1
	fi
	echo "$flows flows: $written in each mode"
done
