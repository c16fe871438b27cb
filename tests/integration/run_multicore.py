#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The same capture gives the same flow records with 1, 2 and 4 RX lcores.

For every capture in ../shared/pcaps/real, the daemon runs with rx.cores = 1, 2 and 4 (on
this machine's CPUs, oversubscribed); the records with 2 and 4 lcores must equal those with
1: the same records, all columns but the flow index, and the same grouping into flow pairs.
Packet accounting must hold in every run.

Captures whose time goes backwards are included: the software distributor steps every
lcore to the latest time seen before a packet that goes back (lcore_rx.c, spread_clock), so
each lcore sweeps at the times Tranalyzer would.
Usage: run_multicore.py DAEMON OUTDIR [SHARED]. Exits 77 (skipped) without ../shared.
"""
import collections
import csv
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import accounting  # noqa: E402
import t2compare  # noqa: E402

CORES = (1, 2, 4)


def records(path):
    """Multiset of records (every column but flowInd) and of flow pairs."""
    rows = t2compare.load(path)
    recs = collections.Counter()
    pairs = collections.defaultdict(list)
    for r in rows:
        key = tuple(v for k, v in sorted(r.items()) if k != "flowInd")
        recs[key] += 1
        pairs[r["flowInd"]].append(key)
    return recs, collections.Counter(tuple(sorted(p)) for p in pairs.values())


def run(daemon, pcap, outdir, cores):
    out = os.path.join(outdir, "rx%d" % cores)
    os.makedirs(out, exist_ok=True)
    conf = os.path.join(out, "rx.conf")
    with open(conf, "w") as f:
        f.write("rx = { cores = %d; };\n" % cores)
    p = subprocess.run([daemon, "-c", conf, "-r", pcap, "-w", out], capture_output=True,
                       text=True, timeout=300)
    flows = os.path.join(out, os.path.splitext(os.path.basename(pcap))[0] + "_flows.txt")
    problem = None
    if p.returncode not in (0, 3):
        problem = "exit %d with %d lcores: %s" % (p.returncode, cores, p.stderr[-300:])
    else:
        problem = accounting.problem(p.stdout, flows)
    return flows, problem


def main():
    daemon, outdir = sys.argv[1], sys.argv[2]
    shutil.rmtree(outdir, ignore_errors=True)  # a run starts from nothing
    shared = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared")
    real = os.path.join(shared, "pcaps", "real")
    if not os.path.isdir(real):
        print("SKIP: integration.multicore: %s not found (needs ../shared)" % real)
        return 77
    truth = {r["file"]: r for r in csv.DictReader(open(os.path.join(real,
                                                                     "ground_truth.csv")))}
    passed = failed = 0
    for name in sorted(truth):
        problems, base = [], None
        for cores in CORES:
            flows, problem = run(daemon, os.path.join(real, name), outdir, cores)
            if problem:
                problems.append(problem)
                continue
            got = records(flows)
            if base is None:
                base = got
            elif got != base:
                problems.append("records with %d lcores differ from 1 lcore: %d of %d "
                                "records" % (cores, sum((got[0] - base[0]).values()),
                                             sum(base[0].values())))
        if problems:
            failed += 1
            print("FAIL %s\n  %s" % (name, "\n  ".join(problems)))
        else:
            passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
