#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run tcpwintmtd on every capture of ../shared/pcaps/real and check it against real
Tranalyzer2 + tcpWinTMT (../shared/pcaps/t2-reference).

For each capture:
  * must-match captures: TCP records and their grouping into flow indices equal T2's
    (t2compare.compare);
  * the other captures: every difference is expected and explained in KNOWN_DIFFERENCES,
    with our and the golden TCP-record counts; the capture fails if a count changes or it
    starts or stops matching exactly, so the explanation cannot go stale unnoticed;
  * accounting: sum(numPktsSnt) + the report's non-flow counters == packets in the file
    (ground_truth.csv 'packets', as far as libpcap can read the file);
  * sum(tcpWinThCnt) == packets whose raw TCP window is 0 (ground truth 'win0_raw') for
    captures without fragments or tunnels;
  * the flow file parses as TSV with the documented header.

Usage: run_real.py DAEMON OUTDIR [SHARED]. Exits 77 (skipped) if the shared data is absent.
"""
import csv
import filecmp
import os
import shutil
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import accounting  # noqa: E402
import t2compare  # noqa: E402

# The 18 captures outside must-match.txt: (our TCP records, golden TCP records, reason), the
# counts as t2compare reports them ("TCP records: ours X, golden Y"). The test fails when
# either count changes, or when a capture starts or stops matching Tranalyzer exactly (the
# reason starts with SAME when it matches), so any change of behaviour on these captures is
# noticed: check the new output, then update the entry and its reason.
SAME = "Same TCP records and grouping as Tranalyzer. "
KNOWN_DIFFERENCES = {
    "OISF+suricata-verify__bug-1450-04__tls_DER-incomplete-header.pcap": (2, 4,
        "Record 7's header claims a 4,325,376-byte packet: libpcap, and so net_pcap, stops "
        "there and we see 6 packets, one A/B pair up to the Server Hello. Tranalyzer calls "
        "pcap_dispatch again after each error; libpcap has skipped the 16-byte bad header, and "
        "after 5 of them it reads 7 real records: the close (FIN/ACKs, the pair now ends at "
        "1429518024.039) and, 2 s later, an RST exchange that makes a second A/B pair."),
    "OISF+suricata-verify__decode-too-small__test.pcap": (0, 2,
        "Packets 1 (IPv4, total length 20) and 5 (IPv6, payload length 0) say TCP but carry "
        "no TCP byte. Tranalyzer makes port-0 TCP flows 1.1.1.1:0->2.2.2.2:0 and "
        "fd01::101:101:0->fd02::202:202:0 without window data (flowStat L4HDRSHRTLEN); we "
        "count both packets as truncated header."),
    "OISF+suricata-verify__ipv6-malformed-fragments-25__frag-25.pcap": (0, 1,
        "Packet 8 is IPv6 with only an atomic Fragment header (offset 0, M=0, next header TCP, "
        "payload length 8) and no TCP byte. Tranalyzer makes a port-0 TCP flow "
        "2001:db8:1::2:0->2001:db8:1::1:0 (hdrDesc eth:ipv6:ipv6.fraghdr); we count the packet "
        "as truncated header. The ICMPv6 records are the same."),
    "OISF+suricata-verify__smtp-to-comma__10.7.29.101_49898-178.63.41.150_25.pcap": (2, 2,
        "Record 19's header claims a 3,925,868,813-byte packet: libpcap/net_pcap stop after 18 "
        "packets, so our A/B pair ends at 1564419707.069 (tcpWinState 0x01). Tranalyzer "
        "retries pcap_dispatch through ~1,850 bogus 16-byte headers in the damaged data, lands "
        "on real records again at byte 125,663 and reads 50 more packets of the session: its "
        "pair ends at 1564419708.084 with the FIN (tcpWinStat 0x1b, tcpWinState 0x04)."),
    "OISF+suricata-verify__transform-base64-7296__input.pcap": (17, 17,
        "Packets 8 and 56 (1701999731 s + 1,011,041 us) and 14 (1714546080 s + 1,653,292 us) "
        "have a microsecond field >= 1,000,000: net_pcap carries it into the seconds and we "
        "print 1701999732.011041 and 1714546081.653292, Tranalyzer prints the raw field "
        "(1701999731.1011041, 1714546080.1653292). Only the timeFirst of the 3 records that "
        "start with these packets differs; the grouping is the same."),
    "ntop+nDPI__fuzz-2006-06-26-2594.pcap": (29, 29, SAME +
        "Packet 86 (192.168.1.2:58657->147.234.1.253:47645) has a 28-byte IPv4 header and IP "
        "total length 40, so only 12 bytes of TCP header exist: ports, no flags or window. "
        "Both make a one-packet flow without window data (tcpWinStat 0x00); outside "
        "must-match because the rest of the file is fuzzed garbage."),
    "ntop+nDPI__ip_fragmented_garbage.pcap": (4, 2,
        "4 bursts of 313 garbage IPv4 fragments, all IP ID 0xa0, whose first fragments have IP "
        "total length 36 (16 bytes of 'TCP'). Tranalyzer reads TCP ports only when the IP total "
        "length is >= 40, so it keys everything as 10.0.0.2:0->10.128.0.2:0: bursts 1-3 share "
        "one flow (it ends on burst 3's FIN bit, tcpWinState 0x04) and burst 4 makes a second. "
        "We read the ports from the 16 bytes present and make one flow per burst."),
    "the-tcpdump-group+libpcap__AH-IPcomp-IPv6.pcap": (0, 2,
        "Every packet is IPv6 2002::2<->2000::1 with an AH header; in 8 of them AH's next "
        "header is IPv6 (IPv6-in-IPv6), in 7 IPComp. Tranalyzer decodes the inner IPv6 and "
        "makes the TCP pair 4000::1:12764<->2003::8c00:1:80; we stop at the tunnel and make an "
        "outer port-0 pair with l4Proto 41 (the l4Proto 108 IPComp pair is the same in both)."),
    "the-tcpdump-group+tcpdump__tcp_header_heapoverflow.pcap": (1, 1, SAME +
        "The only packet is cut at 46 bytes (snaplen 46): Ethernet, 20-byte IPv4, then 12 bytes "
        "of TCP header, all 0x30 (ports 12336, no window). Both make the flow "
        "48.48.48.48:12336->48.48.48.48:12336 without window data (tcpWinStat 0x00)."),
    "the-tcpdump-group+tcpdump__timestamp_invalid_micro.pcap": (2, 2,
        "Packet 2's microsecond field is 1,000,000 and packet 3's 2,147,483,648 (0x80000000). "
        "libpcap hands the field on as a signed 32-bit number, so net_pcap gives us "
        "1418145371.000000 and 1418145370 s - 2147.483648 s = 1418143222.516352; Tranalyzer "
        "prints the raw field (1418145370.1000000, 1418145370.2147483648). Only the times of "
        "the one A/B pair differ."),
    "zeek+zeek__4in6.pcap": (0, 1,
        "The only packet is IPv6 2002:4637:d5d3::4637:d5d3->2001:4860:0:2001::68 with next "
        "header 4 (IPv4 in IPv6) carrying a TCP SYN. Tranalyzer decodes the inner IPv4 and makes "
        "the flow 70.55.213.211:31337->192.88.99.1:80; we stop at the tunnel and make an outer "
        "port-0 IPv6 flow with l4Proto 4."),
    "zeek+zeek__Teredo.pcap": (14, 18,
        "Teredo: IPv6 in UDP/IPv4 between 192.168.2.16:3797 and the server (port 3544) or the "
        "relay 83.170.1.38:32900. Tranalyzer decodes the inner IPv6 and makes two more TCP pairs "
        "2001:0:4137:9e50:8000:f12a:b9c8:2815:1286<->2001:4860:0:2001::68:80; we keep those "
        "packets in the outer UDP flows. The 14 plain IPv4 TCP records are the same."),
    "zeek+zeek__gre-sample.pcap": (0, 4,
        "All 40 packets are GRE (IP protocol 47) between 172.27.1.66 and 66.59.109.137 carrying "
        "IPv4. Tranalyzer decodes the inner packets and makes two TCP pairs "
        "66.59.111.190:40264<->172.28.2.3:22 (plus inner ICMP and UDP flows); we make one outer "
        "port-0 pair with l4Proto 47."),
    "zeek+zeek__ipv4-internally-truncated-header.pcap": (0, 1,
        "The only packet is 34 bytes: Ethernet and the 20-byte base of an IPv4 header whose IHL "
        "says 60 bytes (total length 114, protocol TCP). Tranalyzer reads the addresses and makes "
        "a TCP flow 163.253.48.183:0->192.150.187.43:0 (flowStat L3SNAPLENGTH); we count the "
        "packet as truncated header because the IP header is not all captured."),
    "zeek+zeek__ipv4-truncated-broken-header.pcap": (0, 1,
        "The only packet is 34 bytes: Ethernet and a 20-byte IPv4 header whose IHL says 60 but "
        "whose total length says 20 (protocol TCP). Tranalyzer reads the addresses and makes a "
        "port-0 TCP flow 163.253.48.183:0->192.150.187.43:0 (flowStat L4HDRSHRTLEN); we count "
        "the packet as truncated header (IHL longer than what is captured)."),
    "zeek+zeek__mixed-vlan-mpls.pcap": (6, 6, SAME +
        "The telnet connection 10.1.2.1:11001->10.34.0.1:23 runs under one MPLS label, an HTTP "
        "one under VLAN 4093; we decode the IPv4 after the bottom-of-stack label and the tag as "
        "Tranalyzer does. Outside must-match only because MPLS-carried IP is among what the "
        "product need not copy."),
    "zeek+zeek__mpls-in-vlan.pcap": (3, 3, SAME +
        "Three single TCP packets of 65.65.65.65: VLAN 3199; VLAN 0 + one MPLS label; VLAN 3399 "
        "+ two labels. Both decode the IPv4 under the labels; outside must-match only because "
        "MPLS-carried IP is among what the product need not copy."),
    "zeek+zeek__pppoe-over-qinq.pcap": (10, 10, SAME +
        "One connection 1.1.1.1:20394<->2.2.2.2:443 under QinQ 3704;2474 + PPPoE session + PPP; "
        "both decode the PPP IPv4 and split it into the same 10 records by the tcpWinTMT "
        "timeouts. Outside must-match only because PPPoE is among what the product need not "
        "copy."),
}

DETERMINISM = ("chrissanders+packets__ftp-crack.pcap", "zeek+zeek__echo-connections.pcap",
               "OISF+suricata-verify__mime-stream-depth__input.pcap")

HEADER = ("dir flowInd flowStat timeFirst timeLast duration numHdrDesc numHdrs hdrDesc "
          "srcMac dstMac ethType ethVlanID srcIP srcPort dstIP dstPort l4Proto tcpWinStat "
          "tcpWinState tcpWinThCnt numPktsSnt numBytesSnt").split()



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


def check_known(name, ok, report, flows, golden):
    """A capture outside must-match: its counts and equality must be the recorded ones."""
    want_ours, want_gold, reason = KNOWN_DIFFERENCES[name]
    ours = len(t2compare.tcp_records(t2compare.load(flows)))
    gold = len(t2compare.tcp_records(t2compare.load(golden)))
    if (ours, gold) != (want_ours, want_gold):
        return ["TCP records: ours %d, golden %d; KNOWN_DIFFERENCES says ours %d, golden %d "
                "(%s)\n%s" % (ours, gold, want_ours, want_gold, reason, report)]
    if ok != reason.startswith(SAME):
        return ["%s Tranalyzer exactly, KNOWN_DIFFERENCES says otherwise (%s)\n%s"
                % ("now matches" if ok else "no longer matches", reason, report)]
    return []


def main():
    daemon, outdir = sys.argv[1], sys.argv[2]
    shutil.rmtree(outdir, ignore_errors=True)  # a run starts from nothing
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
            lost = accounting.problem(p.stdout, flows)
            if lost:
                problems.append(lost)
            received = accounting.received(p.stdout)
            t = truth[name]
            if p.returncode == 0 and str(received) != t["packets"]:
                problems.append("received %d, file has %s" % (received, t["packets"]))
            simple = (t["ipv4_frag_pkts"] in ("0", "") and t["ipv6_frag_pkts"] in ("0", "")
                      and t["nested_ip_pkts"] in ("0", "") and p.returncode == 0
                      and not t["read_error"])
            win0 = sum(int(r["tcpWinThCnt"]) for r in rows)
            if simple and t["win0_raw"] and win0 != int(t["win0_raw"]):
                problems.append("sum tcpWinThCnt %d != win0_raw %s" % (win0, t["win0_raw"]))
            golden = os.path.join(ref, os.path.splitext(name)[0] + "_flows.txt")
            ok, report = t2compare.compare(flows, golden)
            if name in must:
                if not ok:
                    problems.append("differs from Tranalyzer:\n" + report)
            elif name not in KNOWN_DIFFERENCES:
                problems.append("not in must-match.txt and no explanation")
            else:
                problems.extend(check_known(name, ok, report, flows, golden))
        if problems:
            failed += 1
            print("FAIL %s\n  %s" % (name, "\n  ".join(problems)))
        else:
            passed += 1
    # Byte-identical output from run to run, on the captures with the most flows.
    for name in DETERMINISM:
        first = os.path.join(outdir, os.path.splitext(name)[0] + "_flows.txt")
        _, again = run_one(daemon, os.path.join(real, name), os.path.join(outdir, "again"))
        if filecmp.cmp(first, again, shallow=False):
            passed += 1
        else:
            failed += 1
            print("FAIL determinism: two runs on %s differ" % name)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
