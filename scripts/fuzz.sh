#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build the libFuzzer targets of tests/fuzz and run them for a while (doc/fuzzing.md).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      (default: 60 s; engine parse conf)
#
# The engine target runs for SECONDS in FUZZ_JOBS processes (default 1) while the others run
# one after the other beside it, SECONDS/2 each (at least 10 s): on two CPUs the whole run
# takes about SECONDS. Everything lives in build-fuzz/ (CC=clang, -Dfuzz=true, ASan+UBSan):
# the growing corpus (fuzz/corpus/TARGET, shared by every run), and per run (fuzz/run.PID)
# the logs, the artifacts and the seeds (scripts/fuzz-seeds.py: the captures of
# ../shared/pcaps when present, else tests/data/demo.pcap; the config files of the tree;
# removed after the run). Runs at the same time do not disturb each other. Prints, per target, the executions, exec/s, coverage (cov/ft as libFuzzer counts
# them) and the command run. A crash, leak, timeout or broken invariant: exit 1 and the path
# of the reproducing input (replay it with build-fuzz/tests/fuzz/fuzz_TARGET FILE).
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-engine parse conf}
jobs=${FUZZ_JOBS:-1}
build=build-fuzz
work=$build/fuzz
run=$work/run.$$
half=$((secs / 2 < 10 ? 10 : secs / 2))

if [ ! -d $build ]; then
	CC=clang meson setup $build -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=all -Dwerror=true >$build.setup.log 2>&1 ||
		{ cat $build.setup.log; exit 1; }
	rm -f $build.setup.log
fi
for t in $targets; do
	# quiet when it builds, the compiler's words when it does not (set -e alone exits
	# without a message)
	ninja -C $build tests/fuzz/fuzz_$t >$build.ninja.log 2>&1 ||
		{ cat $build.ninja.log; echo "fuzz: building fuzz_$t failed" >&2; exit 1; }
done
rm -f $build.ninja.log

pcaps=tests/data/demo.pcap
[ -d ../shared/pcaps ] && pcaps="../shared/pcaps/real ../shared/pcaps/malformed"
mkdir -p $run/logs
trap 'rm -rf $run/seeds' EXIT
# shellcheck disable=SC2086 # word splitting of $pcaps is intended
/usr/bin/python3 scripts/fuzz-seeds.py $run/seeds --conf tests/data/conf \
	--conf conf/tcpwintmt.conf $pcaps

# max_len: an engine input of 4 KiB holds dozens of packets (FUZZ_MAX_LEN changes it: 1 KiB
# still holds 15 or so and runs several times faster); a frame of 2 KiB covers every header
# stack; a config of 8 KiB is longer than the annotated one.
max_len() {
	case $1 in engine) echo "${FUZZ_MAX_LEN:-4096}" ;; parse) echo 2049 ;; *) echo 8192 ;; esac
}
# libconfig's own leak (tests/fuzz/lsan.supp); a smaller quarantine touches fewer new pages
export LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0
export ASAN_OPTIONS=quarantine_size_mb=32
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# fuzz TARGET SECONDS JOB: one libFuzzer process, its output in $run/logs/TARGET.JOB.log
fuzz() {
	mkdir -p "$work/corpus/$1" "$run/artifacts/$1"
	cmd="$build/tests/fuzz/fuzz_$1 -max_total_time=$2 -max_len=$(max_len "$1") -timeout=10
-print_final_stats=1 -artifact_prefix=$run/artifacts/$1/ $work/corpus/$1 $run/seeds/$1"
	cmd=$(echo "$cmd" | tr '\n' ' ')
	echo "$cmd" >"$run/logs/$1.$3.cmd"
	# shellcheck disable=SC2086 # $cmd is a word list
	$cmd >"$run/logs/$1.$3.log" 2>&1
}

pids=
others=
for t in $targets; do
	if [ "$t" = engine ]; then
		for j in $(seq 1 "$jobs"); do
			fuzz engine "$secs" "$j" &
			pids="$pids $!"
		done
	else
		others="$others $t"
	fi
done
status=0
for t in $others; do
	fuzz "$t" "$half" 1 || status=1
done
for p in $pids; do
	wait "$p" || status=1
done

# Per target: executions and exec/s summed over its processes, the highest cov/ft reached.
for t in $targets; do
	execs=0 rate=0 cov=0 ft=0
	for log in "$run"/logs/"$t".*.log; do
		e=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		r=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
		c=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
		execs=$((execs + ${e:-0}))
		rate=$((rate + ${r:-0}))
		set -- $c
		[ "${2:-0}" -gt $cov ] && cov=$2
		[ "${4:-0}" -gt $ft ] && ft=$4
		grep -h 'Test unit written to' "$log" | sed "s/^/$t: /" || true
		grep -h 'invariant failed\|ERROR: \(Address\|Leak\|libFuzzer\)\|runtime error' "$log" |
			head -3 | sed "s/^/$t: /" || true
	done
	n=$(ls "$run"/logs/"$t".*.log | wc -l)
	echo "fuzz_$t: $execs executions, $rate exec/s, cov $cov ft $ft ($n process(es))"
	sed "s/^/  command: /" "$run"/logs/"$t".1.cmd
done
# any file under artifacts/ is a reproducer (ls -A of several empty directories is not empty)
if [ $status -ne 0 ] || [ -n "$(find "$run/artifacts" -type f)" ]; then
	echo "FUZZ FAILED: reproducers in $run/artifacts/; logs in $run/logs/"
	exit 1
fi
