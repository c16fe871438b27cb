#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Overload: a 64-pair table fed far more concurrent flows than it holds.

The capture (made here with scapy) has two phases:
  A. 300 UDP request/reply pairs, one every 0.2 s for 60 s: with a 182 s UDP timeout they
     would all stay, so the table passes its high-water mark and the emergency timeout (5 s)
     ends the idle ones;
  B. 40 s later, 100 lone flows within 0.1 s: nothing is 5 s idle among them, the emergency
     timeout ends what is left of phase A, then the autopilot makes room.
Checked, with the overload policy on and off: every packet is in a record or a named counter,
every flow is written exactly once, the autopilot count equals the flow lines that carry the
autopilot bit, the emergency count is what the report and telemetry name, and no more than the
table is ever in memory.

Usage: run_overload.py DAEMON OUTDIR
"""
import csv
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import accounting  # noqa: E402

PAIRS = 64
A_FLOWS, B_FLOWS = 300, 100
HFULL = 0x0000040000000000


def make_capture(path):
    from scapy.all import Ether, IP, UDP, wrpcap  # /usr/bin/python3 has scapy

    pkts = []
    t0 = 1700000000.0

    def udp(t, src, sport, dst, dport):
        p = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / \
            IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / b"x"
        p.time = t
        return p

    for i in range(A_FLOWS):
        t = t0 + i * 0.2
        cli = "10.7.%d.%d" % (i // 250, 1 + i % 250)
        pkts.append(udp(t, cli, 40000, "10.9.0.1", 53))
        pkts.append(udp(t + 0.25, "10.9.0.1", 53, cli, 40000))
        pkts.append(udp(t + 0.5, cli, 40000, "10.9.0.1", 53))
    for i in range(B_FLOWS):
        pkts.append(udp(t0 + 100 + i * 0.001, "10.8.0.%d" % (1 + i), 41000, "10.9.0.2", 53))
    pkts.sort(key=lambda p: p.time)
    wrpcap(path, pkts)
    return len(pkts)


def counter(report, label):
    m = re.search(r"^%s: (\d+)" % re.escape(label), report, re.M)
    return int(m.group(1)) if m else 0


def run(daemon, pcap, outdir, high_water_pct):
    out = os.path.join(outdir, "hw%d" % high_water_pct)
    os.makedirs(out)
    conf = os.path.join(out, "t.conf")
    with open(conf, "w") as f:
        f.write("flow_table = { pairs = %d; high_water_pct = %d; emergency_timeout_s = 5.0; };\n"
                % (PAIRS, high_water_pct))
    p = subprocess.run([daemon, "-c", conf, "-r", pcap, "-w", out], capture_output=True,
                       text=True, timeout=120)
    return p, os.path.join(out, "overload_flows.txt")


def check(daemon, pcap, outdir, high_water_pct, npkts):
    p, flows = run(daemon, pcap, outdir, high_water_pct)
    name = "high_water_pct=%d" % high_water_pct
    errors = []
    if p.returncode != 0:
        return ["%s: exit %d: %s" % (name, p.returncode, p.stderr[-400:])], None
    rep = p.stdout
    bad = accounting.problem(rep, flows)
    if bad:
        errors.append("%s: %s" % (name, bad))
    if accounting.received(rep) != npkts:
        errors.append("%s: received %s, capture has %d" % (name, accounting.received(rep), npkts))
    with open(flows) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    pairs = {r["flowInd"] for r in rows}
    lines = {(r["srcIP"], r["srcPort"], r["dstIP"], r["dstPort"]) for r in rows}
    if len(pairs) != A_FLOWS + B_FLOWS:
        errors.append("%s: %d flow pairs written, want %d" % (name, len(pairs),
                                                            A_FLOWS + B_FLOWS))
    if len(lines) != len(rows) or len(rows) != 2 * A_FLOWS + B_FLOWS:
        errors.append("%s: %d flow lines (%d distinct), want %d once each" %
                      (name, len(rows), len(lines), 2 * A_FLOWS + B_FLOWS))
    hfull = sum(1 for r in rows if int(r["flowStat"], 16) & HFULL)
    auto = counter(rep, "Number of flows terminated by autopilot")
    emerg = counter(rep, "Number of flows terminated by emergency timeout")
    above = counter(rep, "Number of times above the high-water mark")
    peak = counter(rep, "Max number of flows in memory")
    if hfull != auto:
        errors.append("%s: %d lines carry the autopilot bit, report says %d" % (name, hfull, auto))
    if peak > 2 * PAIRS:
        errors.append("%s: %d flows in memory, table holds %d" % (name, peak, 2 * PAIRS))
    print("%s: %d packets, %d pairs, %d lines; above the mark %d times, %d ended by the "
          "emergency timeout, %d by the autopilot, peak %d flows in memory" %
          (name, npkts, len(pairs), len(rows), above, emerg, auto, peak))
    return errors, (above, emerg, auto)


def main():
    daemon, outdir = sys.argv[1], sys.argv[2]
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    pcap = os.path.join(outdir, "overload.pcap")
    npkts = make_capture(pcap)
    errors = []
    e_on, on = check(daemon, pcap, outdir, 90, npkts)
    e_off, off = check(daemon, pcap, outdir, 0, npkts)
    errors += e_on + e_off
    if on and off:
        above, emerg, auto = on
        # phase A alone passes the mark (57 pairs) and has 5 s idle pairs to end: nearly
        # all of its 300 pairs but those still in memory when phase B starts
        if above < 1 or emerg < A_FLOWS - PAIRS:
            errors.append("policy on: above %d times, %d ended by the emergency timeout; "
                          "want >= 1 and >= %d" % (above, emerg, A_FLOWS - PAIRS))
        # phase B: 100 young lone flows into a table of 64 cannot do without the autopilot
        if auto < B_FLOWS - PAIRS:
            errors.append("policy on: %d autopilot ends, want >= %d" % (auto, B_FLOWS - PAIRS))
        # nothing reaches its own 182 s timeout: every pair beyond the table's 64 was ended
        # by one policy or the other
        if emerg + auto != A_FLOWS + B_FLOWS - PAIRS:
            errors.append("policy on: %d + %d ends, want %d" %
                          (emerg, auto, A_FLOWS + B_FLOWS - PAIRS))
        if off[0] != 0 or off[1] != 0:
            errors.append("policy off: above %d, emergency %d; want 0" % (off[0], off[1]))
        # without emergency timeouts every flow beyond the table is an eviction
        if off[2] != A_FLOWS + B_FLOWS - PAIRS:
            errors.append("policy off: %d autopilot ends, want %d" %
                          (off[2], A_FLOWS + B_FLOWS - PAIRS))
    for e in errors:
        print("FAIL " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
