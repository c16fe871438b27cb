#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Time jumps through the daemon (issue 7). Captures written here, frames built with scapy,
timestamps set exactly in the pcap record headers:

  back     time going back by tens of seconds mid-flow (30 s) and between flows (40 s),
           then forward again; one direction ends on its packet from the past
  zero     packets stamped 0 (the epoch) among normal ones: flows at 0, a 0 mid-flow
  future   a packet in 2100, normal ones after it, then one at the largest pcap time
           (2106-02-07T06:28:15.999999Z, 32-bit seconds), normal ones again
  same     500 packets of five flows (TCP handshake and FINs included) with one timestamp
  ftp      ../shared/pcaps/real/chrissanders+packets__ftp-crack.pcap (jumps back 44.6 s;
           skipped by name without ../shared)

Each runs in packet mode (-s) and, with the packet file as the witness of which packet went
to which flow, the test checks:
  * accounting: numPktsSnt + the report's non-flow counters == packets in the file; one
    packet line per flow packet; "still in memory: 0" (the flush at the end writes all);
  * every (flowInd, direction) of the packet file has exactly one record and vice versa;
    timeFirst/timeLast are its first and last packet's times, numPktsSnt its packet count;
  * duration == timeLast - timeFirst to the microsecond (T2-SEMANTICS §3.3), and 0 when a
    direction's last packet is stamped before its first: never negative (issue 7);
  * TIMEJUMP is set exactly on the directions with a packet stamped before the previous
    packet of its direction within the same second: Tranalyzer 0.9.3's rule (basicFlow
    subtracts the seconds as uint32_t, so a step back across seconds wraps and shows
    nothing), which the golden data follow;
  * scenario facts: a jump back ends nothing (the flow keeps its index); a packet in the
    future ends every pair in memory (their next packets open new indices) and its own pair
    is written at the end; identical timestamps keep every flow in one index, duration 0;
    ftp-crack equals Tranalyzer's golden TCP records (t2compare).
Usage: run_time.py DAEMON OUTDIR [SHARED]
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import accounting  # noqa: E402
import livenet  # noqa: E402
import t2compare  # noqa: E402

try:
    from scapy.layers.inet import IP, TCP, UDP
    from scapy.layers.l2 import Ether
except ImportError:
    Ether = None

ETH_SRC, ETH_DST = "02:00:00:00:00:01", "02:00:00:00:00:02"
FTP = "chrissanders+packets__ftp-crack.pcap"
T2100 = 4102444800
TMAX = 0xFFFFFFFF
TIMEJUMP = 0x0008000000000000

class Result:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: " + what)


# ---- captures ---------------------------------------------------------------------------

def eth():
    return Ether(src=ETH_SRC, dst=ETH_DST)


def udp(n, rev=False):
    """Frame of UDP flow n (10.9.n.1:4000 <-> 10.9.n.2:5000)."""
    a, b = "10.9.%d.1" % n, "10.9.%d.2" % n
    if rev:
        return bytes(eth() / IP(src=b, dst=a) / UDP(sport=5000, dport=4000) / (b"x" * 8))
    return bytes(eth() / IP(src=a, dst=b) / UDP(sport=4000, dport=5000) / (b"x" * 8))


def tcp(n, flags, rev=False):
    a, b = "10.8.%d.1" % n, "10.8.%d.2" % n
    if rev:
        return bytes(eth() / IP(src=b, dst=a) / TCP(sport=80, dport=40000, flags=flags))
    return bytes(eth() / IP(src=a, dst=b) / TCP(sport=40000, dport=80, flags=flags))


def scenario_back():
    t = 1700000000
    return [
        (t, 0, udp(1)), (t, 100000, udp(1, True)), (t + 1, 0, udp(1)),
        (t + 2, 0, udp(2)),
        (t - 29, 0, udp(1)),                # 30 s back mid-flow (flow 1 A)
        (t - 29, 500000, udp(1, True)),     # flow 1 B ends here, before its first packet
        (t - 28, 0, udp(3)), (t - 28, 1, udp(3, True)),
        (t + 3, 0, udp(1)),                 # forward again: flow 1 A
        (t + 3, 500000, udp(2)),
        (t - 37, 0, udp(4)),                # a new flow 40 s before the previous packet
        (t - 37, 100, udp(4, True)),
        (t + 4, 0, tcp(1, "S")), (t + 4, 1000, tcp(1, "SA", True)), (t + 4, 2000, tcp(1, "A")),
        (t - 26, 0, tcp(1, "PA")),          # TCP mid-flow, 30 s back, within its EST 1 s
        (t + 4, 500000, tcp(1, "A", True)),
        (t + 4, 600000, tcp(1, "FA")), (t + 4, 700000, tcp(1, "FA", True)),
    ], [1, 4]


def scenario_zero():
    t = 1700000000
    return [
        (t, 0, udp(1)), (t, 100000, udp(1, True)),
        (0, 0, udp(2)), (0, 0, udp(2, True)), (0, 5, udp(2)),
        (t + 1, 0, udp(1)),
        (0, 0, udp(1)),                     # flow 1 A at the epoch, mid-flow
        (t + 2, 0, udp(3)), (t + 2, 10, udp(3, True)),
        (0, 999999, udp(4)),
        (t + 3, 0, udp(1, True)),
        (t + 3, 10, udp(5)), (0, 0, udp(5)), (0, 0, udp(5, True)),
    ], []


def scenario_future():
    t = 1700000000
    return [
        (t, 0, udp(1)), (t, 100000, udp(1, True)), (t, 200000, udp(2)),
        (T2100, 0, udp(3)), (T2100, 10, udp(3, True)),   # ends flows 1 and 2
        (t + 1, 0, udp(1)), (t + 1, 1, udp(2, True)),    # new indices
        (t + 2, 0, udp(4)),
        (TMAX, 999999, udp(5)),                          # the largest pcap time
        (t + 3, 0, udp(4)), (t + 3, 1, udp(6)), (t + 3, 2, udp(3)),   # all new indices
        (t + 4, 0, tcp(1, "S")), (t + 4, 1, tcp(1, "SA", True)), (t + 4, 2, tcp(1, "FA")),
    ], [(T2100, [1, 2]), (TMAX, [1, 2, 4])]


def scenario_same():
    t = 1700000000
    pkts = []
    for i in range(500):
        n = i % 5
        if n < 4:
            pkts.append((t, 424242, udp(n + 1, i % 2 == 1)))
        else:
            flags = ["S", "SA", "A", "PA", "FA", "FA", "A"]
            pkts.append((t, 424242, tcp(1, flags[(i // 5) % 7], (i // 5) % 2 == 1)))
    return pkts, []


# ---- reading what the daemon wrote ------------------------------------------------------

def us(text):
    """'sec.usec' (6 decimals, maybe '-') -> microseconds."""
    neg = text.startswith("-")
    s, f = text.lstrip("-").split(".")
    v = int(s) * 1000000 + int(f)
    return -v if neg else v


def key_of(r):
    return (r["flowInd"], r["srcIP"], r["srcPort"], r["dstIP"], r["dstPort"],
            r.get("l4Proto"))


def run(daemon, pcap, outdir):
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    p = subprocess.run([daemon, "-r", pcap, "-w", outdir, "-s"], capture_output=True,
                       text=True, timeout=300)
    base = os.path.join(outdir, os.path.splitext(os.path.basename(pcap))[0])
    return p, base + "_flows.txt", base + "_packets.txt"


def directions(packets):
    """(flowInd, 5-tuple) -> list of packet times (us), in file order."""
    d = {}
    for p in packets:
        d.setdefault(key_of(p), []).append(us(p["time"]))
    return d


def check_common(res, name, p, flows_path, pkts_path, npackets):
    """Checks for every capture; returns (records, packet lines) or None."""
    if p.returncode != 0:
        res.check(False, "%s: daemon exit %d: %s" % (name, p.returncode, p.stderr[-300:]))
        return None
    lost = accounting.problem(p.stdout, flows_path)
    res.check(lost is None, "%s: %s" % (name, lost))
    res.check(accounting.received(p.stdout) == npackets, "%s: received %s of %d packets"
              % (name, accounting.received(p.stdout), npackets))
    res.check("  still in memory:                 0\n" in p.stdout,
              "%s: flows still in memory at the end" % name)
    recs, pkts = t2compare.load(flows_path), t2compare.load(pkts_path)
    res.check(len(pkts) == npackets - accounting.nonflow(p.stdout),
              "%s: %d packet lines" % (name, len(pkts)))
    dirs = directions(pkts)
    keys = [key_of(r) for r in recs]
    res.check(len(keys) == len(set(keys)) and set(keys) == set(dirs),
              "%s: records and packet-file directions differ: %d records, %d directions"
              % (name, len(keys), len(dirs)))
    ends_before, tj_bad = [], []
    for r in recs:
        times = dirs.get(key_of(r))
        if times is None:
            continue
        first, last = us(r["timeFirst"]), us(r["timeLast"])
        dur = us(r["duration"])
        what = "%s: %s %s" % (name, r["dir"], key_of(r))
        res.check(first == times[0] and last == times[-1] and
                  int(r["numPktsSnt"]) == len(times),
                  "%s: timeFirst/timeLast/numPktsSnt %s %s %s, packets %d..%d (%d)"
                  % (what, r["timeFirst"], r["timeLast"], r["numPktsSnt"], times[0],
                     times[-1], len(times)))
        res.check(dur == max(0, last - first), "%s: duration %s, want max(0, timeLast - "
                  "timeFirst)" % (what, r["duration"]))
        if times[-1] < times[0]:
            ends_before.append(what)
        same_sec = any(b < a and b // 1000000 == a // 1000000 for a, b in zip(times, times[1:]))
        if bool(int(r["flowStat"], 16) & TIMEJUMP) != same_sec:
            tj_bad.append(what)
    res.check(not tj_bad, "%s: TIMEJUMP differs from Tranalyzer's same-second rule on %d "
              "records, e.g. %s" % (name, len(tj_bad), tj_bad[:2]))
    if ends_before:
        print("%s: %d directions end before they start (duration 0), e.g. %s"
              % (name, len(ends_before), ends_before[:1]))
    return recs, pkts


def indices(pkts, frame_ip):
    """flowInd of each packet line whose srcIP or dstIP is frame_ip, in order."""
    return [p["flowInd"] for p in pkts if frame_ip in (p["srcIP"], p["dstIP"])]


def main():
    daemon, outdir = sys.argv[1], sys.argv[2]
    shared = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared")
    if Ether is None:
        print("SKIP: integration.time: scapy not importable by %s" % sys.executable)
        return 77
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    res = Result()
    scenarios = {"back": scenario_back, "zero": scenario_zero, "future": scenario_future,
                 "same": scenario_same}
    for name, make in scenarios.items():
        pkts, facts = make()
        pcap = os.path.join(outdir, name + ".pcap")
        livenet.write_timed_pcap(pcap, pkts)
        p, fp, pp = run(daemon, pcap, os.path.join(outdir, name))
        got = check_common(res, name, p, fp, pp, len(pkts))
        if got is None:
            continue
        recs, lines = got
        if name == "back":       # the jumps back end nothing: one index per flow
            for n in (1, 2, 3, 4):
                res.check(len(set(indices(lines, "10.9.%d.1" % n))) == 1,
                          "back: UDP flow %d split: %s" % (n, indices(lines, "10.9.%d.1" % n)))
            res.check(len(set(indices(lines, "10.8.1.1"))) == 1,
                      "back: TCP flow split: %s" % indices(lines, "10.8.1.1"))
        elif name == "future":   # a packet in the future ends every pair in memory
            ind1, ind2 = indices(lines, "10.9.1.1"), indices(lines, "10.9.2.1")
            res.check(len(set(ind1)) == 2 and len(set(ind2)) == 2,
                      "future: flows 1 and 2 not split by the 2100 packet: %s %s"
                      % (ind1, ind2))
            ind4 = indices(lines, "10.9.4.1")
            res.check(len(set(ind4)) == 2, "future: flow 4 not split by the %d packet: %s"
                      % (TMAX, ind4))
            ind3 = indices(lines, "10.9.3.1")
            res.check(ind3[0] == ind3[1] and len(set(ind3)) == 2,
                      "future: the 2100 pair is not one pair until the %d packet ends it: %s"
                      % (TMAX, ind3))
            lasts = sorted(us(r["timeLast"]) // 1000000 for r in recs)
            res.check(lasts[-1] == TMAX and T2100 in lasts,
                      "future: the future pairs were not written: %s" % lasts[-3:])
        elif name == "same":     # one index per flow, duration 0, no TIMEJUMP
            for ip in ("10.9.1.1", "10.9.2.1", "10.9.3.1", "10.9.4.1", "10.8.1.1"):
                res.check(len(set(indices(lines, ip))) == 1, "same: %s split" % ip)
            res.check(all(r["duration"] == "0.000000" for r in recs),
                      "same: a non-zero duration")
            res.check(not any(int(r["flowStat"], 16) & TIMEJUMP for r in recs),
                      "same: TIMEJUMP set")
    ftp = os.path.join(shared, "pcaps", "real", FTP)
    if not os.path.isfile(ftp):
        print("SKIP: integration.time ftp-crack: %s not found (needs ../shared)" % ftp)
    else:
        p, fp, pp = run(daemon, ftp, os.path.join(outdir, "ftp"))
        npk = len(livenet.pcap_records(ftp)[1])
        got = check_common(res, "ftp-crack", p, fp, pp, npk)
        if got is not None:
            golden = os.path.join(shared, "pcaps", "t2-reference",
                                  FTP.replace(".pcap", "_flows.txt"))
            ok, report = t2compare.compare(fp, golden)
            res.check(ok, "ftp-crack differs from Tranalyzer:\n" + report)
            # the golden flowStat, TIMEJUMP included, record by record
            ident = lambda r: (r["srcIP"], r["srcPort"], r["dstIP"], r["dstPort"],
                               r["timeFirst"], r["timeLast"])
            gold = {ident(r): int(r["flowStat"], 16) for r in t2compare.load(golden)}
            diff = [ident(r) for r in got[0] if gold.get(ident(r)) != int(r["flowStat"], 16)]
            res.check(not diff, "ftp-crack: flowStat differs from the golden on %d records, "
                      "e.g. %s" % (len(diff), diff[:2]))
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
