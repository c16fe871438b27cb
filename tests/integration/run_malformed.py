#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run tcpwintmtd (built with ASan+UBSan) on every capture of ../shared/pcaps/malformed.

Each run must end by itself within TIMEOUT_S, with no sanitizer report, and either:
  * exit 0, or 3 for a capture libpcap reports as damaged or cut short (the packets before
    the damage are processed), with every packet received accounted for exactly once
    (flow records + named counters == received, checked on the end report and flow file); or
  * exit 1 with a message naming the file, for a file libpcap cannot open at all, an
    empty one, or a pcapng whose interfaces have different link types.
Usage: run_malformed.py DAEMON OUTDIR [SHARED]. Exits 77 (skipped) without ../shared.
"""
import concurrent.futures
import os
import shutil
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import accounting  # noqa: E402

TIMEOUT_S = 60
SANITIZER = re.compile(r"AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|LeakSanitizer")


def check(daemon, pcap, outdir):
    name = os.path.basename(pcap)
    out = os.path.join(outdir, name)
    os.makedirs(out, exist_ok=True)
    try:
        p = subprocess.run([daemon, "-r", pcap, "-w", out], capture_output=True, text=True,
                           errors="replace", timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return name, "hung (no exit within %d s)" % TIMEOUT_S
    if SANITIZER.search(p.stderr):
        return name, "sanitizer report:\n" + p.stderr[-2000:]
    if p.returncode == 1:
        if any(m in p.stderr for m in ("capture file libpcap can read", "cannot read capture",
                                       "is empty (0 bytes)",
                                       "pcapng interfaces of different link types")):
            return name, None
        return name, "exit 1: " + p.stderr.strip()[-500:]
    if p.returncode not in (0, 3):
        return name, "exit %d: %s" % (p.returncode, p.stderr.strip()[-500:])
    if p.returncode == 3 and "damaged or cut short" not in p.stderr:
        return name, "exit 3 without a message"
    flows = [f for f in os.listdir(out) if f.endswith("_flows.txt")]
    return name, accounting.problem(p.stdout, os.path.join(out, flows[0]))


def main():
    daemon, outdir = sys.argv[1], sys.argv[2]
    shutil.rmtree(outdir, ignore_errors=True)  # a run starts from nothing
    shared = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared")
    mal = os.path.join(shared, "pcaps", "malformed")
    if not os.path.isdir(mal):
        print("SKIP: integration.malformed_captures: %s not found (needs ../shared)" % mal)
        return 77
    files = sorted(os.path.join(mal, f) for f in os.listdir(mal) if not f.endswith(".csv"))
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as ex:
        for name, problem in ex.map(lambda f: check(daemon, f, outdir), files):
            if problem:
                failed += 1
                print("FAIL %s: %s" % (name, problem))
    print("%d passed, %d failed" % (len(files) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
