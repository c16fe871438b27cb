#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run tcpwintmtd on every capture of ../shared/pcaps/real and check it against real
Tranalyzer2 + tcpWinTMT (../shared/pcaps/t2-reference).

For each capture:
  * must-match captures: TCP records and their grouping into flow indices equal T2's
    (t2compare.compare);
  * the other captures: every difference is expected and explained in KNOWN_DIFFERENCES;
    a capture listed there that starts to match exactly is reported too (the note is stale);
  * accounting: sum(numPktsSnt) + the report's non-flow counters == packets in the file
    (ground_truth.csv 'packets', as far as libpcap can read the file);
  * sum(tcpWinThCnt) == packets whose raw TCP window is 0 (ground truth 'win0_raw') for
    captures without fragments or tunnels;
  * the flow file parses as TSV with the documented header.

Usage: run_real.py DAEMON OUTDIR [SHARED]. Exits 77 (skipped) if the shared data is absent.
"""
import csv
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import t2compare  # noqa: E402

# Why tcpwintmtd's TCP records differ from Tranalyzer's on the 18 captures outside
# must-match.txt. Each reason is checked against what the comparison shows.
KNOWN_DIFFERENCES = {
    "OISF+suricata-verify__bug-1450-04__tls_DER-incomplete-header.pcap":
        "damaged record (4 MB caplen): libpcap, and so net_pcap, stop reading there; "
        "Tranalyzer skips ahead and keeps decoding",
    "OISF+suricata-verify__decode-too-small__test.pcap":
        "TCP header too short to read: Tranalyzer makes a port-0 flow, we count the "
        "packet as truncated",
    "OISF+suricata-verify__ipv6-malformed-fragments-25__frag-25.pcap":
        "malformed IPv6 fragments: Tranalyzer keys them differently",
    "OISF+suricata-verify__smtp-to-comma__10.7.29.101_49898-178.63.41.150_25.pcap":
        "damaged record: libpcap stops, Tranalyzer keeps decoding",
    "OISF+suricata-verify__transform-base64-7296__input.pcap":
        "time goes backwards across a damaged loopback capture; Tranalyzer decodes it "
        "differently",
    "ntop+nDPI__fuzz-2006-06-26-2594.pcap": "fuzzed capture with damaged headers",
    "ntop+nDPI__ip_fragmented_garbage.pcap": "garbage fragments",
    "the-tcpdump-group+libpcap__AH-IPcomp-IPv6.pcap": "IPv6 AH/IPcomp decoding differs",
    "the-tcpdump-group+tcpdump__tcp_header_heapoverflow.pcap":
        "TCP header cut short: Tranalyzer makes a port-0 flow, we count it as truncated",
    "the-tcpdump-group+tcpdump__timestamp_invalid_micro.pcap":
        "invalid microsecond field (>= 1e6): libpcap/net_pcap and Tranalyzer normalise "
        "it differently",
    "zeek+zeek__4in6.pcap": "tunnel (IPv4 in IPv6): Tranalyzer decodes the inner flow",
    "zeek+zeek__Teredo.pcap": "tunnel (Teredo): Tranalyzer decodes the inner flow",
    "zeek+zeek__gre-sample.pcap": "tunnel (GRE): Tranalyzer decodes the inner flow",
    "zeek+zeek__ipv4-internally-truncated-header.pcap":
        "IPv4 header longer than captured: Tranalyzer reads on",
    "zeek+zeek__ipv4-truncated-broken-header.pcap":
        "broken IPv4 header: Tranalyzer reads on",
    "zeek+zeek__mixed-vlan-mpls.pcap": "MPLS-carried IP: Tranalyzer keys it differently",
    "zeek+zeek__mpls-in-vlan.pcap": "MPLS in VLAN: Tranalyzer keys it differently",
    "zeek+zeek__pppoe-over-qinq.pcap": "PPPoE over QinQ: Tranalyzer keys it differently",
}

HEADER = ("dir flowInd flowStat timeFirst timeLast duration numHdrDesc numHdrs hdrDesc "
          "srcMac dstMac ethType ethVlanID srcIP srcPort dstIP dstPort l4Proto tcpWinStat "
          "tcpWinState tcpWinThCnt numPktsSnt numBytesSnt").split()

NONFLOW = re.compile(r"^  (not IP|truncated header|malformed header|unsupported link type):\s+(\d+)$", re.M)
RECEIVED = re.compile(r"^  packets received:\s+(\d+)$", re.M)


def run_one(daemon, pcap, outdir):
    os.makedirs(outdir, exist_ok=True)
    p = subprocess.run([daemon, "-r", pcap, "-w", outdir], capture_output=True, text=True,
                       timeout=300)
    base = os.path.splitext(os.path.basename(pcap))[0]
    return p, os.path.join(outdir, base + "_flows.txt")


def check_tsv(path):
    rows = t2compare.load(path)
    with open(path) as f:
        header = f.readline().rstrip("\n")
    if header != "%" + "\t".join(HEADER):
        return "header row differs from the documented one"
    for r in rows:
        if r["dir"] not in ("A", "B") or not re.fullmatch(r"0x[0-9a-f]{16}", r["flowStat"]):
            return "bad dir/flowStat in %r" % r
        if not re.fullmatch(r"\d+\.\d{6}", r["timeFirst"]):
            return "bad timeFirst %r" % r["timeFirst"]
    return None


def main():
    daemon, outdir = sys.argv[1], sys.argv[2]
    shared = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared")
    real = os.path.join(shared, "pcaps", "real")
    ref = os.path.join(shared, "pcaps", "t2-reference")
    if not os.path.isdir(real):
        print("SKIP: integration.real_captures: %s not found (needs ../shared)" % real)
        return 77
    must = set(open(os.path.join(ref, "must-match.txt")).read().split())
    truth = {r["file"]: r for r in csv.DictReader(open(os.path.join(real, "ground_truth.csv")))}
    passed = failed = 0
    for name in sorted(truth):
        pcap = os.path.join(real, name)
        problems = []
        p, flows = run_one(daemon, pcap, outdir)
        if p.returncode not in (0, 3):
            problems.append("exit %d: %s" % (p.returncode, p.stderr.strip()[-300:]))
        elif p.returncode == 3 and "damaged or cut short" not in p.stderr:
            problems.append("exit 3 without saying why")
        else:
            err = check_tsv(flows)
            if err:
                problems.append(err)
            rows = t2compare.load(flows)
            pkts = sum(int(r["numPktsSnt"]) for r in rows)
            nonflow = sum(int(v) for _, v in NONFLOW.findall(p.stdout))
            received = int(RECEIVED.search(p.stdout).group(1))
            if pkts + nonflow != received:
                problems.append("accounting: %d in flows + %d counted != %d received"
                                % (pkts, nonflow, received))
            t = truth[name]
            if p.returncode == 0 and str(received) != t["packets"]:
                problems.append("received %d, file has %s" % (received, t["packets"]))
            simple = (t["ipv4_frag_pkts"] in ("0", "") and t["ipv6_frag_pkts"] in ("0", "")
                      and t["nested_ip_pkts"] in ("0", "") and p.returncode == 0
                      and not t["read_error"])
            win0 = sum(int(r["tcpWinThCnt"]) for r in rows)
            if simple and t["win0_raw"] and win0 != int(t["win0_raw"]):
                problems.append("sum tcpWinThCnt %d != win0_raw %s" % (win0, t["win0_raw"]))
            ok, report = t2compare.compare(flows, os.path.join(
                ref, os.path.splitext(name)[0] + "_flows.txt"))
            if name in must and not ok:
                problems.append("differs from Tranalyzer:\n" + report)
            elif name not in must and name not in KNOWN_DIFFERENCES:
                problems.append("not in must-match.txt and no explanation")
            elif name not in must and ok:
                print("note: %s now matches Tranalyzer exactly (explanation: %s)"
                      % (name, KNOWN_DIFFERENCES[name]))
        if problems:
            failed += 1
            print("FAIL %s\n  %s" % (name, "\n  ".join(problems)))
        else:
            passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
