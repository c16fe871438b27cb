#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Live capture in a network namespace the test makes itself (root, iproute2, tcpreplay).

A veth pair va/vb lives in a fresh namespace (IPv6 off, so the kernel sends nothing of its
own); the daemon captures on va through net_af_packet and tcpreplay sends into vb.
  1. replay, through net_af_packet with 1 and 2 RX lcores and through net_pcap iface=:
     every packet the port counted is in a flow record or a named counter, the port
     counted every packet sent, and the tcpWinThCnt total equals the capture's packets with
     a raw TCP window of 0; SIGTERM gives exit 0 with every flow written.
  2. idle expiry, with 1 and 2 RX lcores (2: the owner's clock comes from the software
     distributor): after one UDP packet and one TCP SYN and then silence, each record is
     written between its timeout and its timeout + 1 s, with no further packet.
The namespace is deleted at the end whatever happens. Usage: run_live.py DAEMON OUTDIR DATA
[SHARED]. Exits 77 (skipped) when not root or a tool is missing.
"""
import os
import shutil
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import accounting  # noqa: E402
from livenet import Daemon, pcap_records, win0, write_pcap  # noqa: E402
import livenet  # noqa: E402
import verdict  # noqa: E402

FLOW_TIMEOUT_S, TMT_BGN_S = 2.0, 1.2


def ipv4(proto, payload, src=b"\x0a\x00\x00\x01", dst=b"\x0a\x00\x00\x02"):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0,
                      src, dst)
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + hdr + payload


def idle_frames():
    udp = struct.pack("!HHHH", 40000, 5353, 12, 0) + b"ping"
    syn = struct.pack("!HHIIBBHHH", 40001, 80, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
    return [ipv4(17, udp), ipv4(6, syn)]


def replay(daemon, outdir, pcap, cores, device, fails):
    _, frames = pcap_records(pcap)
    d = Daemon(daemon, outdir, "rx = { cores = %d; };\n" % cores, device)
    try:
        livenet.replay(pcap, "--pps=5000")
        time.sleep(0.5)
        rc, report = d.stop()
    finally:
        d.kill()
    name = "%s (%s, %d RX lcores)" % (os.path.basename(pcap), device.split(",")[0], cores)
    if rc != 0:
        fails.append("%s: exit %d: %s" % (name, rc, d.stderr()[-400:]))
        return
    lost = accounting.problem(report, d.flows)
    if lost:
        fails.append("%s: %s" % (name, lost))
    ipackets = int(report.split("received by the port (ipackets):")[1].split()[0])
    if ipackets != accounting.received(report) or ipackets != len(frames):
        fails.append("%s: port counted %d, daemon received %s, capture has %d" % (
            name, ipackets, accounting.received(report), len(frames)))
    with open(d.flows) as f:
        head = f.readline().lstrip("%").rstrip("\n").split("\t")
        col = head.index("tcpWinThCnt")
        got = sum(int(line.split("\t")[col]) for line in f)
    if got != win0(frames):
        fails.append("%s: tcpWinThCnt total %d, capture has %d zero windows" % (
            name, got, win0(frames)))


def idle_expiry(daemon, outdir, cores, fails):
    pcap = os.path.join(outdir, "idle.pcap")
    os.makedirs(outdir, exist_ok=True)
    write_pcap(pcap, idle_frames())
    d = Daemon(daemon, outdir, "timeouts = { flow_timeout_s = %.1f; tmt_bgn_s = %.1f; };\n"
               "rx = { cores = %d; };\n" % (FLOW_TIMEOUT_S, TMT_BGN_S, cores))
    try:
        livenet.replay(pcap, "--topspeed")
        sent = time.time()
        seen = {}
        while time.time() < sent + FLOW_TIMEOUT_S + 3 and len(seen) < 2:
            with open(d.flows) as f:
                for line in f.readlines()[1:]:
                    proto = line.split("\t")[17]
                    seen.setdefault(proto, time.time() - sent)
            time.sleep(0.02)
        rc, _ = d.stop()
    finally:
        d.kill()
    for proto, timeout in (("17", FLOW_TIMEOUT_S), ("6", TMT_BGN_S)):
        if proto not in seen:
            fails.append("idle, %d RX lcores: proto %s flow not written within %.1f s" % (
                cores, proto, timeout + 1))
        elif not timeout - 0.1 <= seen[proto] <= timeout + 1:
            fails.append("idle, %d RX lcores: proto %s flow written after %.2f s; timeout "
                         "%.1f s" % (cores, proto, seen[proto], timeout))
        else:
            print("idle, %d RX lcores: proto %s flow written %.2f s after its last packet "
                  "(timeout %.1f s)" % (cores, proto, seen[proto], timeout))
    if rc != 0:
        fails.append("idle, %d RX lcores: exit %d" % (cores, rc))


def main():
    daemon, outdir, data = sys.argv[1:4]
    shutil.rmtree(outdir, ignore_errors=True)  # a run starts from nothing
    shared = sys.argv[4] if len(sys.argv) > 4 else ""
    if livenet.skipped("integration.live"):
        return 77
    fails = []
    try:
        livenet.setup()
        captures = [os.path.join(data, "demo.pcap")]
        extra = os.path.join(shared, "pcaps", "real",
                             "OISF+suricata-verify__mime-stream-depth__input.pcap")
        if shared and os.path.exists(extra):
            captures.append(extra)
        runs = [(pcap, cores, "net_af_packet0,iface=va") for pcap in captures
                for cores in (1, 2)]
        runs.append((captures[0], 1, "net_pcap0,iface=va"))
        for i, (pcap, cores, device) in enumerate(runs):
            replay(daemon, os.path.join(outdir, "replay%d" % i), pcap, cores, device, fails)
        for cores in (1, 2):
            idle_expiry(daemon, os.path.join(outdir, "idle%d" % cores), cores, fails)
    finally:
        livenet.teardown()
    return verdict.finish(fails)


if __name__ == "__main__":
    sys.exit(main())
