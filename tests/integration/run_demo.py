#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The bundled capture (tests/data/demo.pcap, made by tests/data/make_demo_pcap.py) through
the daemon, in flow and packet mode:
  * the flow file equals tests/data/demo_flows.expected (its story records are the
    tutorial's, T2-SEMANTICS §7.2; reviewed by hand when the expected file was made);
  * two runs give byte-identical flow and packet files;
  * a plain TSV reader sees one '%' header row with the documented columns, and every
    value has its documented format (§3.2);
  * numPktsSnt plus the report's non-flow counters equal the packets in the file, and the
    packet file has one line per packet.
Usage: run_demo.py DAEMON OUTDIR DATADIR
"""
import csv
import filecmp
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import accounting  # noqa: E402
import verdict  # noqa: E402

COLUMNS = {  # column -> format of its values (T2-SEMANTICS §3.2-3.3)
    "dir": r"[AB]", "flowInd": r"\d+", "flowStat": r"0x[0-9a-f]{16}",
    "timeFirst": r"\d+\.\d{6}", "timeLast": r"\d+\.\d{6}", "duration": r"-?\d+\.\d{6}",
    "numHdrDesc": r"\d+", "numHdrs": r"\d+(;\d+)*", "hdrDesc": r"[a-z0-9.:{}]+(;[a-z0-9.:{}]+)*",
    "srcMac": r"([0-9a-f]{2}(:[0-9a-f]{2}){5}(;|$))*", "dstMac": r"([0-9a-f]{2}(:[0-9a-f]{2}){5}(;|$))*",
    "ethType": r"0x[0-9a-f]{4}", "ethVlanID": r"(\d+(;\d+)*)?",
    "srcIP": r"[0-9a-f.:]+", "srcPort": r"\d+", "dstIP": r"[0-9a-f.:]+", "dstPort": r"\d+",
    "l4Proto": r"\d+", "tcpWinStat": r"0x[0-9a-f]{2}", "tcpWinState": r"0x[0-9a-f]{2}",
    "tcpWinThCnt": r"\d+", "numPktsSnt": r"\d+", "numBytesSnt": r"\d+",
}


def run(daemon, pcap, out, *extra):
    os.makedirs(out, exist_ok=True)
    p = subprocess.run([daemon, "-r", pcap, "-w", out, *extra], capture_output=True,
                       text=True, timeout=120)
    if p.returncode != 0:
        sys.exit("FAIL: daemon exit %d: %s" % (p.returncode, p.stderr))
    return p.stdout


def main():
    daemon, outdir, data = sys.argv[1:4]
    pcap = os.path.join(data, "demo.pcap")
    fails = []
    reports = [run(daemon, pcap, os.path.join(outdir, "run%d" % i), "-s") for i in (1, 2)]
    f1, f2 = (os.path.join(outdir, "run%d" % i, "demo_flows.txt") for i in (1, 2))
    p1, p2 = (os.path.join(outdir, "run%d" % i, "demo_packets.txt") for i in (1, 2))
    if not (filecmp.cmp(f1, f2, shallow=False) and filecmp.cmp(p1, p2, shallow=False)):
        fails.append("two runs differ")
    if not filecmp.cmp(f1, os.path.join(data, "demo_flows.expected"), shallow=False):
        fails.append("flow file differs from tests/data/demo_flows.expected")
    # EAL arguments before "--" (as the systemd unit passes them): two RX lcores
    eal_out = os.path.join(outdir, "eal")
    os.makedirs(eal_out, exist_ok=True)
    p = subprocess.run([daemon, "--lcores=(0-3)@(0,1)", "--no-huge", "-m", "512", "--no-pci",
                        "--file-prefix=tcpwt-demo-%d" % os.getpid(), "--", "-r", pcap, "-w",
                        eal_out], capture_output=True, text=True, timeout=120)
    if p.returncode != 0 or "RX lcores: 2" not in p.stdout:
        fails.append("with EAL arguments before --: exit %d, %s" % (p.returncode,
                                                                    p.stderr[-300:]))
    else:
        with open(os.path.join(eal_out, "demo_flows.txt")) as f:
            got = sorted(line.split("\t", 2)[2] for line in f if not line.startswith("%"))
        with open(f1) as f:
            want = sorted(line.split("\t", 2)[2] for line in f if not line.startswith("%"))
        if got != want:
            fails.append("with EAL arguments (2 RX lcores) the records differ")

    with open(f1, newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    header, body = rows[0], rows[1:]
    if header[0] != "%dir" or [h.lstrip("%") for h in header] != list(COLUMNS):
        fails.append("header row %r" % header)
    for r in body:
        if r[0].startswith("%") or len(r) != len(COLUMNS):
            fails.append("row with %d fields: %r" % (len(r), r))
            continue
        for (name, fmt), value in zip(COLUMNS.items(), r):
            if not re.fullmatch(fmt, value):
                fails.append("%s=%r does not match %s" % (name, value, fmt))

    lost = accounting.problem(reports[0], f1)
    if lost:
        fails.append(lost)
    packets, nonflow = accounting.received(reports[0]), accounting.nonflow(reports[0])
    with open(p1) as f:
        plines = f.read().splitlines()
    if not plines[0].startswith("%pktNo\t") or len(plines) - 1 != packets - nonflow:
        fails.append("packet file: %d lines for %d flow packets" % (len(plines) - 1,
                                                                     packets - nonflow))
    return verdict.finish(fails)


if __name__ == "__main__":
    sys.exit(main())
