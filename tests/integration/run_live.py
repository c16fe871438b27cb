#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Live capture in a network namespace the test makes itself (root, iproute2, tcpreplay).

A veth pair va/vb lives in a fresh namespace (IPv6 off, so the kernel sends nothing of its
own); the daemon captures on va through net_af_packet and tcpreplay sends into vb.
  1. replay, through net_af_packet with 1 and 2 RX lcores and through net_pcap iface=:
     every packet the port counted is in a flow record or a named counter, the port
     counted every packet sent, and the tcpWinThCnt total equals the capture's packets with
     a raw TCP window of 0; SIGTERM gives exit 0 with every flow written.
  2. idle expiry: after one UDP packet and one TCP SYN and then silence, each record is
     written between its timeout and its timeout + 1 s, with no further packet.
The namespace is deleted at the end whatever happens. Usage: run_live.py DAEMON OUTDIR DATA
[SHARED]. Exits 77 (skipped) when not root or a tool is missing.
"""
import os
import shutil
import signal
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import accounting  # noqa: E402

NS = "tcpwt-live-%d" % os.getpid()
FLOW_TIMEOUT_S, TMT_BGN_S = 2.0, 1.2


def sh(*cmd):
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)


def ns(*cmd):
    return ["ip", "netns", "exec", NS, *cmd]


def pcap_records(path):
    """(linktype, [frame bytes]) of a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    linktype = struct.unpack(end + "I", data[20:24])[0]
    frames, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        frames.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return linktype, frames


def win0(frames):
    """TCP packets (Ethernet, IPv4, unfragmented) whose raw window field is 0."""
    n = 0
    for fr in frames:
        if len(fr) < 34 or fr[12:14] != b"\x08\x00" or fr[23] != 6:
            continue
        ihl = (fr[14] & 15) * 4
        if len(fr) >= 14 + ihl + 16 and fr[14 + ihl + 14:14 + ihl + 16] == b"\x00\x00":
            n += 1
    return n


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)) + fr)


def ipv4(proto, payload, src=b"\x0a\x00\x00\x01", dst=b"\x0a\x00\x00\x02"):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0,
                      src, dst)
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + hdr + payload


def idle_frames():
    udp = struct.pack("!HHHH", 40000, 5353, 12, 0) + b"ping"
    syn = struct.pack("!HHIIBBHHH", 40001, 80, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
    return [ipv4(17, udp), ipv4(6, syn)]


class Daemon:
    def __init__(self, daemon, outdir, conf_text, device="net_af_packet0,iface=va"):
        os.makedirs(outdir, exist_ok=True)
        self.outdir = outdir
        conf = os.path.join(outdir, "live.conf")
        with open(conf, "w") as f:
            f.write(conf_text)
        self.err = open(os.path.join(outdir, "stderr.txt"), "w+")
        self.p = subprocess.Popen(ns(daemon, "-c", conf, "-i", device,
                                     "-w", outdir), stdout=subprocess.PIPE,
                                  stderr=self.err, text=True)
        self.flows = os.path.join(outdir, "tcpwintmt_flows.txt")
        deadline = time.time() + 30
        while time.time() < deadline:
            self.err.seek(0)
            if "capturing on" in self.err.read():
                return
            if self.p.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("daemon did not start: " + self.stderr())

    def stderr(self):
        self.err.seek(0)
        return self.err.read()

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        out, _ = self.p.communicate(timeout=60)
        return self.p.returncode, out

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


def replay(daemon, outdir, pcap, cores, device, fails):
    _, frames = pcap_records(pcap)
    d = Daemon(daemon, outdir, "rx = { cores = %d; };\n" % cores, device)
    try:
        subprocess.run(ns("tcpreplay", "-q", "--pps=5000", "-i", "vb", pcap), check=True,
                       capture_output=True, timeout=120)
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


def idle_expiry(daemon, outdir, fails):
    pcap = os.path.join(outdir, "idle.pcap")
    os.makedirs(outdir, exist_ok=True)
    write_pcap(pcap, idle_frames())
    d = Daemon(daemon, outdir, "timeouts = { flow_timeout_s = %.1f; tmt_bgn_s = %.1f; };\n"
               % (FLOW_TIMEOUT_S, TMT_BGN_S))
    try:
        subprocess.run(ns("tcpreplay", "-q", "--topspeed", "-i", "vb", pcap), check=True,
                       capture_output=True, timeout=120)
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
            fails.append("idle %s flow not written within %.1f s" % (proto, timeout + 1))
        elif not timeout - 0.1 <= seen[proto] <= timeout + 1:
            fails.append("idle proto %s flow written after %.2f s; timeout %.1f s" % (
                proto, seen[proto], timeout))
        else:
            print("idle proto %s flow written %.2f s after its last packet (timeout %.1f s)"
                  % (proto, seen[proto], timeout))
    if rc != 0:
        fails.append("idle: exit %d" % rc)


def main():
    daemon, outdir, data = sys.argv[1:4]
    shared = sys.argv[4] if len(sys.argv) > 4 else ""
    missing = [t for t in ("ip", "tcpreplay") if shutil.which(t) is None]
    if os.geteuid() != 0 or missing:
        print("SKIP: integration.live: needs root and %s" % (", ".join(missing) or "root"))
        return 77
    fails = []
    try:
        sh("ip", "netns", "add", NS)
        sh("ip", "-n", NS, "link", "add", "va", "type", "veth", "peer", "name", "vb")
        for dev in ("va", "vb"):
            sh("ip", "-n", NS, "link", "set", dev, "mtu", "9000", "up")
        sh(*ns("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"))
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
        idle_expiry(daemon, os.path.join(outdir, "idle"), fails)
    finally:
        subprocess.run(["ip", "netns", "del", NS], capture_output=True)
    for f in fails:
        print("FAIL:", f)
    print("%d passed, %d failed" % (0 if fails else 1, 1 if fails else 0))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
